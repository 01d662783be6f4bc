"""Metrics: how good predictions are, as plain Python floats (no graph is built).

Each takes ``(predictions, targets)``: Values (their ``.data`` is read), numbers, or
numpy arrays. The order is that of the losses in ``nn.functional`` (and of PyTorch's
losses); scikit-learn's metrics take ``(y_true, y_pred)``, the other way round, which
matters for ``r2_score``: pass keywords if in doubt.

Bad input raises Python's own exception types with a message that names the function
and the offending value: empty input or different lengths raise ValueError, anything
that is not a number or a Value raises TypeError.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import TYPE_CHECKING, NoReturn, TypeAlias

from autograd import Value
from autograd.scalars import as_finite_float, short_repr
from nn.batches import is_row, items

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

    Scalar: TypeAlias = Value | int | float | np.floating | np.integer
    Batch: TypeAlias = Iterable[Scalar] | Iterable[Iterable[Scalar]] | npt.NDArray[np.generic]
else:
    Scalar: TypeAlias = object
    Batch: TypeAlias = object

__all__ = ["accuracy", "mean_squared_error", "r2_score"]


def _float(x: object, fn: str, where: str) -> float:
    """A Value's data or a real number, as a finite float; TypeError/ValueError naming ``where``."""
    if isinstance(x, Value):
        return x.data
    return as_finite_float(x, f"{fn}: {where}")


def _floats(batch: object, fn: str, name: str) -> list[float]:
    """The numbers in ``batch``, rows of several outputs flattened in order."""
    out: list[float] = []
    for i, x in enumerate(items(batch, fn, name)):
        if is_row(x):
            out.extend(_float(v, fn, f"{name}[{i}][{j}]") for j, v in enumerate(x))
        else:
            out.append(_float(x, fn, f"{name}[{i}]"))
    return out


def _matched(fn: str, predictions: object, targets: object) -> tuple[list[float], list[float]]:
    ps = _floats(predictions, fn, "predictions")
    ts = _floats(targets, fn, "targets")
    if not ps:
        raise ValueError(f"{fn}: predictions is empty")
    if len(ps) != len(ts):
        raise ValueError(
            f"{fn}: predictions has {len(ps)} values but targets has {len(ts)}; they must match"
        )
    return ps, ts


def _label(x: float, fn: str, where: str) -> int:
    if not x.is_integer():
        raise ValueError(f"{fn}: {where} = {x!r} is not a class label (a whole number)")
    return int(x)


def accuracy(predictions: Batch, targets: Batch, threshold: float | None = None) -> float:
    """The fraction of samples whose predicted class equals the target: (1/n) Σᵢ [ŷᵢ = yᵢ].

    What a prediction ŷᵢ is depends on the shape of ``predictions``:

    - **One row of C >= 2 class scores per sample** (``[[0.1, 2.0, -1.0], ...]``, what a
      model with C outputs returns): ŷᵢ = argmaxⱼ predictionsᵢⱼ, the first on a tie (as in
      numpy and PyTorch). ``targets`` are class indices 0 … C-1.
    - **One score per sample with a ``threshold``** (binary classification): ŷᵢ is the
      positive class when scoreᵢ > threshold (strictly), the negative class otherwise.
      ``targets`` are 0/1 or -1/+1 labels, 1 being positive. Use ``threshold=0.0`` for
      raw scores or logits (micrograd's demo: ``accuracy(scores, y, threshold=0.0)`` with
      y = ±1) and ``threshold=0.5`` for probabilities (a sigmoid's output). Rows holding a
      single score (``[[s₁], [s₂], …]``) count as one score each.
    - **One label per sample, no threshold**: ŷᵢ is the prediction itself, which must be a
      whole number (a class index or a ±1 / 0-1 label); compared with the target exactly.
      A fractional prediction raises ValueError, since it is a score that needs a threshold.

    Returns a float in [0, 1]. Targets must be whole numbers (class indices or labels);
    with a threshold they must be all in {0, 1} or all in {-1, 1}; with class scores
    they must be in [0, C). Anything else raises ValueError.
    """
    fn = "accuracy"
    rows = items(predictions, fn, "predictions")
    cut = None if threshold is None else as_finite_float(threshold, f"{fn}: threshold")
    if rows and is_row(rows[0]):
        scores = [
            [_float(v, fn, f"predictions[{i}][{j}]") for j, v in enumerate(row)]
            if is_row(row)
            else _raise_mixed(fn, i, row)
            for i, row in enumerate(rows)
        ]
        width = len(scores[0])
        for i, row_scores in enumerate(scores):
            if len(row_scores) != width:
                raise ValueError(
                    f"{fn}: predictions[{i}] has {len(row_scores)} scores "
                    f"but predictions[0] has {width}"
                )
        if width == 1:
            if cut is None:
                raise ValueError(
                    f"{fn}: predictions hold one score per sample; pass threshold= "
                    f"(0.0 for scores or logits, 0.5 for probabilities)"
                )
            flat = [row_scores[0] for row_scores in scores]
            return _thresholded(fn, flat, targets, cut)
        if cut is not None:
            raise ValueError(
                f"{fn}: threshold applies to one score per sample, but predictions hold "
                f"{width} class scores per sample (their argmax is taken); drop threshold="
            )
        return _argmax_accuracy(fn, scores, targets)
    values = [
        _raise_mixed(fn, i, x) if is_row(x) else _float(x, fn, f"predictions[{i}]")
        for i, x in enumerate(rows)
    ]
    if cut is not None:
        return _thresholded(fn, values, targets, cut)
    ps, ts = _matched(fn, values, targets)
    labels = [_label(p, fn, f"predictions[{i}]") for i, p in enumerate(ps)]
    wanted = [_label(t, fn, f"targets[{i}]") for i, t in enumerate(ts)]
    return sum(p == t for p, t in zip(labels, wanted, strict=True)) / len(ps)


