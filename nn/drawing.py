"""Drawing a model by layers or by neurons, where drawing every scalar would be too much.

``draw_model(model)`` shows each layer as one box (its sizes and parameter count) with the
activations between them; ``level="neuron"`` shows every neuron as a node with an edge
from every input it reads, optionally labelled with the weight. The result is an
``autograd.Graph``: ``.source``, ``.save(path)``, ``.svg()``, shown inline in Jupyter.
"""

from __future__ import annotations

from typing import Literal

import graphviz

from autograd.drawing import INPUT, OP, OUTPUT, PARAMETER, Graph, graph_attributes
from nn.layers import MLP, Layer, Linear, Neuron
from nn.module import Module


def _linears(model: Module) -> list[tuple[list[list[float]], list[float], str | None]]:
    """(weight rows, biases, activation after it) per layer, for the models that are a
    sequence of affine layers."""
    if isinstance(model, MLP):
        last = len(model.layers) - 1
        return [
            (*_affine(layer), None if i == last else model.activation)
            for i, layer in enumerate(model.layers)
        ]
    if isinstance(model, Linear):
        return [(*_affine(model), None)]
    if isinstance(model, Layer):
        return [
            (
                [[w.data for w in n.w] for n in model.neurons],
                [n.b.data for n in model.neurons],
                model.activation,
            )
        ]
    if isinstance(model, Neuron):
        return [([[w.data for w in model.w]], [model.b.data], model.activation)]
    raise TypeError(
        f"draw_model: draws MLP, Linear, Layer and Neuron models, not {type(model).__name__}"
    )


def _affine(layer: Linear) -> tuple[list[list[float]], list[float]]:
    weights = [[w.data for w in row] for row in layer.weight]
    biases = [b.data for b in layer.bias] if layer.bias is not None else [0.0] * len(weights)
    return weights, biases


def draw_model(
    model: Module,
    level: Literal["layer", "neuron"] = "layer",
    *,
    weights: bool = False,
    max_edges: int = 600,
    rankdir: str = "LR",
    size: str | tuple[float, float] | None = None,
) -> Graph:
    """The model as a graph of layers (``level="layer"``) or of neurons (``"neuron"``;
    ``weights=True`` labels each edge with its weight). Colours as in ``autograd.draw``:
    blue inputs, gold layers or neurons (they hold the parameters), grey activations,
    green outputs. ``rankdir`` and ``size`` as for ``autograd.draw``."""
    if level not in ("layer", "neuron"):
        raise ValueError(f"draw_model: level must be 'layer' or 'neuron', got {level!r}")
    attributes = graph_attributes("draw_model", rankdir, size)
    layers = _linears(model)
    name = type(model).__name__
    digraph = graphviz.Digraph(
        "model",
        graph_attr={**attributes, "label": name, "labelloc": "t", "fontname": "Helvetica"},
        node_attr={"fontname": "Helvetica", "style": "filled"},
        edge_attr={"fontname": "Helvetica", "fontsize": "9"},
    )
    parameters = sum(len(w) * len(w[0]) + len(b) for w, b, _ in layers)
    if level == "layer":
        _by_layer(digraph, layers)
        count = f"{len(layers)} layer" + ("" if len(layers) == 1 else "s")
        return Graph(digraph, f"{name} by layer: {count}, {parameters:,} parameters",
                     made_by="draw_model")  # fmt: skip
    edges = sum(len(w) * len(w[0]) for w, _, _ in layers)
    if edges > max_edges:
        raise ValueError(
            f"draw_model: {edges} connections, more than max_edges={max_edges}; "
            f"draw level='layer' or pass a larger max_edges"
        )
    _by_neuron(digraph, layers, weights)
    neurons = sum(len(w) for w, _, _ in layers)
    return Graph(
        digraph,
        f"{name} by neuron: {neurons:,} neuron{'' if neurons == 1 else 's'}, {edges:,} weights",
        made_by="draw_model",
        smaller="draw it by layer: nn.draw_model(model), level='layer'",
    )


def _by_layer(
    digraph: graphviz.Digraph, layers: list[tuple[list[list[float]], list[float], str | None]]
) -> None:
    width = len(layers[0][0][0])
    digraph.node("input", f"input\n{width} values", shape="box", fillcolor=INPUT)
    previous = "input"
    for i, (rows, biases, activation) in enumerate(layers):
        count = len(rows) * len(rows[0]) + len(biases)
        name = f"layer{i}"
        digraph.node(
            name,
            f"layer {i}: {len(rows[0])} → {len(rows)}\n{count} parameters",
            shape="box",
            fillcolor=PARAMETER,
        )
        digraph.edge(previous, name)
        previous = name
        if activation is not None:
            digraph.node(f"act{i}", activation, shape="oval", fillcolor=OP)
            digraph.edge(previous, f"act{i}")
            previous = f"act{i}"
    digraph.node("output", f"output\n{len(layers[-1][0])} values", shape="box", fillcolor=OUTPUT)
    digraph.edge(previous, "output")


def _by_neuron(
    digraph: graphviz.Digraph,
    layers: list[tuple[list[list[float]], list[float], str | None]],
    weights: bool,
) -> None:
    sources = [f"x{j}" for j in range(len(layers[0][0][0]))]
    for name in sources:
        digraph.node(name, name, shape="circle", fillcolor=INPUT)
    for i, (rows, biases, activation) in enumerate(layers):
        targets = []
        for k, (row, bias) in enumerate(zip(rows, biases, strict=True)):
            name = f"n{i}_{k}"
            act = f"{activation}(·)" if activation else "linear"
            digraph.node(name, f"{act}\nb {bias:.3g}", shape="circle", fillcolor=PARAMETER)
            for source, w in zip(sources, row, strict=True):
                digraph.edge(source, name, label=f"{w:.3g}" if weights else "")
            targets.append(name)
        sources = targets
    for k, name in enumerate(sources):
        digraph.node(f"y{k}", f"y{k}", shape="circle", fillcolor=OUTPUT)
        digraph.edge(name, f"y{k}")
