"""Activations as modules, PyTorch's ``nn.ReLU``, ``nn.Tanh`` and ``nn.Sigmoid``: for
putting between the layers of an ``nn.Sequential``.

Each applies its function to every element of its input (a Value or a list of Values, as
``nn``'s layers return; see ``nn.elementwise``), one node per element, and has no
parameters. ``MLP(activation=...)`` needs none of them: it folds its activation into
each neuron's node.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

from autograd import Value
from nn import elementwise
from nn.elementwise import Elements
from nn.module import Module
from nn.saveable import register


class _Elementwise(Module):
    """A module without parameters that applies ``function`` to every element."""

    function: ClassVar[Callable[[Value], Value]]

    def forward(self, x: object) -> Elements:
        return elementwise.apply(x, type(self).function, type(self).__name__)

    def config(self) -> dict[str, Any]:
        return {}


@register
class ReLU(_Elementwise):
    """relu(x) = max(x, 0) on each element;  relu'(x) = 1 for x > 0, else 0."""

    function = Value.relu


@register
class Tanh(_Elementwise):
    """tanh(x) on each element;  tanh'(x) = 1 - tanh²x."""

    function = Value.tanh


@register
class Sigmoid(_Elementwise):
    """σ(x) = 1 / (1 + e⁻ˣ) on each element;  σ'(x) = σ(x)(1 - σ(x))."""

    function = Value.sigmoid
