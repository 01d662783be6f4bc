"""``detect_anomaly()``: find where a bad number came from (``torch.autograd.detect_anomaly``).

Inside the block every node records the file and line of the user code that created it
(the first frame outside stepgrad's own packages). An error in the forward pass (a value
outside an op's domain, an overflow) then names that line; in ``backward()`` every
contribution is checked, and a derivative that fails or a gradient that is not finite
raises naming the op, the numbers involved, and the line that created the node.

Outside the block this costs one flag check per node; the records are dropped when the
outermost block ends, so run the forward and the backward pass inside it.
"""

from __future__ import annotations

import contextlib
import linecache
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TypeVar

from autograd.protocol import Node, Op

_OWN = tuple(str(Path(__file__).resolve().parent.parent / name) for name in ("autograd", "nn"))

Error = TypeVar("Error", bound=BaseException)


class _AnomalyMode:
    __slots__ = ("enabled", "sites")

    def __init__(self) -> None:
        self.enabled = False
        self.sites: dict[Node, str] = {}


ANOMALY = _AnomalyMode()


@contextlib.contextmanager
def detect_anomaly() -> Iterator[None]:
    """Record where each node is created and check every gradient (see the module docs)."""
    previous = ANOMALY.enabled
    ANOMALY.enabled = True
    try:
        yield
    finally:
        ANOMALY.enabled = previous
        if not previous:
            ANOMALY.sites.clear()


def is_anomaly_enabled() -> bool:
    return ANOMALY.enabled


def user_site() -> str:
    """``file:line in function: source`` of the innermost caller outside autograd/ and nn/."""
    frame = sys._getframe(1)
    while frame.f_back is not None and frame.f_code.co_filename.startswith(_OWN):
        frame = frame.f_back
    code = frame.f_code
    line = linecache.getline(code.co_filename, frame.f_lineno).strip()
    return f"{code.co_filename}:{frame.f_lineno} in {code.co_name}" + (f": {line}" if line else "")


def record(node: Node) -> None:
    ANOMALY.sites[node] = user_site()


def in_forward(error: Error, op: Op) -> Error:
    """``error`` raised while computing ``op``, with the user's line added in anomaly mode."""
    if not ANOMALY.enabled:
        return error
    return _annotated(error, f"(in '{op.name}' at {user_site()})")


def in_backward(error: Error, node: Node) -> Error:
    """``error`` raised while taking the local derivatives at ``node``, with the line that
    created ``node`` added in anomaly mode."""
    if not ANOMALY.enabled:
        return error
    return _annotated(error, f"('{node.op}' created at {created_at(node)})")


def _annotated(error: Error, where: str) -> Error:
    """A new ``error`` of the same type with ``where`` on a line of its own, caused by
    ``error``; ``error`` itself for a type that cannot be built from one message."""
    try:
        annotated = type(error)(f"{error}\n  {where}")
    except Exception:  # an exception class of the user's own with another signature
        return error
    annotated.__cause__ = error
    return annotated


def created_at(node: Node) -> str:
    return ANOMALY.sites.get(node, "an unknown line (created outside detect_anomaly())")
