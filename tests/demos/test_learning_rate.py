"""demos/learning_rate.py: what each learning rate does, labelled by where it is against the
limit the demo prints, and the message when one diverges."""

from __future__ import annotations

import re
from pathlib import Path

from tests.demos.running import PNG, found, run_demo, written

# where a label puts lr against the limit 2/λ, as a test of lr / limit
POSITIONS = {
    "far below the limit": lambda ratio: ratio < 0.1,
    "well below the limit": lambda ratio: ratio < 0.5,
    "just below the limit": lambda ratio: 0.9 < ratio < 1.0,
    "above the limit": lambda ratio: ratio > 1.0,
}


def test_learning_rate_outcomes_agree_with_the_limit_printed(tmp_path: Path) -> None:
    output = run_demo("learning_rate", "--out", str(tmp_path))
    limit = float(found(r"converges only for lr < 2/λ = ([\d.]+) \(the limit\)", output)[1])
    assert 0.149 < limit < 0.1493  # 2/λ for λ = 13.403, the Hessian's largest eigenvalue
    rows = re.findall(
        r"^ *([\d.]+) +([\d.]+)  (slow|converges|oscillates|diverges) +(.+?)  +(-|epoch \d+) ",
        output,
        flags=re.MULTILINE,
    )
    table = {float(lr): (float(ratio), outcome, final) for lr, ratio, outcome, final, _ in rows}
    assert {lr: outcome for lr, (_, outcome, _) in table.items()} == {
        0.005: "slow",
        0.05: "converges",
        0.148: "oscillates",
        0.5: "diverges",
    }
    for lr, (ratio, _, _) in table.items():
        assert abs(ratio - lr / limit) < 0.005
    # each run's label says where its lr is against the limit, and that is where it is
    sentences = re.findall(r"^lr ([\d.]+), ([a-z ]+the limit): (.+)\.$", output, re.MULTILINE)
    said = {float(lr): (label, what) for lr, label, what in sentences}
    assert set(said) == set(table)
    for lr, (label, _) in said.items():
        assert POSITIONS[label](lr / limit), (lr, label, limit)
    assert "oscillates" in said[0.148][1] and "converging" in said[0.148][1]
    assert said[0.5][1].endswith("diverges") and said[0.05][1].endswith("converges")
    final = {lr: loss.strip() for lr, (_, _, loss) in table.items()}
    assert float(final[0.005]) > 1e-3 and float(final[0.05]) < 1e-6
    # the epoch that overflowed, counted from 1, in the table and in fit's message
    overflow = int(found(r"overflow at epoch (\d+)", final[0.5])[1])
    divergence = [line for line in output.splitlines() if line.startswith("lr 0.5: diverged")]
    assert divergence == [
        "lr 0.5: diverged; nn.fit stopped with OverflowError: fit: epoch "
        f"{overflow}, step 1: training stopped: " + divergence[0].split("training stopped: ")[1]
    ]
    assert overflow == 204
    assert "Traceback" not in output
    assert written(output) == [tmp_path / "learning_rate.png"]
    assert (tmp_path / "learning_rate.png").read_bytes().startswith(PNG)
