"""What ``test_affine.py`` and ``test_affine_hidden.py`` share: tolerances, the names of
the activations and their ops, leaf builders, comparisons, and a fixture that leaves no
hook behind."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import numpy as np
import pytest

import autograd.hooks
from autograd import Value

REL = 1e-12  # against torch, numpy and the other graph shape: float64 both sides
ABS = 1e-15  # floor for results that are, or cancel to, ~0

ACTIVATIONS: list[str | None] = ["relu", "tanh", "sigmoid", None]
OP_NAMES: dict[str | None, str] = {
    "relu": "affine_relu",
    "tanh": "affine_tanh",
    "sigmoid": "affine_sigmoid",
    None: "affine",
}
COEFFS = [1.0, -1.5, 2.0, -2.5, 3.0, -0.75, 1.25, -1.75]  # distinct: every output matters


class WeakValue(Value):
    """A leaf that can be weakly referenced (Value's __slots__ leave out __weakref__)."""

    __slots__ = ("__weakref__",)


@pytest.fixture(autouse=True)
def no_hooks_left_behind() -> Iterator[None]:
    """A failing hook test must not leave hooks registered for the next test."""
    yield
    autograd.hooks.HOOKS.clear()


def close(a: float, b: float, rel: float = REL) -> bool:
    return math.isclose(a, b, rel_tol=rel, abs_tol=ABS)


def assert_close(got: Sequence[float], want: Sequence[float], rel: float = REL) -> None:
    assert len(got) == len(want)
    for i, (g, w) in enumerate(zip(got, want, strict=True)):
        assert close(g, w, rel), f"[{i}]: {g!r} != {w!r}"


def grads(values: Sequence[Value]) -> list[float]:
    return [v.grad for v in values]


def leaves(values: Sequence[float]) -> list[Value]:
    return [Value(v) for v in values]


def leaf_rows(rows: Sequence[Sequence[float]]) -> list[list[Value]]:
    return [leaves(row) for row in rows]


def flat(rows: Sequence[Sequence[Value]]) -> list[Value]:
    return [v for row in rows for v in row]


def tensor(torch: Any, values: object) -> Any:
    return torch.tensor(np.asarray(values), dtype=torch.float64, requires_grad=True)


def torch_act(torch: Any, name: str | None) -> Callable[[Any], Any]:
    if name is None:
        return lambda t: t
    return {"relu": torch.relu, "tanh": torch.tanh, "sigmoid": torch.sigmoid}[name]  # type: ignore[no-any-return]
