"""Taking optimizer steps with given gradients, for the update rules worked out by hand."""

from __future__ import annotations

from typing import Any

import pytest

from autograd import Value
from nn.optim import Optimizer

EPS = 1e-8


def approx(x: float) -> Any:
    return pytest.approx(x, rel=1e-13, abs=1e-15)


def step_with(opt: Optimizer, params: list[Value], grads: list[float]) -> None:
    """One step with the given gradients."""
    for p, g in zip(params, grads, strict=True):
        p.grad = g
    opt.step()


def run_one(opt: Optimizer, p: Value, grads: list[float]) -> list[float]:
    """p's value after each of len(grads) steps with those gradients."""
    values = []
    for g in grads:
        step_with(opt, [p], [g])
        values.append(p.data)
    return values
