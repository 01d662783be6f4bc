"""What ``fit`` prints while it trains: Keras-style progress, a figure, an epoch.

On a terminal the progress is one line rewritten in place (``\\r``, the line, then
``ESC[K`` to clear what a longer line left behind). A line longer than the terminal
would wrap, and every rewrite would then leave a cut-off copy behind, so the line is
shortened to fit the terminal's width: first the bar goes, then the figures lose a
digit and the separators a space, then ``accuracy`` is written ``acc``, then the time
goes, and last whole figures are left out (``...``), ``loss`` and ``val_loss`` last.
Elsewhere (a file, a pipe, a notebook) the progress is one line per epoch, thinned to
about 20 lines for long runs unless ``verbose=2``.

Every epoch a person reads is counted from 1, as Keras prints it: the epoch of index
``i`` (``History.epoch[i] == i``) is "epoch i + 1".
"""

from __future__ import annotations

import os
import textwrap
import time
from collections.abc import Callable, Mapping
from typing import TextIO

__all__ = ["Progress", "figure", "progress_line", "terminal_width"]

BAR = 20  # characters of the progress bar between its brackets
FALLBACK_WIDTH = 80  # when the width cannot be read, as shutil.get_terminal_size does


def figure(value: float) -> str:
    """A figure as the messages show it: four decimals (``0.0123``, ``0.0000``), or four
    significant digits in scientific notation when that would hide them (``3.200e-10``,
    ``1.441e+154``)."""
    if value == 0.0 or 1e-3 <= abs(value) < 1e6:
        return f"{value:.4f}"
    return f"{value:.3e}"


def short_figure(value: float) -> str:
    """A figure in fewer characters: three decimals (``0.332``, ``1.000``), or three
    significant digits in scientific notation (``3.20e-10``)."""
    if value == 0.0 or 1e-2 <= abs(value) < 1e3:
        return f"{value:.3f}"
    return f"{value:.2e}"


def duration(seconds: float) -> str:
    """``12s``, ``4:05`` or ``1:02:03``, as Keras writes its ETA."""
    whole = round(seconds)
    if whole < 60:
        return f"{whole}s"
    minutes, secs = divmod(whole, 60)
    if minutes < 60:
        return f"{minutes}:{secs:02d}"
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}"


def terminal_width(stream: TextIO) -> int:
    """The width of the terminal ``stream`` writes to, read as ``shutil.get_terminal_size``
    reads it: the ``COLUMNS`` environment variable if it is a positive number, else the
    terminal's own size (``os.get_terminal_size(stream.fileno())``), else 80."""
    try:
        columns = int(os.environ.get("COLUMNS", "0"))
    except ValueError:
        columns = 0
    if columns > 0:
        return columns
    try:
        columns = os.get_terminal_size(stream.fileno()).columns
    except (AttributeError, OSError, ValueError):  # no file number, or not a terminal
        return FALLBACK_WIDTH
    return columns if columns > 0 else FALLBACK_WIDTH


def _bar(done: int, epochs: int) -> str:
    filled = BAR * done // epochs
    return "[" + ("=" * filled + (">" if filled < BAR else "") + "." * BAR)[:BAR] + "]"


def _name(key: str, short: bool) -> str:
    return key.replace("accuracy", "acc") if short else key


