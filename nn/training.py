"""``fit`` and ``evaluate``: the loop the documents describe, data → model → loss → optimizer.

Each step: the model's predictions for a batch, the loss, ``zero_grad()``, ``backward()``,
``optimizer.step()``. ``fit`` returns a ``History`` of per-epoch figures, as Keras does.
"""

from __future__ import annotations

import math
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol, TextIO

import numpy as np

from autograd import Value, no_grad
from nn import metrics as known  # the metrics fit and evaluate know by name
from nn.module import Module

LossFunction = Callable[[Sequence[Any], Sequence[Any]], Value]
Metric = Callable[[Sequence[Any], Sequence[Any]], float]
Callback = Callable[[int, Mapping[str, float]], None]


class Steppable(Protocol):
    """What ``fit`` needs of an optimizer (every ``nn.optim`` optimizer is one)."""

    def zero_grad(self) -> None: ...

    def step(self) -> None: ...


@dataclass
class EarlyStopping:
    """Stop when ``monitor`` has not improved by more than ``min_delta`` for ``patience``
    epochs; with ``restore_best`` the model ends with the weights of its best epoch."""

    patience: int = 5
    min_delta: float = 0.0
    monitor: str | None = None  # "val_loss" when there is validation data, else "loss"
    restore_best: bool = True


@dataclass
class History:
    """Per-epoch figures: ``history["loss"]``, ``history["val_loss"]``, metrics by name."""

    history: dict[str, list[float]] = field(default_factory=dict)
    epoch: list[int] = field(default_factory=list)
    stopped_epoch: int | None = None  # set when early stopping ended training
    best_epoch: int | None = None

    def record(self, epoch: int, logs: Mapping[str, float]) -> None:
        self.epoch.append(epoch)
        for key, value in logs.items():
            self.history.setdefault(key, []).append(value)

    def __getitem__(self, key: str) -> list[float]:
        return self.history[key]


def _metric_functions(metrics: Sequence[str | Metric]) -> dict[str, Metric]:
    names: dict[str, Metric] = {
        "accuracy": known.accuracy,  # argmax of class scores, or whole-number labels
        "binary_accuracy": lambda p, t: known.accuracy(p, t, threshold=0.5),  # probabilities
        "sign_accuracy": lambda p, t: known.accuracy(p, t, threshold=0.0),  # scores, logits
        "mse": known.mean_squared_error,
        "r2": known.r2_score,
    }
    chosen: dict[str, Metric] = {}
    for metric in metrics:
        if isinstance(metric, str):
            if metric not in names:
                raise ValueError(f"fit: unknown metric {metric!r}; known: {sorted(names)}")
            chosen[metric] = names[metric]
        elif callable(metric):
            chosen[getattr(metric, "__name__", "metric")] = metric
        else:
            raise TypeError(f"fit: a metric must be a name or a function, got {metric!r}")
    return chosen


def _rows(X: object, where: str) -> list[list[float]]:
    array = np.asarray(X, dtype=np.float64) if not isinstance(X, np.ndarray) else X
    if array.ndim != 2:
        raise ValueError(f"{where}: X must be 2-D (one row per sample), got shape {array.shape}")
    if not np.all(np.isfinite(array)):
        raise ValueError(f"{where}: X holds values that are not finite")
    rows: list[list[float]] = array.astype(np.float64).tolist()
    return rows


def _targets(y: object, n: int, where: str) -> list[Any]:
    targets: list[Any] = np.asarray(y).tolist() if not isinstance(y, list) else list(y)
    if len(targets) != n:
        raise ValueError(f"{where}: X has {n} rows but y has {len(targets)} targets")
    return targets


def _plain(output: object) -> Any:
    if isinstance(output, Value):
        return output.data
    if isinstance(output, list | tuple):
        return [_plain(item) for item in output]
    return output


def evaluate(
    model: Module,
    X: object,
    y: object,
    loss: LossFunction | None = None,
    metrics: Sequence[str | Metric] = (),
) -> dict[str, float]:
    """The loss and metrics of ``model`` on (X, y), building no graph.

    Metrics by name: ``"accuracy"`` (argmax of class scores, or labels), ``"binary_accuracy"``
    (one probability per sample, positive above 0.5), ``"sign_accuracy"`` (one score or
    logit per sample, positive above 0: micrograd's demo), ``"mse"``, ``"r2"``; or any
    function ``metric(predictions, targets) -> float``.
    """
    rows = _rows(X, "evaluate")
    return _evaluate(
        model, rows, _targets(y, len(rows), "evaluate"), loss, _metric_functions(metrics)
    )


