"""``autograd.fast.traversal`` pinned to the reference's ``topological_order``: the same
order of Values on random graphs of the core ops and through layers, and the same leaves."""

from __future__ import annotations

import pytest
from hypothesis import given, settings

import autograd
import nn
from autograd import Value, backprop
from autograd.fast.traversal import order_and_leaves
from tests.autograd.fast.test_backward import graphs

# The Python engine's optimisation; the compiled engine replaces it (see tests/conftest.py).
pytestmark = pytest.mark.python_engine


@given(graphs())
@settings(max_examples=150, deadline=None)
def test_the_fast_order_is_the_reference_order(graph: tuple[Value, list[Value]]) -> None:
    root, _ = graph
    reference = backprop.topological_order(root)
    order, leaves, _, _ = order_and_leaves(root)
    assert [id(node) for node in order] == [id(node) for node in reference]
    # the same leaves (in another order: they are listed as each walk meets them)
    assert {id(leaf) for leaf in leaves} == {
        id(leaf) for leaf in backprop.leaves_of(root, reference)
    }


def test_through_layers_the_order_is_the_reference_order_once_neurons_are_values() -> None:
    model = nn.MLP(3, [4, 3, 2])
    loss = autograd.sum([v * v for row in ([1.0, 2.0, -1.0], [0.5, -0.5, 2.0]) for v in model(row)])
    reference = backprop.topological_order(loss)  # makes every hidden neuron a Value
    order, _, _, _ = order_and_leaves(loss)
    assert [id(n) for n in order if n.__class__ is Value] == [id(n) for n in reference]
