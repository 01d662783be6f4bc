"""nn.data: the worked examples' data sets, two moons, blobs, spirals, and the splits."""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
import pytest

from nn.data import (
    doubling,
    line,
    make_blobs,
    make_moons,
    make_spirals,
    train_test_split,
    train_val_test_split,
)
from tests.helpers import assert_named_error, each_named_error

# -- the worked examples' data ------------------------------------------------------------


def test_line_is_the_first_documents_data() -> None:
    X, y = line()
    assert X.dtype == np.float64 and y.dtype == np.float64
    assert X.shape == (5, 1) and y.shape == (5,)
    assert X.tolist() == [[0.0], [1.0], [2.0], [3.0], [4.0]]
    assert y.tolist() == [1.0, 3.0, 5.0, 7.0, 9.0]  # 2x + 1
    # the document's first printed loss: w = b = 0 predicts 0, mean of y² = 165/5
    assert float(np.mean(y**2)) == 33.0


def test_doubling_is_the_second_documents_data() -> None:
    X, y = doubling()
    assert X.dtype == np.float64 and y.dtype == np.float64
    assert X.shape == (3, 1) and y.shape == (3,)
    assert X.tolist() == [[1.0], [2.0], [3.0]]
    assert y.tolist() == [2.0, 4.0, 6.0]
    # the document's 18.67: (4 + 16 + 36) / 3
    assert round(float(np.mean(y**2)), 2) == 18.67


def test_each_call_returns_fresh_arrays() -> None:
    X, y = line()
    X[0, 0], y[0] = 100.0, 100.0
    X2, y2 = line()
    assert X2[0, 0] == 0.0 and y2[0] == 1.0


# -- two moons -----------------------------------------------------------------------------


def test_moons_without_noise_or_shuffle_are_scikit_learns_points() -> None:
    X, y = make_moons(5, noise=None, shuffle=False)
    # outer moon: 2 points at t = 0, π: (cos t, sin t); inner moon: 3 points at t = 0, π/2, π:
    # (1 - cos t, 1 - sin t - 0.5)
    expected = [[1.0, 0.0], [-1.0, 0.0], [0.0, 0.5], [1.0, -0.5], [2.0, 0.5]]
    assert X.shape == (5, 2) and X.dtype == np.float64
    np.testing.assert_allclose(X, expected, rtol=0, atol=1e-15)  # sin π ≈ 1.2e-16
    assert y.tolist() == [0, 0, 1, 1, 1]
    assert y.dtype == np.int64


def test_moons_signed_labels() -> None:
    X, y = make_moons(6, noise=0.2, seed=5, signed=True)
    X01, y01 = make_moons(6, noise=0.2, seed=5)
    assert sorted(y.tolist()) == [-1, -1, -1, 1, 1, 1]
    assert (y == y01 * 2 - 1).all()  # micrograd's y*2 - 1
    assert (X == X01).all()


def test_shuffled_moons_keep_each_point_with_its_label() -> None:
    X, y = make_moons(40, noise=None, seed=1)
    assert sorted(y.tolist()) == [0] * 20 + [1] * 20
    assert y[:20].tolist() != [0] * 20  # shuffled (a fixed seed, so this cannot flake)
    outer, inner = X[y == 0], X[y == 1]
    # on the unit circle around (0, 0), and around (1, 0.5)
    np.testing.assert_allclose(np.hypot(outer[:, 0], outer[:, 1]), 1.0, rtol=1e-12)
    np.testing.assert_allclose(np.hypot(inner[:, 0] - 1.0, inner[:, 1] - 0.5), 1.0, rtol=1e-12)
    assert (outer[:, 1] >= -1e-15).all() and (inner[:, 1] <= 0.5 + 1e-15).all()


def test_moons_noise_is_gaussian_with_the_given_spread() -> None:
    clean, _ = make_moons(4000, noise=None, shuffle=False)
    noisy, _ = make_moons(4000, noise=0.1, seed=0, shuffle=False)
    residual = noisy - clean
    assert abs(float(residual.mean())) < 0.01
    assert 0.095 < float(residual.std()) < 0.105


