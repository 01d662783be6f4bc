"""``fit`` and ``evaluate``: the training loop, data → model → loss → optimizer, as Keras's.

Each step: the model's predictions for a batch, the loss, ``zero_grad()``, ``backward()``,
``optimizer.step()``. ``fit`` returns a ``History`` of per-epoch figures, as Keras does.
Losses and metrics are functions or Keras's names for them (``loss="mse"``).

Epochs are counted as Keras counts them: what ``fit`` stores and passes to callbacks is
the epoch's index (0 for the first), and every message it prints says "epoch i + 1".
"""

from __future__ import annotations

import difflib
import math
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol, TextIO

import numpy as np

from autograd import Value, no_grad
from autograd.scalars import short_repr
from nn import functional as F
from nn import metrics as known  # the metrics fit and evaluate know by name
from nn.history import History
from nn.module import Module
from nn.progress import Progress, figure
from nn.recording import Record, Recorder

__all__ = ["LOSSES", "EarlyStopping", "History", "Record", "evaluate", "fit"]

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
    epochs; with ``restore_best`` the model ends with the weights of its best epoch (also
    when training runs every epoch, as in Keras 3).

    ``mode`` is Keras's: ``"min"`` (lower is better), ``"max"``, or ``"auto"``, which
    maximises the accuracies and ``r2``, minimises losses and ``mse``, and asks for a
    mode for any other figure.
    """

    patience: int = 5
    min_delta: float = 0.0
    monitor: str | None = None  # "val_loss" when there is validation data, else "loss"
    restore_best: bool = True
    mode: str = "auto"

    def direction(self, monitor: str) -> str:
        """``"min"`` or ``"max"`` for ``monitor``, or a ValueError naming it."""
        if self.mode in ("min", "max"):
            return self.mode
        if self.mode != "auto":
            raise ValueError(
                f"fit: EarlyStopping mode must be 'auto', 'min' or 'max', got {self.mode!r}"
            )
        name = monitor.removeprefix("val_")
        if name in ("loss", "mse"):
            return "min"
        if name in ("accuracy", "binary_accuracy", "sign_accuracy", "r2"):
            return "max"
        raise ValueError(
            f"fit: early stopping cannot tell whether {monitor!r} should go up or down; "
            f"pass EarlyStopping(monitor={monitor!r}, mode='max') or mode='min'"
        )


# The losses fit and evaluate know by name: Keras's names, and nn.functional's own.
LOSSES: dict[str, LossFunction] = {
    "mse": F.mse_loss,
    "mean_squared_error": F.mse_loss,
    "mae": F.l1_loss,
    "mean_absolute_error": F.l1_loss,
    "binary_crossentropy": F.binary_cross_entropy,  # probabilities, as Keras's default
    "categorical_crossentropy": F.cross_entropy,  # class scores (logits), class indices
    "sparse_categorical_crossentropy": F.cross_entropy,
    "hinge": F.hinge_loss,  # targets ±1
    "mse_loss": F.mse_loss,
    "l1_loss": F.l1_loss,
    "binary_cross_entropy": F.binary_cross_entropy,
    "binary_cross_entropy_with_logits": F.binary_cross_entropy_with_logits,
    "cross_entropy": F.cross_entropy,
    "hinge_loss": F.hinge_loss,
}


def _loss_function(loss: object, where: str) -> LossFunction:
    """``loss`` itself if it is a function, the loss of that name if it is a name, or a
    TypeError/ValueError naming ``where``, the value and the names known."""
    names = ", ".join(repr(name) for name in LOSSES)
    if isinstance(loss, str):
        if loss in LOSSES:
            return LOSSES[loss]
        close = difflib.get_close_matches(loss, LOSSES, n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        raise ValueError(
            f"{where}: unknown loss {loss!r}{hint}; the names known are {names}, "
            f"or pass a function loss(predictions, targets) -> Value such as F.mse_loss"
        )
    if not callable(loss):
        raise TypeError(
            f"{where}: loss must be a function loss(predictions, targets) -> Value "
            f"(such as F.mse_loss) or one of the names {names}; got {short_repr(loss)}"
        )
    return loss


def _check_class_indices(loss: LossFunction, targets: Sequence[Any], where: str) -> None:
    """A cross-entropy by name takes class indices: one-hot rows get a TypeError saying so."""
    if loss is F.cross_entropy and targets and isinstance(targets[0], list | tuple):
        raise TypeError(
            f"{where}: this cross-entropy (nn.functional.cross_entropy) takes one class "
            f"index per sample (0 to C - 1), not one-hot rows such as "
            f"{short_repr(targets[0])}; pass y.argmax(axis=1)"
        )


def _metric_functions(metrics: Sequence[str | Metric], where: str) -> dict[str, Metric]:
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
                raise ValueError(f"{where}: unknown metric {metric!r}; known: {sorted(names)}")
            chosen[metric] = names[metric]
        elif callable(metric):
            chosen[getattr(metric, "__name__", "metric")] = metric
        else:
            raise TypeError(
                f"{where}: a metric must be a name or a function, got {short_repr(metric)}"
            )
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
    loss: LossFunction | str | None = None,
    metrics: Sequence[str | Metric] = (),
) -> dict[str, float]:
    """The loss and metrics of ``model`` on (X, y), building no graph.

    ``loss`` is a function or a name, as for ``fit``. Metrics by name: ``"accuracy"``
    (argmax of class scores, or labels), ``"binary_accuracy"`` (one probability per
    sample, positive above 0.5), ``"sign_accuracy"`` (one score or logit per sample,
    positive above 0: micrograd's demo), ``"mse"``, ``"r2"``; or any function
    ``metric(predictions, targets) -> float``.
    """
    function = None if loss is None else _loss_function(loss, "evaluate")
    chosen = _metric_functions(metrics, "evaluate")
    rows = _rows(X, "evaluate")
    targets = _targets(y, len(rows), "evaluate")
    if function is not None:
        _check_class_indices(function, targets, "evaluate")
    return _evaluate(model, rows, targets, function, chosen)


def _loss_value(
    loss: LossFunction, predictions: list[Any], targets: list[Any], where: str
) -> Value:
    """The loss of a batch, which must be one Value (a reduction, not a list of terms)."""
    value = loss(predictions, targets)
    if not isinstance(value, Value):
        raise TypeError(
            f"{where}: the loss must return one Value (the batch's mean or sum), "
            f"got {type(value).__name__} {short_repr(value)}"
        )
    return value


def _evaluate(
    model: Module,
    rows: list[list[float]],
    targets: list[Any],
    loss: LossFunction | None,
    metrics: Mapping[str, Metric],
) -> dict[str, float]:
    with no_grad(), model.mode(training=False):  # dropout off, as Keras evaluates
        predictions = [model(row) for row in rows]
        results: dict[str, float] = {}
        if loss is not None:
            results["loss"] = _loss_value(loss, predictions, targets, "evaluate").data
    plain = [_plain(p) for p in predictions]
    for name, metric in metrics.items():
        results[name] = float(metric(plain, targets))
    return results


def fit(
    model: Module,
    X: object,
    y: object,
    *,
    loss: LossFunction | str,
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
    record: bool | Record = False,
) -> History:
    """Train ``model`` on (X, y) and return the per-epoch ``History``.

    ``loss`` is a function ``loss(predictions, targets) -> Value`` or one of Keras's
    names for one (``LOSSES``): ``"mse"``, ``"mae"``, ``"binary_crossentropy"``,
    ``"categorical_crossentropy"``, ``"hinge"``, .... ``batch_size=None`` is full-batch
    gradient descent, in the data's own order (so ``shuffle`` only reorders mini-batches,
    with ``seed``). ``validation_split`` holds out the last fraction of the samples,
    before shuffling (as Keras does); ``validation_data=(X_val, y_val)`` gives them
    instead. ``early_stopping`` is an ``EarlyStopping`` or a patience in epochs.
    ``scheduler.step()`` runs after each epoch. ``callbacks`` are called as
    ``callback(epoch, logs)`` after each epoch, as Keras's ``on_epoch_end``: ``epoch`` is
    the epoch's index (0 for the first), ``logs`` the epoch's loss (measured before that
    epoch's last update) and metrics.

    Epochs are indices in what ``fit`` stores (``History.epoch``, ``best_epoch``,
    ``stopped_epoch``) and in what callbacks receive; every message it prints counts
    from 1 (the epoch of index i is "epoch i + 1"), as Keras's do.

    If a step fails on numbers (the loss or a gradient overflows, an update is not
    finite), training stops with the same kind of error, naming the epoch and step
    (``fit: epoch 3, step 2: training stopped: ...``); the parameters are those from
    before that step.

    ``record=True`` (or an ``nn.Record`` with settings) records every optimizer step,
    the model's predictions and one sample's backward pass per epoch in
    ``history.recording``, for ``history.explore()``; it does not change the training.
    """
    loss_function = _loss_function(loss, "fit")
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
    _check_class_indices(loss_function, targets, "fit")
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
    monitor, sign = None, 1.0
    if stopping is not None:
        monitor = stopping.monitor or ("val_loss" if val_rows is not None else "loss")
        if monitor.startswith("val_") and val_rows is None:
            raise ValueError(
                f"fit: early stopping monitors {monitor!r} but there is no validation data"
            )
        sign = 1.0 if stopping.direction(monitor) == "min" else -1.0  # compare sign · value
    chosen_metrics = _metric_functions(metrics, "fit")
    parameters = model.parameters()
    rng = np.random.default_rng(seed)
    size = batch_size or len(rows)
    progress = Progress(epochs, verbose, stream or sys.stdout)
    history = History(monitor=monitor)
    recorder = _recorder(record, model, rows, targets, loss_function, optimizer, epochs, size)
    best, best_state, waited = math.inf, None, 0

    for epoch in range(epochs):
        order = list(range(len(rows)))
        if shuffle and batch_size is not None:
            order = rng.permutation(len(rows)).tolist()
        epoch_losses: list[float] = []
        if recorder is not None:
            recorder.start_epoch(epoch)
        for step, start in enumerate(range(0, len(rows), size)):
            batch = order[start : start + size]
            saved = [p.data for p in parameters]
            if recorder is not None:
                recorder.before_step(epoch, step, len(batch))
            try:
                with model.mode(training=True):  # dropout on while training, as Keras does
                    predictions = [model(rows[i]) for i in batch]
                loss_value = _loss_value(
                    loss_function, predictions, [targets[i] for i in batch], "fit"
                )
                optimizer.zero_grad()
                loss_value.backward()
                optimizer.step()
            except (OverflowError, ValueError, ZeroDivisionError) as error:
                with no_grad():
                    for p, data in zip(parameters, saved, strict=True):
                        p.data = data
                message = f"fit: epoch {epoch + 1}, step {step + 1}: training stopped: {error}"
                progress.message(message)
                raise type(error)(message) from error
            epoch_losses.append(loss_value.data)
            if recorder is not None:
                recorder.after_step(loss_value.data)
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
            val = _evaluate(model, val_rows, val_targets, loss_function, chosen_metrics)
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
            if sign * logs[monitor] < best - stopping.min_delta:
                best, waited, history.best_epoch = sign * logs[monitor], 0, epoch
                best_state = model.state_dict() if stopping.restore_best else None
            else:
                waited += 1
                if waited >= stopping.patience:
                    history.stopped_epoch = epoch
                    break
    if recorder is not None:
        history.recording = recorder.finish()
    if stopping is not None and monitor is not None:
        _finish_early_stopping(model, history, stopping, best_state, progress)
    return history


def _recorder(
    record: object,
    model: Module,
    rows: list[list[float]],
    targets: list[Any],
    loss: LossFunction,
    optimizer: Steppable,
    epochs: int,
    batch_size: int,
) -> Recorder | None:
    """The recorder ``record`` asks for (None for False), or a TypeError."""
    if record is False:
        return None
    if record is True:
        record = Record()
    if not isinstance(record, Record):
        raise TypeError(
            f"fit: record must be True, False or an nn.Record(...), got {short_repr(record)}"
        )
    return Recorder(record, model, rows, targets, loss, optimizer, epochs, batch_size)


def _finish_early_stopping(
    model: Module,
    history: History,
    stopping: EarlyStopping,
    best_state: Mapping[str, Any] | None,
    progress: Progress,
) -> None:
    """Give the model its best epoch's weights back (``restore_best``) and say what
    happened: where training stopped, the best figure and its epoch, which weights the
    model has. Epochs in the message count from 1."""
    monitor, best, last = history.monitor, history.best_epoch, history.epoch[-1]
    if monitor is None:  # fit sets it whenever there is early stopping
        return
    ended = (
        f"early stopping at epoch {last + 1}"
        if history.stopped_epoch is not None
        else f"training ran all {len(history.epoch)} epochs"
    )
    if best is None:  # no epoch beat the start, ±inf: the figure is NaN
        progress.message(
            f"{ended}: {monitor} never improved (it is {figure(history[monitor][-1])}); "
            f"the model has the weights of epoch {last + 1}, the last"
        )
        return
    value = figure(history[monitor][best])
    if best_state is not None and best != last:
        model.load_state_dict(best_state)
        history.restored = True
    if history.restored:
        weights = f"restored the weights from the end of epoch {best + 1}"
    else:  # said only when training stopped, after the best epoch
        weights = f"kept the weights of epoch {last + 1}, the last (restore_best=False)"
    if history.stopped_epoch is not None:
        progress.message(
            f"{ended}: {monitor} has not improved for {stopping.patience} epochs; "
            f"best {monitor} {value} at epoch {best + 1}; {weights}"
        )
    elif history.restored:
        progress.message(f"{ended}; best {monitor} {value} at epoch {best + 1}; {weights}")
