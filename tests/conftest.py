"""pytest's hooks and fixtures for the whole suite (shared helpers live in tests/helpers.py).

Optional packages: a test that needs torch (to compare with PyTorch) carries
``@pytest.mark.torch``, one that needs micrograd (the benchmark's comparison)
``@pytest.mark.micrograd``, and gets the package from the fixture of the same name. Without
the package such a test is skipped on a developer's machine, with the reason and the
install command; when ``STEPGRAD_REQUIRE_OPTIONAL=1`` (CI sets it) it is an error instead,
so that the comparisons cannot silently not run. ``pytest -m "not torch"`` leaves them out.

Browser tests carry ``@pytest.mark.browser`` and take the ``browser`` fixture: headless
Chromium (Debian's ``chromium`` and ``chromium-driver``, which ``.ci/run`` installs) driven
by selenium, with no browser download. Without them the test is skipped, or fails under
``STEPGRAD_REQUIRE_OPTIONAL=1``.

Engines: the suite runs with whichever engine ``autograd.engine`` picked (``make test``
runs it twice, ``STEPGRAD_ENGINE=python`` and ``=native``). Tests of the Python engine's
own optimisations (``autograd.fast.layer``, ``traversal``, ``backward``), which the
compiled engine replaces, carry ``@pytest.mark.python_engine`` and are deselected (not
skipped) when the compiled engine runs. The compiled engine's own tests need it built:
skipped without it, or failing under ``STEPGRAD_REQUIRE_OPTIONAL=1``.
"""

from __future__ import annotations

import importlib
import os
import shutil
from collections.abc import Iterator
from types import ModuleType
from typing import Any

import pytest

# marker -> (the module to import, how to install it)
OPTIONAL = {
    "torch": ("torch", "pip install -e '.[parity]'"),
    "micrograd": ("micrograd", "pip install -e '.[bench]'"),
    "browser": ("selenium", "pip install -e '.[browser]'"),
}
CHROMIUM, CHROMEDRIVER = "/usr/bin/chromium", "/usr/bin/chromedriver"


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
        if item.get_closest_marker(marker) is None:
            continue
        if _missing(module):
            reason = f"{module} is not installed (@pytest.mark.{marker} tests need it: {install})"
        elif marker == "browser" and _missing_browser():
            reason = (
                f"{_missing_browser()} is missing (the @pytest.mark.browser tests need Debian's "
                "chromium and chromium-driver: apt-get install chromium chromium-driver)"
            )
        else:
            continue
        if os.environ.get("STEPGRAD_REQUIRE_OPTIONAL") == "1":
            pytest.fail(f"{reason}, and STEPGRAD_REQUIRE_OPTIONAL=1 requires it", pytrace=False)
        pytest.skip(reason)


def _missing_browser() -> str | None:
    """The first of Chromium and ChromeDriver that is not installed, or None."""
    for program in (CHROMIUM, CHROMEDRIVER):
        if shutil.which(program) is None:
            return program
    return None


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """A test that takes the torch or micrograd fixture must carry the marker too (so that it is
    skipped or fails as above, and ``-m "not torch"`` leaves it out). Tests of the Python
    engine's optimisations are deselected under the compiled engine."""
    from autograd import engine

    if engine.NAME != "python":
        kept = [item for item in items if item.get_closest_marker("python_engine") is None]
        if len(kept) < len(items):
            config.hook.pytest_deselected(items=[i for i in items if i not in kept])
            items[:] = kept
    for item in items:
        for marker in OPTIONAL:  # (the browser fixture and marker are checked the same way)
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


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """A headless Chromium driven by selenium (``selenium.webdriver.Chrome``), for a test
    marked ``@pytest.mark.browser``: the system's chromedriver, no network, 1200×900."""
    os.environ["SE_AVOID_STATS"] = "true"  # selenium's usage statistics: no network
    webdriver = importlib.import_module("selenium.webdriver")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--window-size=1200,900",
    ):
        options.add_argument(flag)
    service = webdriver.ChromeService(executable_path=CHROMEDRIVER)
    driver = webdriver.Chrome(options=options, service=service)
    try:
        yield driver
    finally:
        driver.quit()
