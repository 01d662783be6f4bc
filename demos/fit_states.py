"""Underfitting, a good fit and overfitting, and three remedies for overfitting.

A small noisy data set: y = sin(πx) + ε with ε ~ N(0, 0.3²), 16 training points on
[-1, 1] (one in each of 16 equal bins, so that there is no gap) and 40 validation points
drawn the same way, all from one seeded numpy generator. Three MLPs with tanh between
their layers, trained alike (MSE, Adam with lr 0.02, 500 full-batch epochs) by
``nn.fit(..., validation_data=...)``:

- ``MLP(1, [1])``, a straight line: too small to follow the sine. Training and
  validation loss both stay high (underfitting).
- ``MLP(1, [4, 1])``: fits. Its validation loss is low and close to its training loss.
- ``MLP(1, [16, 16, 1])``, 321 parameters for 16 points: its training loss keeps falling
  as it bends through the noise of each point, while its validation loss reaches a
  minimum and then rises (overfitting).

The noise sets the floor: even the true function has an expected validation loss of
σ² = 0.09. Then the three remedies, each on the big model from the same initial
weights: early stopping (``nn.EarlyStopping(50, restore_best=True)``: stop when the
validation loss has not improved for 50 epochs and go back to the best epoch's
weights), weight decay (``nn.optim.AdamW(weight_decay=1.0)``) and dropout
(``nn.Dropout(0.2)`` after each hidden layer, in an ``nn.Sequential``).

Epochs are counted from 1. Plots ``fit_states.png`` (each model's curve and its
training and validation loss) and ``fit_remedies.png`` (the same for the remedies).

    python -m demos.fit_states [--out FOLDER]
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

import nn
from demos import common
from nn import functional as F

if TYPE_CHECKING:
    from matplotlib.axes import Axes

Array = npt.NDArray[np.float64]

DATA_SEED, MODEL_SEED = 9, 0
TRAIN_POINTS, VAL_POINTS, NOISE = 16, 40, 0.3
NOISE_FLOOR = NOISE**2  # the expected validation loss of the true function itself
EPOCHS, LR = 500, 0.02
SIZES = {"small": [1], "middle": [4, 1], "big": [16, 16, 1]}
PATIENCE = 50
WEIGHT_DECAY = 1.0
DROPOUT = 0.1
# How the demo names a run's state, from its own figures:
UNDERFIT = 2.0  # training loss above UNDERFIT × σ²: it cannot follow even its own data
TURNED_UP = 1.2  # final validation loss above TURNED_UP × its minimum: it has turned up
LOSS_AXIS = 0.4  # the top of the loss plots (the first epochs' losses are above it)


@dataclass
class Data:
    """The training and validation sets: x as one-column rows, y as a vector."""

    X: Array
    y: Array
    X_val: Array
    y_val: Array


def true_function(x: Array) -> Array:
    """sin(πx): one period on [-1, 1]."""
    return np.sin(np.pi * x)


def noisy_sine(seed: int = DATA_SEED) -> Data:
    """TRAIN_POINTS and VAL_POINTS samples of y = sin(πx) + ε, ε ~ N(0, NOISE²); each set has
    one x uniformly at random in each of its equal bins of [-1, 1]."""
    rng = np.random.default_rng(seed)

    def sample(n: int) -> tuple[Array, Array]:
        x = -1.0 + 2.0 * (np.arange(n) + rng.uniform(0.0, 1.0, n)) / n
        return x[:, None], true_function(x) + rng.normal(0.0, NOISE, n)

    (X, y), (X_val, y_val) = sample(TRAIN_POINTS), sample(VAL_POINTS)
    return Data(X, y, X_val, y_val)


@dataclass
class Run:
    """One training run: its model and figures. ``losses`` and ``val_losses`` are per epoch
    (the training loss as ``nn.fit`` measures it, before the epoch's update; the validation
    loss after it, in eval mode); ``train_loss`` and ``val_loss`` are the final model's."""

    name: str
    model: nn.Module
    losses: list[float]
    val_losses: list[float]
    train_loss: float
    val_loss: float
    stopped_epoch: int | None = None  # counted from 1, when early stopping ended the run
    notes: list[str] = field(default_factory=list)

    @property
    def best_epoch(self) -> int:
        """The epoch (from 1) of the lowest validation loss (the first, if tied)."""
        return int(np.argmin(self.val_losses)) + 1

    @property
    def best_val_loss(self) -> float:
        return min(self.val_losses)

    @property
    def state(self) -> str:
        """What the figures say: underfits, overfits or fits (see UNDERFIT, TURNED_UP)."""
        if self.train_loss > UNDERFIT * NOISE_FLOOR:
            return "underfits"
        still_falling = self.losses[-1] < self.losses[self.best_epoch - 1]
        if self.val_loss > TURNED_UP * self.best_val_loss and still_falling:
            return "overfits"
        return "fits"


