"""The learning-rate trade-off: one problem, four learning rates, four outcomes.

The line y = 2x + 1 on x = 0..4 (``nn.data.line()``), ``Linear(1, 1)`` from w = b = 0,
mean squared error, full-batch gradient descent (SGD) for the same number of epochs at
each learning rate. On this quadratic loss gradient descent converges exactly when
lr < 2/λ, λ the largest eigenvalue of the loss's Hessian (the limit, 0.149 here). The
four rates: far below the limit (w and b creep towards 2 and 1, too slowly), well below
(converges), just below (w overshoots and oscillates, slowly converging) and above it
(diverges until a number overflows, which stops ``nn.fit`` with an error naming the
epoch). Prints a table of
what happened and plots the loss curves and w's path to ``learning_rate.png``.

    python -m demos.learning_rate [--out FOLDER]
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from itertools import pairwise
from pathlib import Path

import numpy as np

import nn
from demos import common
from nn import functional as F

EPOCHS = 300
# (lr, where it is against the limit 2/λ = 0.1492, what it does there)
RATES = (
    (
        0.005,
        "far below the limit",
        f"w and b creep towards 2 and 1, too slowly for {EPOCHS} epochs",
    ),
    (0.05, "well below the limit", "w and b settle on 2 and 1: converges"),
    (0.148, "just below the limit", "w overshoots and oscillates around 2, slowly converging"),
    (0.5, "above the limit", "w overshoots further at every epoch: diverges"),
)
CONVERGED = 1e-6  # the loss below which a run counts as converged
TRUE_W = 2.0


@dataclass
class Run:
    """One training run: the loss of each epoch (before its update), w after each epoch,
    and the error that stopped it, if any."""

    lr: float
    label: str  # where lr is against the limit
    behaviour: str  # what it does there
    losses: list[float] = field(default_factory=list)
    ws: list[float] = field(default_factory=list)
    error: Exception | None = None

    @property
    def converged_at(self) -> int | None:
        """The index of the first epoch whose loss is below ``CONVERGED``, or None."""
        return next((i for i, loss in enumerate(self.losses) if loss < CONVERGED), None)

    @property
    def swings(self) -> int:
        """How many times w crossed its target 2 from one epoch to the next."""
        return sum((a - TRUE_W) * (b - TRUE_W) < 0 for a, b in pairwise(self.ws))

    @property
    def outcome(self) -> str:
        """What happened, from the figures: diverges, oscillates, converges or slow."""
        if self.error is not None or self.losses[-1] > self.losses[0]:
            return "diverges"
        if self.swings > len(self.ws) // 4:
            return "oscillates"
        return "converges" if self.converged_at is not None else "slow"


def stability_limit() -> tuple[float, float]:
    """The largest eigenvalue λ of the loss's Hessian, 2·[[mean x², mean x], [mean x, 1]],
    and 2/λ: gradient descent on this quadratic loss converges exactly when lr < 2/λ."""
    X, _ = nn.data.line()
    A = np.hstack([X, np.ones_like(X)])
    largest = float(np.linalg.eigvalsh(2.0 * A.T @ A / len(A)).max())
    return largest, 2.0 / largest


def train(lr: float, label: str, behaviour: str, epochs: int = EPOCHS) -> Run:
    """Fit the line at ``lr``, recording each epoch; a step that overflows ends the run
    (``nn.fit`` raises, naming the epoch) and the error is kept, not raised."""
    X, y = nn.data.line()
    model = nn.Linear(1, 1, init="zeros")
    run = Run(lr, label, behaviour)

    def record(epoch: int, logs: Mapping[str, float]) -> None:
        run.losses.append(logs["loss"])
        run.ws.append(model.weight[0][0].data)

    optimizer = nn.optim.SGD(model.parameters(), lr=lr)
    try:
        nn.fit(
            model,
            X,
            y,
            loss=F.mse_loss,
            optimizer=optimizer,
            epochs=epochs,
            verbose=0,
            callbacks=[record],
        )
    except (OverflowError, ValueError) as error:
        run.error = error
        print(f"lr {lr}: diverged; nn.fit stopped with {type(error).__name__}: {error}")
    return run


def print_table(runs: list[Run], limit: float, epochs: int = EPOCHS) -> None:
    """One row per run: lr, lr against the limit, outcome, final loss, the epoch it
    converged at (counted from 1), swings; then what each run did, in words."""
    print(f"\nAfter {epochs} epochs (converged: loss < {CONVERGED:g}; swings: how many times")
    print("w crossed its target 2; epochs counted from 1):")
    print(
        f"{'lr':>6}  {'lr / limit':>10}  {'outcome':<10}  {'final loss':>23}  "
        f"{'converged at':>12}  {'swings':>6}"
    )
    for run in runs:
        final = f"{run.losses[-1]:.3g}"
        if run.error is not None:
            final = f"overflow at epoch {len(run.losses) + 1}"  # the epoch after the last kept
        converged = "-" if run.converged_at is None else f"epoch {run.converged_at + 1}"
        print(
            f"{run.lr:>6g}  {run.lr / limit:>10.2f}  {run.outcome:<10}  {final:>23}  "
            f"{converged:>12}  {run.swings:>6}"
        )
    print()
    for run in runs:
        print(f"lr {run.lr:g}, {run.label}: {run.behaviour}.")


def shown_path(ws: list[float], bound: float = 10.0) -> list[float]:
    """w's path up to and including the first epoch it leaves [-bound, bound] (after which a
    diverging run would only draw vertical lines across the plot)."""
    out = next((i for i, w in enumerate(ws) if abs(w) > bound), len(ws) - 1)
    return ws[: out + 1]


def plot(runs: list[Run], limit: float, path: Path) -> Path | None:
    """Loss curves (log scale) and w over the first epochs, one colour per lr; None
    without matplotlib."""
    fig = common.figure(10, 4)
    if fig is None:
        return None
    losses, weights = fig.subplots(1, 2)
    for run in runs:
        name = f"lr {run.lr:g} ({run.label}): {run.outcome}"
        epochs = np.arange(1, len(run.losses) + 1)
        losses.plot(epochs, np.minimum(run.losses, 1e8), label=name)  # off the top, not to 1e306
        shown = shown_path(run.ws[:40])
        off = f" (w = {run.ws[0]:.3g}, {run.ws[1]:.3g}, ...: off the chart)" if run.error else ""
        weights.plot(range(1, len(shown) + 1), shown, marker=".", label=f"lr {run.lr:g}{off}")
    losses.set(yscale="log", ylim=(1e-12, 1e4), xlabel="epoch", ylabel="loss (MSE, log scale)")
    losses.set_title(f"Loss per epoch (stable only for lr < 2/λ = {limit:.3f})")
    losses.legend(fontsize=8)
    weights.axhline(TRUE_W, color="grey", linestyle="--", linewidth=1)
    weights.set(ylim=(-1.7, 4.5), xlabel="epoch", ylabel="w after the epoch's update")
    weights.set_title("w over the first 40 epochs (target 2)")
    weights.legend(fontsize=8, loc="lower right")  # below the curves
    return common.save(fig, path)


def main() -> None:
    args = common.arguments(__doc__)
    print("The line y = 2x + 1 on x = 0..4, Linear(1, 1) from w = b = 0, mean squared error,")
    print(f"full-batch gradient descent (SGD) for {EPOCHS} epochs at each learning rate.")
    largest, limit = stability_limit()
    print(f"The loss's Hessian has largest eigenvalue λ = {largest:.3f}, so gradient descent")
    print(f"converges only for lr < 2/λ = {limit:.4f} (the limit).\n")
    runs = [train(lr, label, behaviour) for lr, label, behaviour in RATES]
    print_table(runs, limit)
    path = plot(runs, limit, args.out / "learning_rate.png")
    common.report_written([path] if path else [], plots_missing=path is None)


if __name__ == "__main__":
    main()
