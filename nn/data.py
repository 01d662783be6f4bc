"""Small data sets and splits, as numpy arrays: the documents' examples and two moons.

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

__all__ = ["doubling", "line", "make_moons", "train_test_split", "train_val_test_split"]

FloatArray: TypeAlias = npt.NDArray[np.float64]
IntArray: TypeAlias = npt.NDArray[np.int64]
Seed: TypeAlias = "int | np.random.Generator | None"


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
    if isinstance(n_samples, bool) or not isinstance(n_samples, numbers.Integral):
        raise TypeError(
            f"make_moons: n_samples must be an int, got {type(n_samples).__name__} {n_samples!r}"
        )
    if n_samples < 2:
        raise ValueError(
            f"make_moons: n_samples must be at least 2 (one per moon), got {n_samples}"
        )
    if noise is not None:
        if isinstance(noise, bool) or not isinstance(noise, numbers.Real):
            raise TypeError(
                f"make_moons: noise must be a number or None, got {type(noise).__name__} {noise!r}"
            )
        if not 0.0 <= noise < math.inf:
            raise ValueError(f"make_moons: noise must be a finite number >= 0, got {noise!r}")
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
    if shuffle:
        order = rng.permutation(len(y))
        X, y = X[order], y[order]
    if noise:
        X += rng.normal(scale=float(noise), size=X.shape)
    if signed:
        y = y * 2 - 1
    return X, y


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
