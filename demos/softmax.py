"""A softmax classifier on three spirals, as PyTorch users write one: class scores, then
``F.cross_entropy``, with its decision regions.

The data is CS231n's, ``nn.data.make_spirals(300, classes=3, noise=0.2, seed=0)``,
split into 225 points to train on and 75 to test with. A model with three outputs gives
each point three class scores z; ``softmax(z)`` turns them into probabilities and the
loss is ``cross_entropy(z, y) = -log_softmax(z)[y] = nll_loss(log_softmax(z), y)``.

First one point through an untrained model: its scores, probabilities and loss (about
ln 3, since an untrained model gives each class about 1/3). Then two models, trained
full batch with Adam by ``nn.fit`` with the metric "accuracy" (the argmax of the
scores): ``Linear(2, 3)`` (softmax regression: its regions are bounded by straight
lines, so it cannot follow the arms) and ``MLP(2, [16, 16, 3])``, which can. Each
model's predicted class over a grid (``model.predict``, argmax) is drawn with the points
in ``softmax_regions.png``, beside the loss curves.

``--quick`` trains for fewer epochs and draws on a coarser grid (for the tests).

    python -m demos.softmax [--out FOLDER] [--quick]
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

import nn
from autograd import Value
from demos import common
from nn import functional as F

Array = npt.NDArray[np.float64]
Labels = npt.NDArray[np.int64]
SEED = 0
CLASSES = 3
HIDDEN = [16, 16]
COLOURS = ["#c0392b", "#2155c4", "#1e8449"]  # the points of class 0, 1, 2
REGIONS = ["#f4c4c0", "#c4d3f4", "#c2e6cc"]  # and their regions


@dataclass
class Settings:
    """How long to train and how finely to draw: the full demo, or ``--quick``."""

    linear_epochs: int
    mlp_epochs: int
    grid: int  # points per side of the decision-region grid
    every: int  # print a row of the training table every this many epochs


FULL = Settings(linear_epochs=100, mlp_epochs=200, grid=90, every=25)
QUICK = Settings(linear_epochs=40, mlp_epochs=70, grid=30, every=10)


@dataclass
class Result:
    """One model's run: the model, its loss and accuracy per epoch, its test accuracy."""

    name: str
    model: nn.Module
    losses: list[float]
    accuracy: list[float]
    test_accuracy: float


def show_one_point(model: nn.Module, x: Array, label: int) -> None:
    """One point through the untrained model: scores, softmax, log_softmax and the loss."""
    scores: list[Value] = list(model(x))  # three class scores
    p = F.softmax(scores)
    log_p = F.log_softmax(scores)
    loss = F.cross_entropy(scores, label)

    def numbers(values: list[Value]) -> str:
        return "[" + ", ".join(f"{v.data:.4f}" for v in values) + "]"

    print(f"\nOne point, x = [{x[0]:.3f}, {x[1]:.3f}] of class {label}, through the untrained MLP:")
    print(f"  scores z          = model(x)      = {numbers(scores)}")
    print(f"  probabilities     = softmax(z)     = {numbers(p)} (sum {sum(v.data for v in p):.4f})")
    print(f"  log-probabilities = log_softmax(z) = {numbers(log_p)}")
    print(f"  loss = cross_entropy(z, {label}) = -log_softmax(z)[{label}] = {loss.data:.4f}")
    print(f"  (ln 3 = {math.log(3):.4f}: an untrained model gives each class about 1/3)")


def train(
    name: str,
    model: nn.Module,
    data: tuple[Array, Array, Labels, Labels],
    epochs: int,
    lr: float,
    every: int,
) -> Result:
    """Train ``model`` full batch with Adam and cross_entropy, printing the loss and the
    training accuracy every ``every`` epochs, then the accuracy on the test points."""
    X_train, X_test, y_train, y_test = data
    history = nn.fit(
        model,
        X_train,
        y_train,
        loss=F.cross_entropy,
        optimizer=nn.optim.Adam(model.parameters(), lr=lr),
        epochs=epochs,
        metrics=["accuracy"],
        verbose=0,
    )
    losses, accuracy = history["loss"], history["accuracy"]
    print(f"\n{name}: {len(model.parameters())} parameters, Adam lr {lr}, {epochs} epochs")
    print(f"{'epoch':>7} {'loss':>8} {'accuracy':>9}")
    for epoch in range(1, epochs + 1):  # epoch 1 is the first
        if epoch == 1 or epoch % every == 0 or epoch == epochs:
            print(f"{epoch:>7} {losses[epoch - 1]:8.4f} {accuracy[epoch - 1]:9.2f}")
    test = nn.evaluate(model, X_test, y_test, metrics=["accuracy"])["accuracy"]
    print(
        f"{name}: training accuracy {accuracy[-1]:.2f}, test accuracy {test:.2f} "
        f"({len(y_test)} points it never saw)"
    )
    return Result(name, model, losses, accuracy, test)


