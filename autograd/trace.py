"""``trace``: the whole backward pass as a table a person can read top to bottom."""

from __future__ import annotations

import sys
from collections.abc import Mapping
from typing import TextIO

from autograd.backprop import Step
from autograd.drawing import _number, node_names
from autograd.value import Value

COLUMNS = ("step", "node", "input", "upstream", "local", "contribution", "input grad")


def trace(
    root: Value,
    params: Mapping[str, Value] | None = None,
    file: TextIO | None = None,
) -> list[Step]:
    """Run ``root.backward()`` one chain-rule step at a time, printing a row per step, and
    return the steps. The gradients it leaves are those ``backward()`` leaves: bit for bit
    on graphs of the core ops, within 1e-12 through layers (see ``autograd.fast``).

    Each row reads: ``node`` (its name and op) passed ``upstream`` = ∂root/∂node to its
    input number k, ``input``, whose local derivative is ``local`` = ∂node/∂input, so the
    input received ``contribution`` = upstream × local and now holds ``input grad``.
    Values are named as in ``draw``: parameter name, label, or node id (``v0`` = root).
    """
    out = file or sys.stdout
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
    widths = [max(len(row[i]) for row in [COLUMNS, *rows]) for i in range(len(COLUMNS))]
    numeric = {0, 3, 4, 5, 6}

    def line(cells: tuple[str, ...]) -> str:
        return "  ".join(
            cell.rjust(w) if i in numeric else cell.ljust(w)
            for i, (cell, w) in enumerate(zip(cells, widths, strict=True))
        ).rstrip()

    print(line(COLUMNS), file=out)
    for row in rows:
        print(line(row), file=out)
    return steps
