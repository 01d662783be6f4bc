"""One sample's part of a loss, and parameters drawn inside their neurons."""

from __future__ import annotations

import math

import pytest

import nn
from autograd import Value, backward_steps
from autograd.drawing import _walk
from autograd.explorer import build, frame_gradients
from tests.helpers import assert_named_error


def _moons_loss(samples: int = 6) -> tuple[nn.MLP, Value]:
    X, y = nn.data.make_moons(samples, noise=0.1, seed=3, signed=True)
    model = nn.MLP(2, [4, 4, 1], seed=5)
    return model, nn.functional.hinge_loss([model(x) for x in X], y)


def test_a_samples_part_is_its_term_with_the_losss_gradient_into_it_as_seed() -> None:
    model, loss = _moons_loss()
    params = dict(model.named_parameters())
    term = loss.parents[2]
    graph, numbers = build(loss, params, sample=2)
    assert numbers["seed"] == 1 / 6
    assert "sample 2 of 6" in graph["title"] and "this sample's share" in graph["title"]
    values = _walk(term)
    assert len(graph["nodes"]) == len(values)
    # frame k is backward_steps from the term, seeded with ∂loss/∂term
    reached = {id(term)}
    k = -1
    for k, step in enumerate(backward_steps(term, 1 / 6)):
        reached.add(id(step.input))
        shown = frame_gradients(graph, numbers, k)
        if k < len(numbers["steps"]) - 1:
            assert shown == [v.grad if id(v) in reached else None for v in values]
    last = len(numbers["steps"]) - 1
    assert k == last
    assert frame_gradients(graph, numbers, last) == [v.grad for v in values]  # the pass's end
    model.zero_grad()


def test_the_samples_shares_add_up_to_the_losss_gradient() -> None:
    model, loss = _moons_loss()
    params = dict(model.named_parameters())
    shares = dict.fromkeys(params, 0.0)
    for sample in range(6):
        graph, numbers = build(loss, params, sample=sample)
        for node, grad in zip(graph["nodes"], numbers["final"], strict=True):
            if node["kind"] == "parameter":
                shares[node["name"]] += grad
    model.zero_grad()
    loss.backward()
    for name, p in params.items():
        assert math.isclose(shares[name], p.grad, rel_tol=1e-12, abs_tol=1e-15), name


def test_a_sample_through_a_chain_of_one_input_ops_takes_their_derivatives() -> None:
    terms = [Value(float(i), label=f"t{i}") ** 2 for i in range(1, 4)]
    from autograd import sum as total

    loss = total(terms) / 3.0 * 2.0  # ∂loss/∂term = 2/3
    _, numbers = build(loss, sample=-1)
    assert math.isclose(numbers["seed"], 2 / 3, rel_tol=1e-15)
    assert numbers["final"][1] == pytest.approx(2 / 3 * 2 * 3.0)  # ∂(t²)/∂t · seed


def test_sample_errors_say_what_a_sample_is() -> None:
    _, loss = _moons_loss()
    assert_named_error(lambda: build(loss, sample=6), IndexError, r"samples 0 to 5")
    assert_named_error(lambda: build(loss, sample="0"), TypeError, r"sample must be an int")  # type: ignore[arg-type]
    assert_named_error(
        lambda: build(Value(2.0).exp(), sample=0), ValueError, r"needs a loss that is a mean"
    )
    # Python's sum is a chain of +, and data_loss + reg_loss has two terms that are not
    # samples: neither is taken for a mean over samples
    terms = [Value(float(i)) ** 2 for i in range(4)]
    assert_named_error(lambda: build(sum(terms), sample=0), ValueError,  # type: ignore[arg-type]
                       r"below this loss's ops of one input is 'add' of 2 inputs")  # fmt: skip
    from autograd import mean

    data_loss, reg_loss = mean(terms), Value(0.5) * Value(0.1)
    assert_named_error(lambda: build(data_loss + reg_loss, sample=1), ValueError,
                       r"autograd.mean\(terms\)")  # fmt: skip
    assert build(data_loss * 2.0, sample=1)[1]["seed"] == 2.0 / 4  # through an op of one input


def test_the_neuron_view_draws_each_weight_and_bias_inside_its_neuron() -> None:
    model, loss = _moons_loss()
    params = dict(model.named_parameters())
    graph, numbers = build(loss, params, sample=0, view="neuron")
    nodes = graph["nodes"]
    folded = [n for n in nodes if n["folded_into"] is not None]
    assert {n["name"] for n in folded} == set(params)  # every parameter, nothing else
    for node in folded:
        host = nodes[node["folded_into"]]
        assert host["op"].startswith("affine") and nodes.index(node) in host["inputs"]
    assert graph["view"] == "neuron"
    neurons = [n["name"] for n in nodes if n["op"] and n["op"].startswith("affine")]
    assert sorted(neurons) == sorted(
        [f"layers.{k} neuron {r}" for k, size in enumerate((4, 4, 1)) for r in range(size)]
    )  # a neuron is named by its layer and its row of the weight matrix
    # the pass is the same: folding changes the drawing, not the steps
    _, unfolded = build(loss, params, sample=0)
    assert numbers["steps"] == unfolded["steps"]


def test_the_layer_view_groups_neurons_by_their_parameters_names() -> None:
    model, loss = _moons_loss()
    graph, _ = build(loss, dict(model.named_parameters()), sample=1, view="layer")
    groups = {n["group"] for n in graph["nodes"] if n["op"] and n["op"].startswith("affine")}
    assert groups == {"layers.0", "layers.1", "layers.2"}
    sizes = [sum(n["group"] == g for n in graph["nodes"]) for g in sorted(groups)]
    assert sizes == [4, 4, 1]


def test_views_that_need_neurons_or_names_say_so() -> None:
    assert_named_error(lambda: build(Value(1.0) * 2.0, view="neuron"), ValueError, r"needs neurons")
    _, loss = _moons_loss()
    assert_named_error(lambda: build(loss, view="layer", sample=0), ValueError,
                       r"pass params=dict\(model.named_parameters\(\)\)")  # fmt: skip
