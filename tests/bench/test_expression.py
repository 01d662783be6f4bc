"""tests/bench/expression.py, the bench's expression: the same graph and gradients in both
engines (no timing is asserted; timings belong to ``make bench``)."""

from __future__ import annotations

import math
from typing import Any

import pytest

from autograd import Value
from tests.bench.expression import build, count_constants, count_nodes, floats_with_gradients

pytestmark = pytest.mark.micrograd  # compared with micrograd


def test_both_engines_build_the_same_graph_and_gradients(micrograd: Any) -> None:
    ours, our_leaves = build(Value, terms=30, length=12)
    theirs, their_leaves = build(micrograd.engine.Value, terms=30, length=12)
    # the same graph, except that micrograd makes each number (the 0.5 in acc * 0.5) a
    # leaf node, where stepgrad folds it into its op, as PyTorch does
    constants = count_nodes(theirs) - count_nodes(ours)
    assert constants == count_constants(theirs, their_leaves) > 0
    assert count_nodes(ours) > 30 * 12
    ours.backward()
    theirs.backward()
    value, grads = floats_with_gradients(terms=30, length=12)
    assert math.isclose(ours.data, theirs.data, rel_tol=1e-12)
    assert math.isclose(ours.data, value, rel_tol=1e-12)
    for mine, other, by_hand in zip(our_leaves, their_leaves, grads, strict=True):
        assert math.isclose(mine.grad, other.grad, rel_tol=1e-9, abs_tol=1e-12)
        assert math.isclose(mine.grad, by_hand, rel_tol=1e-9, abs_tol=1e-12)
