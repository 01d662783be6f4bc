"""demos/features.py: the coefficients it learns agree with numpy's least squares."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from tests.demos.running import run_demo, written


def coefficient_rows(output: str, after: str) -> dict[str, tuple[float, float]]:
    """stepgrad's and the reference's coefficient per name, from the table after ``after``."""
    lines = output[output.index(after) :].splitlines()
    rows = {}
    for line in lines[3:]:
        if not line.startswith(("weight[", "bias ")):
            break
        name, ours, reference, *_ = line.split()
        rows[name] = (float(ours), float(reference))
    return rows


def test_features_coefficients_agree_with_numpy(tmp_path: Path) -> None:
    from demos.features import make_data

    output = run_demo("features", "--out", str(tmp_path))
    assert "Synthetic data made with numpy (numpy.random.default_rng(0))" in output
    X, y, labels = make_data()
    A = np.hstack([X, np.ones((len(X), 1))])
    names = ["weight[0]", "weight[1]", "weight[2]", "bias"]
    regression = coefficient_rows(output, "Regression:")
    assert list(regression) == names
    ours = np.array([row[0] for row in regression.values()])
    assert np.abs(ours - np.linalg.lstsq(A, y, rcond=None)[0]).max() <= 1e-3
    classification = coefficient_rows(output, "Classification:")
    assert list(classification) == names
    ours, newton = (np.array(column) for column in zip(*classification.values(), strict=True))
    assert np.abs(ours - newton).max() <= 1e-3
    # Newton's coefficients are the optimum: the mean cross-entropy's gradient vanishes there
    p = 1.0 / (1.0 + np.exp(-(A @ newton)))
    assert np.abs(A.T @ (p - labels) / len(A)).max() < 1e-5
    assert output.count(": agree to 0.001") == 2
    assert written(output) == [tmp_path / "features.png"]
