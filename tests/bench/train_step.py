"""micrograd's demo training step, three ways: stepgrad, micrograd 0.1.0, plain floats.

The step (micrograd's demo.ipynb): ``MLP(2, [16, 16, 1])`` with ReLU hidden layers,
100 two-moons points with labels ±1, the hinge loss ``relu(1 - y·score)`` averaged, plus
``1e-4 · Σ p²``, full batch, then SGD with ``lr = 1 - 0.9·k/100`` at step k.

Each ``*_trainer`` builds the model once and returns a function that runs one step and
returns the loss and the step's graph (its root; None for plain floats), so that all
three can be timed the same way and the caller decides when the graph is freed.
``stray_hook`` registers one gradient hook on a Value that is in no graph, for timing the
stepgrad step with it: a hook outside the graph must leave the step's time unchanged.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from itertools import repeat
from operator import add, mul
from typing import Any

import numpy as np

import autograd
import nn
from nn import functional as F

SIZES = [2, 16, 16, 1]
ALPHA = 1e-4
Stepped = tuple[float, Any]  # the loss, and the root of the step's graph (None for floats)


def data(n: int = 100, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Two moons with labels ±1, as micrograd's demo uses them."""
    X, y = nn.data.make_moons(n_samples=n, noise=0.1, seed=seed)
    return X, y * 2.0 - 1.0


def learning_rate(k: int) -> float:
    return 1.0 - 0.9 * k / 100


def initial_state(seed: int = 1) -> dict[str, np.ndarray]:
    """micrograd's initialisation (w ~ U(-1, 1), b = 0) as a state dict all three share."""
    return nn.MLP(2, SIZES[1:], init="micrograd", seed=seed).state_dict()


def stepgrad_loss(
    model: nn.MLP, parameters: list[autograd.Value], rows: list[list[float]], targets: list[float]
) -> autograd.Value:
    """The demo's loss in stepgrad: mean hinge loss plus ALPHA · Σ p²."""
    scores = [model(row) for row in rows]
    regularisation = ALPHA * autograd.sum([p * p for p in parameters])
    return F.hinge_loss(scores, targets) + regularisation


def stepgrad_trainer(
    X: np.ndarray, y: np.ndarray, state: dict[str, np.ndarray], graph: nn.layers.Graph = "compact"
) -> Callable[[], Stepped]:
    """stepgrad as a user writes it: nn.MLP, hinge_loss, SGD with a LambdaLR schedule."""
    model = nn.MLP(2, SIZES[1:], init=state, graph=graph)
    parameters = model.parameters()
    optimizer = nn.optim.SGD(parameters, lr=1.0)
    schedule = nn.optim.lr_scheduler.LambdaLR(optimizer, learning_rate)
    rows, targets = X.tolist(), y.tolist()

    def step() -> Stepped:
        loss = stepgrad_loss(model, parameters, rows, targets)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        schedule.step()
        return loss.data, loss

    return step


@contextmanager
def stray_hook() -> Iterator[None]:
    """One gradient hook (``lambda g: g``) on a fresh Value that no step's graph contains,
    registered on entry and removed on exit."""
    stray = autograd.Value(0.0)
    handle = stray.register_hook(lambda g: g)
    try:
        yield
    finally:
        handle.remove()


def micrograd_trainer(
    X: np.ndarray, y: np.ndarray, state: dict[str, np.ndarray]
) -> Callable[[], Stepped]:
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

    def step() -> Stepped:
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
        return float(total.data), total

    return step


def floats_trainer(
    X: np.ndarray, y: np.ndarray, state: dict[str, np.ndarray]
) -> Callable[[], Stepped]:
    """The same step in plain Python floats with hand-written gradients: the floor.

    Written to be fast in pure Python (dot products as ``sum(map(mul, ...))``, samples past
    the hinge margin skipped, the weights' gradients accumulated row by row with ``map``),
    so that "engine / plain floats" compares against the best a scalar program can do.
    """
    layers = range(len(SIZES) - 1)
    weights = [state[f"layers.{i}.weight"].tolist() for i in layers]
    biases = [state[f"layers.{i}.bias"].tolist() for i in layers]
    rows, targets = X.tolist(), y.tolist()
    n, last = len(rows), len(weights) - 1
    k = [0]

    def step() -> Stepped:
        grad_w = [[[0.0] * len(row) for row in W] for W in weights]
        grad_b = [[0.0] * len(b) for b in biases]
        columns = [[list(column) for column in zip(*W, strict=True)] for W in weights]
        data_loss = 0.0
        for x, target in zip(rows, targets, strict=True):
            activations = [x]  # the inputs of each layer
            a = x
            for i, (W, b) in enumerate(zip(weights, biases, strict=True)):
                z = [sum(map(mul, row, a), bj) for row, bj in zip(W, b, strict=True)]
                a = z if i == last else [v if v > 0.0 else 0.0 for v in z]
                activations.append(a)
            margin = 1.0 - target * a[0]
            if margin <= 0.0:  # past the margin: no loss, no gradient
                continue
            data_loss += margin
            delta = [-target / n]  # ∂loss/∂score
            for i in range(last, -1, -1):
                a = activations[i]
                for j, d in enumerate(delta):
                    if d:
                        grad_b[i][j] += d
                        grad_w[i][j] = list(map(add, grad_w[i][j], map(mul, a, repeat(d))))
                if i:
                    delta = [
                        sum(map(mul, column, delta)) if am > 0.0 else 0.0
                        for column, am in zip(columns[i], a, strict=True)
                    ]
        squares = sum(w * w for W in weights for row in W for w in row)
        squares += sum(v * v for b in biases for v in b)
        loss = data_loss / n + ALPHA * squares
        lr = learning_rate(k[0])
        for W, gW in zip(weights, grad_w, strict=True):
            for j, (row, g) in enumerate(zip(W, gW, strict=True)):
                W[j] = [w - lr * (gw + 2 * ALPHA * w) for w, gw in zip(row, g, strict=True)]
        for b, gb in zip(biases, grad_b, strict=True):
            b[:] = [v - lr * (g + 2 * ALPHA * v) for v, g in zip(b, gb, strict=True)]
        k[0] += 1
        return float(loss), None

    return step
