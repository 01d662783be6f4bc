"""What ``fit(..., record=True)`` keeps: every optimizer step's numbers, the model's
predictions over the data, and one sample's backward pass per epoch.

A recorded *step* is one ``optimizer.step()``: the batch's loss, every parameter's value
before the step, its gradient ∂L/∂p (the one the step used), its value after, and the
optimizer's state and hyperparameters, from which the optimizer writes the update out as
arithmetic (``Optimizer.arithmetic``). Full-batch training has one step per epoch; with
mini-batches each epoch has one step per batch, labelled epoch/batch.

The *view* is the model's predictions over the data at each step's starting parameters
and at the parameters it ends with: for 1-D regression its curve over a grid of x, for
2-D classification its output over a grid of points (the decision boundary is where it
crosses the threshold).

With ``Record(every=k)`` the steps of every k-th epoch are recorded, and those of the
last epoch that ran: the requested last, or the one early stopping stopped after (whose
steps are kept as they run, cheaply, and finished, predictions and the sample's pass,
once training ends).

The *backward pass* of one chosen sample is built by ``autograd.explorer.build`` on that
sample's loss at the parameters each recorded epoch starts from: one graph, one pass per
epoch. It is the largest part of a recording, so only one sample's is kept.

Before the first step the recorder estimates how large the recording will be and refuses
(ValueError, saying what to do) past ``Record.max_bytes``.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from autograd import Value, no_grad
from autograd.explorer import build
from nn import functional as F
from nn.module import Module
from nn.optim.arithmetic import Update, number
from nn.optim.optimizer import Optimizer

__all__ = ["Record", "RecordedStep", "Recorder", "Recording", "View", "size_text"]

LossFunction = Callable[[Sequence[Any], Sequence[Any]], Value]

MEGABYTE = 1_000_000
LINE_POINTS, BOUNDARY_POINTS = 60, 25  # grid points per axis of the view, by default
BYTES_PER_NUMBER = 20  # a float as JSON, with its separator
BYTES_PER_LINE = 45  # one line of update arithmetic
VALUE_VIEW_PARAMETERS = 30  # Record(backward_view="auto") draws every Value up to this many


@dataclass(frozen=True)
class Record:
    """How ``fit`` records training (``fit(..., record=nn.Record(...))``; ``record=True``
    is ``Record()``).

    ``sample``: the index of the training sample whose backward pass is recorded each
    epoch (None: no backward pass); ``every``: record the steps of every k-th epoch (and
    of the last that ran, the one early stopping stopped after too); ``grid``: points
    per axis of the predictions view (60 for a curve, 25 × 25 for a boundary by
    default); ``view``: ``"auto"``, ``"line"``, ``"boundary"`` or None;
    ``max_bytes``: refuse (ValueError) a recording estimated larger than this;
    ``backward_view``: how the sample's graph is drawn, ``"value"`` (every Value),
    ``"neuron"`` (parameters inside their neurons), ``"layer"``, or ``"auto"``: by value
    for a model of at most 30 parameters, else by neuron.
    """

    sample: int | None = 0
    every: int = 1
    grid: int | None = None
    view: str | None = "auto"
    max_bytes: int = 10 * MEGABYTE
    backward_view: str = "auto"

    def check(self, samples: int) -> None:
        """ValueError naming the setting that is out of range, for ``samples`` samples."""
        if self.sample is not None and (
            isinstance(self.sample, bool)
            or not isinstance(self.sample, int)
            or not 0 <= self.sample < samples
        ):
            raise ValueError(
                f"fit: Record(sample={self.sample!r}) is not a training sample's index "
                f"(0 to {samples - 1}); pass sample=None to record no backward pass"
            )
        for name in ("every", "max_bytes"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f"fit: Record({name}={value!r}) must be a positive int")
        if self.grid is not None and (
            isinstance(self.grid, bool) or not isinstance(self.grid, int) or self.grid < 2
        ):
            raise ValueError(f"fit: Record(grid={self.grid!r}) must be an int >= 2 or None")
        if self.view not in ("auto", "line", "boundary", None):
            raise ValueError(
                f"fit: Record(view={self.view!r}) must be 'auto', 'line', 'boundary' or None"
            )
        if self.backward_view not in ("auto", "value", "neuron", "layer"):
            raise ValueError(
                f"fit: Record(backward_view={self.backward_view!r}) must be 'auto', 'value', "
                f"'neuron' or 'layer'"
            )


@dataclass
class View:
    """The predictions view: ``kind`` is ``"line"`` (x → the model's output) or
    ``"boundary"`` (the model's output over the plane; with several outputs, the index of
    the largest). ``X`` and ``y`` are the training data; ``axes`` the grid's x values
    (line) or its x and y values (boundary); ``threshold`` where a single output changes
    class: 0.5 for probabilities (``binary_cross_entropy``), 0 for logits
    (``binary_cross_entropy_with_logits``), else the midpoint of the two labels (0.5 for
    0/1, 0 for ±1; 0 when there are not two); ``final`` the outputs after the last step."""

    kind: str
    X: list[list[float]]
    y: list[Any]
    axes: list[list[float]]
    threshold: float | None = None
    classes: int = 0
    final: list[float] = field(default_factory=list)

    def points(self) -> np.ndarray:
        """The grid as model inputs, one row per point (x fastest for a boundary)."""
        if self.kind == "line":
            return np.array([[x] for x in self.axes[0]])
        xs, ys = self.axes
        return np.array([[x, y] for y in ys for x in xs])


@dataclass
class RecordedStep:
    """One optimizer step: ``epoch`` and ``batch`` (indices), ``batches`` in the epoch,
    ``samples`` in the batch, the batch's ``loss`` (before the update), per parameter
    ``before``, ``grads`` and ``after``, the optimizer's ``state_before``/``state_after``
    per parameter, ``hyper`` per parameter group, and the view's ``outputs`` at ``before``
    and ``outputs_after`` at ``after`` (the model after this step's update, which with
    ``Record(every=k)`` is not where the next recorded step starts)."""

    epoch: int
    batch: int
    batches: int
    samples: int
    loss: float = math.nan
    before: list[float] = field(default_factory=list)
    grads: list[float] = field(default_factory=list)
    after: list[float] = field(default_factory=list)
    state_before: list[dict[str, float]] = field(default_factory=list)
    state_after: list[dict[str, float]] = field(default_factory=list)
    hyper: list[dict[str, Any]] = field(default_factory=list)
    outputs: list[float] = field(default_factory=list)
    outputs_after: list[float] = field(default_factory=list)

    @property
    def label(self) -> str:
        """``epoch 3`` or, with mini-batches, ``epoch 3, batch 2/4`` (counted from 1)."""
        if self.batches == 1:
            return f"epoch {self.epoch + 1}"
        return f"epoch {self.epoch + 1}, batch {self.batch + 1}/{self.batches}"


def symbol(name: str) -> str:
    """The letter a parameter goes by in update arithmetic: ``b`` for a bias, else ``w``."""
    last = name.rsplit(".", 1)[-1]
    return "b" if last.startswith("bias") else "w"


@dataclass
class Recording:
    """What ``fit(..., record=True)`` recorded (``history.recording``).

    ``names``: the parameters' names (``model.named_parameters()``); ``steps``: the
    recorded ``RecordedStep``s in order; ``group_of``: each parameter's group index in
    the optimizer (None when the optimizer does not hold it or is not an
    ``nn.optim.Optimizer``); ``view``: the predictions view or None, with ``view_note``
    saying why not; ``sample``, ``graph``, ``passes``, ``pass_epochs``: the chosen
    sample, its backward graph and one pass per recorded epoch (as
    ``autograd.explorer.build`` returns them), or None and ``[]``.
    """

    names: list[str]
    optimizer: Any
    group_of: list[int | None]
    epochs: int
    every: int
    steps: list[RecordedStep] = field(default_factory=list)
    final: list[float] = field(default_factory=list)
    view: View | None = None
    view_note: str = ""
    sample: int | None = None
    graph: dict[str, Any] | None = None
    passes: list[dict[str, Any]] = field(default_factory=list)
    pass_epochs: list[int] = field(default_factory=list)
    backward_note: str = ""

    def update(self, step: int, parameter: int) -> Update:
        """The ``Update`` that step ``step`` made to parameter ``parameter`` (indices)."""
        recorded = self.steps[step]
        group = self.group_of[parameter]
        return Update(
            recorded.before[parameter],
            recorded.grads[parameter],
            recorded.after[parameter],
            recorded.state_before[parameter] if recorded.state_before else {},
            recorded.state_after[parameter] if recorded.state_after else {},
            recorded.hyper[group] if group is not None and recorded.hyper else {},
        )

    def arithmetic(self, step: int, parameter: int) -> list[str]:
        """The optimizer's arithmetic for that update (``Optimizer.arithmetic``)."""
        name = self.names[parameter]
        update = self.update(step, parameter)
        if isinstance(self.optimizer, Optimizer) and self.group_of[parameter] is not None:
            return self.optimizer.arithmetic(update, symbol(name))
        before, after = update.before, update.after
        reason = (
            f"{type(self.optimizer).__name__} is not an nn.optim optimizer"
            if not isinstance(self.optimizer, Optimizer)
            else "the optimizer does not update it"
        )
        return [f"{symbol(name)}: {number(before)} → {number(after)} ({reason})"]

    def formula(self, step: int, parameter: int) -> list[str]:
        """The update rule in symbols for that parameter's group at that step."""
        group = self.group_of[parameter]
        if not isinstance(self.optimizer, Optimizer) or group is None:
            return []
        return self.optimizer.formula(self.steps[step].hyper[group], symbol(self.names[parameter]))

    def nbytes(self) -> int:
        """The size of what was recorded, as the page's JSON holds it (bytes, estimated
        for the steps, measured for the backward passes)."""
        lines = sum(len(self.arithmetic(0, i)) for i in range(len(self.names))) if self.steps else 0
        per_step = _step_bytes(
            len(self.names), lines, len(self.steps[0].outputs) if self.steps else 0
        )
        passes = sum(len(json.dumps(p)) for p in self.passes)
        return len(self.steps) * per_step + passes + len(json.dumps(self.graph or {}))

    def summary(self) -> str:
        """``60 steps × 2 parameters, the backward pass of sample 0 in 60 epochs; 48 kB``."""
        parts = [f"{len(self.steps)} steps × {len(self.names)} parameters"]
        if self.passes:
            parts.append(f"the backward pass of sample {self.sample} in {len(self.passes)} epochs")
        return f"{', '.join(parts)}; about {size_text(self.nbytes())}"


def size_text(nbytes: float) -> str:
    """``840 B``, ``12.3 kB``, ``4.5 MB`` (powers of 1000)."""
    if nbytes < 1000:
        return f"{nbytes:.0f} B"
    if nbytes < MEGABYTE:
        return f"{nbytes / 1000:.1f} kB"
    return f"{nbytes / MEGABYTE:.1f} MB"


def _step_bytes(parameters: int, lines: int, outputs: int) -> int:
    """Estimated JSON bytes of one recorded step."""
    return parameters * 3 * BYTES_PER_NUMBER + lines * BYTES_PER_LINE + outputs * 8


class Recorder:
    """Records one ``fit`` run as it goes (``fit`` calls it around each step)."""

    def __init__(
        self,
        options: Record,
        model: Module,
        rows: list[list[float]],
        targets: list[Any],
        loss: LossFunction,
        optimizer: Any,
        epochs: int,
        batch_size: int,
    ) -> None:
        options.check(len(rows))
        self.options, self.model, self.loss = options, model, loss
        self.rows, self.targets = rows, targets
        named = list(model.named_parameters())
        self.parameters = [p for _, p in named]
        group_of: list[int | None] = [None] * len(named)
        if isinstance(optimizer, Optimizer):
            index = {id(p): i for i, p in enumerate(self.parameters)}
            for g, group in enumerate(optimizer.param_groups):
                for p in group["params"]:
                    if id(p) in index:
                        group_of[index[id(p)]] = g
        self.batches = math.ceil(len(rows) / batch_size)
        self.graph_view = options.backward_view
        if self.graph_view == "auto":
            few = len(self.parameters) <= VALUE_VIEW_PARAMETERS
            self.graph_view = "value" if few else "neuron"
        self.recording = Recording(
            names=[name for name, _ in named],
            optimizer=optimizer,
            group_of=group_of,
            epochs=epochs,
            every=options.every,
        )
        self._view(options)
        self._first_pass()
        self._check_size()
        self._current: RecordedStep | None = None
        self._pending: list[RecordedStep] = []  # the current epoch's, off the schedule
        self._last_after: tuple[list[float], list[float]] | None = None

    # -- before training ----------------------------------------------------------------

    def _view(self, options: Record) -> None:
        recording = self.recording
        width = len(self.rows[0])
        outputs = np.asarray(self.model.predict(np.array(self.rows[:1])))
        n_outputs = 1 if outputs.ndim == 1 else outputs.shape[1]
        kind, recording.view_note = _view_kind(options.view, width, n_outputs, self.targets)
        if kind is None:
            return
        threshold = None
        if kind == "boundary" and n_outputs == 1:
            threshold = _threshold(self.loss, self.targets)
        points = options.grid or (LINE_POINTS if kind == "line" else BOUNDARY_POINTS)
        recording.view = View(
            kind=kind,
            X=[list(row) for row in self.rows],
            y=list(self.targets),
            axes=_grid_axes(self.rows, points),
            threshold=threshold,
            classes=n_outputs if n_outputs > 1 else 0,
        )

    def _first_pass(self) -> None:
        """Build the chosen sample's pass at the starting parameters (the first epoch's),
        which also measures how large each epoch's pass is."""
        recording = self.recording
        sample = self.options.sample
        if sample is None:
            recording.backward_note = "no backward pass recorded (Record(sample=None))"
            return
        recording.sample = sample
        self._sample_pass()

    def _sample_pass(self) -> None:
        sample = self.recording.sample
        if sample is None:
            return
        held = [p.grad for p in self.parameters]
        for p in self.parameters:  # the sample's gradients alone, not added to the last step's
            p.grad = 0.0
        try:
            with self.model.mode(training=False):  # no dropout mask drawn: training's unchanged
                root = self.loss([self.model(self.rows[sample])], [self.targets[sample]])
            root.label = f"loss of sample {sample}"
            graph, pass_ = build(
                root, params=dict(self.model.named_parameters()), view=self.graph_view
            )
        except ValueError as error:
            if self.graph_view == "value" and "max_nodes" in str(error):
                self.graph_view = "neuron"  # too many values: parameters inside their neurons
                self._restore(held)
                self._sample_pass()
                return
            raise ValueError(
                f"fit: recording the backward pass of sample {sample}: {error}; "
                f"pass record=nn.Record(sample=None) to record training without it"
            ) from error
        finally:
            self._restore(held)
        self.recording.graph = graph
        self.recording.passes.append(pass_)

    def _restore(self, grads: list[float]) -> None:
        for p, grad in zip(self.parameters, grads, strict=True):
            p.grad = grad

    def _recorded_epochs(self) -> int:
        every, epochs = self.options.every, self.recording.epochs
        return len([e for e in range(epochs) if e % every == 0 or e == epochs - 1])

    def _check_size(self) -> None:
        recording = self.recording
        epochs = self._recorded_epochs()
        steps = epochs * self.batches
        lines = 2
        if isinstance(recording.optimizer, Optimizer):
            hyper = {k: v for k, v in recording.optimizer.param_groups[0].items() if k != "params"}
            lines = len(recording.optimizer.formula(hyper)) or 1
        view = recording.view
        outputs = 0 if view is None else math.prod(len(axis) for axis in view.axes)
        step_bytes = steps * _step_bytes(
            len(recording.names), lines * len(recording.names), outputs
        )
        pass_bytes = len(json.dumps(recording.passes[0])) if recording.passes else 0
        total = step_bytes + epochs * pass_bytes + len(json.dumps(recording.graph or {}))
        if total <= self.options.max_bytes:
            return
        parts = [f"{steps} steps of {len(recording.names)} parameters: {size_text(step_bytes)}"]
        if pass_bytes:
            parts.append(
                f"the backward pass of sample {recording.sample}, {size_text(pass_bytes)} an "
                f"epoch: {size_text(epochs * pass_bytes)}"
            )
        raise ValueError(
            f"fit: recording this training would take about {size_text(total)} "
            f"({'; '.join(parts)}), more than Record(max_bytes={self.options.max_bytes}) "
            f"({size_text(self.options.max_bytes)}): record every k-th epoch "
            f"(record=nn.Record(every=10)), train fewer epochs, leave out the backward pass "
            f"(nn.Record(sample=None)), or raise max_bytes"
        )

    # -- while training -------------------------------------------------------------------

    def wanted(self, epoch: int) -> bool:
        """Whether the epoch of index ``epoch`` is on the schedule: every k-th and the
        requested last. (An epoch early stopping stops after is recorded too, by
        ``finish``, once it is known to be the last.)"""
        every, epochs = self.options.every, self.recording.epochs
        return epoch % every == 0 or epoch == epochs - 1

    def start_epoch(self, epoch: int) -> None:
        """Record the chosen sample's backward pass at the parameters ``epoch`` starts
        from (the first epoch's was built before training)."""
        self._pending = []
        if self.wanted(epoch) and self.recording.sample is not None:
            if epoch > 0:
                self._sample_pass()
            self.recording.pass_epochs.append(epoch)

    def before_step(self, epoch: int, batch: int, samples: int) -> None:
        """Note the parameters, optimizer state and (for an epoch on the schedule) the
        predictions before a step."""
        step = RecordedStep(epoch, batch, self.batches, samples)
        step.before = [p.data for p in self.parameters]
        optimizer = self.recording.optimizer
        if isinstance(optimizer, Optimizer):
            step.state_before = [dict(optimizer.state.get(p, {})) for p in self.parameters]
            step.hyper = [
                {k: v for k, v in group.items() if k != "params"}
                for group in optimizer.param_groups
            ]
        if self.wanted(epoch):
            step.outputs = self._outputs_from(step.before)
        self._current = step

    def after_step(self, loss: float) -> None:
        """Note the gradients the step used, the new parameters and optimizer state, and
        (for an epoch on the schedule) the predictions after it. The steps of an epoch
        off the schedule are kept until the next epoch starts, in case training stops
        after it."""
        step = self._current
        if step is None:
            return
        step.loss = loss
        step.grads = [p.grad for p in self.parameters]
        step.after = [p.data for p in self.parameters]
        optimizer = self.recording.optimizer
        if isinstance(optimizer, Optimizer):
            step.state_after = [dict(optimizer.state.get(p, {})) for p in self.parameters]
        if self.wanted(step.epoch):
            self._keep(step)
        else:
            self._pending.append(step)
        self._current = None

    def finish(self) -> Recording:
        """The recording, with the parameters and predictions after the last step (not
        the best epoch's weights early stopping may give back after). When training
        stopped after an epoch off the schedule, that epoch's steps are recorded here:
        their predictions and the sample's pass at the parameters the epoch started from."""
        if self._pending:
            self._record_pending()
        recording = self.recording
        recording.final = [p.data for p in self.parameters]
        if recording.view is not None:
            recording.view.final = self._outputs()
        return recording

    def _keep(self, step: RecordedStep) -> None:
        """Add ``step`` to the recording with the predictions at the model's parameters,
        which are the step's ``after``."""
        step.outputs_after = self._outputs()
        self._last_after = (step.after, step.outputs_after)
        self.recording.steps.append(step)

    def _record_pending(self) -> None:
        steps, self._pending = self._pending, []
        held = [p.data for p in self.parameters]
        try:
            if self.recording.sample is not None:
                self._set(steps[0].before)
                self._sample_pass()
                self.recording.pass_epochs.append(steps[0].epoch)
            for step in steps:
                self._set(step.before)
                step.outputs = self._outputs_from(step.before)
                self._set(step.after)
                self._keep(step)
        finally:
            self._set(held)

    def _set(self, values: list[float]) -> None:
        with no_grad():
            for p, value in zip(self.parameters, values, strict=True):
                p.data = value

    def _outputs_from(self, before: list[float]) -> list[float]:
        """The predictions at the model's parameters, ``before``: the last kept step's
        ``outputs_after`` when it ended there (consecutive steps), else computed."""
        if self._last_after is not None and self._last_after[0] == before:
            return self._last_after[1]
        return self._outputs()

    def _outputs(self) -> list[float]:
        view = self.recording.view
        if view is None:
            return []
        with no_grad():
            predicted = np.asarray(self.model.predict(view.points()))
        if predicted.ndim == 2:  # several outputs: the class of the largest
            values: list[float] = predicted.argmax(axis=1).astype(float).tolist()
            return values
        plain: list[float] = predicted.tolist()
        return plain


def _view_kind(
    asked: str | None, width: int, n_outputs: int, targets: list[Any]
) -> tuple[str | None, str]:
    """The view to record (``"line"``, ``"boundary"`` or None) and, for None, why not;
    a ValueError when the view asked for cannot be drawn from this data."""
    if asked is None:
        return None, "no predictions view (Record(view=None))"
    if asked == "auto":
        numbers = all(isinstance(t, int | float) and not isinstance(t, bool) for t in targets)
        if width == 1 and n_outputs == 1 and numbers:
            return "line", ""
        if width == 2 and numbers and _looks_like_classes(targets):
            return "boundary", ""
        return None, (
            f"no predictions view: it shows 1-D regression (X of 1 column, one output) or "
            f"2-D classification (X of 2 columns, class labels); here X has {width} columns, "
            f"the model {n_outputs} outputs"
        )
    if (asked == "line" and (width != 1 or n_outputs != 1)) or (asked == "boundary" and width != 2):
        raise ValueError(
            f"fit: Record(view={asked!r}) needs X of {1 if asked == 'line' else 2} column(s)"
            f"{' and one output' if asked == 'line' else ''}; X has {width} columns and the "
            f"model {n_outputs} outputs"
        )
    return asked, ""


def _grid_axes(rows: list[list[float]], points: int) -> list[list[float]]:
    """For each column of the data, ``points`` values spanning its range and a tenth more
    on each side (±1 around a column of one value)."""
    X = np.array(rows)
    axes = []
    for column in range(X.shape[1]):
        low, high = float(X[:, column].min()), float(X[:, column].max())
        pad = 0.1 * (high - low) if high > low else 1.0
        axes.append(np.linspace(low - pad, high + pad, points).tolist())
    return axes


def _threshold(loss: LossFunction, targets: list[Any]) -> float:
    """Where a single output changes class: 0.5 for a probability, 0 for a logit, else
    halfway between the two labels (0.5 for 0/1, 0 for ±1), and 0 without two labels."""
    if loss is F.binary_cross_entropy:
        return 0.5
    if loss is F.binary_cross_entropy_with_logits:
        return 0.0
    labels = sorted({float(t) for t in targets})
    return (labels[0] + labels[1]) / 2 if len(labels) == 2 else 0.0


def _looks_like_classes(targets: list[Any]) -> bool:
    """Whole-number labels, at most 10 of them (0/1, ±1, class indices)."""
    values = {float(t) for t in targets}
    return len(values) <= 10 and all(v.is_integer() for v in values)
