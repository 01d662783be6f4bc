"""``Dropout``: PyTorch's ``nn.Dropout``, zeroing random elements while training.

In training mode (``module.train()``, the default) each element xᵢ is kept with
probability 1 - p and scaled up, or dropped:

    yᵢ = xᵢ · mᵢ / (1 - p),   mᵢ ~ Bernoulli(1 - p), independently, a new draw each call,

so that E[yᵢ] = xᵢ: the next layer sees, on average, what it will see in evaluation,
where dropout is the identity, yᵢ = xᵢ (``module.eval()``). The gradient flows through
the kept elements only, ∂yᵢ/∂xᵢ = mᵢ / (1 - p). Each yᵢ is one node, ``xᵢ * c`` with
c = 1/(1 - p) or 0, so a drawing shows which were dropped (``*0``). With p = 1 every
element is dropped (zeros, as in PyTorch); with p = 0 dropout is the identity.

A network cannot rely on any one hidden unit when any may vanish, which keeps it from
fitting the noise of a small training set with a few units tuned to single samples.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from nn import elementwise
from nn import init as initial
from nn.elementwise import Elements
from nn.module import Module, Outputs
from nn.saveable import register


def _probability(p: object) -> float:
    """``p`` as a float in [0, 1], or PyTorch's error."""
    if isinstance(p, bool) or not isinstance(p, int | float | np.integer | np.floating):
        raise TypeError(f"Dropout: p must be a number, got {type(p).__name__} {p!r}")
    if not 0.0 <= p <= 1.0:  # NaN fails this too
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
    return float(p)


@register
class Dropout(Module):
    """yᵢ = xᵢ · mᵢ / (1 - p) with mᵢ ~ Bernoulli(1 - p) in training, yᵢ = xᵢ in eval.

    ``p`` is the probability of dropping an element (PyTorch's default 0.5). The masks
    are drawn from a ``numpy.random.Generator`` of the module's own for ``seed=``
    (the same seed gives the same masks, call after call), and otherwise from the global
    one that ``nn.manual_seed`` resets. The input is a Value or a list of Values (or
    numbers, or a numpy row); the output has its shape. No parameters.
    """

    def __init__(self, p: float = 0.5, *, seed: int | None = None) -> None:
        super().__init__()
        self.p = _probability(p)
        self._rng = initial.generator(seed)

    def forward(self, x: object) -> Any:
        """x itself in eval mode or for p = 0; otherwise each element kept and scaled by
        1/(1 - p), or multiplied by 0, in x's shape."""
        if not self.training or self.p == 0.0:
            return x
        values, single = elementwise.as_values(x, "Dropout")
        kept = self._rng.random(len(values)) >= self.p  # True with probability 1 - p
        scale = 1.0 / (1.0 - self.p) if self.p < 1.0 else 0.0
        outputs = [v * (scale if keep else 0.0) for v, keep in zip(values, kept, strict=True)]
        result: Elements = outputs[0] if single else Outputs(outputs)
        return result

    def config(self) -> dict[str, Any]:
        return {"p": self.p}

    def extra_repr(self) -> str:
        return f"p={self.p}"