def test_moons_are_reproducible_with_a_seed() -> None:
    a, b = make_moons(50, seed=7), make_moons(50, seed=7)
    assert (a[0] == b[0]).all() and (a[1] == b[1]).all()
    c = make_moons(50, seed=8)
    assert not (a[0] == c[0]).all()
    # and fresh without one
    assert not (make_moons(50)[0] == make_moons(50)[0]).all()


def test_moons_default_size() -> None:
    X, y = make_moons(seed=0)
    assert X.shape == (100, 2) and y.shape == (100,)
    assert int(y.sum()) == 50


# -- blobs ---------------------------------------------------------------------------------


def test_blobs_shapes_labels_and_the_even_split() -> None:
    X, y = make_blobs(10, seed=0)
    assert X.shape == (10, 2) and X.dtype == np.float64
    assert y.shape == (10,) and y.dtype == np.int64
    # 10 over 3 blobs: the first takes the one left over, as in scikit-learn
    assert np.bincount(y).tolist() == [4, 3, 3]
    X, y = make_blobs(7, 4, centers=5, seed=0)
    assert X.shape == (7, 4) and np.bincount(y).tolist() == [2, 2, 1, 1, 1]


def test_blobs_points_spread_around_their_centers() -> None:
    centers = [[0.0, 0.0], [5.0, -2.0], [-4.0, 6.0]]
    X, y = make_blobs(6000, centers=centers, cluster_std=[0.5, 1.0, 2.0], seed=1)
    for j, (center, std) in enumerate(zip(centers, [0.5, 1.0, 2.0], strict=True)):
        points = X[y == j]
        assert len(points) == 2000
        # the mean of 2000 normals is within 4 standard errors (std/√2000) of the center
        np.testing.assert_allclose(points.mean(axis=0), center, rtol=0, atol=4 * std / 2000**0.5)
        np.testing.assert_allclose(points.std(axis=0), std, rtol=0.05)


def test_blobs_random_centers_lie_in_the_box() -> None:
    X, y = make_blobs(300, centers=4, cluster_std=0.0, center_box=(2.0, 3.0), seed=2)
    # with no spread every point is its center: four distinct points inside the box
    assert len(np.unique(X, axis=0)) == 4
    assert ((X >= 2.0) & (X <= 3.0)).all()
    for j in range(4):
        assert len(np.unique(X[y == j], axis=0)) == 1


def test_blobs_unshuffled_come_blob_by_blob_and_a_seed_repeats() -> None:
    _, y = make_blobs(9, shuffle=False, seed=3)
    assert y.tolist() == [0, 0, 0, 1, 1, 1, 2, 2, 2]
    _, y = make_blobs(60, seed=3)
    assert y.tolist() != sorted(y.tolist())  # shuffled (a fixed seed, so this cannot flake)
    a, b, c = make_blobs(20, seed=4), make_blobs(20, seed=4), make_blobs(20, seed=5)
    assert (a[0] == b[0]).all() and (a[1] == b[1]).all()
    assert not (a[0] == c[0]).all()


# -- spirals -------------------------------------------------------------------------------


def test_spirals_without_noise_are_cs231ns_arms() -> None:
    X, y = make_spirals(300, noise=None, shuffle=False)
    assert X.shape == (300, 2) and X.dtype == np.float64 and y.dtype == np.int64
    assert y.tolist() == [0] * 100 + [1] * 100 + [2] * 100
    for j in range(3):
        # CS231n: r = linspace(0, 1, N), t = linspace(4j, 4(j + 1), N), x = (r sin t, r cos t)
        r, t = np.linspace(0.0, 1.0, 100), np.linspace(4.0 * j, 4.0 * (j + 1), 100)
        expected = np.column_stack([r * np.sin(t), r * np.cos(t)])
        np.testing.assert_array_equal(X[y == j], expected)
    # each arm starts at the centre and ends on the unit circle at angle 4(j + 1)
    assert X[0].tolist() == [0.0, 0.0]
    np.testing.assert_allclose(X[299], [math.sin(12.0), math.cos(12.0)], rtol=0, atol=1e-15)


