"""pytest's hooks and fixtures for the whole suite (shared helpers live in tests/helpers.py).

Optional packages: a test that needs torch (to compare with PyTorch) carries
``@pytest.mark.torch``, one that needs micrograd (the benchmark's comparison)
``@pytest.mark.micrograd``, and gets the package from the fixture of the same name. Without
the package such a test is skipped on a developer's machine, with the reason and the
install command; when ``STEPGRAD_REQUIRE_OPTIONAL=1`` (CI sets it) it is an error instead,
so that the comparisons cannot silently not run. ``pytest -m "not torch"`` leaves them out.
"""

from __future__ import annotations

import importlib
import os
from types import ModuleType

import pytest

# marker -> (the module to import, how to install it)
OPTIONAL = {
    "torch": ("torch", "pip install -e '.[parity]'"),
    "micrograd": ("micrograd", "pip install -e '.[bench]'"),
}


def _missing(module: str) -> bool:
    try:
        importlib.import_module(module)
    except ImportError:
        return True
    return False


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    """Skip (or, with STEPGRAD_REQUIRE_OPTIONAL=1, fail) a marked test whose package is missing."""
    for marker, (module, install) in OPTIONAL.items():
        if item.get_closest_marker(marker) is None or not _missing(module):
            continue
        reason = f"{module} is not installed (the @pytest.mark.{marker} tests need it: {install})"
        if os.environ.get("STEPGRAD_REQUIRE_OPTIONAL") == "1":
            pytest.fail(f"{reason}, and STEPGRAD_REQUIRE_OPTIONAL=1 requires it", pytrace=False)
        pytest.skip(reason)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """A test that takes the torch or micrograd fixture must carry the marker too (so that it is
    skipped or fails as above, and ``-m "not torch"`` leaves it out)."""
    for item in items:
        for marker in OPTIONAL:
            if marker in getattr(item, "fixturenames", ()) and not item.get_closest_marker(marker):
                raise pytest.UsageError(
                    f"{item.nodeid} uses the {marker} fixture: mark it @pytest.mark.{marker}"
                )


@pytest.fixture(scope="session")
def torch() -> ModuleType:
    """PyTorch, for a test marked ``@pytest.mark.torch``."""
    return importlib.import_module("torch")


@pytest.fixture(scope="session")
def micrograd() -> ModuleType:
    """micrograd with its ``engine`` and ``nn`` modules, for a test marked
    ``@pytest.mark.micrograd``."""
    package = importlib.import_module("micrograd")
    importlib.import_module("micrograd.engine")
    importlib.import_module("micrograd.nn")
    return package
