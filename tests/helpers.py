"""What many test files share: the project's root folder, a check of an error's exact
type and message, and a table of such checks as one parametrized test."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent  # the checkout: README.md, demos/, autograd/


def assert_named_error(
    call: Callable[[], object], error: type[BaseException], message: str
) -> None:
    """``call()`` raises exactly ``error`` (not a subclass) with ``message`` (a regex) in it."""
    with pytest.raises(error) as info:
        call()
    assert info.type is error
    assert re.search(message, str(info.value)), str(info.value)


ErrorCase = tuple[str, Callable[[], object], type[BaseException], str]
"""(the case's id, a call, the error it must raise, a regex its message must match)."""


def each_named_error(cases: Sequence[ErrorCase]) -> pytest.MarkDecorator:
    """Parametrize a test of ``(call, error, message)`` by a table of ``ErrorCase``s, each
    case named by its id."""
    return pytest.mark.parametrize(
        ("call", "error", "message"),
        [pytest.param(call, error, message, id=name) for name, call, error, message in cases],
    )


def release_kept_memory() -> int:
    """Hand back the memory the compiled engine keeps of freed nodes for new ones (its
    empty slabs), if it is the engine in use; returns how many nodes' worth it was (0 for
    the Python engine, which keeps none). Memory measurements call it, so that they start
    from the same state and see that memory given back."""
    from autograd import engine

    if engine.NAME != "native":
        return 0
    from autograd.fast import _native

    return _native.release_memory()
