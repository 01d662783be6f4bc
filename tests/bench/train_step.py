"""micrograd's demo training step, three ways: stepgrad, micrograd 0.1.0, plain floats.

The step (micrograd's demo.ipynb): ``MLP(2, [16, 16, 1])`` with ReLU hidden layers,
100 two-moons points with labels ±1, the hinge loss ``relu(1 - y·score)`` averaged, plus
``1e-4 · Σ p²``, full batch, then SGD with ``lr = 1 - 0.9·k/100`` at step k.

Each ``*_trainer`` builds the model once and returns a function that runs one step and
returns the loss, so that all three can be timed the same way.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

import autograd
import nn
from nn import functional as F

SIZES = [2, 16, 16, 1]
ALPHA = 1e-4


def data(n: int = 100, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Two moons with labels ±1, as micrograd's demo uses them."""
    X, y = nn.data.make_moons(n_samples=n, noise=0.1, seed=seed)
    return X, y * 2.0 - 1.0


def learning_rate(k: int) -> float:
    return 1.0 - 0.9 * k / 100


def initial_state(seed: int = 1) -> dict[str, np.ndarray]:
    """micrograd's initialisation (w ~ U(-1, 1), b = 0) as a state dict all three share."""
    return nn.MLP(2, SIZES[1:], init="micrograd", seed=seed).state_dict()


def stepgrad_trainer(
    X: np.ndarray, y: np.ndarray, state: dict[str, np.ndarray], graph: nn.layers.Graph = "compact"
) -> Callable[[], float]:
    """stepgrad as a user writes it: nn.MLP, hinge_loss, SGD with a LambdaLR schedule."""
    model = nn.MLP(2, SIZES[1:], init=state, graph=graph)
    parameters = model.parameters()
    optimizer = nn.optim.SGD(parameters, lr=1.0)
    schedule = nn.optim.lr_scheduler.LambdaLR(optimizer, learning_rate)
    rows, targets = X.tolist(), y.tolist()

    def step() -> float:
        scores = [model(row) for row in rows]
        regularisation = ALPHA * autograd.sum([p * p for p in parameters])
        loss = F.hinge_loss(scores, targets) + regularisation
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        schedule.step()
        return loss.data

    return step


def micrograd_trainer(
    X: np.ndarray, y: np.ndarray, state: dict[str, np.ndarray]
) -> Callable[[], float]:
    """micrograd 0.1.0 exactly as its demo notebook runs it, from the same weights."""
    from micrograd.engine import Value
    from micrograd.nn import MLP

    model = MLP(2, SIZES[1:])
    for i, layer in enumerate(model.layers):
        weight, bias = state[f"layers.{i}.weight"], state[f"layers.{i}.bias"]
        for neuron, row, b in zip(layer.neurons, weight.tolist(), bias.tolist(), strict=True):
            for w, value in zip(neuron.w, row, strict=True):
                w.data = value
            neuron.b.data = b
    rows, targets = X.tolist(), y.tolist()
    k = [0]

    def step() -> float:
        inputs = [list(map(Value, row)) for row in rows]
        scores = list(map(model, inputs))
        losses = [(1 + -yi * si).relu() for yi, si in zip(targets, scores, strict=True)]
        data_loss = sum(losses) * (1.0 / len(losses))
        reg_loss = ALPHA * sum(p * p for p in model.parameters())
        total: Any = data_loss + reg_loss
        model.zero_grad()
        total.backward()
        lr = learning_rate(k[0])
        for p in model.parameters():
            p.data -= lr * p.grad
        k[0] += 1
        return float(total.data)

    return step


def floats_trainer(
    X: np.ndarray, y: np.ndarray, state: dict[str, np.ndarray]
) -> Callable[[], float]:
    """The same step in plain Python floats with hand-written gradients: the floor."""
    layers = range(len(SIZES) - 1)
    weights = [state[f"layers.{i}.weight"].tolist() for i in layers]
    biases = [state[f"layers.{i}.bias"].tolist() for i in layers]
    rows, targets = X.tolist(), y.tolist()
    n = len(rows)
    k = [0]

    def step() -> float:
        grad_w = [[[0.0] * len(row) for row in W] for W in weights]
        grad_b = [[0.0] * len(b) for b in biases]
        data_loss = 0.0
        for x, target in zip(rows, targets, strict=True):
            activations = [x]  # inputs of each layer
            for i, (W, b) in enumerate(zip(weights, biases, strict=True)):
                a = activations[-1]
                z = [
                    sum(w * v for w, v in zip(row, a, strict=True)) + bj
                    for row, bj in zip(W, b, strict=True)
                ]
                activations.append(
                    [v if v > 0.0 else 0.0 for v in z] if i < len(weights) - 1 else z
                )
            score = activations[-1][0]
            margin = 1.0 - target * score
            if margin <= 0.0:
                continue
            data_loss += margin
            delta = [-target / n]  # d loss / d score
            for i in reversed(range(len(weights))):
                a = activations[i]
                for j, dj in enumerate(delta):
                    grad_b[i][j] += dj
                    row = grad_w[i][j]
                    for m, am in enumerate(a):
                        row[m] += dj * am
                if i:
                    W = weights[i]
                    back = [
                        sum(delta[j] * W[j][m] for j in range(len(delta))) for m in range(len(a))
                    ]
                    delta = [d if am > 0.0 else 0.0 for d, am in zip(back, a, strict=True)]
        squares = sum(w * w for W in weights for row in W for w in row)
        squares += sum(v * v for b in biases for v in b)
        loss = data_loss / n + ALPHA * squares
        lr = learning_rate(k[0])
        for W, gW in zip(weights, grad_w, strict=True):
            for row, grow in zip(W, gW, strict=True):
                for m, w in enumerate(row):
                    row[m] = w - lr * (grow[m] + 2 * ALPHA * w)
        for b, gb in zip(biases, grad_b, strict=True):
            for j, v in enumerate(b):
                b[j] = v - lr * (gb[j] + 2 * ALPHA * v)
        k[0] += 1
        return float(loss)

    return step