def mse(model: nn.Module, X: Array, y: Array) -> float:
    """The model's mean squared error on (X, y), in evaluation mode, building no graph."""
    return nn.evaluate(model, X, y, loss=F.mse_loss)["loss"]


def train(
    name: str,
    model: nn.Module,
    optimizer: nn.optim.Optimizer,
    data: Data,
    early_stopping: nn.EarlyStopping | None = None,
) -> Run:
    """Train ``model`` full batch for EPOCHS epochs; ``nn.fit`` measures each epoch's
    validation loss in evaluation mode (dropout off), as Keras does."""
    history = nn.fit(
        model,
        data.X,
        data.y,
        loss=F.mse_loss,
        optimizer=optimizer,
        epochs=EPOCHS,
        validation_data=(data.X_val, data.y_val),
        early_stopping=early_stopping,
        verbose=0,
    )
    stopped = len(history["loss"]) if history.stopped_epoch is not None else None
    return Run(
        name,
        model,
        history["loss"],
        history["val_loss"],
        train_loss=mse(model, data.X, data.y),
        val_loss=mse(model, data.X_val, data.y_val),
        stopped_epoch=stopped,
    )


def adam(model: nn.Module) -> nn.optim.Optimizer:
    return nn.optim.Adam(model.parameters(), lr=LR)


def mlp(sizes: Sequence[int]) -> nn.MLP:
    return nn.MLP(1, list(sizes), activation="tanh", seed=MODEL_SEED)


def describe(sizes: Sequence[int]) -> str:
    return f"MLP(1, {list(sizes)})"


def parameters(model: nn.Module) -> int:
    return len(model.parameters())


def fit_states(data: Data) -> list[Run]:
    """The three models, trained alike; prints a row each and what each row shows."""
    print(
        f"\nThree MLPs (tanh between layers), each trained with Adam(lr={LR}) for {EPOCHS} "
        f"full-batch epochs on the MSE:"
    )
    runs = []
    for sizes in SIZES.values():
        model = mlp(sizes)
        runs.append(train(describe(sizes), model, adam(model), data))
    print_table(runs, "model")
    print(
        "(train loss, val loss: the final model's MSE on each set; best val: the lowest "
        "validation loss of any epoch)"
    )
    return runs


def print_table(runs: list[Run], first: str) -> None:
    """One row per run: parameters, final training and validation loss, the best
    validation loss and its epoch, and the state the figures show."""
    print(
        f"{first:<40} {'params':>6} {'train loss':>10} {'val loss':>8} "
        f"{'best val':>8} {'at epoch':>8}  state"
    )
    for run in runs:
        print(
            f"{run.name:<40} {parameters(run.model):>6} {run.train_loss:10.4f} "
            f"{run.val_loss:8.4f} {run.best_val_loss:8.4f} {run.best_epoch:8}  {run.state}"
        )
        for note in run.notes:
            print(f"{'':<42}{note}")


