"""`make bench` (tests/bench/run.py --quick) writes its JSON and Markdown with the figures it
says, for both stepgrad engines (no timing is asserted here, and no target of #13: timings
belong to `make bench`, never to unit tests).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

BENCH = Path(__file__).resolve().parent

pytestmark = pytest.mark.micrograd  # the bench compares with micrograd throughout

STEP_ROWS = {"stepgrad", "stepgrad_stray_hook", "stepgrad_fine", "micrograd", "floats"}


def compiled_engine_built() -> bool:
    try:
        from autograd.fast import _native  # noqa: F401
    except ImportError:
        return False
    return True


def quick_bench(out: Path, engine: str | None) -> tuple[dict[str, Any], str, str]:
    """The quick bench run as ``make bench`` runs it, with STEPGRAD_ENGINE=``engine`` (None:
    unset, whatever the test run's own engine is): its JSON, Markdown and output."""
    env = {name: value for name, value in os.environ.items() if name != "STEPGRAD_ENGINE"}
    if engine is not None:
        env["STEPGRAD_ENGINE"] = engine
    completed = subprocess.run(
        [sys.executable, str(BENCH / "run.py"), "--quick", "--out", str(out)],
        capture_output=True,
        text=True,
        check=True,
        timeout=600,
        env=env,
    )
    results = json.loads((out / "bench.json").read_text())
    return results, (out / "bench.md").read_text(), completed.stdout


def assert_positive(figures: dict[str, Any], keys: set[str]) -> None:
    for key in keys:
        assert figures[key] > 0, (key, figures)


# The expression's figures of every engine, each also as "micrograd / engine".
EXPRESSION_FIGURES = {
    "collector_on_ms",
    "collector_off_ms",
    "nodes",
    "bytes_per_node_forward",
    "bytes_per_node_after_backward",
    "graph_mb_after_backward",
}


def assert_expression_engine(figures: dict[str, Any], micrograd: bool) -> None:
    """An engine's figures for the expression, and its ratios, all there and positive."""
    assert_positive(figures, EXPRESSION_FIGURES | {"deepest_chain"})
    ratios = figures["ratios"]
    assert_positive(
        ratios, {"over_floats_collector_on", "over_floats_collector_off", "collector_on_over_off"}
    )
    if micrograd:
        over = ratios["micrograd_over_engine"]
        assert set(over) == EXPRESSION_FIGURES
        assert_positive(over, set(over))


def assert_training_step(step: dict[str, Any], engine: str) -> None:
    """One child's training-step figures: its engine, every row timed, every ratio."""
    assert step["engine"] == engine
    assert set(step["ms"]) == set(step["ms_collector_off"]) == set(step["ratios"]) == STEP_ROWS
    assert_positive(step["ms"], STEP_ROWS)
    assert_positive(step["ms_collector_off"], STEP_ROWS)
    for ratios in step["ratios"].values():
        assert set(ratios) == {
            "over_floats_collector_on",
            "over_floats_collector_off",
            "collector_on_over_off",
            "micrograd_over_engine_collector_on",
            "micrograd_over_engine_collector_off",
        }
        assert_positive(ratios, set(ratios))
    assert step["ratios"]["floats"]["over_floats_collector_on"] == 1.0
    assert_positive(step["stepgrad_stray_hook"], {"collector_on", "collector_off"})
    for memory in step["bytes_per_node"].values():
        assert_positive(memory, {"nodes", "built", "after_backward"})


def test_quick_bench_writes_both_engines_figures(tmp_path: Path) -> None:
    results, table, stdout = quick_bench(tmp_path, engine=None)
    compiled = compiled_engine_built()
    assert results["compiled_available"] is compiled
    engines = results["engines"]
    assert set(engines) == {"stepgrad_python", "micrograd"} | (
        {"stepgrad_compiled"} if compiled else set()
    )
    python, micrograd = engines["stepgrad_python"], engines["micrograd"]
    # the same graph in both stepgrad engines; micrograd's also has a leaf node for each
    # number in the expression
    assert results["expression"]["nodes"] == python["nodes"] < micrograd["nodes"]
    assert python["deepest_chain"] == python["deepest_chain_limit_tested"]  # no depth limit
    assert micrograd["deepest_chain"] < micrograd["deepest_chain_limit_tested"]  # recursion
    assert results["floats_ms"] > 0
    for name in set(engines) - {"micrograd"}:
        assert_expression_engine(engines[name], micrograd=True)
    assert_positive(micrograd, {"collector_on_ms", "collector_off_ms", "bytes_per_node_forward"})
    assert set(results["scaling"]["us_per_node"]) == {"819", "8109"}  # JSON keys are text
    assert all(us > 0 for us in results["scaling"]["us_per_node"].values())
    assert_training_step(results["training_step"]["python"], "python")
    assert "| stepgrad (Python) | default: one node per neuron" in table
    assert '| stepgrad (Python) | `graph="fine"`' in table
    assert "micrograd 0.1.0 (in the Python engine's process)" in table
    assert "| build + backward, collector on (ms) |" in table
    assert "| collector on / collector off |" in table
    assert "Targets of #13" in stdout
    if not compiled:
        return
    ours = engines["stepgrad_compiled"]
    assert ours["nodes"] == python["nodes"]
    assert ours["deepest_chain"] == ours["deepest_chain_limit_tested"]  # no depth limit
    assert ours["mb_kept_for_reuse"] > 0  # the dropped graph's nodes, on the free list
    assert results["scaling"]["engine"] == "stepgrad_compiled"
    assert set(results["training_step"]) == {"native", "python"}
    assert_training_step(results["training_step"]["native"], "native")
    assert "| figure | stepgrad (compiled) | stepgrad (Python) | micrograd 0.1.0 |" in table
    assert "| MB kept for reuse after the graph is dropped |" in table
    assert "| stepgrad (compiled) | default, one hook on a Value outside the graph |" in table
    assert '| stepgrad (compiled) | `graph="fine"`' in table
    # the targets: each with its figure, in the JSON and as a line "...: **met**" or not met
    listed = results["targets"]
    assert len(listed) == 8
    for target in listed:
        assert target["figure"] > 0 and isinstance(target["met"], bool)
    verdicts = re.findall(r"^- .+: \*\*(met|not met)\*\*$", table, flags=re.MULTILINE)
    assert verdicts == ["met" if target["met"] else "not met" for target in listed]


def test_quick_bench_runs_without_the_compiled_engine(tmp_path: Path) -> None:
    """With the Python engine (as where the compiled one is not built) the bench runs and
    says that the compiled columns are unavailable."""
    results, table, _ = quick_bench(tmp_path, engine="python")
    assert results["compiled_available"] is False
    assert results["compiled_unavailable_because"]
    assert "stepgrad_compiled" not in results["engines"]
    assert set(results["training_step"]) == {"python"}
    assert_training_step(results["training_step"]["python"], "python")
    assert results["targets"] == []
    assert "The compiled engine is unavailable in this run" in table
    assert "| build + backward, collector on (ms) | unavailable |" in table
    assert "not measured: the compiled engine is unavailable" in table
