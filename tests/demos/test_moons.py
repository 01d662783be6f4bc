"""demos/moons.py (--quick): the accuracy it reaches, early stopping, the plots it writes;
epochs counted from 1."""

from __future__ import annotations

import re
from pathlib import Path

from tests.demos.running import PNG, found, run_demo, written

# moons --quick trains each optimizer for 30 epochs instead of 60: Adam reaches 98%
# training accuracy at epoch 29 (100% in the full run), so the bound holds in both.
MOONS_QUICK_ACCURACY = 98


def adam_accuracies(epochs: int) -> list[float]:
    """Adam's training accuracy per epoch, trained as the demo trains it."""
    import nn
    from demos.moons import SEED, train

    X, y = nn.data.make_moons(100, noise=0.1, seed=SEED, signed=True)
    return train("Adam", X, y, epochs).accuracy


def test_moons_quick_reaches_the_accuracy_and_stops_early(tmp_path: Path) -> None:
    output = run_demo("moons", "--out", str(tmp_path), "--quick")
    accuracy = int(found(r"Adam's training accuracy: (\d+)% \(reached 98%\)", output)[1])
    assert accuracy >= MOONS_QUICK_ACCURACY
    header = found(r"^optimizer .*$", output)[0].split()
    assert header == ["optimizer", "settings", "loss", "accuracy", "reached", "98%", "seconds"]
    rows = re.findall(
        r"^(SGD|SGD \+ momentum|Adam|RMSprop) +lr .+?  +([\d.]+) +(\d+)%"
        r" +(never|at epoch (\d+)) +[\d.]+$",
        output,
        flags=re.MULTILINE,
    )
    assert [row[0] for row in rows] == ["SGD", "SGD + momentum", "Adam", "RMSprop"]
    assert all(50 <= int(row[2]) <= 100 for row in rows)  # every one learns something
    assert int(rows[2][2]) == accuracy
    # "reached 98% at epoch N" counts from 1: the epoch of index N - 1 is the first >= 98%
    accuracies = adam_accuracies(30)
    first = next(i for i, a in enumerate(accuracies) if a >= 0.98)
    assert rows[2][3] == f"at epoch {first + 1}" and round(accuracies[-1] * 100) == accuracy
    stopped = found(
        r"It stopped at epoch (\d+): val_loss had not improved for 10 epochs, since epoch (\d+)",
        output,
    )
    assert int(stopped[1]) - int(stopped[2]) == 10  # the patience
    assert f"the model has epoch {stopped[2]}'s weights again" in output
    files = ["moons_boundary.png", "moons_optimizers.png", "moons_early_stopping.png"]
    assert written(output) == [tmp_path / name for name in files]
    for name in files:
        assert (tmp_path / name).read_bytes().startswith(PNG)
