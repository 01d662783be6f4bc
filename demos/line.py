"""The first document: learn y = 2x + 1 from X = 0..4, printed as the document prints it.

``Linear(1, 1)`` from w = b = 0, mean squared error, plain gradient descent (SGD) with
lr = 0.05 for 1000 full-batch steps; the loss is measured before each update, w and b
after it. Then the graph of the first step's loss, with its gradients, is drawn to an
SVG file and its backward pass printed as a trace.

    python -m demos.line [--out FOLDER]
"""

from __future__ import annotations

import argparse
from collections.abc import Mapping
from pathlib import Path

import autograd
import nn
from nn import functional as F

OUT = Path("out")


def first_step_loss(model: nn.Linear) -> autograd.Value:
    """The loss of the first step, for drawing: the model's predictions on the data."""
    X, y = nn.data.line()
    rows = [[autograd.Value(x, label=f"x{i}")] for i, (x,) in enumerate(X.tolist())]
    return F.mse_loss([model(row) for row in rows], y.tolist())


def train(epochs: int = 1000, lr: float = 0.05) -> nn.Linear:
    """Train as the document does, printing its lines."""
    X, y = nn.data.line()
    model = nn.Linear(1, 1, init="zeros")
    optimizer = nn.optim.SGD(model.parameters(), lr=lr)
    shown = {0, 200, epochs - 1}

    def report(epoch: int, logs: Mapping[str, float]) -> None:
        if epoch in shown:
            w, b = model.weight[0][0].data, model.bias[0].data  # type: ignore[index]
            print(f"step {epoch:4d} loss {logs['loss']:8.4f} w {w:.4f} b {b:.4f}")

    nn.fit(
        model, X, y, loss=F.mse_loss, optimizer=optimizer, epochs=epochs, verbose=0,
        callbacks=[report],
    )  # fmt: skip
    w, b = model.weight[0][0].data, model.bias[0].data  # type: ignore[index]
    print("learned:", round(w, 3), round(b, 3))
    print("prediction:", round(float(model.predict([[10.0]])[0]), 6))
    return model


def draw_first_step(out: Path) -> Path:
    """Draw the first step's loss after one backward pass, and print its trace."""
    model = nn.Linear(1, 1, init="zeros")
    loss = first_step_loss(model)
    loss.label = "loss"
    params = dict(model.named_parameters())
    print("\nThe first step's backward pass (w = b = 0):")
    autograd.trace(loss, params)
    out.mkdir(parents=True, exist_ok=True)
    return autograd.draw(loss, params).save(out / "line_first_step.svg")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUT, help="folder for the pictures")
    args = parser.parse_args()
    train()
    path = draw_first_step(args.out)
    print(f"\nThe graph of the first step's loss, with its gradients: {path}")


if __name__ == "__main__":
    main()
