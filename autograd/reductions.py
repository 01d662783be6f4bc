"""Ops of many inputs: one node for a sum, a mean or a dot product, however many inputs."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from autograd import ops
from autograd.engine import Value, nary
from autograd.value import Number


def sum(values: Iterable[Value | Number]) -> Value:
    """x₁ + … + xₙ as one node with n inputs (∂/∂xᵢ = 1).

    Python's ``builtins.sum`` over Values works too, but builds n - 1 additions, a chain
    n - 1 nodes deep; this builds one node. Numbers among the values become leaves.
    """
    return nary(ops.SUM, values)


def mean(values: Iterable[Value | Number]) -> Value:
    """(x₁ + … + xₙ) / n as one node with n inputs (∂/∂xᵢ = 1/n)."""
    return nary(ops.MEAN, values)


def dot(
    weights: Sequence[Value | Number], inputs: Sequence[Value | Number], bias: Value | Number = 0.0
) -> Value:
    """w₁x₁ + … + wₙxₙ + b as one node with 2n + 1 inputs (∂/∂wᵢ = xᵢ, ∂/∂xᵢ = wᵢ, ∂/∂b = 1).

    A neuron's pre-activation in one step of the chain rule, where ``*`` and ``+`` would
    build 2n nodes. Numbers among the arguments become leaves.
    """
    if len(weights) != len(inputs):
        raise ValueError(f"dot: {len(weights)} weights but {len(inputs)} inputs")
    if not weights:
        raise ValueError("dot: needs at least one weight and input, got none")
    return nary(ops.DOT, [*weights, *inputs, bias])


__all__ = ["dot", "mean", "sum"]
