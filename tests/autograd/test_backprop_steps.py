"""``Value.backward_steps()``: the backward pass one chain-rule step at a time (``trace``, which
prints them, is tested in test_trace.py).

Every record is checked against numbers worked out by hand on small expressions; on
random expressions and an MLP loss, consuming the steps must leave exactly (bit for bit)
the gradients ``backward()`` leaves on a second copy of the same graph.
"""

from __future__ import annotations

import dataclasses
import math

import pytest
from hypothesis import given, note, settings

import autograd
import nn
from autograd import Step, Value, topological_order
from nn import functional as F
from tests.autograd.expressions import Recipe, cases, replay_all
from tests.autograd.readme_example import DTANH4, TANH4, bits, readme_expression

# -- the records, by hand ----------------------------------------------------------------


def test_records_of_readme_expression_by_hand() -> None:
    loss, t, s, p, a, b, c = readme_expression()
    steps = list(loss.backward_steps())
    # (node, position, input, upstream, local, contribution, input grad afterwards)
    # The graph is a chain L <- t <- s <- p, so the order of nodes is forced; c is used
    # by L (position 1) and by s (position 1) and collects both contributions.
    expected = [
        (loss, 0, t, 1.0, 10.0, 10.0, 10.0),
        (loss, 1, c, 1.0, TANH4, TANH4, TANH4),
        (t, 0, s, 10.0, DTANH4, 10.0 * DTANH4, 10.0 * DTANH4),
        (s, 0, p, 10.0 * DTANH4, 1.0, 10.0 * DTANH4, 10.0 * DTANH4),
        (s, 1, c, 10.0 * DTANH4, 1.0, 10.0 * DTANH4, TANH4 + 10.0 * DTANH4),
        (p, 0, a, 10.0 * DTANH4, -3.0, -30.0 * DTANH4, -30.0 * DTANH4),
        (p, 1, b, 10.0 * DTANH4, 2.0, 20.0 * DTANH4, 20.0 * DTANH4),
    ]
    assert len(steps) == len(expected)
    for k, (step, (node, position, inp, upstream, local, contribution, grad)) in enumerate(
        zip(steps, expected, strict=True)
    ):
        assert isinstance(step, Step)
        assert step.index == k
        assert step.node is node, k
        assert step.position == position, k
        assert step.input is inp, k
        assert step.upstream == pytest.approx(upstream, rel=1e-12), k
        assert step.local == pytest.approx(local, rel=1e-12), k
        assert step.contribution == pytest.approx(contribution, rel=1e-12), k
        assert step.input_grad == pytest.approx(grad, rel=1e-12), k
    # the README's numbers
    assert (round(a.grad, 4), round(b.grad, 4), round(c.grad, 4)) == (-0.0402, 0.0268, 1.0127)


def test_contribution_is_upstream_times_local_in_every_record() -> None:
    loss = readme_expression()[0]
    for step in loss.backward_steps():
        assert step.contribution == step.upstream * step.local


def test_steps_are_frozen_records() -> None:
    loss = readme_expression()[0]
    step, *_ = loss.backward_steps()
    with pytest.raises(dataclasses.FrozenInstanceError):
        step.upstream = 2.0  # type: ignore[misc]


def test_gradient_argument_seeds_the_root() -> None:
    x = Value(3.0)
    y = x * 4.0
    steps = list(y.backward_steps(gradient=2.5))
    assert steps[0].upstream == 2.5
    assert steps[0].contribution == 10.0  # 2.5 · ∂(4x)/∂x = 2.5 · 4
    assert x.grad == 10.0


def test_leaf_root_has_no_steps_and_gets_the_gradient() -> None:
    x = Value(3.0)
    x.grad = 0.5
    assert list(x.backward_steps()) == []
    assert x.grad == 1.5
    assert list(x.backward_steps(gradient=2.0)) == []
    assert x.grad == 3.5


def test_x_times_x_gives_two_records_for_the_same_input() -> None:
    x = Value(3.0)
    y = x * x
    steps = list(y.backward_steps())
    assert [(s.node, s.position, s.input) for s in steps] == [(y, 0, x), (y, 1, x)]
    assert [s.local for s in steps] == [3.0, 3.0]
    assert [s.contribution for s in steps] == [3.0, 3.0]
    assert [s.input_grad for s in steps] == [3.0, 6.0]  # the sum so far
    assert x.grad == 6.0  # d(x²)/dx = 2x


