"""Small data sets and splits, as numpy arrays: the worked examples' data, two moons,
Gaussian blobs and spirals (any number of classes), and the splits.

Every array is a fresh numpy array: ``X`` has one row per sample (shape ``(n, features)``),
``y`` one target per sample (shape ``(n,)``). Randomness comes from
``numpy.random.default_rng(seed)``: the same seed gives the same data, ``seed=None``
fresh data each call.
"""

from __future__ import annotations

import math
import numbers
from typing import Any, TypeAlias

import numpy as np
import numpy.typing as npt

__all__ = [
    "doubling",
    "line",
    "make_blobs",
    "make_moons",
    "make_spirals",
    "train_test_split",
    "train_val_test_split",
]

FloatArray: TypeAlias = npt.NDArray[np.float64]
IntArray: TypeAlias = npt.NDArray[np.int64]
Seed: TypeAlias = "int | np.random.Generator | None"


# -- arguments -----------------------------------------------------------------------------


def _whole(fn: str, name: str, value: object, least: int, why: str = "") -> int:
    """``value`` as an int >= ``least``; TypeError (not an int, or a bool) or ValueError."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{fn}: {name} must be an int, got {type(value).__name__} {value!r}")
    if value < least:
        reason = f" ({why})" if why else ""
        raise ValueError(f"{fn}: {name} must be at least {least}{reason}, got {value}")
    return int(value)


def _spread(fn: str, name: str, value: object, none_ok: bool = False) -> float:
    """``value`` as a finite float >= 0 (a standard deviation); None is 0 if ``none_ok``."""
    if value is None and none_ok:
        return 0.0
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        allowed = "a number or None" if none_ok else "a number"
        raise TypeError(f"{fn}: {name} must be {allowed}, got {type(value).__name__} {value!r}")
    number = float(value)
    if not 0.0 <= number < math.inf:
        raise ValueError(f"{fn}: {name} must be a finite number >= 0, got {value!r}")
    return number


def _per_class(n_samples: int, classes: int) -> list[int]:
    """``n_samples`` split over ``classes`` as evenly as possible, the first classes taking
    one more (as scikit-learn's ``make_blobs`` splits them)."""
    return [n_samples // classes + (1 if k < n_samples % classes else 0) for k in range(classes)]


def _shuffled(
    X: FloatArray, y: IntArray, shuffle: bool, rng: np.random.Generator
) -> tuple[FloatArray, IntArray]:
    if not shuffle:
        return X, y
    order = rng.permutation(len(y))
    return X[order], y[order]


def line() -> tuple[FloatArray, FloatArray]:
    """The line example (demos/line.py): x = 0, 1, 2, 3, 4 and y = 2x + 1.

    Returns ``X`` of shape (5, 1) = [[0], [1], [2], [3], [4]] and ``y`` of shape (5,) =
    [1, 3, 5, 7, 9], both float64. Fitting ``w*x + b`` from w = b = 0 by gradient descent
    on the mean squared error (lr 0.05) recovers w = 2, b = 1; the loss before the first
    step is 33.
    """
    x = np.arange(5, dtype=np.float64)
    return x.reshape(5, 1), 2.0 * x + 1.0


def doubling() -> tuple[FloatArray, FloatArray]:
    """The doubling example (demos/doubling.py): x = 1, 2, 3 and y = 2x = 2, 4, 6.

    Returns ``X`` of shape (3, 1) and ``y`` of shape (3,), both float64. The example
    fits ``w*x + b`` from w = b = 0 with lr 0.1; the loss before the first step is 56/3.
    """
    x = np.arange(1, 4, dtype=np.float64)
    return x.reshape(3, 1), 2.0 * x


def make_moons(
    n_samples: int = 100,
    noise: float | None = 0.1,
    seed: Seed = None,
    *,
    shuffle: bool = True,
    signed: bool = False,
) -> tuple[FloatArray, IntArray]:
    """Two interleaving half circles in the plane, built as ``sklearn.datasets.make_moons``:

    - the outer moon, label 0: (cos t, sin t) for ⌊n/2⌋ values of t evenly spaced in [0, π];
    - the inner moon, label 1: (1 - cos t, 1 - sin t - 0.5) for the other ⌈n/2⌉ points.

    Then, as scikit-learn does, the samples are shuffled (unless ``shuffle=False``) and
    Gaussian noise with standard deviation ``noise`` is added to every coordinate
    (``noise=None`` or 0 adds none). Randomness comes from
    ``numpy.random.default_rng(seed)``, so the points differ from scikit-learn's (which
    uses ``RandomState``) but the construction is the same.

    Returns ``X`` (float64, shape (n_samples, 2)) and ``y`` (int64, shape (n_samples,)),
    labels 0/1, or -1/+1 with ``signed=True`` (micrograd's demo uses ``y*2 - 1``, for
    ``nn.functional.hinge_loss``).
    """
    _whole("make_moons", "n_samples", n_samples, 2, "one per moon")
    _spread("make_moons", "noise", noise, none_ok=True)
    rng = np.random.default_rng(seed)
    n_outer = int(n_samples) // 2
    n_inner = int(n_samples) - n_outer
    t_outer = np.linspace(0.0, np.pi, n_outer)
    t_inner = np.linspace(0.0, np.pi, n_inner)
    X = np.empty((n_outer + n_inner, 2), dtype=np.float64)
    X[:n_outer, 0] = np.cos(t_outer)
    X[:n_outer, 1] = np.sin(t_outer)
    X[n_outer:, 0] = 1.0 - np.cos(t_inner)
    X[n_outer:, 1] = 1.0 - np.sin(t_inner) - 0.5
    y = np.concatenate([np.zeros(n_outer, dtype=np.int64), np.ones(n_inner, dtype=np.int64)])
    X, y = _shuffled(X, y, shuffle, rng)
    if noise:
        X += rng.normal(scale=float(noise), size=X.shape)
    if signed:
        y = y * 2 - 1
    return X, y


def make_blobs(
    n_samples: int = 100,
    n_features: int | None = None,
    *,
    centers: int | npt.ArrayLike = 3,
    cluster_std: float | npt.ArrayLike = 1.0,
    center_box: tuple[float, float] = (-10.0, 10.0),
    shuffle: bool = True,
    seed: Seed = None,
) -> tuple[FloatArray, IntArray]:
    """Gaussian blobs, one per class, built as ``sklearn.datasets.make_blobs``:

    - ``centers`` is a number k of centers, drawn uniformly from the box
      ``center_box = (low, high)`` in each of ``n_features`` coordinates (default 2), or
      the centers themselves, shape (k, n_features);
    - the ``n_samples`` points are split over the k blobs as evenly as possible (the first
      ``n_samples % k`` blobs take one more); blob j's points are its center plus Gaussian
      noise of standard deviation ``cluster_std`` (one number, or one per blob) in every
      coordinate, and have label j;
    - then they are shuffled, unless ``shuffle=False`` (which keeps them blob by blob).

    Randomness comes from ``numpy.random.default_rng(seed)`` (scikit-learn uses
    ``RandomState``, so the points differ but the construction is the same).

    Returns ``X`` (float64, shape (n_samples, n_features)) and ``y`` (int64, labels 0 to
    k - 1). A bad argument (a count that is not a positive int, a negative or infinite
    spread, centers of the wrong shape, an empty box) is a TypeError or ValueError naming it.
    """
    fn = "make_blobs"
    n = _whole(fn, "n_samples", n_samples, 1)
    width = None if n_features is None else _whole(fn, "n_features", n_features, 1)
    rng = np.random.default_rng(seed)
    if isinstance(centers, numbers.Integral) and not isinstance(centers, bool):
        k = _whole(fn, "centers", centers, 1)
        low, high = _box(fn, center_box)
        points = rng.uniform(low, high, size=(k, 2 if width is None else width))
    else:
        points = _centers(fn, centers, width)
        k = len(points)
    spreads = _spreads(fn, cluster_std, k)
    sizes = _per_class(n, k)
    X = np.concatenate(
        [
            rng.normal(loc=points[j], scale=spreads[j], size=(size, points.shape[1]))
            for j, size in enumerate(sizes)
        ]
    )
    y = np.repeat(np.arange(k, dtype=np.int64), sizes)
    return _shuffled(X, y, shuffle, rng)


def _box(fn: str, box: object) -> tuple[float, float]:
    try:
        low, high = (float(v) for v in box)  # type: ignore[attr-defined]
    except (TypeError, ValueError):
        raise TypeError(
            f"{fn}: center_box must be a pair of numbers (low, high), got {box!r}"
        ) from None
    if not (math.isfinite(low) and math.isfinite(high) and low <= high):
        raise ValueError(f"{fn}: center_box must be finite with low <= high, got {box!r}")
    return low, high


def _centers(fn: str, centers: object, width: int | None) -> FloatArray:
    if isinstance(centers, (numbers.Number, str, bytes)) or centers is None:
        raise TypeError(
            f"{fn}: centers must be a number of centers (an int) or an array of them "
            f"(one row per center), got {type(centers).__name__} {centers!r}"
        )
    try:
        points = np.asarray(centers, dtype=np.float64)
    except (TypeError, ValueError):
        raise TypeError(
            f"{fn}: centers must be a number of centers or an array of them "
            f"(one row per center), got {type(centers).__name__} {centers!r}"
        ) from None
    if points.ndim != 2 or points.shape[0] == 0 or points.shape[1] == 0:
        raise ValueError(
            f"{fn}: centers must be a number or an array of shape (k, n_features) with "
            f"k >= 1, got shape {points.shape}"
        )
    if width is not None and points.shape[1] != width:
        raise ValueError(
            f"{fn}: n_features = {width} but the centers have {points.shape[1]} coordinates"
        )
    if not np.isfinite(points).all():
        raise ValueError(f"{fn}: centers must be finite, got {centers!r}")
    return points


def _spreads(fn: str, cluster_std: object, k: int) -> list[float]:
    if isinstance(cluster_std, numbers.Real) and not isinstance(cluster_std, bool):
        return [_spread(fn, "cluster_std", cluster_std)] * k
    given = np.asarray(cluster_std, dtype=object)
    values = given.ravel().tolist()
    if given.ndim != 1 or len(values) != k:
        raise ValueError(
            f"{fn}: cluster_std must be one number or one per center ({k}), got {cluster_std!r}"
        )
    return [_spread(fn, f"cluster_std[{j}]", v) for j, v in enumerate(values)]


def make_spirals(
    n_samples: int = 300,
    classes: int = 3,
    noise: float | None = 0.2,
    seed: Seed = None,
    *,
    shuffle: bool = True,
) -> tuple[FloatArray, IntArray]:
    """Interleaved spiral arms in the plane, one per class: the data set of Stanford's
    CS231n notes ("Putting it together: a minimal neural network case study"), which no
    linear classifier separates.

    The ``n_samples`` points are split over the arms as evenly as possible (the first
    ``n_samples % classes`` arms take one more). Arm j's m points have radii r evenly
    spaced in [0, 1] and angles t evenly spaced in [4j, 4j + 4] radians, plus Gaussian
    noise of standard deviation ``noise`` on each angle (CS231n's 0.2; ``None`` or 0 for
    none); a point is (r·sin t, r·cos t), with label j. Then the points are shuffled,
    unless ``shuffle=False`` (arm by arm). Randomness comes from
    ``numpy.random.default_rng(seed)``.

    Returns ``X`` (float64, shape (n_samples, 2); every point has |x| = r <= 1, since the
    noise moves only the angle) and ``y`` (int64, labels 0 to classes - 1).
    ``n_samples`` must be at least ``classes`` (a point per arm).
    """
    fn = "make_spirals"
    k = _whole(fn, "classes", classes, 1)
    n = _whole(fn, "n_samples", n_samples, k, f"one per class, classes = {k}")
    spread = _spread(fn, "noise", noise, none_ok=True)
    rng = np.random.default_rng(seed)
    arms = []
    for j, size in enumerate(_per_class(n, k)):
        r = np.linspace(0.0, 1.0, size)
        t = np.linspace(4.0 * j, 4.0 * (j + 1), size)
        if spread:
            t = t + rng.normal(scale=spread, size=size)
        arms.append(np.column_stack([r * np.sin(t), r * np.cos(t)]))
    X = np.concatenate(arms)
    y = np.repeat(np.arange(k, dtype=np.int64), _per_class(n, k))
    return _shuffled(X, y, shuffle, rng)


# -- splits --------------------------------------------------------------------------------


def _count(size: object, n: int, fn: str, name: str) -> int:
    """How many of ``n`` samples ``size`` asks for: a fraction in (0, 1), rounded up as in
    scikit-learn, or a count in [1, n - 1]."""
    if isinstance(size, bool) or not isinstance(size, numbers.Real):
        raise TypeError(
            f"{fn}: {name} must be a fraction in (0, 1) or a number of samples, "
            f"got {type(size).__name__} {size!r}"
        )
    if isinstance(size, numbers.Integral):
        count = int(size)
        if not 1 <= count <= n - 1:
            raise ValueError(
                f"{fn}: {name} = {count} samples must be between 1 and {n - 1} "
                f"(there are {n} samples)"
            )
        return count
    fraction = float(size)
    if not 0.0 < fraction < 1.0:
        raise ValueError(f"{fn}: {name} = {fraction!r} must be a fraction in (0, 1)")
    # fraction * n can land just above a whole number (0.7 * 10 = 7.000000000000001):
    # a tolerance keeps that from rounding up to one more sample.
    return max(1, math.ceil(fraction * n - 1e-9))


def _arrays(X: npt.ArrayLike, y: npt.ArrayLike, fn: str) -> tuple[npt.NDArray[Any], ...]:
    X_, y_ = np.asarray(X), np.asarray(y)
    if X_.ndim == 0 or y_.ndim == 0:
        raise ValueError(f"{fn}: X and y must hold one entry per sample, not a single number")
    if len(X_) != len(y_):
        raise ValueError(f"{fn}: X has {len(X_)} samples but y has {len(y_)}; they must match")
    if len(X_) < 2:
        raise ValueError(f"{fn}: needs at least 2 samples to split, got {len(X_)}")
    return X_, y_


def _order(n: int, shuffle: bool, seed: Seed) -> npt.NDArray[np.intp]:
    if shuffle:
        return np.random.default_rng(seed).permutation(n)
    return np.arange(n)


def train_test_split(
    X: npt.ArrayLike,
    y: npt.ArrayLike,
    test_size: float = 0.25,
    shuffle: bool = True,
    seed: Seed = None,
) -> tuple[npt.NDArray[Any], npt.NDArray[Any], npt.NDArray[Any], npt.NDArray[Any]]:
    """Split the samples into a training set and a test set (``sklearn.model_selection``'s
    ``train_test_split``, same order of results): ``X_train, X_test, y_train, y_test``.

    ``test_size`` is a fraction in (0, 1) of the n samples, rounded up (0.25 of 10 is
    3), or an int count in [1, n - 1]; each sample lands in exactly one set, and both sets
    are non-empty. With ``shuffle=True`` the samples are drawn in the order of
    ``numpy.random.default_rng(seed).permutation(n)`` (the same seed gives the same
    split); with ``shuffle=False`` the first samples train and the last n_test test.
    """
    fn = "train_test_split"
    X_, y_ = _arrays(X, y, fn)
    n = len(X_)
    n_test = _count(test_size, n, fn, "test_size")
    if n_test >= n:
        raise ValueError(
            f"{fn}: test_size = {test_size!r} of {n} samples is {n_test}, "
            f"which leaves no training samples"
        )
    order = _order(n, shuffle, seed)
    train, test = order[: n - n_test], order[n - n_test :]
    return X_[train], X_[test], y_[train], y_[test]


def train_val_test_split(
    X: npt.ArrayLike,
    y: npt.ArrayLike,
    val_size: float = 0.2,
    test_size: float = 0.2,
    seed: Seed = None,
    shuffle: bool = True,
) -> tuple[
    npt.NDArray[Any],
    npt.NDArray[Any],
    npt.NDArray[Any],
    npt.NDArray[Any],
    npt.NDArray[Any],
    npt.NDArray[Any],
]:
    """Split the samples into training, validation and test sets:
    ``X_train, X_val, X_test, y_train, y_val, y_test``.

    ``val_size`` and ``test_size`` are each a fraction in (0, 1) of all n samples, rounded
    up, or an int count; what is left trains and must be at least one sample. Fit on the
    training set, choose hyperparameters (and when to stop) on the validation set, and
    measure once on the test set. Shuffling and ``seed`` as in ``train_test_split``.
    """
    fn = "train_val_test_split"
    X_, y_ = _arrays(X, y, fn)
    n = len(X_)
    n_val = _count(val_size, n, fn, "val_size")
    n_test = _count(test_size, n, fn, "test_size")
    if n_val + n_test >= n:
        raise ValueError(
            f"{fn}: val_size = {val_size!r} ({n_val} samples) and test_size = {test_size!r} "
            f"({n_test} samples) of {n} samples leave no training samples"
        )
    order = _order(n, shuffle, seed)
    n_train = n - n_val - n_test
    train, val, test = order[:n_train], order[n_train : n_train + n_val], order[n_train + n_val :]
    return X_[train], X_[val], X_[test], y_[train], y_[val], y_[test]