def test_spiral_noise_moves_only_the_angle() -> None:
    clean, y = make_spirals(3000, noise=None, shuffle=False)
    noisy, y_noisy = make_spirals(3000, noise=0.2, seed=0, shuffle=False)
    assert (y == y_noisy).all()
    np.testing.assert_allclose(np.hypot(*noisy.T), np.hypot(*clean.T), rtol=1e-12, atol=1e-15)
    # the angle's change, wrapped into (-π, π], has the noise's spread (r > 0.1, where the
    # angle is well defined)
    keep = np.hypot(*clean.T) > 0.1
    turn = np.angle(np.exp(1j * (np.arctan2(*noisy.T) - np.arctan2(*clean.T))))[keep]
    assert abs(float(turn.mean())) < 0.02 and 0.19 < float(turn.std()) < 0.21


def test_spirals_split_shuffle_and_seed() -> None:
    X, y = make_spirals(11, classes=4, seed=0)
    assert X.shape == (11, 2) and np.bincount(y).tolist() == [3, 3, 3, 2]
    assert (np.hypot(*X.T) <= 1.0 + 1e-12).all()
    _, y = make_spirals(60, seed=1)
    assert y.tolist() != sorted(y.tolist())
    a, b, c = make_spirals(30, seed=6), make_spirals(30, seed=6), make_spirals(30, seed=7)
    assert (a[0] == b[0]).all() and (a[1] == b[1]).all()
    assert not (a[0] == c[0]).all()
    X, y = make_spirals(seed=0)
    assert X.shape == (300, 2) and np.bincount(y).tolist() == [100, 100, 100]  # CS231n's


# -- splits --------------------------------------------------------------------------------


def rows(n: int) -> tuple[np.ndarray, np.ndarray]:
    """X whose row i is [2i, 2i + 1] and y = i: which sample went where can be read back."""
    return np.arange(2 * n).reshape(n, 2), np.arange(n)


def test_train_test_split_is_a_disjoint_cover_with_rows_kept_together() -> None:
    X, y = rows(10)
    X_train, X_test, y_train, y_test = train_test_split(X, y, seed=0)
    assert len(y_test) == 3 and len(y_train) == 7  # 0.25 · 10 = 2.5, rounded up
    assert set(y_train.tolist()).isdisjoint(y_test.tolist())
    assert sorted(y_train.tolist() + y_test.tolist()) == list(range(10))
    assert (X_train[:, 0] == 2 * y_train).all() and (X_test[:, 0] == 2 * y_test).all()
    assert X_train.shape == (7, 2) and X_test.shape == (3, 2)


def test_train_test_split_is_reproducible_and_shuffles() -> None:
    X, y = rows(50)
    a = train_test_split(X, y, test_size=0.2, seed=3)
    b = train_test_split(X, y, test_size=0.2, seed=3)
    assert all((u == v).all() for u, v in zip(a, b, strict=True))
    c = train_test_split(X, y, test_size=0.2, seed=4)
    assert a[3].tolist() != c[3].tolist()
    assert a[3].tolist() != list(range(40, 50))  # not simply the last ten


def test_train_test_split_without_shuffle_keeps_the_order() -> None:
    X, y = rows(10)
    _, _, y_train, y_test = train_test_split(X, y, test_size=3, shuffle=False)
    assert y_train.tolist() == list(range(7)) and y_test.tolist() == [7, 8, 9]


@pytest.mark.parametrize(
    ("test_size", "n_test"), [(0.1, 1), (0.3, 3), (0.7, 7), (0.25, 3), (0.01, 1), (4, 4)]
)
def test_train_test_split_sizes(test_size: float, n_test: int) -> None:
    # a fraction of 10 rounded up (0.7 · 10 is 7.000000000000001 in floats, still 7)
    X, y = rows(10)
    _, X_test, y_train, y_test = train_test_split(X, y, test_size=test_size, seed=0)
    assert len(y_test) == len(X_test) == n_test and len(y_train) == 10 - n_test


