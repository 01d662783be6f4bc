"""A 2-3-1 tanh network written out twice, once with ``autograd.Value``s and once with float64
tensors, from the same initial weights, for comparing the optimizers and schedulers with
torch.optim: both are trained for 50 steps on the same six points with the same settings,
and every parameter must then agree to 1e-10 relative. The two sides compute the gradients
with different summation orders and tanh implementations (last-bit differences) and the
updates in the same arithmetic, so anything but a last-bits difference means a different
update rule.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable
from typing import Any

from autograd import Value

STEPS = 50
REL_TOL, ABS_TOL = 1e-10, 1e-14

X = [(0.5, -1.0), (-0.3, 0.8), (1.2, 0.4), (-1.5, -0.6), (0.0, 1.1), (0.9, -0.2)]
Y = [0.7, -0.4, 0.9, -0.8, 0.1, 0.5]
_rng = random.Random(1234)
W1 = [[_rng.uniform(-1, 1) for _ in range(2)] for _ in range(3)]
B1 = [_rng.uniform(-0.5, 0.5) for _ in range(3)]
W2 = [[_rng.uniform(-1, 1) for _ in range(3)]]
B2 = [_rng.uniform(-0.5, 0.5)]


class ValueNet:
    """y = W2·tanh(W1·x + b1) + b2 in Values; ``layers`` are the parameters by tensor."""

    def __init__(self) -> None:
        self.w1 = [[Value(w) for w in row] for row in W1]
        self.b1 = [Value(b) for b in B1]
        self.w2 = [[Value(w) for w in row] for row in W2]
        self.b2 = [Value(b) for b in B2]

    def first_layer(self) -> list[Value]:
        return [w for row in self.w1 for w in row] + self.b1

    def second_layer(self) -> list[Value]:
        return [w for row in self.w2 for w in row] + self.b2

    def parameters(self) -> list[Value]:
        return self.first_layer() + self.second_layer()

    def loss(self) -> Value:
        total: Value | float = 0.0
        for (x0, x1), y in zip(X, Y, strict=True):
            hidden = [
                (w[0] * x0 + w[1] * x1 + b).tanh() for w, b in zip(self.w1, self.b1, strict=True)
            ]
            out = sum((w * h for w, h in zip(self.w2[0], hidden, strict=True)), self.b2[0])
            total = total + (out - y) ** 2
        assert isinstance(total, Value)
        return total / len(X)


class TorchNet:
    """The same network as float64 tensors, in the same parameter order."""

    def __init__(self, torch: Any) -> None:
        self.torch = torch

        def leaf(data: list[Any]) -> Any:
            return torch.tensor(data, dtype=torch.float64, requires_grad=True)

        self.w1, self.b1, self.w2, self.b2 = leaf(W1), leaf(B1), leaf(W2), leaf(B2)
        self.x = torch.tensor(X, dtype=torch.float64)
        self.y = torch.tensor(Y, dtype=torch.float64)

    def first_layer(self) -> list[Any]:
        return [self.w1, self.b1]

    def second_layer(self) -> list[Any]:
        return [self.w2, self.b2]

    def parameters(self) -> list[Any]:
        return self.first_layer() + self.second_layer()

    def loss(self) -> Any:
        out = self.torch.tanh(self.x @ self.w1.T + self.b1) @ self.w2.T + self.b2
        return ((out.squeeze(1) - self.y) ** 2).mean()

    def flat(self) -> list[float]:
        return [float(x) for p in self.parameters() for x in p.detach().flatten()]


def train_steps(opt: Any, loss: Callable[[], Any], sched: Any = None) -> list[float]:
    """STEPS steps; returns the losses, which work the same way on both sides."""
    losses = []
    for _ in range(STEPS):
        opt.zero_grad()
        value = loss()
        value.backward()
        opt.step()
        if sched is not None:
            sched.step()
        losses.append(float(value.item()))
    return losses


def assert_same_parameters(ours: list[Value], theirs: list[float]) -> None:
    assert len(ours) == len(theirs) == 13
    for i, (p, t) in enumerate(zip(ours, theirs, strict=True)):
        assert math.isclose(p.data, t, rel_tol=REL_TOL, abs_tol=ABS_TOL), (i, p.data, t)


def initial() -> list[float]:
    return [w for row in W1 for w in row] + B1 + [w for row in W2 for w in row] + B2


# -- the same layout and the same words ---------------------------------------------------
