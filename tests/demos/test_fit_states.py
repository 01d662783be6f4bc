"""demos/fit_states.py: the three fit states and the three remedies, from the figures the
demo prints (the demo runs once for all the tests here).

The facts asserted are the qualitative ones the demo claims, each checked on the printed
losses themselves rather than on the demo's own labels alone: the small model's losses
both stay high, the middle one's validation loss is low and near its training loss, the
big one's validation loss turns up while its training loss keeps falling, and each remedy
ends with a lower validation loss than the big model without one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.demos.running import PNG, found, run_demo, written

NOISE_FLOOR = 0.3**2  # σ² of the demo's noise: the expected validation loss of sin(πx)
EPOCHS, PATIENCE = 500, 50
ROW = r" +(\d+) +([\d.]+) +([\d.]+) +([\d.]+) +(\d+)  (underfits|fits|overfits)$"


@dataclass
class Row:
    name: str
    parameters: int
    train: float
    val: float
    best_val: float
    best_epoch: int
    state: str


def rows(pattern: str, output: str) -> list[Row]:
    return [
        Row(m[1], int(m[2]), float(m[3]), float(m[4]), float(m[5]), int(m[6]), m[7])
        for m in re.finditer(f"^({pattern}){ROW}", output, flags=re.MULTILINE)
    ]


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, Path]:
    folder = tmp_path_factory.mktemp("fit_states")
    return run_demo("fit_states", "--out", str(folder)), folder


def test_three_models_underfit_fit_and_overfit(run: tuple[str, Path]) -> None:
    output, _ = run
    small, middle, big = rows(r"MLP\(1, \[[\d, ]+\]\)", output)
    assert [small.name, middle.name, big.name] == [
        "MLP(1, [1])",
        "MLP(1, [4, 1])",
        "MLP(1, [16, 16, 1])",
    ]
    assert [small.state, middle.state, big.state] == ["underfits", "fits", "overfits"]
    assert small.parameters < middle.parameters < big.parameters

    # too small: training and validation loss both high, far above the good fit's
    assert min(small.train, small.val) > 2 * NOISE_FLOOR
    assert small.train > 2 * middle.train and small.val > 2 * middle.val

    # a good fit: the lowest validation loss of the three, near its training loss, near
    # the floor, and it did not turn up
    assert middle.val < min(small.val, big.val)
    assert middle.val < 1.5 * middle.train and middle.val < 1.5 * NOISE_FLOOR
    assert middle.val < 1.1 * middle.best_val

    # too big: the lowest training loss; validation loss lowest early, then far higher
    assert big.train < min(small.train, middle.train)
    assert big.best_epoch < EPOCHS / 2
    assert big.val > 1.5 * big.best_val
    falling = found(
        r"^MLP\(1, \[16, 16, 1\]\) overfits: its validation loss was lowest at epoch (\d+) "
        r"\(([\d.]+)\) and then rose to ([\d.]+), while its training loss kept falling, "
        r"from ([\d.]+) to ([\d.]+)",
        output,
    )
    assert int(falling[1]) == big.best_epoch
    assert float(falling[5]) < float(falling[4])  # training loss: at the best epoch, at the end


def test_each_remedy_improves_the_big_models_final_validation_loss(run: tuple[str, Path]) -> None:
    output, _ = run
    remedies = rows(
        r"none \(the run above\)|early stopping \(.+?\)|weight decay \(.+?\)|dropout \(.+?\)",
        output,
    )
    none, early, decay, dropout = remedies
    assert none.state == "overfits"
    assert early.name == f"early stopping (patience {PATIENCE})"
    assert decay.name == "weight decay (AdamW, weight_decay=1.0)"
    assert dropout.name == "dropout (p=0.1 after each hidden layer)"
    big = rows(r"MLP\(1, \[16, 16, 1\]\)", output)[0]
    assert (none.train, none.val) == (big.train, big.val)
    for remedy in (early, decay, dropout):
        assert remedy.parameters == big.parameters  # the same network
        assert remedy.val < none.val, remedy.name
        assert remedy.state == "fits", remedy.name

    # early stopping ends with its best epoch's weights: its final figure is its best
    stopped = found(
        r"^ +stopped at epoch (\d+), (\d+) epochs after its best; the weights of epoch (\d+) "
        r"restored$",
        output,
    )
    assert int(stopped[1]) < EPOCHS
    assert int(stopped[2]) == PATIENCE == int(stopped[1]) - int(stopped[3])
    assert int(stopped[3]) == early.best_epoch
    assert early.val == early.best_val

    summary = found(
        r"^Final validation loss: ([\d.]+) without a remedy; early stopping ([\d.]+), "
        r"weight decay ([\d.]+), dropout ([\d.]+)\.$",
        output,
    )
    finals = [float(summary[i]) for i in range(1, 5)]
    assert finals == pytest.approx([none.val, early.val, decay.val, dropout.val], abs=6e-4)


def test_the_plots_are_written(run: tuple[str, Path]) -> None:
    output, folder = run
    names = ["fit_states.png", "fit_remedies.png"]
    assert written(output) == [folder / name for name in names]
    for name in names:
        assert (folder / name).read_bytes().startswith(PNG)
    assert "Traceback" not in output