def test_leaf_input_grad_counts_this_pass_only_and_held_grad_is_added_at_the_end() -> None:
    x = Value(3.0)
    x.grad = 100.0
    y = x * x
    steps = y.backward_steps()
    assert next(steps).input_grad == 3.0
    assert next(steps).input_grad == 6.0
    assert list(steps) == []  # the pass ends
    assert x.grad == 106.0


def test_sum_gives_one_record_per_input() -> None:
    a, b, c = Value(1.0), Value(2.0), Value(6.0)
    total = autograd.sum([a, b, c])
    steps = list(total.backward_steps())
    assert [(s.node, s.position, s.input) for s in steps] == [
        (total, 0, a),
        (total, 1, b),
        (total, 2, c),
    ]
    assert [s.local for s in steps] == [1.0, 1.0, 1.0]
    assert [s.contribution for s in steps] == [1.0, 1.0, 1.0]


def test_sum_with_a_repeated_input_gives_a_record_per_occurrence() -> None:
    a, b = Value(1.0), Value(2.0)
    total = autograd.sum([a, b, a])
    steps = list(total.backward_steps())
    assert [s.input for s in steps] == [a, b, a]
    assert [s.input_grad for s in steps] == [1.0, 1.0, 2.0]
    assert (a.grad, b.grad) == (2.0, 1.0)


def test_dot_gives_one_record_per_input() -> None:
    w1, w2 = Value(0.5, label="w1"), Value(-2.0, label="w2")
    x1, x2 = Value(3.0, label="x1"), Value(4.0, label="x2")
    bias = Value(0.25, label="b")
    out = autograd.dot([w1, w2], [x1, x2], bias)  # 1.5 - 8 + 0.25
    assert out.data == -6.25
    steps = list(out.backward_steps(gradient=2.0))
    assert [s.position for s in steps] == [0, 1, 2, 3, 4]
    assert [s.input for s in steps] == [w1, w2, x1, x2, bias]
    # ∂/∂wᵢ = xᵢ, ∂/∂xᵢ = wᵢ, ∂/∂b = 1
    assert [s.local for s in steps] == [3.0, 4.0, 0.5, -2.0, 1.0]
    assert [s.contribution for s in steps] == [6.0, 8.0, 1.0, -4.0, 2.0]
    assert all(s.upstream == 2.0 and s.node is out for s in steps)


def test_interior_node_passes_on_only_its_complete_gradient() -> None:
    x = Value(0.3)
    h = x * 2.0  # interior, used twice
    y = h.tanh() + h.exp()
    steps = list(y.backward_steps())
    into_h = [k for k, s in enumerate(steps) if s.input is h]
    from_h = [k for k, s in enumerate(steps) if s.node is h]
    assert len(into_h) == 2
    assert from_h and min(from_h) > max(into_h)
    expected = 1.0 - math.tanh(0.6) ** 2 + math.exp(0.6)  # d(tanh h + eʰ)/dh at h = 0.6
    assert steps[from_h[0]].upstream == pytest.approx(expected, rel=1e-12)
    assert x.grad == pytest.approx(2.0 * expected, rel=1e-12)


def test_order_is_topological_order() -> None:
    loss = readme_expression()[0]
    x = Value(0.3)
    h = x * 2.0
    diamond = (h.tanh() * h.exp()).sigmoid() + h
    for root in (loss, diamond):
        steps = list(root.backward_steps())
        nodes: list[Value] = []
        for s in steps:
            if not nodes or nodes[-1] is not s.node:
                nodes.append(s.node)
        assert nodes == topological_order(root)
        # each node's records are its inputs in order, one each
        for node in nodes:
            mine = [s for s in steps if s.node is node]
            assert [s.position for s in mine] == list(range(len(node.parents)))
            assert [s.input for s in mine] == list(node.parents)


# -- abandoning, repeating, failing ------------------------------------------------------