def explain(runs: list[Run]) -> None:
    """What each of the three runs shows, in words, from its figures."""
    small, middle, big = runs
    print(
        f"\n{small.name} underfits: a straight line cannot follow the sine; its training "
        f"loss {small.train_loss:.3f} and validation loss {small.val_loss:.3f} are both "
        f"more than {UNDERFIT:g}× the noise floor σ² = {NOISE_FLOOR:.2f}."
    )
    print(
        f"{middle.name} fits: its validation loss {middle.val_loss:.3f} is close to its "
        f"training loss {middle.train_loss:.3f} and to the floor."
    )
    at_best = big.losses[big.best_epoch - 1]
    print(
        f"{big.name} overfits: its validation loss was lowest at epoch {big.best_epoch} "
        f"({big.best_val_loss:.3f}) and then rose to {big.val_losses[-1]:.3f}, while its "
        f"training loss kept falling, from {at_best:.3f} to {big.train_loss:.4f}: it learns "
        f"the noise of its {TRAIN_POINTS} points."
    )


def same_weights_with_dropout(model: nn.MLP, p: float) -> nn.Sequential:
    """``model`` rebuilt as an ``nn.Sequential`` with ``Dropout(p)`` after each hidden
    layer's tanh, holding a copy of its weights (``layers.i`` becomes module ``3i``)."""
    modules: list[nn.Module] = []
    for i, layer in enumerate(model.layers):
        modules.append(nn.Linear(layer.in_features, layer.out_features))
        if i < len(model.layers) - 1:
            modules += [nn.Tanh(), nn.Dropout(p, seed=i)]
    network = nn.Sequential(*modules)
    network.load_state_dict(
        {
            name.replace(f"layers.{i}.", f"{3 * i}.", 1): array
            for i in range(len(model.layers))
            for name, array in model.state_dict().items()
            if name.startswith(f"layers.{i}.")
        }
    )
    return network


def remedies(data: Data, big: Run) -> list[Run]:
    """The big model from the same initial weights, with each remedy; prints a row each,
    the run without a remedy first."""
    sizes = SIZES["big"]
    print(f"\nThree remedies for {big.name}, each from the same initial weights:")
    stopping = mlp(sizes)
    early = train(
        f"early stopping (patience {PATIENCE})",
        stopping,
        adam(stopping),
        data,
        early_stopping=nn.EarlyStopping(patience=PATIENCE, restore_best=True),
    )
    if early.stopped_epoch is None:
        early.notes.append(f"ran all {EPOCHS} epochs without stopping")
    else:
        restored = early.val_loss == early.best_val_loss  # the best epoch's own figure
        early.notes.append(
            f"stopped at epoch {early.stopped_epoch}, {early.stopped_epoch - early.best_epoch} "
            f"epochs after its best; "
            + (
                f"the weights of epoch {early.best_epoch} restored"
                if restored
                else "the best weights were NOT restored"
            )
        )
    decaying = mlp(sizes)
    decay = train(
        f"weight decay (AdamW, weight_decay={WEIGHT_DECAY})",
        decaying,
        nn.optim.AdamW(decaying.parameters(), lr=LR, weight_decay=WEIGHT_DECAY),
        data,
    )
    network = same_weights_with_dropout(mlp(sizes), DROPOUT)
    dropout = train(
        f"dropout (p={DROPOUT:g} after each hidden layer)", network, adam(network), data
    )
    dropout.notes.append("its training loss per epoch is measured with dropout on")
    none = Run(
        "none (the run above)", big.model, big.losses, big.val_losses, big.train_loss, big.val_loss
    )
    print_table([none, early, decay, dropout], "remedy")
    print(
        f"\nFinal validation loss: {big.val_loss:.3f} without a remedy; "
        + ", ".join(
            f"{run.name.split(' (')[0]} {run.val_loss:.3f}" for run in (early, decay, dropout)
        )
        + "."
    )
    return [early, decay, dropout]


# -- plots ------------------------------------------------------------------------------


def curve(model: nn.Module, xs: Array) -> Array:
    """The model's predictions at ``xs``, in eval mode."""
    model.eval()
    return model.predict(xs[:, None])


