"""demos/softmax.py (--quick): one point's softmax as printed, the accuracy each model
reaches, and the picture of the decision regions it writes."""

from __future__ import annotations

import math
import re
from pathlib import Path

import numpy as np
import pytest

from tests.demos.running import PNG, found, run_demo, written

# softmax --quick trains the MLP for 70 epochs (200 in the full run): it reaches 98%
# training accuracy and 96% on the 75 test points (99% and 100% in the full run).
MLP_QUICK_TRAINING, MLP_QUICK_TEST = 0.95, 0.9
# straight boundaries cannot follow three spiral arms: softmax regression stays near 56%
LINEAR_AT_MOST = 0.7


@pytest.fixture(scope="module")
def quick(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, Path]:
    """What ``python -m demos.softmax --quick`` printed, and the folder it wrote to."""
    folder = tmp_path_factory.mktemp("softmax")
    return run_demo("softmax", "--out", str(folder), "--quick"), folder


def numbers(text: str) -> list[float]:
    return [float(v) for v in text.split(", ")]


def test_softmax_quick_prints_one_points_softmax_and_both_models_accuracy(
    quick: tuple[str, Path],
) -> None:
    output, folder = quick

    # one point through the untrained MLP: the printed figures agree with each other
    label = int(found(r"of class (\d), through the untrained MLP", output)[1])
    scores = numbers(found(r"scores z += model\(x\) += \[(.*)\]", output)[1])
    p = numbers(found(r"probabilities += softmax\(z\) += \[(.*)\] \(sum 1.0000\)", output)[1])
    log_p = numbers(found(r"log-probabilities = log_softmax\(z\) = \[(.*)\]", output)[1])
    loss = float(
        found(r"loss = cross_entropy\(z, \d\) = -log_softmax\(z\)\[\d\] = ([\d.]+)", output)[1]
    )
    exps = [math.exp(z) for z in scores]  # the scores as printed, to 4 decimals
    np.testing.assert_allclose(p, [e / sum(exps) for e in exps], rtol=0, atol=2e-4)
    np.testing.assert_allclose(log_p, [z - math.log(sum(exps)) for z in scores], rtol=0, atol=2e-4)
    assert loss == -log_p[label]
    assert abs(loss - math.log(3)) < 0.2  # an untrained model: about 1/3 each

    accuracy = dict(
        (name, (float(train), float(test)))
        for name, train, test in re.findall(
            r"^(.+): training accuracy ([\d.]+), test accuracy ([\d.]+) "
            r"\(75 points it never saw\)$",
            output,
            flags=re.MULTILINE,
        )
    )
    assert list(accuracy) == ["Linear(2, 3)", "MLP(2, [16, 16, 3])"]
    linear, mlp = accuracy["Linear(2, 3)"], accuracy["MLP(2, [16, 16, 3])"]
    assert mlp[0] >= MLP_QUICK_TRAINING and mlp[1] >= MLP_QUICK_TEST
    assert linear[0] <= LINEAR_AT_MOST and linear[1] <= LINEAR_AT_MOST

    # the MLP's table: from about ln 3 down, its last row the accuracy reported
    table = output[output.index("MLP(2, [16, 16, 3]): 371 parameters") :]
    rows = re.findall(r"^ +(\d+) +([\d.]+) +([\d.]+)$", table, flags=re.MULTILINE)
    epochs = [int(row[0]) for row in rows]
    assert epochs[0] == 1 and epochs[-1] == 70 and epochs == sorted(epochs)
    losses = [float(row[1]) for row in rows]
    assert abs(losses[0] - math.log(3)) < 0.1 and losses[-1] < 0.2 * losses[0]
    assert float(rows[-1][2]) == mlp[0]

    assert written(output) == [folder / "softmax_regions.png"]


def test_softmax_picture_shows_three_decision_regions(quick: tuple[str, Path]) -> None:
    import matplotlib.image

    from demos.softmax import REGIONS

    (path,) = written(quick[0])
    assert path.read_bytes().startswith(PNG)
    pixels = (matplotlib.image.imread(path)[:, :, :3] * 255).round().astype(int)
    # each region's colour covers a good part of the picture in both region panels
    for colour in REGIONS:
        rgb = [int(colour[i : i + 2], 16) for i in (1, 3, 5)]
        share = float(np.all(pixels == rgb, axis=2).mean())
        assert share > 0.04, f"{colour}: {share:.3f} of the picture"
