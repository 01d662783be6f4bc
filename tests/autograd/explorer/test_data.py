"""The explorer's data is the engine's: frames are backward_steps' gradients, the last frame is
backward()'s, every "why" sum is the node's gradient, and the central differences agree."""

from __future__ import annotations

import itertools
import json
import math

import pytest
from hypothesis import given, settings

from autograd import Value, backward_steps, detect_anomaly
from autograd.drawing import _walk
from autograd.explorer import build, frame_gradients
from tests.autograd.expressions import Recipe, cases, kink_clearance, replay
from tests.helpers import assert_named_error


def _graph_of(recipe: Recipe, xs: list[float]) -> tuple[Value, list[Value]]:
    leaves = [Value(x, label=f"x{i}") for i, x in enumerate(xs)]
    return replay(recipe, leaves), leaves


@given(cases())
@settings(max_examples=60, deadline=None)
def test_frame_k_is_the_gradients_after_k_steps_and_the_last_is_backward(
    case: tuple[Recipe, list[float]],
) -> None:
    root, _ = _graph_of(*case)
    values = _walk(root)
    for i, value in enumerate(values):  # leaves hold gradients beforehand: they are added
        if value.is_leaf:
            value.grad = 0.25 * (i + 1)
    before = [v.grad for v in values]
    graph, numbers = build(root)
    assert [v.grad for v in values] == before  # build leaves every gradient as it was

    expected: list[list[float | None]] = []
    reached = {id(root)}
    steps = backward_steps(root)
    for step in steps:
        reached.add(id(step.input))
        expected.append([v.grad if id(v) in reached else None for v in values])
    for v, held in zip(values, before, strict=True):
        v.grad = held
    assert len(numbers["steps"]) == len(expected)
    for k in range(len(expected) - 1):  # before the last step: the pass's sums, held not added
        assert frame_gradients(graph, numbers, k) == expected[k]
    root.backward()
    assert frame_gradients(graph, numbers, len(expected) - 1) == [v.grad for v in values]
    assert numbers["final"] == [v.grad for v in values]


@given(cases())
@settings(max_examples=60, deadline=None)
def test_why_each_gradient_is_the_sum_of_its_contributions(
    case: tuple[Recipe, list[float]],
) -> None:
    root, _ = _graph_of(*case)
    graph, numbers = build(root)
    steps = numbers["steps"]
    for i, why in enumerate(numbers["why"]):
        assert why["total"] == numbers["final"][i]
        if i == 0:
            continue
        parts = [steps[k]["contribution"] for k in why["steps"]]
        assert all(graph["edges"][steps[k]["edge"]]["input"] == i for k in why["steps"])
        assert math.isclose(math.fsum(parts) + why["held"], why["total"], rel_tol=1e-12,
                            abs_tol=1e-12)  # fmt: skip
        path = why["path"]
        assert path[0] == 0 and path[-1] == i
        for user, used in itertools.pairwise(path):  # each hop is an edge of the graph
            assert used in graph["nodes"][user]["inputs"]


@given(cases())
@settings(max_examples=60, deadline=None)
def test_the_central_differences_agree_with_the_gradients(
    case: tuple[Recipe, list[float]],
) -> None:
    recipe, xs = case
    if kink_clearance(recipe, xs) < 1e-3:  # central differences straddle a relu/abs kink
        return
    root, _ = _graph_of(recipe, xs)
    _, numbers = build(root)
    for why in numbers["why"]:
        assert why["numeric"] is not None, why["numeric_note"]
        assert abs(why["numeric"] - why["total"]) <= 1e-4 + 1e-3 * abs(why["total"])


def test_a_step_records_the_chain_rule_with_its_formula_and_numbers() -> None:
    a, b = Value(2.0, label="a"), Value(-3.0, label="b")
    out = a * b
    out.label = "out"
    graph, numbers = build(out)
    assert [n["name"] for n in graph["nodes"]] == ["out", "a", "b"]
    assert graph["nodes"][0]["forward"] == "f(a, b) = a · b"
    first, second = numbers["steps"]
    assert graph["edges"][first["edge"]] == {"node": 0, "input": 1, "position": 0}
    assert (first["upstream"], first["local"], first["contribution"]) == (1.0, -3.0, -3.0)
    assert (first["before"], first["after"]) == (0.0, -3.0)
    assert first["derivative"] == "∂f/∂a = b" and first["numbers"] == "b = -3"
    assert second["derivative"] == "∂f/∂b = a" and second["numbers"] == "a = 2"
    assert numbers["reached_at"] == [-1, 0, 1] and numbers["complete_at"] == [-1, 0, 1]


