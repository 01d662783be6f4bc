"""micrograd's demo: an MLP classifier on two moons, with four optimizers and early stopping.

``MLP(2, [16, 16, 1])`` on ``make_moons(100, noise=0.1, signed=True)`` with the hinge
loss ``relu(1 - y·score)`` plus 1e-4·Σp² (given to the optimizers as weight_decay=2e-4,
which adds the same gradient), full batch. The same initial model is trained with SGD,
SGD with momentum, Adam and RMSprop: their loss curves go to ``moons_optimizers.png``
and Adam's model, which reaches 100% training accuracy, draws its decision boundary to
``moons_boundary.png``. Then a run holding out the last 30% of the points
(``validation_split``) stops early when the validation loss stops improving
(``moons_early_stopping.png``). Epochs are counted from 1 in what it prints and plots.

``--quick`` trains for fewer epochs and draws the boundary on a coarser grid (for the
tests).

    python -m demos.moons [--out FOLDER] [--quick]
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

import autograd
import nn
from demos import common
from nn import functional as F

Array = npt.NDArray[np.float64]
Labels = npt.NDArray[np.int64]
SEED = 0
L2 = 1e-4  # the loss's 1e-4·Σp², given to each optimizer as weight_decay = 2 × L2
TARGET = 0.98
OPTIMIZERS: dict[str, tuple[str, Callable[[list[autograd.Value]], nn.optim.Optimizer]]] = {
    "SGD": ("lr 0.5", lambda p: nn.optim.SGD(p, lr=0.5, weight_decay=2 * L2)),
    "SGD + momentum": (
        "lr 0.1, momentum 0.9",
        lambda p: nn.optim.SGD(p, lr=0.1, momentum=0.9, weight_decay=2 * L2),
    ),
    "Adam": ("lr 0.05", lambda p: nn.optim.Adam(p, lr=0.05, weight_decay=2 * L2)),
    "RMSprop": ("lr 0.02", lambda p: nn.optim.RMSprop(p, lr=0.02, weight_decay=2 * L2)),
}


@dataclass
class Settings:
    """How long to train and how finely to draw: the full demo, or ``--quick``."""

    epochs: int  # for each optimizer
    grid: int  # points per side of the decision-boundary grid


FULL = Settings(epochs=60, grid=60)
QUICK = Settings(epochs=30, grid=25)
MAX_EPOCHS, PATIENCE = 150, 10  # the early-stopping run (it stops long before)


@dataclass
class Result:
    """One optimizer's run: its model, loss per epoch, accuracy per epoch, and seconds."""

    name: str
    settings: str
    model: nn.MLP
    losses: list[float]
    accuracy: list[float]
    seconds: float

    @property
    def reached(self) -> int | None:
        """The index of the first epoch with training accuracy >= TARGET, or None."""
        return next((i for i, a in enumerate(self.accuracy) if a >= TARGET), None)


def train(name: str, X: Array, y: Labels, epochs: int) -> Result:
    """Train a fresh, seeded MLP(2, [16, 16, 1]) with optimizer ``name`` for ``epochs``
    full-batch steps, recording the loss and the training accuracy of each epoch."""
    settings, make = OPTIMIZERS[name]
    model = nn.MLP(2, [16, 16, 1], seed=SEED)
    start = time.perf_counter()
    history = nn.fit(
        model,
        X,
        y,
        loss=F.hinge_loss,
        optimizer=make(model.parameters()),
        epochs=epochs,
        metrics=["sign_accuracy"],
        verbose=0,
    )
    seconds = time.perf_counter() - start
    return Result(name, settings, model, history["loss"], history["sign_accuracy"], seconds)


def compare_optimizers(X: Array, y: Labels, epochs: int) -> list[Result]:
    """Train with each optimizer from the same initial weights and print a row each."""
    print(f"\nThe same initial model, {epochs} full-batch epochs with each optimizer; the")
    print(
        f"hinge loss and training accuracy after the last, and when it first reached {TARGET:.0%}:"
    )
    print(
        f"{'optimizer':<15} {'settings':<20}  {'loss':>6}  {'accuracy':>8}  "
        f"{'reached ' + format(TARGET, '.0%'):>11}  {'seconds':>7}"
    )
    results = []
    for name in OPTIMIZERS:
        result = train(name, X, y, epochs)
        reached = "never" if result.reached is None else f"at epoch {result.reached + 1}"
        print(
            f"{name:<15} {result.settings:<20}  {result.losses[-1]:6.4f}  "
            f"{result.accuracy[-1]:8.0%}  {reached:>11}  {result.seconds:7.1f}"
        )
        results.append(result)
    return results


def plot_optimizers(results: list[Result], path: Path) -> Path | None:
    """The loss curves of every optimizer on one plot; None without matplotlib."""
    fig = common.figure(6.4, 4.2)
    if fig is None:
        return None
    ax = fig.subplots()
    for result in results:
        epochs = range(1, len(result.losses) + 1)
        ax.plot(epochs, result.losses, label=f"{result.name} ({result.settings})")
    ax.set(xlabel="epoch", ylabel="hinge loss (training, full batch)")
    ax.set_title("MLP(2, [16, 16, 1]) on two moons: four optimizers")
    ax.legend()
    return common.save(fig, path)


def boundary_scores(model: nn.MLP, X: Array, size: int) -> tuple[Array, Array, Array]:
    """The model's score on a ``size`` × ``size`` grid covering the data with a margin:
    the grid's x and y coordinates and the scores, each of shape (size, size)."""
    low, high = X.min(axis=0) - 0.5, X.max(axis=0) + 0.5
    xs, ys = np.meshgrid(np.linspace(low[0], high[0], size), np.linspace(low[1], high[1], size))
    scores = model.predict(np.column_stack([xs.ravel(), ys.ravel()])).reshape(xs.shape)
    return xs, ys, scores