def test_train_val_test_split_is_a_disjoint_cover() -> None:
    X, y = rows(20)
    X_train, X_val, X_test, y_train, y_val, y_test = train_val_test_split(
        X, y, val_size=0.2, test_size=0.25, seed=0
    )
    assert (len(y_train), len(y_val), len(y_test)) == (11, 4, 5)
    parts = [set(y_train.tolist()), set(y_val.tolist()), set(y_test.tolist())]
    assert parts[0].isdisjoint(parts[1]) and parts[0].isdisjoint(parts[2])
    assert parts[1].isdisjoint(parts[2])
    assert set.union(*parts) == set(range(20))
    for X_part, y_part in ((X_train, y_train), (X_val, y_val), (X_test, y_test)):
        assert (X_part[:, 1] == 2 * y_part + 1).all()
    again = train_val_test_split(X, y, val_size=0.2, test_size=0.25, seed=0)
    assert again[4].tolist() == y_val.tolist()


def test_lists_are_accepted() -> None:
    X_train, X_test, y_train, y_test = train_test_split(
        [[1.0], [2.0], [3.0], [4.0]], [1, 2, 3, 4], test_size=1, seed=0
    )
    assert isinstance(X_train, np.ndarray) and X_train.shape == (3, 1) and y_test.shape == (1,)
    assert sorted(X_train[:, 0].tolist() + X_test[:, 0].tolist()) == [1.0, 2.0, 3.0, 4.0]
    assert math.isfinite(float(y_train.sum()))


X10, Y10 = rows(10)

