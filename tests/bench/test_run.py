"""`make bench` measures what it says: the same graph in both engines, the right gradients.

No timing is asserted here (timings belong to `make bench`, never to unit tests).
"""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from autograd import Value
from tests.bench.expression import build, count_constants, count_nodes, floats_with_gradients

BENCH = Path(__file__).resolve().parent

pytestmark = pytest.mark.micrograd  # the bench compares with micrograd throughout


def test_both_engines_build_the_same_graph_and_gradients(micrograd: Any) -> None:
    ours, our_leaves = build(Value, terms=30, length=12)
    theirs, their_leaves = build(micrograd.engine.Value, terms=30, length=12)
    # the same graph, except that micrograd makes each number (the 0.5 in acc * 0.5) a
    # leaf node, where stepgrad folds it into its op, as PyTorch does
    constants = count_nodes(theirs) - count_nodes(ours)
    assert constants == count_constants(theirs, their_leaves) > 0
    assert count_nodes(ours) > 30 * 12
    ours.backward()
    theirs.backward()
    value, grads = floats_with_gradients(terms=30, length=12)
    assert math.isclose(ours.data, theirs.data, rel_tol=1e-12)
    assert math.isclose(ours.data, value, rel_tol=1e-12)
    for mine, other, by_hand in zip(our_leaves, their_leaves, grads, strict=True):
        assert math.isclose(mine.grad, other.grad, rel_tol=1e-9, abs_tol=1e-12)
        assert math.isclose(mine.grad, by_hand, rel_tol=1e-9, abs_tol=1e-12)


def test_quick_bench_writes_json_and_markdown(tmp_path: Path) -> None:
    completed = subprocess.run(
        [sys.executable, str(BENCH / "run.py"), "--quick", "--out", str(tmp_path)],
        capture_output=True,
        text=True,
        check=True,
        timeout=600,
    )
    results = json.loads((tmp_path / "bench.json").read_text())
    ours, theirs = results["engines"]["stepgrad"], results["engines"]["micrograd"]
    # micrograd's graph also has a leaf node for each number in the expression
    assert results["expression"]["nodes"] == ours["nodes"] < theirs["nodes"]
    assert ours["deepest_chain"] == ours["deepest_chain_limit_tested"]  # no depth limit
    assert theirs["deepest_chain"] < theirs["deepest_chain_limit_tested"]  # recursion limit
    for figures in (ours, theirs):
        assert figures["collector_on_ms"] > 0 and figures["collector_off_ms"] > 0
        assert figures["bytes_per_node_forward"] > 0
    assert set(results["scaling"]["us_per_node"]) == {"819", "8109"}  # JSON keys are text
    assert all(us > 0 for us in results["scaling"]["us_per_node"].values())
    table = (tmp_path / "bench.md").read_text()
    assert "| build + backward, collector on (ms) |" in table
    assert "micrograd / stepgrad" in completed.stdout


def test_the_training_step_is_the_same_computation_in_all_engines() -> None:
    from tests.bench.train_step import (
        data,
        floats_trainer,
        initial_state,
        micrograd_trainer,
        stepgrad_trainer,
    )

    X, y = data(30)
    state = initial_state()
    trainers = {
        "compact": stepgrad_trainer(X, y, state),
        "fine": stepgrad_trainer(X, y, state, graph="fine"),
        "micrograd": micrograd_trainer(X, y, state),
        "floats": floats_trainer(X, y, state),
    }
    for _ in range(4):  # the losses agree step after step, so the updates agree too
        losses = {name: step()[0] for name, step in trainers.items()}
        for name, loss in losses.items():
            assert math.isclose(loss, losses["floats"], rel_tol=1e-9), (name, losses)
