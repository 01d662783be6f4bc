"""Shared test helpers.

Optional packages (torch for parity, micrograd for the benchmark) are skipped when
missing on a developer's machine, but CI sets STEPGRAD_REQUIRE_OPTIONAL=1, and then a
missing package is an error, so parity tests cannot silently not run.
"""

from __future__ import annotations

import importlib
import os
import re
from collections.abc import Callable
from types import ModuleType

import pytest


def require(module: str) -> ModuleType:
    """Import an optional test dependency: skip without it, fail in CI without it."""
    if os.environ.get("STEPGRAD_REQUIRE_OPTIONAL") == "1":
        return importlib.import_module(module)
    return pytest.importorskip(module)


def assert_named_error(
    call: Callable[[], object], error: type[BaseException], message: str
) -> None:
    """``call()`` raises exactly ``error`` (not a subclass) with ``message`` (a regex) in it."""
    with pytest.raises(error) as info:
        call()
    assert info.type is error
    assert re.search(message, str(info.value)), str(info.value)
