"""Loss functions, named and defined as in ``torch.nn.functional``, built from ``Value`` ops.

Every loss has the form ``f(input, target, reduction="mean")``: it computes one term
ℓᵢ per sample (per element for ``mse_loss`` and ``l1_loss``), then reduces them:

| ``reduction`` | result |
|---|---|
| ``"mean"`` (default) | (ℓ₁ + … + ℓₙ) / n as one ``autograd.mean`` node with n inputs |
| ``"sum"`` | ℓ₁ + … + ℓₙ as one ``autograd.sum`` node |
| ``"none"`` | the list [ℓ₁, …, ℓₙ] of Values |

The reduction is a single node with every term as a direct input, so a loss over n
samples is a graph a few nodes deep, not a chain n additions long.

``input`` holds what the model computed: Values, or plain numbers (which become leaves).
``target`` holds what it should have computed: numbers, or Values (``mse_loss``,
``l1_loss``, ``binary_cross_entropy`` and ``binary_cross_entropy_with_logits`` then
differentiate with respect to the targets too, as PyTorch does). Lists, tuples and numpy
arrays all work.

Bad input raises Python's own exception types with a message that names the function
and the offending value: an empty input, different lengths or an unknown ``reduction``
raise ValueError; anything that is not a number or a Value raises TypeError.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterable
from typing import TYPE_CHECKING, Literal, TypeAlias, overload

import autograd
from autograd import Value
from autograd.scalars import as_finite_float, short_repr
from nn.batches import is_row, items

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

    Scalar: TypeAlias = Value | int | float | np.floating | np.integer
    Batch: TypeAlias = Iterable[Scalar] | Iterable[Iterable[Scalar]] | npt.NDArray[np.generic]
    Rows: TypeAlias = Iterable[Iterable[Scalar]] | npt.NDArray[np.generic]
    Indices: TypeAlias = Iterable[int | np.integer] | npt.NDArray[np.integer]
else:
    Scalar: TypeAlias = object
    Batch: TypeAlias = object
    Rows: TypeAlias = object
    Indices: TypeAlias = object

Reduction: TypeAlias = Literal["mean", "sum", "none"]

__all__ = [
    "binary_cross_entropy",
    "binary_cross_entropy_with_logits",
    "cross_entropy",
    "hinge_loss",
    "l1_loss",
    "mse_loss",
]

_REDUCTIONS = ("mean", "sum", "none")

# e⁻¹⁰⁰: binary_cross_entropy clamps a probability to at least this before taking its
# log, so that log p >= -100 exactly as PyTorch clamps the log (math.log(TINY) == -100.0).
_TINY = math.exp(-100.0)


# -- reading the arguments -----------------------------------------------------------------


def _check_reduction(fn: str, reduction: object) -> None:
    if not isinstance(reduction, str) or reduction not in _REDUCTIONS:
        raise ValueError(
            f"{fn}: reduction must be 'mean', 'sum' or 'none', got {short_repr(reduction)}"
        )


def _scalar(x: object, fn: str, where: str) -> Value | float:
    """A Value as is, a real number as a finite float; TypeError/ValueError naming ``where``."""
    if isinstance(x, Value):
        return x
    return as_finite_float(x, f"{fn}: {where}")


def _flatten(batch: object, fn: str, name: str) -> list[Value | float]:
    """The scalars of ``batch``, in order: a sequence of scalars, or of sequences of scalars
    (several outputs per sample), flattened row by row.
    """
    out: list[Value | float] = []
    for i, x in enumerate(items(batch, fn, name)):
        if is_row(x):
            out.extend(_scalar(v, fn, f"{name}[{i}][{j}]") for j, v in enumerate(x))
        else:
            out.append(_scalar(x, fn, f"{name}[{i}]"))
    return out


def _pairs(
    fn: str, input: object, target: object, reduction: object
) -> tuple[list[Value], list[Value | float]]:
    """Check ``reduction``, flatten ``input`` and ``target``, check they match in length.

    Numbers in ``input`` become leaf Values, so that every term is a Value.
    """
    _check_reduction(fn, reduction)
    xs = _flatten(input, fn, "input")
    ys = _flatten(target, fn, "target")
    if not xs:
        raise ValueError(f"{fn}: input is empty: a loss needs at least one sample")
    if len(xs) != len(ys):
        raise ValueError(
            f"{fn}: input has {len(xs)} values but target has {len(ys)}; they must match"
        )
    return [x if isinstance(x, Value) else Value(x) for x in xs], ys


def _data(x: Value | float) -> float:
    return x.data if isinstance(x, Value) else x


def _reduce(terms: list[Value], reduction: str) -> Value | list[Value]:
    """One ``mean`` or ``sum`` node over all the terms, or the terms themselves."""
    if reduction == "mean":
        return autograd.mean(terms)
    if reduction == "sum":
        return autograd.sum(terms)
    return terms


# -- regression ----------------------------------------------------------------------------


@overload
def mse_loss(input: Batch, target: Batch, reduction: Literal["mean", "sum"] = ...) -> Value: ...
@overload
def mse_loss(input: Batch, target: Batch, reduction: Literal["none"]) -> list[Value]: ...
def mse_loss(input: Batch, target: Batch, reduction: Reduction = "mean") -> Value | list[Value]:
    """Mean squared error (``torch.nn.functional.mse_loss``): ℓᵢ = (xᵢ - yᵢ)²;
    ∂ℓᵢ/∂xᵢ = 2(xᵢ - yᵢ).

    ``input`` and ``target`` are sequences of scalars, or of equal-length sequences
    (several outputs per sample), flattened in order; ``"none"`` returns the flat list.
    """
    xs, ys = _pairs("mse_loss", input, target, reduction)
    return _reduce([(x - y) ** 2 for x, y in zip(xs, ys, strict=True)], reduction)


@overload
def l1_loss(input: Batch, target: Batch, reduction: Literal["mean", "sum"] = ...) -> Value: ...
@overload
def l1_loss(input: Batch, target: Batch, reduction: Literal["none"]) -> list[Value]: ...
def l1_loss(input: Batch, target: Batch, reduction: Reduction = "mean") -> Value | list[Value]:
    """Mean absolute error (``torch.nn.functional.l1_loss``): ℓᵢ = |xᵢ - yᵢ|;
    ∂ℓᵢ/∂xᵢ = sign(xᵢ - yᵢ), 0 where xᵢ = yᵢ (as in PyTorch).

    Shapes as in ``mse_loss``.
    """
    xs, ys = _pairs("l1_loss", input, target, reduction)
    return _reduce([(x - y).abs() for x, y in zip(xs, ys, strict=True)], reduction)


# -- binary classification -----------------------------------------------------------------


def _check_unit_interval(fn: str, name: str, values: list[Value] | list[Value | float]) -> None:
    for i, v in enumerate(values):
        x = _data(v)
        if not 0.0 <= x <= 1.0:
            raise ValueError(f"{fn}: {name}[{i}] = {x!r} is outside [0, 1]")


def _log_one_minus(p: Value) -> Value:
    """ln(1 - p) for 0 <= p <= 1 as ``log1p(-p)`` (accurate for small p), and -100 at p = 1.

    For p < 1 (as a float, p <= 1 - 2⁻⁵³) log1p(-p) >= -36.8 never reaches PyTorch's floor
    of -100; only p = 1 does, where the term is ln(clamp(1 - p, min=e⁻¹⁰⁰)) = -100 with
    derivative 0.
    """
    if p.data < 1.0:
        return (-p).log1p()
    return (1.0 - p).clamp(min=_TINY).log()


@overload
def binary_cross_entropy(
    input: Batch, target: Batch, reduction: Literal["mean", "sum"] = ...
) -> Value: ...
@overload
def binary_cross_entropy(
    input: Batch, target: Batch, reduction: Literal["none"]
) -> list[Value]: ...
def binary_cross_entropy(
    input: Batch, target: Batch, reduction: Reduction = "mean"
) -> Value | list[Value]:
    """Binary cross-entropy of probabilities (``torch.nn.functional.binary_cross_entropy``):

        ℓᵢ = -[yᵢ · max(ln pᵢ, -100) + (1 - yᵢ) · max(ln(1 - pᵢ), -100)]

    with ``input`` the probabilities pᵢ ∈ [0, 1] (a sigmoid's output) and ``target`` the
    labels yᵢ ∈ [0, 1] (0/1, or soft labels). ∂ℓᵢ/∂pᵢ = (pᵢ - yᵢ) / (pᵢ(1 - pᵢ)).

    As in PyTorch, each log is floored at -100, so p = 0 or 1 gives a finite loss (at most
    100 per sample) rather than an error. The floor is built as ln(clamp(p, min=e⁻¹⁰⁰))
    and, for the second log, log1p(-p) (which cannot fall below -100 for any float p < 1)
    or ln(clamp(1 - p, min=e⁻¹⁰⁰)) at p = 1 exactly.

    Values and first derivatives match PyTorch wherever p(1 - p) >= 1e-12. Closer to 0 or
    1 the derivatives differ: PyTorch's backward uses the closed form
    (p - y) / max(p(1 - p), 1e-12), whereas here each log is differentiated as built.
    Where a log is floored (p < e⁻¹⁰⁰, or p = 1) its derivative is 0; otherwise it is the
    exact 1/p or -1/(1 - p). For example, at p = 0 with y = 1, PyTorch gives ∂ℓ/∂p ≈ -1e12
    and this gives 0; at p = 0 with y = 0, PyTorch gives 0 and this gives the exact 1.
    Use ``binary_cross_entropy_with_logits`` on the logits instead: it is stable and
    exact everywhere.

    Probabilities or targets outside [0, 1] raise ValueError naming the index and value.
    """
    fn = "binary_cross_entropy"
    ps, ys = _pairs(fn, input, target, reduction)
    _check_unit_interval(fn, "input", ps)
    _check_unit_interval(fn, "target", ys)
    terms = [
        (y - 1.0) * _log_one_minus(p) - y * p.clamp(min=_TINY).log()
        for p, y in zip(ps, ys, strict=True)
    ]
    return _reduce(terms, reduction)


@overload
def binary_cross_entropy_with_logits(
    input: Batch, target: Batch, reduction: Literal["mean", "sum"] = ...
) -> Value: ...
@overload
def binary_cross_entropy_with_logits(
    input: Batch, target: Batch, reduction: Literal["none"]
) -> list[Value]: ...
def binary_cross_entropy_with_logits(
    input: Batch, target: Batch, reduction: Reduction = "mean"
) -> Value | list[Value]:
    """Binary cross-entropy of logits zᵢ (``torch.nn.functional.binary_cross_entropy_with_logits``),
    the same as ``binary_cross_entropy(sigmoid(z), y)`` but stable for any z:

        ℓᵢ = max(zᵢ, 0) - zᵢ·yᵢ + ln(1 + e^(-|zᵢ|));   ∂ℓᵢ/∂zᵢ = σ(zᵢ) - yᵢ

    No exponential of a positive number is taken, so z = ±1000 works (ℓ = 1000 or 0).
    The graph depends on the sign of z so that no kink sits at z = 0 (where max and |·|
    have one): for z >= 0 it is (1 - y)·z + log1p(e^(-z)), for z < 0 it is
    log1p(e^z) - y·z. ``target`` holds labels yᵢ ∈ [0, 1]; outside it, ValueError.
    """
    fn = "binary_cross_entropy_with_logits"
    zs, ys = _pairs(fn, input, target, reduction)
    _check_unit_interval(fn, "target", ys)
    terms = [
        (1.0 - y) * z + (-z).exp().log1p() if z.data >= 0.0 else z.exp().log1p() - y * z
        for z, y in zip(zs, ys, strict=True)
    ]
    return _reduce(terms, reduction)


@overload
def hinge_loss(input: Batch, target: Batch, reduction: Literal["mean", "sum"] = ...) -> Value: ...
@overload
def hinge_loss(input: Batch, target: Batch, reduction: Literal["none"]) -> list[Value]: ...
def hinge_loss(input: Batch, target: Batch, reduction: Reduction = "mean") -> Value | list[Value]:
    """Max-margin (hinge) loss, as in micrograd's demo: ℓᵢ = max(0, 1 - yᵢ·sᵢ);
    ∂ℓᵢ/∂sᵢ = -yᵢ where yᵢ·sᵢ < 1, else 0 (0 at the margin yᵢ·sᵢ = 1, as relu'(0) = 0).

    ``input`` holds scores sᵢ (any real number, positive meaning class +1), ``target``
    labels yᵢ that must be exactly -1 or 1 (ValueError otherwise; for 0/1 labels pass
    ``2*y - 1``). The labels are constants: a Value label contributes its ``.data``.
    PyTorch has no function of this name; it equals ``torch.relu(1 - y * s).mean()``.
    """
    fn = "hinge_loss"
    ss, ys = _pairs(fn, input, target, reduction)
    labels = [_data(y) for y in ys]
    for i, y in enumerate(labels):
        if y != 1.0 and y != -1.0:
            raise ValueError(
                f"hinge_loss: target[{i}] = {y!r} must be -1 or 1 (for 0/1 labels pass 2*y - 1)"
            )
    terms = [(1.0 - s if y > 0.0 else 1.0 + s).relu() for s, y in zip(ss, labels, strict=True)]
    return _reduce(terms, reduction)


# -- multi-class classification ------------------------------------------------------------


def _class_index(t: object, i: int, classes: int) -> int:
    """``t`` as a class index in [0, classes), or TypeError/ValueError naming target[i]."""
    if isinstance(t, bool) or not isinstance(t, numbers.Integral):
        raise TypeError(
            f"cross_entropy: target[{i}] must be an int class index, "
            f"got {type(t).__name__} {short_repr(t)}"
        )
    index = int(t)
    if not 0 <= index < classes:
        raise ValueError(
            f"cross_entropy: target[{i}] = {index} is not a class index for {classes} "
            f"classes (0 to {classes - 1})"
        )
    return index


@overload
def cross_entropy(
    input: Rows, target: Indices, reduction: Literal["mean", "sum"] = ...
) -> Value: ...
@overload
def cross_entropy(input: Rows, target: Indices, reduction: Literal["none"]) -> list[Value]: ...
def cross_entropy(
    input: Rows, target: Indices, reduction: Reduction = "mean"
) -> Value | list[Value]:
    """Cross-entropy of class scores (``torch.nn.functional.cross_entropy``, no weights):

        ℓᵢ = -ln softmax(zᵢ)[tᵢ] = ln Σⱼ e^(zᵢⱼ) - zᵢₜᵢ;   ∂ℓᵢ/∂zᵢⱼ = softmax(zᵢ)ⱼ - [j = tᵢ]

    ``input`` holds one sequence of C scores (logits) per sample, ``target`` one int class
    index tᵢ ∈ [0, C) per sample. Computed stably with the row's largest score m
    subtracted first, sᵢⱼ = zᵢⱼ - m, ℓᵢ = ln Σⱼ e^(sᵢⱼ) - sᵢₜᵢ, so no exponential
    overflows: scores [1000, 0, -1000] with target 2 give exactly 2000.0. (m is a constant:
    the identity ln Σ e^z = m + ln Σ e^(z - m) holds for any m, so the gradient is exact.)

    A target that is not an int (floats and bools included) raises TypeError; one outside
    [0, C), or rows of different lengths, raise ValueError.
    """
    fn = "cross_entropy"
    _check_reduction(fn, reduction)
    rows: list[list[Value]] = []
    for i, row in enumerate(items(input, fn, "input")):
        if not is_row(row):
            raise TypeError(
                f"cross_entropy: input[{i}] must be a sequence of class scores (one per class), "
                f"got {type(row).__name__} {short_repr(row)}; for a single sample pass [scores]"
            )
        scores = [_scalar(v, fn, f"input[{i}][{j}]") for j, v in enumerate(row)]
        if not scores:
            raise ValueError(f"cross_entropy: input[{i}] has no class scores")
        if rows and len(scores) != len(rows[0]):
            raise ValueError(
                f"cross_entropy: input[{i}] has {len(scores)} class scores "
                f"but input[0] has {len(rows[0])}"
            )
        rows.append([v if isinstance(v, Value) else Value(v) for v in scores])
    targets = items(target, fn, "target")
    if not rows:
        raise ValueError("cross_entropy: input is empty: a loss needs at least one sample")
    if len(rows) != len(targets):
        raise ValueError(
            f"cross_entropy: input has {len(rows)} samples but target has {len(targets)}; "
            f"they must match"
        )
    classes = len(rows[0])
    terms = []
    for i, (row, t) in enumerate(zip(rows, targets, strict=True)):
        index = _class_index(t, i, classes)
        top = max(v.data for v in row)
        shifted = [v - top for v in row]
        terms.append(autograd.sum([s.exp() for s in shifted]).log() - shifted[index])
    return _reduce(terms, reduction)
