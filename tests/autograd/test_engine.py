"""Which engine runs (``autograd.engine``): STEPGRAD_ENGINE, and the fallback to the Python
engine where the compiled one was not built. Each case runs in a fresh interpreter, since
the engine is chosen once, when ``autograd`` is first imported."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from tests.helpers import ROOT

# Prints what the fresh interpreter chose, and a gradient computed with it.
REPORT = """
import json, sys
{hide}
import autograd, autograd.value
x = autograd.Value(3.0)
y = (x * x + 1.0).tanh()
y.backward()
print(json.dumps({{
    "name": autograd.engine.NAME,
    "reference": autograd.Value is autograd.value.Value,
    "type": type(x).__module__ + "." + type(x).__qualname__,
    "grad": x.grad,
}}))
"""
# Makes importing the compiled extension fail, as it does where no compiler built it.
HIDE_EXTENSION = "sys.modules['autograd.fast._native'] = None"


def run(engine: str | None, hide: bool = False) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "STEPGRAD_ENGINE"}
    if engine is not None:
        env["STEPGRAD_ENGINE"] = engine
    script = REPORT.format(hide=HIDE_EXTENSION if hide else "")
    return subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, env=env, cwd=ROOT
    )


def report(engine: str | None, hide: bool = False) -> dict[str, object]:
    done = run(engine, hide)
    assert done.returncode == 0, done.stderr
    result: dict[str, object] = json.loads(done.stdout)
    return result


def built() -> bool:
    try:
        import autograd.fast._native  # noqa: F401
    except ImportError:
        return False
    return True


def expected_grad() -> float:
    """d tanh(x² + 1)/dx at 3, in plain floats: (1 - tanh²(10)) · 2x."""
    import math

    return (1.0 - math.tanh(10.0) ** 2) * 6.0


def test_the_python_engine_when_asked_for() -> None:
    chosen = report("python")
    assert chosen["name"] == "python"
    assert chosen["reference"] is True
    assert chosen["grad"] == expected_grad()


def test_without_the_extension_the_python_engine_runs() -> None:
    chosen = report(None, hide=True)
    assert chosen["name"] == "python"
    assert chosen["reference"] is True
    assert chosen["grad"] == expected_grad()


def test_asking_for_the_compiled_engine_without_it_says_why() -> None:
    done = run("native", hide=True)
    assert done.returncode != 0
    assert "STEPGRAD_ENGINE=native, but the compiled engine is not built" in done.stderr


def test_an_unknown_engine_is_refused_by_name() -> None:
    done = run("fortran")
    assert done.returncode != 0
    assert "STEPGRAD_ENGINE must be 'python' or 'native' (or unset), got 'fortran'" in done.stderr


@pytest.mark.skipif(
    not built() and os.environ.get("STEPGRAD_REQUIRE_OPTIONAL") != "1",
    reason="the compiled engine is not built (pip install needs a C compiler)",
)
@pytest.mark.parametrize("engine", [None, "native"])
def test_the_compiled_engine_by_default_and_when_asked_for(engine: str | None) -> None:
    chosen = report(engine)
    assert chosen["name"] == "native"
    assert chosen["reference"] is False
    assert chosen["type"] == "autograd.Value"
    assert chosen["grad"] == expected_grad()