def _raise_mixed(fn: str, i: int, x: object) -> NoReturn:
    raise TypeError(
        f"{fn}: predictions mixes rows and single values: predictions[{i}] is "
        f"{type(x).__name__} {short_repr(x)}"
    )


def _thresholded(fn: str, scores: list[float], targets: object, cut: float) -> float:
    ps, ts = _matched(fn, scores, targets)
    for i, t in enumerate(ts):
        if t not in (-1.0, 0.0, 1.0):
            raise ValueError(
                f"{fn}: with a threshold, targets must be binary labels (0/1 or -1/+1), "
                f"got targets[{i}] = {t!r}"
            )
    if 0.0 in ts and -1.0 in ts:
        raise ValueError(
            f"{fn}: targets mix 0 and -1 as the negative label "
            f"(targets[{ts.index(0.0)}] = 0, targets[{ts.index(-1.0)}] = -1); use one of them"
        )
    return sum((p > cut) == (t == 1.0) for p, t in zip(ps, ts, strict=True)) / len(ps)


def _argmax_accuracy(fn: str, scores: list[list[float]], targets: object) -> float:
    ts = _floats(targets, fn, "targets")
    if len(scores) != len(ts):
        raise ValueError(
            f"{fn}: predictions has {len(scores)} samples but targets has {len(ts)}; "
            f"they must match"
        )
    classes = len(scores[0])
    correct = 0
    for i, (row, t) in enumerate(zip(scores, ts, strict=True)):
        index = _label(t, fn, f"targets[{i}]")
        if not 0 <= index < classes:
            raise ValueError(
                f"{fn}: targets[{i}] = {index} is not a class index for {classes} classes "
                f"(0 to {classes - 1})"
            )
        correct += row.index(max(row)) == index
    return correct / len(scores)


def mean_squared_error(predictions: Batch, targets: Batch) -> float:
    """(1/n) Σᵢ (ŷᵢ - yᵢ)², summed exactly (``math.fsum``). Rows of several outputs per
    sample are flattened in order, as in ``nn.functional.mse_loss``.
    """
    fn = "mean_squared_error"
    ps, ts = _matched(fn, predictions, targets)
    return _sum_of_squares(fn, [p - t for p, t in zip(ps, ts, strict=True)]) / len(ps)


def _sum_of_squares(fn: str, xs: list[float]) -> float:
    total = math.fsum(x * x for x in xs)
    if not math.isfinite(total):
        raise OverflowError(f"{fn}: the sum of squares overflows a float (beyond ±1.8e308)")
    return total


def r2_score(predictions: Batch, targets: Batch) -> float:
    """The coefficient of determination R² = 1 - SS_res / SS_tot, where
    SS_res = Σᵢ (yᵢ - ŷᵢ)² and SS_tot = Σᵢ (yᵢ - ȳ)², ȳ the mean of the targets.

    1 is a perfect fit, 0 is no better than always predicting ȳ, negative is worse.
    Note the order: ``(predictions, targets)``, where scikit-learn's ``r2_score`` takes
    ``(y_true, y_pred)``; SS_tot is computed from ``targets``.

    Constant targets (SS_tot = 0) follow scikit-learn's convention (``force_finite=True``):
    1.0 if the predictions are exact (SS_res = 0), else 0.0, instead of a division by
    zero. Fewer than two samples raise ValueError (R² is not defined, and scikit-learn
    returns nan with a warning).
    """
    fn = "r2_score"
    ps, ts = _matched(fn, predictions, targets)
    if len(ts) < 2:
        raise ValueError(f"{fn}: needs at least two samples, got {len(ts)}")
    mean = math.fsum(ts) / len(ts)
    ss_res = _sum_of_squares(fn, [t - p for p, t in zip(ps, ts, strict=True)])
    ss_tot = _sum_of_squares(fn, [t - mean for t in ts])
    if ss_tot == 0.0:
        return 1.0 if ss_res == 0.0 else 0.0
    return 1.0 - ss_res / ss_tot
