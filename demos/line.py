"""Learn the line y = 2x + 1 from x = 0..4 by gradient descent, one full-batch step at a time.

``Linear(1, 1)`` from w = b = 0, mean squared error, plain gradient descent (SGD) with
lr = 0.05 for 1000 full-batch steps, printed as the worked example it reproduces prints
them: ``step N loss L w W b B``, steps counted from 0, the loss measured
before the step's update and w, b after it. Then the graph of the first step's loss,
with its gradients, is drawn to an SVG file, its backward pass printed as a trace, and
written as an explorer page (``autograd.explore``) to step through in a browser.

    python -m demos.line [--out FOLDER]
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import autograd
import nn
from demos import common
from nn import functional as F

EPOCHS, LR = 1000, 0.05


def first_step_loss(model: nn.Linear) -> autograd.Value:
    """The loss of the first step, for drawing: the model's predictions on the data."""
    X, y = nn.data.line()
    rows = [[autograd.Value(x, label=f"x{i}")] for i, (x,) in enumerate(X.tolist())]
    return F.mse_loss([model(row) for row in rows], y.tolist())


def weight_and_bias(model: nn.Linear) -> tuple[float, float]:
    """The model's w and b, as numbers."""
    (w,), (b,) = model.weight[0], model.bias or ()  # one input, one bias
    return w.data, b.data


def train(epochs: int = EPOCHS, lr: float = LR) -> nn.Linear:
    """Train with full-batch gradient descent, printing steps 0, 200 and the last."""
    X, y = nn.data.line()
    model = nn.Linear(1, 1, init="zeros")
    optimizer = nn.optim.SGD(model.parameters(), lr=lr)
    shown = {0, 200, epochs - 1}
    print("Learning y = 2x + 1 from x = 0..4 (nn.data.line()): Linear(1, 1) from w = b = 0,")
    print(f"mean squared error, full-batch gradient descent (SGD), lr {lr}, {epochs} steps.")
    print("Each line is one step (counted from 0): its loss is measured before the step's")
    print("update, and w and b after it.\n")

    def report(epoch: int, logs: Mapping[str, float]) -> None:
        if epoch in shown:  # one full-batch step per epoch: the epoch's index is the step's
            w, b = weight_and_bias(model)
            print(f"step {epoch:4d} loss {logs['loss']:8.4f} w {w:.4f} b {b:.4f}")

    nn.fit(
        model, X, y, loss=F.mse_loss, optimizer=optimizer, epochs=epochs, verbose=0,
        callbacks=[report],
    )  # fmt: skip
    w, b = weight_and_bias(model)
    print("learned:", round(w, 3), round(b, 3))
    print("prediction:", round(float(model.predict([[10.0]])[0]), 6))
    print("\nlearned: w and b, rounded to 3 decimals (the line's 2 and 1); prediction: the")
    print("model's output for x = 10, where the line gives 2·10 + 1 = 21.")
    return model


def draw_first_step(out: Path) -> list[Path]:
    """Draw the first step's loss after one backward pass, print its trace, and write
    the explorer page that steps through that pass."""
    model = nn.Linear(1, 1, init="zeros")
    loss = first_step_loss(model)
    loss.label = "loss"
    params = dict(model.named_parameters())
    print("\nThe backward pass of training step 0 (from w = b = 0), one chain-rule step a row:")
    autograd.trace(loss, params)
    out.mkdir(parents=True, exist_ok=True)
    page = autograd.explore(loss, params).save(out / "line_first_step.html")
    return [autograd.draw(loss, params).save(out / "line_first_step.svg"), page]


def main() -> None:
    args = common.arguments(__doc__)
    train()
    picture, page = draw_first_step(args.out)
    print(f"\n{picture.name}: the graph of the first step's loss, with its gradients.")
    print(f"{page.name}: the same pass to step through: open it in a browser, press → and ←.")
    common.report_written([picture, page])


if __name__ == "__main__":
    main()
