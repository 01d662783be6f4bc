"""`make bench` (tests/bench/run.py --quick) writes its JSON and Markdown with the figures it
says (no timing is asserted here: timings belong to `make bench`, never to unit tests).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parent

pytestmark = pytest.mark.micrograd  # the bench compares with micrograd throughout


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
