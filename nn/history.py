"""``History``: what ``fit`` recorded, one figure per epoch, as Keras's ``History`` holds it.

The data count as Python and Keras count: ``history.epoch`` is ``[0, 1, 2, ...]``, the
index of each epoch in the lists, and ``best_epoch`` and ``stopped_epoch`` are indices
into them (``history["val_loss"][history.best_epoch]`` is the best value). What a person
reads counts from 1, as Keras's messages do: the repr and the notebook table call the
epoch of index ``i`` "epoch i + 1".
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from nn.progress import figure

if TYPE_CHECKING:
    from nn.recording import Recording
    from nn.training_page import TrainingExplorer

__all__ = ["History"]

SHOWN = 5  # epochs shown at each end of the notebook table; the rest are "…"


@dataclass(repr=False)
class History:
    """Per-epoch figures: ``history["loss"]``, ``history["val_loss"]``, metrics by name.

    ``history``: a list per key, one entry per epoch (``history["loss"][i]``);
    ``epoch``: the epochs' indices ``[0, 1, ..., n - 1]`` (Keras's ``history.epoch``);
    ``best_epoch``, ``stopped_epoch``: with early stopping, the index of the epoch with
    the best monitored figure and of the one training stopped after (None otherwise);
    ``monitor``: the figure early stopping watched; ``restored``: whether the model was
    given the best epoch's weights back at the end; ``recording``: what
    ``fit(..., record=True)`` recorded (a ``nn.recording.Recording``), else None.

    Its repr and its notebook table count epochs from 1: index ``i`` is "epoch i + 1".
    """

    history: dict[str, list[float]] = field(default_factory=dict)
    epoch: list[int] = field(default_factory=list)
    stopped_epoch: int | None = None
    best_epoch: int | None = None
    monitor: str | None = None
    restored: bool = False
    recording: Recording | None = None

    def record(self, epoch: int, logs: Mapping[str, float]) -> None:
        """Append the figures of the epoch of index ``epoch``."""
        self.epoch.append(epoch)
        for key, value in logs.items():
            self.history.setdefault(key, []).append(value)

    def explore(self, **options: Any) -> TrainingExplorer:
        """The training explorer: a page that steps through the recorded optimizer
        steps (``.save("training.html")``, ``.html()``, shown inline in a notebook) and
        makes GIFs of its views (``.gif("line.gif", view="fit", frames=range(10))``).
        Needs ``fit(..., record=True)``; ``options`` go to ``TrainingExplorer``."""
        from nn.training_page import TrainingExplorer

        if self.recording is None:
            raise ValueError(
                "History.explore: this training was not recorded; train with "
                "nn.fit(..., record=True) to explore it"
            )
        return TrainingExplorer(self, **options)

    def __getitem__(self, key: str) -> list[float]:
        return self.history[key]

    def summary(self) -> str:
        """How training ended, in words, counting epochs from 1 (empty if it simply ran
        every epoch): ``stopped early at epoch 46; best val_loss 0.0123 at epoch 36
        (weights restored)``."""
        parts = []
        if self.stopped_epoch is not None:
            parts.append(f"stopped early at epoch {self.stopped_epoch + 1}")
        if self.best_epoch is not None and self.monitor in self.history:
            best = self.history[self.monitor][self.best_epoch]
            restored = " (weights restored)" if self.restored else ""
            parts.append(
                f"best {self.monitor} {figure(best)} at epoch {self.best_epoch + 1}{restored}"
            )
        return "; ".join(parts)

    def __repr__(self) -> str:
        """``History(epochs=60, loss=33.0000 → 0.0000, val_loss=…)``: each figure's first
        and last value, and how training ended, not every list in full."""
        parts = [f"epochs={len(self.epoch)}"]
        parts += [
            f"{key}={figure(values[0])} → {figure(values[-1])}"
            for key, values in self.history.items()
            if values
        ]
        if self.summary():
            parts.append(self.summary())
        return f"History({', '.join(parts)})"

    def _cell(self, key: str, index: int) -> str:
        values = self.history[key]
        return figure(values[index]) if index < len(values) else ""

    def _repr_html_(self) -> str:
        """A table for notebooks, epochs as rows and figures as columns (as
        ``pandas.DataFrame(history.history)`` shows them, but counted from 1): the first
        and last ``SHOWN`` epochs with "…" between, and the best epoch, marked."""
        keys = list(self.history)
        count = len(self.epoch)
        shown = list(range(count))
        if count > 2 * SHOWN:
            middle = self.best_epoch
            if middle is not None and SHOWN <= middle < count - SHOWN:
                shown = [*range(SHOWN), -1, middle, -1, *range(count - SHOWN, count)]
            else:
                shown = [*range(SHOWN), -1, *range(count - SHOWN, count)]
        summary = self.summary()
        caption = f"History: {count} epoch{'s' if count != 1 else ''}"
        caption += f"; {summary}" if summary else ""
        head = "".join(f"<th>{html.escape(key)}</th>" for key in keys)
        rows = []
        for index in shown:
            if index < 0:
                cells = "".join("<td>…</td>" for _ in keys)
                rows.append(f"<tr><th>…</th>{cells}</tr>")
                continue
            cells = "".join(f"<td>{self._cell(key, index)}</td>" for key in keys)
            best = " (best)" if index == self.best_epoch else ""
            style = ' style="font-weight: bold"' if best else ""
            rows.append(f"<tr{style}><th>{index + 1}{best}</th>{cells}</tr>")
        return (
            f"<table><caption>{html.escape(caption)}</caption>"
            f"<thead><tr><th>epoch</th>{head}</tr></thead>"
            f"<tbody>{''.join(rows)}</tbody></table>"
        )