@pytest.mark.parametrize("how", ["close", "del"])
def test_abandoning_part_way_restores_leaf_grads(how: str) -> None:
    loss, _t, _s, _p, a, b, c = readme_expression()
    a.grad, b.grad, c.grad = 0.5, 0.0, -1.25
    steps = loss.backward_steps()
    for step in steps:
        if step.index == 4:  # c has received both its contributions by now
            break
    assert c.grad != -1.25  # part-way, the pass has been writing into c
    if how == "close":
        steps.close()
    else:
        del steps
    assert (a.grad, b.grad, c.grad) == (0.5, 0.0, -1.25)
    # and a full pass afterwards is unaffected by the abandoned one
    loss.backward()
    assert a.grad == pytest.approx(0.5 - 30.0 * DTANH4, rel=1e-12)
    assert c.grad == pytest.approx(-1.25 + TANH4 + 10.0 * DTANH4, rel=1e-12)


def test_abandoning_after_the_last_record_still_restores() -> None:
    x = Value(3.0)
    x.grad = 1.0
    y = x * x
    steps = y.backward_steps()
    next(steps)
    next(steps)  # every record taken, but the pass has not been finished
    steps.close()
    assert x.grad == 1.0


def test_a_failing_step_restores_leaf_grads() -> None:
    a, z = Value(2.0), Value(0.0)
    a.grad = 0.75
    y = a * 3.0 + z.sqrt()  # sqrt'(0) is infinite: the pass fails there
    with pytest.raises(ZeroDivisionError, match="sqrt"):
        list(y.backward_steps())
    assert (a.grad, z.grad) == (0.75, 0.0)


def test_changed_data_is_refused_before_any_step() -> None:
    a = Value(2.0)
    y = a * a
    a.data = 5.0
    steps = y.backward_steps()
    with pytest.raises(RuntimeError, match="mul"):
        next(steps)
    assert a.grad == 0.0


def test_two_passes_of_steps_double_leaf_grads_exactly() -> None:
    loss, t, s, p, a, b, c = readme_expression()
    list(loss.backward_steps())
    once = [a.grad, b.grad, c.grad]
    interior = [t.grad, s.grad, p.grad]
    list(loss.backward_steps())
    assert [a.grad, b.grad, c.grad] == [2.0 * g for g in once]
    assert [t.grad, s.grad, p.grad] == interior  # recomputed from zero, not doubled


# -- steps and backward() agree, bit for bit ---------------------------------------------


def test_steps_equal_backward_on_readme_expression() -> None:
    first, second = readme_expression(), readme_expression()
    first[0].backward()
    list(second[0].backward_steps())
    assert [bits(v.grad) for v in first] == [bits(v.grad) for v in second]


def _sum_in_order(xs: list[float]) -> float:
    total = 0.0
    for x in xs:
        total += x
    return total


@settings(max_examples=150, deadline=None, derandomize=True)
@given(case=cases())
def test_steps_equal_backward_on_random_expressions(case: tuple[Recipe, list[float]]) -> None:
    recipe, xs = case
    note(recipe.source())
    held = [0.25 * (i + 1) for i in range(len(xs))]  # leaves start with a gradient

    def build() -> list[Value]:
        leaves = [Value(x) for x in xs]
        for leaf, g in zip(leaves, held, strict=True):
            leaf.grad = g
        return list(replay_all(recipe, leaves))

    by_backward, by_steps = build(), build()
    by_backward[-1].backward()
    steps = list(by_steps[-1].backward_steps())
    assert [bits(v.grad) for v in by_backward] == [bits(v.grad) for v in by_steps]

    # Each node passes on the sum of what it received, in the order it received it,
    # and each record's input_grad is that running sum.
    received: dict[int, list[float]] = {}
    for step in steps:
        if step.node is by_steps[-1]:
            assert step.upstream == 1.0
        else:
            assert step.upstream == _sum_in_order(received[id(step.node)])
        received.setdefault(id(step.input), []).append(step.contribution)
        assert step.input_grad == _sum_in_order(received[id(step.input)])
    for leaf, g in zip(by_steps[: recipe.n_inputs], held, strict=True):
        assert leaf.grad == _sum_in_order(received.get(id(leaf), [])) + g


def _mlp_loss(graph: str) -> tuple[Value, list[Value]]:
    model = nn.MLP(2, [4, 3, 1], seed=7, graph=graph)  # type: ignore[arg-type]
    X = [[0.5, -1.0], [1.5, 0.25], [-0.3, 0.8], [2.0, -2.0]]
    y = [1.0, -0.5, 0.2, 0.0]
    loss = F.mse_loss([model(x) for x in X], y)
    return loss, model.parameters()


