"""Ops of many inputs: one node for a sum or a mean, however many values go in."""

from __future__ import annotations

from collections.abc import Iterable

from autograd import ops
from autograd.value import Number, Value, _nary


def sum(values: Iterable[Value | Number]) -> Value:
    """x₁ + … + xₙ as one node with n inputs (∂/∂xᵢ = 1).

    Python's ``builtins.sum`` over Values works too, but builds n - 1 additions, a chain
    n - 1 nodes deep; this builds one node. Numbers among the values become leaves.
    """
    return _nary(ops.SUM, values)


def mean(values: Iterable[Value | Number]) -> Value:
    """(x₁ + … + xₙ) / n as one node with n inputs (∂/∂xᵢ = 1/n)."""
    return _nary(ops.MEAN, values)


__all__ = ["mean", "sum"]
