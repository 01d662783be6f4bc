"""``trace``: the whole backward pass as a table a person can read top to bottom."""

from __future__ import annotations

import html
import sys
from collections.abc import Iterable, Mapping
from typing import TextIO

from autograd.backprop import Step
from autograd.drawing import _number, node_names
from autograd.engine import Value

COLUMNS = ("step", "node", "input", "upstream", "local", "contribution", "input grad")
NUMERIC = frozenset({0, 3, 4, 5, 6})  # the columns of numbers, aligned right


class Trace(list[Step]):
    """The steps of one backward pass, as ``trace`` returns them: a ``list`` of ``Step``s
    (index it, slice it, iterate over it, compare it with a list) that also knows its
    table. ``str(t)`` is the table ``trace`` prints; ``repr(t)`` is one line,
    ``<trace: 7 steps of the backward pass from v0 = mul>``; in Jupyter it shows itself
    as an HTML table."""

    def __init__(self, steps: Iterable[Step], rows: list[tuple[str, ...]], root: str) -> None:
        super().__init__(steps)
        self.rows = rows  # the table's cells, one tuple per step, as printed
        self.root = root  # the root as the table names it: "v0 = mul", "loss = mean", "x"

    def __str__(self) -> str:
        widths = [max(len(row[i]) for row in [COLUMNS, *self.rows]) for i in range(len(COLUMNS))]

        def line(cells: tuple[str, ...]) -> str:
            return "  ".join(
                cell.rjust(w) if i in NUMERIC else cell.ljust(w)
                for i, (cell, w) in enumerate(zip(cells, widths, strict=True))
            ).rstrip()

        return "\n".join(line(row) for row in [COLUMNS, *self.rows])

    def __repr__(self) -> str:
        count = f"{len(self)} step" + ("" if len(self) == 1 else "s")
        return f"<trace: {count} of the backward pass from {self.root}>"

    def _repr_html_(self) -> str:
        def cells(tag: str, row: tuple[str, ...]) -> str:
            return "".join(
                f'<{tag} style="text-align: {"right" if i in NUMERIC else "left"}">'
                f"{html.escape(cell)}</{tag}>"
                for i, cell in enumerate(row)
            )

        body = "".join(f"<tr>{cells('td', row)}</tr>" for row in self.rows)
        return (
            f"<table><caption>{html.escape(repr(self)[1:-1])}</caption>"
            f"<thead><tr>{cells('th', COLUMNS)}</tr></thead><tbody>{body}</tbody></table>"
        )


def trace(
    root: Value,
    params: Mapping[str, Value] | None = None,
    file: TextIO | None = None,
    *,
    verbose: int = 1,
) -> Trace:
    """Run ``root.backward()`` one chain-rule step at a time, printing a row per step, and
    return the steps (a ``Trace``: a list of ``Step``s that shows itself as the table). The
    gradients it leaves are those ``backward()`` leaves: bit for bit on graphs of the core
    ops, within 1e-12 through layers (see ``autograd.fast``).

    Each row reads: ``node`` (its name and op) passed ``upstream`` = ∂root/∂node to its
    input number k, ``input``, whose local derivative is ``local`` = ∂node/∂input, so the
    input received ``contribution`` = upstream × local and now holds ``input grad``.
    Values are named as in ``draw``: parameter name, label, or node id (``v0`` = root).
    The table goes to ``file`` (stdout by default); ``verbose=0`` prints nothing.
    """
    if verbose not in (0, 1):
        raise ValueError(f"trace: verbose must be 0 or 1, got {verbose!r}")
    names = node_names(root, params)
    steps = list(root.backward_steps())
    rows = [
        (
            str(s.index),
            f"{names[id(s.node)]} = {s.node.op}",
            f"[{s.position}] {names[id(s.input)]}",
            *(_number(x, 6) for x in (s.upstream, s.local, s.contribution, s.input_grad)),
        )
        for s in steps
    ]
    shown = names[id(root)] + ("" if root.is_leaf else f" = {root.op}")
    result = Trace(steps, rows, shown)
    if verbose:
        print(result, file=file or sys.stdout)
    return result