def test_a_node_is_complete_after_the_last_node_that_uses_it_has_passed_back() -> None:
    x = Value(0.5, label="x")
    y = x * x + x.tanh()  # x receives three contributions
    _, numbers = build(y)
    steps_into_x = numbers["why"][_walk(y).index(x)]["steps"]
    assert len(steps_into_x) == 3
    i = _walk(y).index(x)
    assert numbers["reached_at"][i] == steps_into_x[0]
    assert numbers["complete_at"][i] == steps_into_x[-1] == len(numbers["steps"]) - 1


def test_an_op_without_a_formula_shows_its_numbers_only() -> None:
    from autograd import Function

    class Scale(Function):
        @staticmethod
        def forward(ctx, x):  # type: ignore[no-untyped-def]
            return 3.0 * x

        @staticmethod
        def backward(ctx, grad):  # type: ignore[no-untyped-def]
            return 3.0 * grad

    y = Scale.apply(Value(2.0, label="x"))
    graph, numbers = build(y)
    assert graph["nodes"][0]["forward"] is None
    (step,) = numbers["steps"]
    assert step["derivative"] is None and step["numbers"] is None
    assert step["local"] == 3.0


def test_the_creation_site_is_recorded_under_anomaly_mode() -> None:
    with detect_anomaly():
        x = Value(1.5, label="x")
        y = (x * 2.0).tanh()  # the line the page shows
        graph, _ = build(y)
    site = graph["nodes"][0]["site"]
    assert site is not None and "test_data.py" in site and "y = (x * 2.0).tanh()" in site
    assert build(y)[0]["nodes"][0]["site"] is None  # outside the block nothing is recorded


def test_the_data_is_plain_json() -> None:
    x = Value(0.3, label="<script>alert(1)</script>")
    graph, numbers = build((x * x).exp())
    text = json.dumps({"graph": graph, "pass": numbers}, allow_nan=False)
    assert json.loads(text)["graph"]["nodes"][-1]["name"] == "<script>alert(1)</script>"


def test_bad_arguments_name_explore() -> None:
    assert_named_error(lambda: build(3.0), TypeError, r"explore: expected a Value, got float")  # type: ignore[arg-type]
    assert_named_error(
        lambda: build(Value(1.0), view="graph"), ValueError, r"explore: view must be 'value'"
    )


def test_a_graph_past_max_nodes_says_what_to_show_instead() -> None:
    xs = [Value(float(i)) for i in range(30)]
    total = xs[0]
    for x in xs[1:]:
        total = total + x
    with pytest.raises(ValueError) as info:
        build(total, max_nodes=20)
    message = str(info.value)
    assert "59 values to draw, more than max_nodes=20" in message
    assert "sample=0" in message and 'view="neuron"' in message and "max_nodes=59" in message
    assert len(build(total, max_nodes=59)[0]["nodes"]) == 59


def test_a_leaf_root_holding_a_gradient_is_its_whole_pass() -> None:
    x = Value(0.5, label="x")
    x.grad = 2.0
    graph, numbers = build(x)
    assert numbers["steps"] == [] and numbers["final"] == [3.0]  # seed 1 + held 2
    assert frame_gradients(graph, numbers, -1) == [3.0]  # the only frame is the last
    assert_named_error(lambda: frame_gradients(graph, numbers, 0), IndexError, r"no step 0")
    (why,) = numbers["why"]
    assert (why["held"], why["total"]) == (2.0, 3.0)
    assert why["numeric"] == pytest.approx(1.0, rel=1e-9)  # ∂x/∂x by central differences
    note = "this pass's derivative; the total adds the 2 held before the pass"
    assert why["numeric_note"] == note
    assert x.grad == 2.0
