"""What many test files share: the project's root folder and a check of an error's exact
type and message."""

from __future__ import annotations

import re
from collections.abc import Callable
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
