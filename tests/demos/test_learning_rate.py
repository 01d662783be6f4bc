"""demos/learning_rate.py: what each learning rate does, and the message when one diverges."""

from __future__ import annotations

import re
from pathlib import Path

from tests.demos.running import PNG, run_demo, written


def test_learning_rate_outcomes_and_the_divergence_message(tmp_path: Path) -> None:
    output = run_demo("learning_rate", "--out", str(tmp_path))
    rows = re.findall(
        r"^ *([\d.]+)  (too small|right|too large|far too large) +(\w+) +(.+?)  ",
        output,
        flags=re.MULTILINE,
    )
    outcomes = {float(lr): (chosen, outcome) for lr, chosen, outcome, _ in rows}
    assert outcomes == {
        0.005: ("too small", "slow"),
        0.05: ("right", "converges"),
        0.148: ("too large", "oscillates"),
        0.5: ("far too large", "diverges"),
    }
    final = {float(lr): loss.strip() for lr, _, _, loss in rows}
    assert float(final[0.005]) > 1e-3 and float(final[0.05]) < 1e-6
    assert final[0.5] == "overflow at epoch 203"
    divergence = [line for line in output.splitlines() if line.startswith("lr 0.5: diverged")]
    assert len(divergence) == 1
    assert divergence[0].startswith(
        "lr 0.5: diverged; nn.fit stopped with OverflowError: fit: epoch 203, step 0:"
    )
    assert "Traceback" not in output
    assert written(output) == [tmp_path / "learning_rate.png"]
    assert (tmp_path / "learning_rate.png").read_bytes().startswith(PNG)