def progress_line(
    done: int, epochs: int, logs: Mapping[str, float], time_text: str, width: int
) -> str:
    """The in-place progress line after epoch ``done`` of ``epochs`` (both counted from 1),
    at most ``width - 1`` characters long (the last column stays free, so that no
    terminal wraps the line).

    The longest form that fits is chosen, in this order:
    ``epoch 3/60 [===>....]  loss 0.1234  val_loss 0.2345  ETA 4s``, without the bar,
    with three decimals and single spaces, with ``acc`` for ``accuracy``, without the
    time; then figures are left out whole (``loss`` and ``val_loss`` last), with ``...``
    for them: a figure is never cut in the middle."""
    room = max(1, width - 1)
    head = f"epoch {done}/{epochs}"
    forms: list[tuple[bool, Callable[[float], str], str, bool, bool]] = [
        # (bar, figure format, separator, short names, time)
        (True, figure, "  ", False, True),
        (False, figure, "  ", False, True),
        (False, short_figure, " ", False, True),
        (False, short_figure, " ", True, True),
        (False, short_figure, " ", True, False),
    ]
    for bar, fmt, separator, short, timed in forms:
        parts = [f"{head} {_bar(done, epochs)}" if bar else head]
        parts.extend(f"{_name(key, short)} {fmt(value)}" for key, value in logs.items())
        if timed:
            parts.append(time_text)
        line = separator.join(parts)
        if len(line) <= room:
            return line
    return _fewer_figures(head, logs, room)


def _fewer_figures(head: str, logs: Mapping[str, float], room: int) -> str:
    """``head`` and as many whole figures as fit in ``room`` characters, ``loss`` and
    ``val_loss`` first and then the others in order, with ``...`` for those left out."""
    items = {key: f"{_name(key, True)} {short_figure(value)}" for key, value in logs.items()}
    ranked = sorted(items, key=lambda key: key not in ("loss", "val_loss"))  # stable

    def line(keys: set[str]) -> str:
        shown = [items[key] for key in items if key in keys]
        return " ".join([head, *shown, *(["..."] if len(shown) < len(items) else [])])

    kept: set[str] = set()
    for key in ranked:
        if len(line(kept | {key})) > room:
            break
        kept.add(key)
    fitted = line(kept)
    return fitted if len(fitted) <= room else head[:room]


class Progress:
    """Keras-style progress for ``fit``: one line rewritten in place on a terminal (``verbose=1``),
    otherwise a line per epoch (thinned to about 20 lines unless ``verbose=2``); nothing
    with ``verbose=0``."""

    def __init__(self, epochs: int, verbose: int, stream: TextIO) -> None:
        self.epochs, self.verbose, self.stream = epochs, verbose, stream
        self.in_place = verbose == 1 and stream.isatty()
        self.line_open = False  # an in-place line is on screen, not yet ended by "\n"
        self.held = ""  # a thinned-out epoch's line, written if a message follows it
        self.start = time.perf_counter()

    def show(self, index: int, logs: Mapping[str, float]) -> None:
        """The progress after the epoch of index ``index`` (0 for the first)."""
        if not self.verbose:
            return
        done = index + 1
        elapsed = time.perf_counter() - self.start
        if self.in_place:
            left = elapsed / done * (self.epochs - done)
            time_text = f"ETA {duration(left)}" if done < self.epochs else f"time {elapsed:.1f}s"
            line = progress_line(done, self.epochs, logs, time_text, terminal_width(self.stream))
            self.stream.write(f"\r{line}\x1b[K")
            self.line_open = done < self.epochs
            if not self.line_open:
                self.stream.write("\n")
        else:
            every = 1 if self.verbose == 2 else max(1, self.epochs // 20)
            figures = "  ".join(f"{key} {figure(value)}" for key, value in logs.items())
            line = f"epoch {done}/{self.epochs}  {figures}  ({elapsed:.1f}s)\n"
            shown = done % every == 0 or done == self.epochs or done == 1
            self.stream.write(line if shown else "")
            self.held = "" if shown else line
        self.stream.flush()

    def message(self, text: str) -> None:
        """A message below the progress line of the last epoch (written first if thinning
        left it out); on a terminal it is wrapped at words to the terminal's width."""
        if not self.verbose:
            return
        text, self.held = self.held + text, ""
        if self.in_place:
            text = textwrap.fill(text, max(10, terminal_width(self.stream) - 1))
            if self.line_open:
                text = "\n" + text
                self.line_open = False
        self.stream.write(text + "\n")
        self.stream.flush()