def plot_run(axes: Sequence[Axes], run: Run, data: Data, title: str, reference: Run | None) -> None:
    """The run's curve over the data (above) and its losses per epoch (below); the
    ``reference`` run, if any, in grey on both."""
    top, bottom = axes
    xs = np.linspace(-1.0, 1.0, 200)
    top.scatter(data.X_val[:, 0], data.y_val, s=10, color="#bbbbbb", label="validation points")
    top.scatter(data.X[:, 0], data.y, s=22, color="black", label="training points")
    top.plot(xs, true_function(xs), color="#2a9d8f", linestyle="--", label="sin(πx)")
    if reference is not None:
        top.plot(xs, curve(reference.model, xs), color="#999999", linewidth=1, label="no remedy")
    top.plot(xs, curve(run.model, xs), color="#e76f51", linewidth=2, label="the model")
    top.set(ylim=(-2.0, 2.0), xlabel="x", title=title)
    top.legend(fontsize=7, loc="upper left")
    epochs = np.arange(1, len(run.losses) + 1)
    if reference is not None:
        ref_epochs = np.arange(1, len(reference.val_losses) + 1)
        bottom.plot(ref_epochs, reference.val_losses, color="#999999", label="val, no remedy")
    dropout = any(isinstance(m, nn.Dropout) for m in run.model.modules())
    label = "training loss (dropout on)" if dropout else "training loss"
    bottom.plot(
        epochs, run.losses, color="black", linewidth=1, alpha=0.6 if dropout else 1.0, label=label
    )
    bottom.plot(epochs, run.val_losses, color="#e76f51", label="validation loss")
    bottom.axhline(NOISE_FLOOR, color="#2a9d8f", linestyle=":", label=f"σ² = {NOISE_FLOOR:.2f}")
    bottom.axvline(run.best_epoch, color="#e76f51", linestyle="--", linewidth=1)
    if run.stopped_epoch is not None:
        bottom.axvline(
            run.stopped_epoch, color="black", linestyle=":", linewidth=1, label="stopped"
        )
    bottom.set(ylim=(0.0, LOSS_AXIS), xlabel="epoch", ylabel="MSE")
    bottom.set_title(
        f"best val {run.best_val_loss:.3f} at epoch {run.best_epoch}, final {run.val_loss:.3f}",
        fontsize=9,
    )
    bottom.legend(fontsize=7, loc="upper right")


def plot(
    runs: list[Run], data: Data, path: Path, reference: Run | None, heading: str
) -> Path | None:
    """A column per run: its curve and its losses; None without matplotlib."""
    fig = common.figure(4.2 * len(runs), 7.0)
    if fig is None:
        return None
    columns = fig.subplots(2, len(runs)).T
    for axes, run in zip(columns, runs, strict=True):
        title = run.name if reference is not None else f"{run.name}: {run.state}"
        plot_run(axes, run, data, title, reference)
    fig.suptitle(heading)
    return common.save(fig, path)


def main() -> None:
    args = common.arguments(__doc__)
    data = noisy_sine()
    print(
        f"y = sin(πx) + noise (σ = {NOISE}) on [-1, 1]: {TRAIN_POINTS} training points, "
        f"{VAL_POINTS} validation points (numpy, seed {DATA_SEED})."
    )
    print(f"The noise floor: even sin(πx) itself has an expected MSE of σ² = {NOISE_FLOOR:.2f}.")
    runs = fit_states(data)
    explain(runs)
    fixes = remedies(data, runs[-1])
    paths = [
        plot(
            runs, data, args.out / "fit_states.png", None, "Underfitting, a good fit, overfitting"
        ),
        plot(
            fixes,
            data,
            args.out / "fit_remedies.png",
            runs[-1],
            f"Three remedies for {runs[-1].name} (grey: without a remedy)",
        ),
    ]
    written = [path for path in paths if path is not None]
    common.report_written(written, plots_missing=len(written) < len(paths))


if __name__ == "__main__":
    main()
