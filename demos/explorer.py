"""The backprop explorer's pages for the two worked examples and micrograd's moons MLP.

For each example, a page that steps through the backward pass of its first step's loss
(``autograd.explore``) and one that steps through its recorded training
(``nn.fit(..., record=True)``, then ``history.explore()``):

- the line y = 2x + 1 from x = 0..4: ``Linear(1, 1)`` from w = b = 0, mean squared error,
  SGD with lr 0.05 (its first update is w ← 0 − 0.05 × (−28) = 1.4), 100 epochs;
- x → 2x from (1, 2), (2, 4), (3, 6): the same model with lr 0.1, 10 iterations, and the
  GIF of the fitted line over them that the second document describes;
- micrograd's moons: ``MLP(2, [16, 16, 1])`` with the hinge loss on
  ``make_moons(100, noise=0.1, signed=True)``: one sample's part of the loss, parameters
  inside their neurons (the whole batch is 4,038 values), and 30 epochs of SGD with
  momentum, every 5th recorded, with the decision boundary moving.

It prints each page's size and the seconds it took to make; open a page in any browser.

    python -m demos.explorer [--out FOLDER] [--quick]
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import autograd
import nn
from demos import common
from nn import functional as F
from nn.data import FloatArray
from nn.training_page import TrainingExplorer

MOONS_SEED = 0
EVERY = 5  # the moons' training records every 5th epoch (and the last): a page of about 1 MB


def _made(path: Path, make: Callable[[], object], what: str) -> Path:
    """Make ``path`` with ``make()`` and print its size and how long it took."""
    start = time.perf_counter()
    make()
    seconds = time.perf_counter() - start
    print(f"  {path.name:<24} {path.stat().st_size / 1024:7.0f} KiB  {seconds:5.2f} s  {what}")
    return path


def _first_loss(model: nn.Module, X: list[list[float]], y: list[float]) -> autograd.Value:
    """The loss of the model's predictions on (X, y), its inputs labelled x0, x1, ..."""
    rows = [[autograd.Value(x, label=f"x{i}")] for i, (x,) in enumerate(X)]
    loss = F.mse_loss([model(row) for row in rows], y)
    loss.label = "loss"
    return loss


def worked_example(name: str, data: tuple[FloatArray, FloatArray], lr: float, epochs: int,
                   out: Path) -> list[Path]:  # fmt: skip
    """The backward page of the first step, and the training page, of a line example."""
    X, y = data
    model = nn.Linear(1, 1, init="zeros")
    params = dict(model.named_parameters())
    backward = out / f"{name}_backward.html"
    loss = _first_loss(model, X.tolist(), y.tolist())
    paths = [_made(backward, lambda: autograd.explore(loss, params).save(backward),
                   "the first step's backward pass")]  # fmt: skip
    training = out / f"{name}_training.html"
    sample = 2 if name == "line" else 0  # the line's sample 0 has x = 0: ∂/∂w would be 0

    def train() -> TrainingExplorer:
        history = nn.fit(
            model, X, y, loss=F.mse_loss, optimizer=nn.optim.SGD(model.parameters(), lr=lr),
            epochs=epochs, verbose=0, record=nn.Record(sample=sample),
        )  # fmt: skip
        explorer = history.explore(parameter="weight[0, 0]", title=f"{name}: SGD, lr {lr}")
        explorer.save(training)
        return explorer

    made: list[TrainingExplorer] = []
    paths.append(_made(training, lambda: made.append(train()),
                       f"fit for {epochs} epochs, recorded, and the page"))  # fmt: skip
    explorer = made[0]
    if name == "doubling":
        gif = out / "doubling_line.gif"
        paths.append(_made(gif, lambda: explorer.gif(gif, view="fit", frames=range(epochs)),
                           f"the line over the first {epochs} iterations"))  # fmt: skip
    return paths


def moons(out: Path, epochs: int) -> list[Path]:
    """One sample's backward pass through micrograd's moons MLP, and its training."""
    X, y = nn.data.make_moons(100, noise=0.1, seed=MOONS_SEED, signed=True)
    model = nn.MLP(2, [16, 16, 1], seed=MOONS_SEED)
    params = dict(model.named_parameters())
    loss = F.hinge_loss([model(x) for x in X], y)
    backward = out / "moons_backward.html"
    paths = [_made(backward, lambda: autograd.explore(loss, params, sample=0, view="neuron")
                   .save(backward), "sample 0's backward pass, by neuron")]  # fmt: skip
    training = out / "moons_training.html"

    def train() -> None:
        history = nn.fit(
            model, X, y, loss=F.hinge_loss, epochs=epochs, verbose=0,
            optimizer=nn.optim.SGD(model.parameters(), lr=0.1, momentum=0.9),
            record=nn.Record(every=EVERY),
        )  # fmt: skip
        history.explore(title="moons: MLP(2, [16, 16, 1]), SGD with momentum").save(training)

    paths.append(_made(training, train, f"fit for {epochs} epochs, every {EVERY}th recorded, "
                       "the decision boundary, and the page"))  # fmt: skip
    return paths


def main() -> None:
    args = common.arguments(__doc__, quick=True)
    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    print("Explorer pages (open one in a browser; ← and → step through it):")
    paths = worked_example("line", nn.data.line(), 0.05, 100, out)
    paths += worked_example("doubling", nn.data.doubling(), 0.1, 10, out)
    paths += moons(out, 5 if args.quick else 30)
    common.report_written(paths)


if __name__ == "__main__":
    main()