def predicted_classes(model: nn.Module, X: Array, size: int) -> tuple[Array, Array, Array]:
    """The predicted class (argmax of the scores) on a ``size`` × ``size`` grid covering
    the points with a margin: the grid's x and y coordinates and the classes."""
    low, high = X.min(axis=0) - 0.25, X.max(axis=0) + 0.25
    xs, ys = np.meshgrid(np.linspace(low[0], high[0], size), np.linspace(low[1], high[1], size))
    scores = model.predict(np.column_stack([xs.ravel(), ys.ravel()]))
    return xs, ys, scores.argmax(axis=1).reshape(xs.shape).astype(np.float64)


def plot(
    results: list[Result], X: Array, y: Labels, X_test: Array, size: int, path: Path
) -> Path | None:
    """The loss curves, and each model's decision regions with the training points (dots)
    and test points (crosses); None without matplotlib."""
    fig = common.figure(13.0, 4.3)
    if fig is None:
        return None
    from matplotlib.colors import ListedColormap

    curves, *panels = fig.subplots(1, 1 + len(results))
    for result in results:
        curves.plot(range(1, len(result.losses) + 1), result.losses, label=result.name)
    curves.axhline(math.log(CLASSES), color="grey", linestyle=":", label="ln 3 (a uniform guess)")
    curves.set(xlabel="epoch", ylabel="cross-entropy (training, full batch)", ylim=(0, None))
    curves.set_title("Loss", fontsize=10)
    curves.legend(fontsize=8)
    for ax, result in zip(panels, results, strict=True):
        xs, ys, classes = predicted_classes(result.model, X, size)
        ax.contourf(xs, ys, classes, levels=[-0.5, 0.5, 1.5, 2.5], cmap=ListedColormap(REGIONS))
        for label in range(CLASSES):
            ax.scatter(
                *X[y == label].T,
                c=COLOURS[label],
                s=14,
                edgecolors="white",
                linewidths=0.5,
                label=f"class {label}",
            )
        ax.scatter(*X_test.T, marker="x", c="black", s=12, linewidths=0.8, label="test point")
        ax.set_title(
            f"{result.name}: accuracy {result.accuracy[-1]:.0%} (train), "
            f"{result.test_accuracy:.0%} (test)",
            fontsize=10,
        )
        ax.set(xlabel="x₁", ylabel="x₂", aspect="equal")
    panels[-1].legend(loc="lower right", fontsize=7, framealpha=0.8)
    return common.save(fig, path)


def main() -> None:
    args = common.arguments(__doc__, quick=True)
    settings = QUICK if args.quick else FULL
    X, y = nn.data.make_spirals(300, classes=CLASSES, noise=0.2, seed=SEED)
    X_train, X_test, y_train, y_test = nn.data.train_test_split(X, y, test_size=0.25, seed=SEED)
    print(
        f"Three spirals: nn.data.make_spirals(300, classes=3, noise=0.2, seed={SEED}),\n"
        f"100 points per class: {len(y_train)} to train on and {len(y_test)} to test with "
        f"(train_test_split)."
    )
    if args.quick:
        print("(--quick: fewer epochs, a coarser grid)")
    data = (X_train, X_test, y_train, y_test)
    mlp = nn.MLP(2, [*HIDDEN, CLASSES], seed=SEED)
    show_one_point(mlp, X_train[0], int(y_train[0]))
    linear = train(
        "Linear(2, 3)",
        nn.Linear(2, CLASSES, seed=SEED),
        data,
        settings.linear_epochs,
        0.1,
        settings.every,
    )
    deep = train(
        f"MLP(2, {[*HIDDEN, CLASSES]})", mlp, data, settings.mlp_epochs, 0.05, settings.every
    )
    print(
        "\nThe linear model's regions are bounded by straight lines, which cannot follow the"
        "\narms; the MLP's two hidden layers of relu units bend the boundaries around them."
    )
    path = plot(
        [linear, deep], X_train, y_train, X_test, settings.grid, args.out / "softmax_regions.png"
    )
    common.report_written([] if path is None else [path], plots_missing=path is None)


if __name__ == "__main__":
    main()
