"""demos/doubling.py: the worked example's table beside ours, the figures and the rule
for agreeing."""

from __future__ import annotations

import re
from pathlib import Path

from tests.demos.running import run_demo, trace_rows, written


def test_doubling_prints_the_documents_table_beside_ours_and_marks_row_two(tmp_path: Path) -> None:
    output = run_demo("doubling", "--out", str(tmp_path))
    opening = " ".join(output[: output.index("\n\n")].split())
    assert "the loss is measured before each update, w and b after it" in opening
    assert "document" not in output  # a newcomer has no document: it says what it compares
    rows = {line.split("|")[0].strip(): line.split("|") for line in output.splitlines()}
    first, second = rows["1"], rows["2"]
    assert first[1].split() == ["1.867", "0.800", "18.67"]
    assert first[2].split() == ["1.8667", "0.8000", "18.6667", "agrees"]
    assert second[1].split() == ["1.681", "0.627", "0.34"]
    assert second[2].split()[:3] == ["1.6711", "0.6933", "0.2963"]  # recomputed with numpy
    assert second[2].endswith("<- differs: w, b, loss")
    for document, ours in (("2.667", "2.6667"), ("4.534", "4.5333"), ("6.401", "6.4000")):
        assert re.search(rf"{document} +{ours}  agrees", output)
    # the first backward pass: 3 samples × (pow, sub, the neuron's 3 inputs) + the mean's 3
    assert len(trace_rows(output)) == 3 * 5 + 3
    assert written(output) == [tmp_path / "doubling_frames"]
    assert len(list((tmp_path / "doubling_frames").glob("*.svg"))) == 3 * 5 + 3 + 1


def test_doubling_figures_and_agreement_rule() -> None:
    from demos.doubling import agrees, iterate

    first, second = iterate(2)
    assert abs(first.loss - 56 / 3) < 1e-12 and abs(first.w - 28 / 15) < 1e-12
    assert abs(first.b - 0.8) < 1e-12
    assert abs(second.loss - 0.2963) < 1e-4 and abs(second.w - 1.6711) < 1e-4
    assert abs(second.b - 0.6933) < 1e-4
    assert agrees("4.534", 4.5333) and agrees("6.401", 6.4) and not agrees("0.34", 0.2963)