def plot_boundary(result: Result, X: Array, y: Labels, size: int, path: Path) -> Path | None:
    """The decision regions (score > 0 or < 0) on a grid, the boundary score = 0, and the
    training points coloured by label; None without matplotlib."""
    fig = common.figure(5.4, 4.4)
    if fig is None:
        return None
    xs, ys, scores = boundary_scores(result.model, X, size)
    ax = fig.subplots()
    ax.contourf(xs, ys, scores, levels=[-np.inf, 0.0, np.inf], colors=["#f4b8b8", "#b8cdf4"])
    ax.contour(xs, ys, scores, levels=[0.0], colors="black", linewidths=1)
    for label, colour, name in ((-1, "#c0392b", "label -1"), (1, "#2155c4", "label +1")):
        points = X[y == label]
        ax.scatter(points[:, 0], points[:, 1], c=colour, s=18, edgecolors="white", label=name)
    ax.set(xlabel="x₁", ylabel="x₂")
    ax.set_title(
        f"Decision boundary ({result.name}, {len(result.losses)} epochs): "
        f"training accuracy {result.accuracy[-1]:.0%}",
        fontsize=10,
    )
    ax.legend(loc="upper right", fontsize=8)
    return common.save(fig, path)


def early_stopping(X: Array, y: Labels) -> nn.History:
    """Adam with the last 30% of the points held out; stop when the validation loss has
    not improved for PATIENCE epochs, and go back to the best epoch's weights."""
    print(
        f"\nEarly stopping: Adam again, the last 30 points held out (validation_split=0.3),\n"
        f"at most {MAX_EPOCHS} epochs, EarlyStopping(patience={PATIENCE})."
    )
    model = nn.MLP(2, [16, 16, 1], seed=SEED)
    optimizer = OPTIMIZERS["Adam"][1](model.parameters())
    history = nn.fit(
        model,
        X,
        y,
        loss=F.hinge_loss,
        optimizer=optimizer,
        epochs=MAX_EPOCHS,
        validation_split=0.3,
        early_stopping=nn.EarlyStopping(patience=PATIENCE),
        metrics=["sign_accuracy"],
        verbose=0,
    )
    if history.stopped_epoch is None:
        print(f"It ran all {MAX_EPOCHS} epochs without stopping.")
        return history
    best = history.best_epoch if history.best_epoch is not None else history.stopped_epoch
    print(
        f"It stopped at epoch {history.stopped_epoch + 1}: val_loss had not improved for "
        f"{PATIENCE} epochs, since epoch {best + 1}\n(val_loss {history['val_loss'][best]:.4f}, "
        f"validation accuracy {history['val_sign_accuracy'][best]:.0%}), and the model has "
        f"epoch {best + 1}'s weights again."
    )
    if history["val_loss"][best] == 0.0:
        print("(A hinge loss of 0: every held-out point is past the margin; nothing can beat it.)")
    return history


def plot_early_stopping(history: nn.History, path: Path) -> Path | None:
    """Training and validation loss per epoch, with the best and the stopping epoch
    marked; None without matplotlib."""
    fig = common.figure(6.4, 4.0)
    if fig is None:
        return None
    ax = fig.subplots()
    epochs = range(1, len(history.epoch) + 1)
    ax.plot(epochs, history["loss"], label="training loss (70 points)")
    ax.plot(epochs, history["val_loss"], label="validation loss (30 points)")
    if history.best_epoch is not None:
        best = history.best_epoch + 1
        ax.axvline(best, color="green", linestyle="--", label=f"best epoch ({best}, kept)")
    if history.stopped_epoch is not None:
        stopped = history.stopped_epoch + 1
        ax.axvline(stopped, color="grey", linestyle=":", label=f"stopped (epoch {stopped})")
    ax.set(xlabel="epoch", ylabel="hinge loss", title="Early stopping on the validation loss")
    ax.legend()
    return common.save(fig, path)


def main() -> None:
    args = common.arguments(__doc__, quick=True)
    settings = QUICK if args.quick else FULL
    X, y = nn.data.make_moons(100, noise=0.1, seed=SEED, signed=True)
    model = nn.MLP(2, [16, 16, 1], seed=SEED)
    print(f"Two moons: nn.data.make_moons(100, noise=0.1, seed={SEED}, signed=True), labels ±1.")
    print(
        f"MLP(2, [16, 16, 1]): {len(model.parameters())} parameters; hinge loss + {L2:g}·Σp²"
        f"{' (--quick: fewer epochs)' if args.quick else ''}."
    )
    results = compare_optimizers(X, y, settings.epochs)
    adam = next(r for r in results if r.name == "Adam")
    verdict = "reached" if adam.accuracy[-1] >= TARGET else "did NOT reach"
    print(f"\nAdam's training accuracy: {adam.accuracy[-1]:.0%} ({verdict} {TARGET:.0%})")
    history = early_stopping(X, y)
    paths = [
        plot_boundary(adam, X, y, settings.grid, args.out / "moons_boundary.png"),
        plot_optimizers(results, args.out / "moons_optimizers.png"),
        plot_early_stopping(history, args.out / "moons_early_stopping.png"),
    ]
    written = [path for path in paths if path is not None]
    common.report_written(written, plots_missing=len(written) < len(paths))


if __name__ == "__main__":
    main()