def test_steps_equal_backward_exactly_on_a_fine_mlp_loss() -> None:
    loss1, params1 = _mlp_loss("fine")
    loss2, params2 = _mlp_loss("fine")
    assert loss1.data == loss2.data
    loss1.backward()
    steps = list(loss2.backward_steps())
    assert [bits(p.grad) for p in params1] == [bits(p.grad) for p in params2]
    assert any(p.grad != 0.0 for p in params2)
    # one record per input of every node
    assert len(steps) == sum(len(node.parents) for node in topological_order(loss2))


def test_steps_equal_backward_to_rounding_on_a_compact_mlp_loss() -> None:
    # backward() sums each layer's contributions in one go (autograd.fast), the steps one
    # by one: the same sums in another order
    loss1, params1 = _mlp_loss("compact")
    loss2, params2 = _mlp_loss("compact")
    assert loss1.data == loss2.data
    loss1.backward()
    steps = list(loss2.backward_steps())
    assert sum(p.grad != 0.0 for p in params2) > len(params2) // 2
    for fast, stepped in zip(params1, params2, strict=True):
        assert fast.grad == pytest.approx(stepped.grad, rel=1e-12, abs=1e-15)
    # one record per input (w, x, b) of every neuron: 4 neurons of 2 inputs, 3 of 4, 1 of 3
    per_sample = 4 * (2 + 2 + 1) + 3 * (4 + 4 + 1) + 1 * (3 + 3 + 1)
    # and per sample the one input of mse's sub (the target is a number, part of the op)
    # and the one of its pow; the mean of 4
    assert len(steps) == 4 * (per_sample + 1 + 1) + 4
    assert len(steps) == sum(len(node.parents) for node in topological_order(loss2))


# -- one pass at a time: what abandoning an iterator does --------------------------------


def tanh_expression() -> tuple[Value, Value, Value, Value]:
    a, b, c = Value(2.0, label="a"), Value(-3.0, label="b"), Value(10.0, label="c")
    return (a * b + c).tanh() * c, a, b, c


def full_pass_gradients() -> tuple[float, float, float]:
    loss, a, b, c = tanh_expression()
    loss.backward()
    return a.grad, b.grad, c.grad


def test_an_abandoned_iterator_never_changes_a_later_pass() -> None:
    loss, a, b, c = tanh_expression()
    it = loss.backward_steps()
    next(it)
    loss.backward()  # abandons the unfinished pass, then runs its own
    expected = full_pass_gradients()
    assert (a.grad, b.grad, c.grad) == expected
    assert round(a.grad, 4) == -0.0402
    it = loss.backward_steps()  # the old iterator is dropped and finalised
    assert (a.grad, b.grad, c.grad) == expected


def test_an_abandoned_iterator_cannot_resume() -> None:
    loss, *_ = tanh_expression()
    it = loss.backward_steps()
    next(it)
    loss.backward()
    with pytest.raises(RuntimeError, match="abandoned when another backward pass began"):
        next(it)


def test_closing_an_iterator_puts_the_leaves_back() -> None:
    loss, a, b, c = tanh_expression()
    a.grad, b.grad = 1.5, -2.0  # held from an earlier pass
    it = loss.backward_steps()
    steps = [next(it) for _ in range(5)]
    assert steps[1].input is c and c.grad != 0.0  # c has this pass's contributions so far
    it.close()
    assert (a.grad, b.grad, c.grad) == (1.5, -2.0, 0.0)


def test_a_second_iterator_abandons_the_first() -> None:
    loss, a, b, c = tanh_expression()
    first = loss.backward_steps()
    next(first)
    second = loss.backward_steps()
    for _ in second:
        pass
    assert (a.grad, b.grad, c.grad) == full_pass_gradients()
    with pytest.raises(RuntimeError, match="abandoned"):
        next(first)
    assert (a.grad, b.grad, c.grad) == full_pass_gradients()


def test_a_finished_iterator_is_no_longer_in_progress() -> None:
    loss, a, b, c = tanh_expression()
    steps = list(loss.backward_steps())
    loss.backward()  # a second full pass: leaves accumulate
    once = full_pass_gradients()
    assert (a.grad, b.grad, c.grad) == tuple(2 * g for g in once)
    assert len(steps) == 7
