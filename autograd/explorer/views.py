"""Showing less of a big graph: one sample's part of a loss, parameters inside their neurons.

A loss over a batch is a mean (or sum) of one term per sample, and each term depends on
the model's parameters and on that sample alone. ``sample_part(loss, i)`` is term i and
the gradient the loss passes to it: a backward pass from term i with that seed gives each
parameter this sample's share of its gradient.

nn's default graph has one node per neuron, act(w·x + b), whose inputs are its weights,
its inputs and its bias. ``fold`` draws each weight and bias inside its neuron (the
"neuron" view) and, for the "layer" view, groups the neurons of each layer by their
parameters' names (``layers.0.weight[2, 1]`` belongs to ``layers.0``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from autograd import ops
from autograd.engine import Value

__all__ = ["Folding", "fold", "sample_part"]


def sample_part(loss: Value, sample: int) -> tuple[Value, float, str]:
    """Term ``sample`` of ``loss``, ∂loss/∂term, and a title saying what is shown.

    The terms are the inputs of the loss's ``mean`` or ``sum`` node (one node of many
    inputs, as nn.functional's losses, ``autograd.mean`` and ``autograd.sum`` make it),
    reached from the root through ops of one input (``mean(...) * 2``). Any other loss
    is a ValueError: a chain of ``+`` (Python's ``sum``) or ``data_loss + reg_loss`` has
    no per-sample terms to tell apart.
    """
    if isinstance(sample, bool) or not isinstance(sample, int):
        raise TypeError(f"explore: sample must be an int, got {sample!r}")
    node, seed = loss, 1.0
    while not node.is_leaf and len(node.parents) == 1:
        seed *= node._op.local_derivatives(node)[0]  # type: ignore[union-attr]
        node = node.parents[0]
    if node.is_leaf or not isinstance(node._op, ops.Sum | ops.Mean):
        found = "a leaf" if node.is_leaf else f"'{node.op}' of {len(node.parents)} inputs"
        raise ValueError(
            f"explore: sample={sample} needs a loss that is a mean or sum over samples, one "
            f"node whose inputs are the samples' terms (nn.functional's losses, "
            f"autograd.mean(terms), autograd.sum(terms)); below this loss's ops of one input "
            f"is {found}"
        )
    terms = node.parents
    if not -len(terms) <= sample < len(terms):
        raise IndexError(
            f"explore: sample {sample} is out of range: the loss's '{node.op}' has "
            f"{len(terms)} terms (samples 0 to {len(terms) - 1})"
        )
    position = sample % len(terms)
    seed *= node._op.local_derivatives(node)[position]
    title = (
        f"sample {position} of {len(terms)}: its term of the loss's '{node.op}' "
        f"(∂loss/∂term = {seed:.4g}); every gradient shown is this sample's share"
    )
    return terms[position], seed, title


@dataclass(frozen=True)
class Folding:
    """For each value (by number): the neuron it is drawn inside (``host``), the layer it
    is drawn in (``group``), and how many values are folded away (``count``)."""

    host: list[int | None]
    group: list[str | None]
    count: int

    @staticmethod
    def none(n: int) -> Folding:
        return Folding([None] * n, [None] * n, 0)


def _parameter_positions(neuron: Value) -> list[int]:
    """The input positions of a neuron's weights and bias (w₁…wₙ, x₁…xₙ, then b)."""
    n = len(neuron.parents)
    half = n // 2
    return [*range(half), *([n - 1] if n % 2 else [])]


def fold(
    values: list[Value], index: Mapping[int, int], names: Mapping[int, str], view: str
) -> Folding:
    """Fold each neuron's parameters into it; for ``view="layer"`` group neurons by layer."""
    users: dict[int, int] = {}
    for value in values:
        for parent in set(map(id, value.parents)):
            users[parent] = users.get(parent, 0) + 1
    host: list[int | None] = [None] * len(values)
    group: list[str | None] = [None] * len(values)
    neurons = 0
    for i, value in enumerate(values):
        if value.is_leaf or not isinstance(value._op, ops.Affine):
            continue
        neurons += 1
        inputs = value.parents
        for position in _parameter_positions(value):
            parameter = inputs[position]
            if parameter.is_leaf and users[id(parameter)] == 1:
                host[index[id(parameter)]] = i
        if view == "layer":
            group[i] = _layer_name(inputs[0], names)
    if neurons == 0:
        raise ValueError(
            f"explore: view={view!r} needs neurons (nn's default graph, one node per neuron: "
            "op 'affine', 'affine_relu', ...), and this graph has none; use view='value'"
        )
    if view == "layer" and not names:
        raise ValueError(
            "explore: view='layer' groups neurons by their parameters' names: pass "
            "params=dict(model.named_parameters())"
        )
    return Folding(host, group, sum(h is not None for h in host))


def _layer_name(weight: Value, names: Mapping[int, str]) -> str | None:
    """``layers.0`` for the parameter named ``layers.0.weight[2, 1]``."""
    name = names.get(id(weight))
    if name is None:
        return None
    return name.rsplit(".", 1)[0] if "." in name else name
