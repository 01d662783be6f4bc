"""Shared test helpers.

Optional packages (torch for parity, micrograd for the benchmark) are skipped when
missing on a developer's machine, but CI sets STEPGRAD_REQUIRE_OPTIONAL=1, and then a
missing package is an error, so parity tests cannot silently not run.
"""

from __future__ import annotations

import importlib
import os
from types import ModuleType

import pytest


def require(module: str) -> ModuleType:
    """Import an optional test dependency: skip without it, fail in CI without it."""
    if os.environ.get("STEPGRAD_REQUIRE_OPTIONAL") == "1":
        return importlib.import_module(module)
    return pytest.importorskip(module)