BAD: list[tuple[str, Callable[[], object], type[BaseException], str]] = [
    (
        "test_size 0",
        lambda: train_test_split(X10, Y10, test_size=0.0),
        ValueError,
        r"train_test_split: test_size = 0.0 must be a fraction in \(0, 1\)",
    ),
    (
        "test_size 1.0",
        lambda: train_test_split(X10, Y10, test_size=1.0),
        ValueError,
        r"test_size = 1.0 must be a fraction",
    ),
    (
        "negative test_size",
        lambda: train_test_split(X10, Y10, test_size=-0.2),
        ValueError,
        r"test_size = -0.2",
    ),
    (
        "nan test_size",
        lambda: train_test_split(X10, Y10, test_size=math.nan),
        ValueError,
        r"test_size = nan",
    ),
    (
        "count of all samples",
        lambda: train_test_split(X10, Y10, test_size=10),
        ValueError,
        r"train_test_split: test_size = 10 samples must be between 1 and 9",
    ),
    (
        "count 0",
        lambda: train_test_split(X10, Y10, test_size=0),
        ValueError,
        r"test_size = 0 samples must be between 1 and 9",
    ),
    (
        "bool test_size",
        lambda: train_test_split(X10, Y10, test_size=True),
        TypeError,
        r"train_test_split: test_size .* got bool True",
    ),
    (
        "str test_size",
        lambda: train_test_split(X10, Y10, test_size="0.2"),  # type: ignore[arg-type]
        TypeError,
        r"test_size .* got str '0.2'",
    ),
    (
        "a fraction leaving nothing to train",
        lambda: train_test_split(X10[:2], Y10[:2], test_size=0.75),
        ValueError,
        r"test_size = 0.75 of 2 samples is 2, which leaves no training samples",
    ),
    (
        "lengths differ",
        lambda: train_test_split(X10, Y10[:9]),
        ValueError,
        r"train_test_split: X has 10 samples but y has 9",
    ),
    (
        "one sample",
        lambda: train_test_split(X10[:1], Y10[:1]),
        ValueError,
        r"needs at least 2 samples",
    ),
    (
        "val and test take everything",
        lambda: train_val_test_split(X10, Y10, val_size=0.5, test_size=0.5),
        ValueError,
        r"train_val_test_split: val_size = 0.5 \(5 samples\) and test_size = 0.5 \(5 samples\)"
        r" of 10 samples leave no training samples",
    ),
    (
        "bad val_size",
        lambda: train_val_test_split(X10, Y10, val_size=1.5, test_size=0.2),
        ValueError,
        r"train_val_test_split: val_size = 1.5",
    ),
    (
        "moons n_samples 1",
        lambda: make_moons(1),
        ValueError,
        r"make_moons: n_samples must be at least 2",
    ),
    (
        "moons n_samples float",
        lambda: make_moons(10.0),  # type: ignore[arg-type]
        TypeError,
        r"make_moons: n_samples must be an int, got float",
    ),
    (
        "moons negative noise",
        lambda: make_moons(10, noise=-0.1),
        ValueError,
        r"make_moons: noise must be a finite number >= 0, got -0.1",
    ),
    (
        "blobs n_samples 0",
        lambda: make_blobs(0),
        ValueError,
        r"make_blobs: n_samples must be at least 1, got 0",
    ),
    (
        "blobs centers a float",
        lambda: make_blobs(10, centers=2.5),
        TypeError,
        r"make_blobs: centers must be a number of centers \(an int\) or an array of them .* "
        r"got float 2.5",
    ),
    (
        "blobs centers 0",
        lambda: make_blobs(10, centers=0),
        ValueError,
        r"make_blobs: centers must be at least 1, got 0",
    ),
    (
        "blobs centers of the wrong shape",
        lambda: make_blobs(10, centers=[1.0, 2.0]),
        ValueError,
        r"make_blobs: centers must be a number or an array of shape \(k, n_features\) .* "
        r"got shape \(2,\)",
    ),
    (
        "blobs centers and n_features disagree",
        lambda: make_blobs(10, 3, centers=[[1.0, 2.0]]),
        ValueError,
        r"make_blobs: n_features = 3 but the centers have 2 coordinates",
    ),
    (
        "blobs centers not finite",
        lambda: make_blobs(10, centers=[[1.0, math.inf]]),
        ValueError,
        r"make_blobs: centers must be finite",
    ),
    (
        "blobs negative spread",
        lambda: make_blobs(10, cluster_std=-1.0),
        ValueError,
        r"make_blobs: cluster_std must be a finite number >= 0, got -1.0",
    ),
    (
        "blobs one spread too few",
        lambda: make_blobs(10, cluster_std=[1.0, 2.0]),
        ValueError,
        r"make_blobs: cluster_std must be one number or one per center \(3\)",
    ),
    (
        "blobs a spread that is a string",
        lambda: make_blobs(10, centers=2, cluster_std=[1.0, "2"]),
        TypeError,
        r"make_blobs: cluster_std\[1\] must be a number, got str '2'",
    ),
    (
        "blobs an empty box",
        lambda: make_blobs(10, center_box=(1.0, -1.0)),
        ValueError,
        r"make_blobs: center_box must be finite with low <= high, got \(1.0, -1.0\)",
    ),
    (
        "blobs n_features 0",
        lambda: make_blobs(10, 0),
        ValueError,
        r"make_blobs: n_features must be at least 1, got 0",
    ),
    (
        "spirals fewer samples than classes",
        lambda: make_spirals(2, classes=3),
        ValueError,
        r"make_spirals: n_samples must be at least 3 \(one per class, classes = 3\), got 2",
    ),
    (
        "spirals classes a float",
        lambda: make_spirals(30, classes=3.0),  # type: ignore[arg-type]
        TypeError,
        r"make_spirals: classes must be an int, got float 3.0",
    ),
    (
        "spirals nan noise",
        lambda: make_spirals(30, noise=math.nan),
        ValueError,
        r"make_spirals: noise must be a finite number >= 0, got nan",
    ),
    (
        "spirals bool noise",
        lambda: make_spirals(30, noise=True),
        TypeError,
        r"make_spirals: noise must be a number or None, got bool True",
    ),
]


@each_named_error(BAD)
def test_bad_input_raises_a_named_error(
    call: Callable[[], object], error: type[BaseException], message: str
) -> None:
    assert_named_error(call, error, message)
