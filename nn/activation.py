"""Activations as modules, PyTorch's ``nn.ReLU``, ``nn.Tanh`` and ``nn.Sigmoid``: for
putting between the layers of an ``nn.Sequential``.

Each applies its function to every element of its input (a Value or a list of Values, as
``nn``'s layers return; see ``nn.elementwise``), one node per element, and has no
parameters. ``MLP(activation=...)`` needs none of them: it folds its activation into
each neuron's node.
"""

from __future__ import annotations

from typing import Any

from autograd import Value
from nn import elementwise
from nn.elementwise import Elements
from nn.module import Module
from nn.saveable import register


@register
class ReLU(Module):
    """relu(x) = max(x, 0) on each element;  relu'(x) = 1 for x > 0, else 0."""

    def forward(self, x: object) -> Elements:
        return elementwise.apply(x, Value.relu, "ReLU")

    def config(self) -> dict[str, Any]:
        return {}


@register
class Tanh(Module):
    """tanh(x) on each element;  tanh'(x) = 1 - tanh²x."""

    def forward(self, x: object) -> Elements:
        return elementwise.apply(x, Value.tanh, "Tanh")

    def config(self) -> dict[str, Any]:
        return {}


@register
class Sigmoid(Module):
    """σ(x) = 1 / (1 + e⁻ˣ) on each element;  σ'(x) = σ(x)(1 - σ(x))."""

    def forward(self, x: object) -> Elements:
        return elementwise.apply(x, Value.sigmoid, "Sigmoid")

    def config(self) -> dict[str, Any]:
        return {}