def _evaluate(
    model: Module,
    rows: list[list[float]],
    targets: list[Any],
    loss: LossFunction | None,
    metrics: Mapping[str, Metric],
) -> dict[str, float]:
    with no_grad():
        predictions = [model(row) for row in rows]
        results: dict[str, float] = {}
        if loss is not None:
            results["loss"] = loss(predictions, targets).data
    plain = [_plain(p) for p in predictions]
    for name, metric in metrics.items():
        results[name] = float(metric(plain, targets))
    return results


class _Progress:
    """Keras-style progress: one line rewritten in place on a terminal; otherwise a line
    per epoch (thinned to about 20 lines for long runs unless ``verbose=2``)."""

    def __init__(self, epochs: int, verbose: int, stream: TextIO) -> None:
        self.epochs, self.verbose, self.stream = epochs, verbose, stream
        self.in_place = verbose == 1 and stream.isatty()
        self.start = time.perf_counter()

    def show(self, epoch: int, logs: Mapping[str, float]) -> None:
        if not self.verbose:
            return
        done = epoch + 1
        figures = "  ".join(f"{key} {value:.4g}" for key, value in logs.items())
        elapsed = time.perf_counter() - self.start
        left = elapsed / done * (self.epochs - done)
        if self.in_place:
            width = 20
            filled = width * done // self.epochs
            bar = "=" * filled + (">" if filled < width else "") + "." * (width - filled - 1)
            self.stream.write(
                f"\repoch {done}/{self.epochs} [{bar[:width]}] {figures}  ETA {left:.0f}s\x1b[K"
            )
            if done == self.epochs:
                self.stream.write("\n")
        else:
            every = 1 if self.verbose == 2 else max(1, self.epochs // 20)
            if done % every == 0 or done == self.epochs or done == 1:
                self.stream.write(f"epoch {done}/{self.epochs}  {figures}  ({elapsed:.1f}s)\n")
        self.stream.flush()

    def stop(self, message: str) -> None:
        if self.verbose:
            self.stream.write(("\n" if self.in_place else "") + message + "\n")


def fit(
    model: Module,
    X: object,
    y: object,
    *,
    loss: LossFunction,
    optimizer: Steppable,
    epochs: int = 1,
    batch_size: int | None = None,
    shuffle: bool = True,
    seed: int | None = None,
    validation_data: tuple[object, object] | None = None,
    validation_split: float | None = None,
    early_stopping: EarlyStopping | int | None = None,
    metrics: Sequence[str | Metric] = (),
    scheduler: Any = None,
    callbacks: Sequence[Callback] = (),
    verbose: int = 1,
    stream: TextIO | None = None,
) -> History:
    """Train ``model`` on (X, y) and return the per-epoch ``History``.

    ``batch_size=None`` is full-batch gradient descent, in the data's own order (so
    ``shuffle`` only reorders mini-batches, with ``seed``). ``validation_split`` holds out
    the last fraction of the samples, before shuffling (as Keras does);
    ``validation_data=(X_val, y_val)`` gives them instead. ``early_stopping`` is an
    ``EarlyStopping`` or a patience in epochs. ``scheduler.step()`` runs after each epoch.
    ``callbacks`` are called as ``callback(epoch, logs)`` after each epoch, with the
    epoch's loss (measured before that epoch's last update) and metrics.

    If a step fails on numbers (the loss or a gradient overflows, an update is not
    finite), training stops with the same kind of error, naming the epoch and step; the
    parameters are those from before that step.
    """
    if isinstance(epochs, bool) or not isinstance(epochs, int) or epochs < 1:
        raise ValueError(f"fit: epochs must be a positive int, got {epochs!r}")
    if batch_size is not None and (
        isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 1
    ):
        raise ValueError(f"fit: batch_size must be a positive int or None, got {batch_size!r}")
    if verbose not in (0, 1, 2):
        raise ValueError(f"fit: verbose must be 0, 1 or 2, got {verbose!r}")
    rows = _rows(X, "fit")
    targets = _targets(y, len(rows), "fit")
    val_rows: list[list[float]] | None = None
    val_targets: list[Any] | None = None
    if validation_data is not None and validation_split is not None:
        raise ValueError("fit: give validation_data or validation_split, not both")
    if validation_split is not None:
        if not 0.0 < validation_split < 1.0:
            raise ValueError(f"fit: validation_split must be in (0, 1), got {validation_split!r}")
        held = max(1, round(len(rows) * validation_split))
        if held >= len(rows):
            raise ValueError(f"fit: validation_split {validation_split} leaves no training data")
        rows, val_rows = rows[:-held], rows[-held:]
        targets, val_targets = targets[:-held], targets[-held:]
    elif validation_data is not None:
        val_rows = _rows(validation_data[0], "fit (validation_data)")
        val_targets = _targets(validation_data[1], len(val_rows), "fit (validation_data)")
    if not rows:
        raise ValueError("fit: no training data")
    stopping = (
        EarlyStopping(patience=early_stopping)
        if isinstance(early_stopping, int)
        else early_stopping
    )
    monitor = None
    if stopping is not None:
        monitor = stopping.monitor or ("val_loss" if val_rows is not None else "loss")
        if monitor.startswith("val_") and val_rows is None:
            raise ValueError(
                f"fit: early stopping monitors {monitor!r} but there is no validation data"
            )
    chosen_metrics = _metric_functions(metrics)
    parameters = model.parameters()
    rng = np.random.default_rng(seed)
    size = batch_size or len(rows)
    progress = _Progress(epochs, verbose, stream or sys.stdout)
    history = History()
    best, best_state, waited = math.inf, None, 0

    for epoch in range(epochs):
        order = list(range(len(rows)))
        if shuffle and batch_size is not None:
            order = rng.permutation(len(rows)).tolist()
        epoch_losses: list[float] = []
        for step, start in enumerate(range(0, len(rows), size)):
            batch = order[start : start + size]
            saved = [p.data for p in parameters]
            try:
                predictions = [model(rows[i]) for i in batch]
                loss_value = loss(predictions, [targets[i] for i in batch])
                optimizer.zero_grad()
                loss_value.backward()
                optimizer.step()
            except (OverflowError, ValueError, ZeroDivisionError) as error:
                with no_grad():
                    for p, data in zip(parameters, saved, strict=True):
                        p.data = data
                message = f"fit: epoch {epoch}, step {step}: training stopped: {error}"
                progress.stop(message)
                raise type(error)(message) from error
            epoch_losses.append(loss_value.data)
        # The epoch's loss: a full batch's own loss, or the batches' sample-weighted mean.
        if len(epoch_losses) == 1:
            logs: dict[str, float] = {"loss": epoch_losses[0]}
        else:
            sizes = [len(order[start : start + size]) for start in range(0, len(rows), size)]
            weighted = math.fsum(v * n for v, n in zip(epoch_losses, sizes, strict=True))
            logs = {"loss": weighted / len(rows)}
        if chosen_metrics:
            logs.update(_evaluate(model, rows, targets, None, chosen_metrics))
        if val_rows is not None and val_targets is not None:
            val = _evaluate(model, val_rows, val_targets, loss, chosen_metrics)
            logs.update({f"val_{key}": value for key, value in val.items()})
        history.record(epoch, logs)
        progress.show(epoch, logs)
        for callback in callbacks:
            callback(epoch, logs)
        if scheduler is not None:
            scheduler.step()
        if stopping is not None and monitor is not None:
            if monitor not in logs:
                raise ValueError(
                    f"fit: early stopping monitors {monitor!r}, not among {sorted(logs)}"
                )
            if logs[monitor] < best - stopping.min_delta:
                best, waited, history.best_epoch = logs[monitor], 0, epoch
                best_state = model.state_dict() if stopping.restore_best else None
            else:
                waited += 1
                if waited >= stopping.patience:
                    history.stopped_epoch = epoch
                    if best_state is not None:
                        model.load_state_dict(best_state)
                    progress.stop(
                        f"early stopping at epoch {epoch}: {monitor} has not improved for "
                        f"{stopping.patience} epochs "
                        f"(best {best:.4g} at epoch {history.best_epoch})"
                    )
                    break
    return history
