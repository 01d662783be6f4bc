"""Loss functions, and ``softmax``/``log_softmax``, named and defined as in
``torch.nn.functional``, built from ``Value`` ops.

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
raise ValueError; anything that is not a number or a Value raises TypeError; a class
index out of range raises IndexError (as in PyTorch, and as a list index does).

The multi-class functions (``softmax``, ``log_softmax``, ``nll_loss``, ``cross_entropy``)
take class scores as torch does: one sample's C scores (1-D), or a batch of N rows of C
(2-D). ``nll_loss`` and ``cross_entropy`` also take a 1-D input with one class index,
and then ``"none"`` gives one Value; an ignored target (``ignore_index``) is left out of
the reduction.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any, Literal, TypeAlias, overload

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
    # class indices (one per sample, or one for one sample) or class probabilities
    ClassTarget: TypeAlias = int | np.integer | Batch
else:
    Scalar: TypeAlias = object
    Batch: TypeAlias = object
    Rows: TypeAlias = object
    Indices: TypeAlias = object
    ClassTarget: TypeAlias = object

Reduction: TypeAlias = Literal["mean", "sum", "none"]

__all__ = [
    "binary_cross_entropy",
    "binary_cross_entropy_with_logits",
    "cross_entropy",
    "hinge_loss",
    "l1_loss",
    "log_softmax",
    "mse_loss",
    "nll_loss",
    "softmax",
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
#
# Class scores come as one sample's scores, a 1-D sequence (C,), or as a batch, a 2-D
# sequence of rows (N, C), as torch takes them. Numbers become leaf Values.


def _leaf(x: object, fn: str, where: str) -> Value:
    v = _scalar(x, fn, where)
    return v if isinstance(v, Value) else Value(v)


def _what(x: object) -> str:
    return f"{type(x).__name__} {short_repr(x)}"


def _score_rows(input: object, fn: str) -> tuple[list[list[Value]], bool]:
    """The scores in ``input`` as rows of Values, and whether ``input`` is a batch (2-D,
    one row per sample) rather than one sample's scores (1-D, returned as a single row).

    ``[]`` is 1-D with no scores, as ``torch.tensor([])`` is. Rows must be equally long.
    """
    entries = items(input, fn, "input")
    if not entries or not is_row(entries[0]):
        row = []
        for j, x in enumerate(entries):
            if is_row(x):
                raise TypeError(
                    f"{fn}: input mixes numbers and rows: input[0] is a number but "
                    f"input[{j}] is {_what(x)}"
                )
            row.append(_leaf(x, fn, f"input[{j}]"))
        return [row], False
    rows: list[list[Value]] = []
    for i, entry in enumerate(entries):
        if not is_row(entry):
            raise TypeError(
                f"{fn}: input mixes rows and numbers: input[0] is a row of scores but "
                f"input[{i}] is {_what(entry)}"
            )
        row = [_leaf(x, fn, f"input[{i}][{j}]") for j, x in enumerate(entry)]
        if rows and len(row) != len(rows[0]):
            raise ValueError(
                f"{fn}: input[{i}] has {len(row)} class scores but input[0] has {len(rows[0])}"
            )
        rows.append(row)
    return rows, True


def _axis(fn: str, dim: object, ndim: int) -> int:
    """``dim`` as an axis 0 … ndim-1 (negative counts from the end, as in torch)."""
    if isinstance(dim, bool) or not isinstance(dim, numbers.Integral):
        raise TypeError(f"{fn}: dim must be an int, got {_what(dim)}")
    d = int(dim)
    if not -ndim <= d < ndim:
        shape = "one sample's scores" if ndim == 1 else "a batch of rows"
        raise IndexError(
            f"{fn}: dimension out of range (expected to be in range of [{-ndim}, {ndim - 1}], "
            f"but got {d}): the input is {ndim}-D, {shape}"
        )
    return d % ndim


def _shifted(row: list[Value]) -> list[Value]:
    """sⱼ = zⱼ - m with m = maxⱼ zⱼ a constant (a number, not a node): every sⱼ <= 0."""
    top = max(v.data for v in row)
    return [v - top for v in row]


def _log_sum_exp(shifted: list[Value]) -> Value:
    """ln Σⱼ e^(sⱼ) of shifted scores: the sum is at least e⁰ = 1, so the log is >= 0."""
    return autograd.sum([s.exp() for s in shifted]).log()


def _softmax_row(row: list[Value]) -> list[Value]:
    if not row:
        return []
    exps = [s.exp() for s in _shifted(row)]
    total = autograd.sum(exps)
    return [e / total for e in exps]


def _log_softmax_row(row: list[Value]) -> list[Value]:
    if not row:
        return []
    shifted = _shifted(row)
    log_total = _log_sum_exp(shifted)
    return [s - log_total for s in shifted]


def _along(
    fn: str,
    input: object,
    dim: object,
    of_row: Callable[[list[Value]], list[Value]],
) -> list[Value] | list[list[Value]]:
    """``of_row`` applied along ``dim``: to the one row of a 1-D input, to each row of a
    batch (dim -1 or 1), or to each column of a batch (dim 0 or -2), keeping the shape."""
    rows, batched = _score_rows(input, fn)
    axis = _axis(fn, dim, 2 if batched else 1)
    if not batched:
        return of_row(rows[0])
    if axis == 1:
        return [of_row(row) for row in rows]
    columns = [of_row(list(column)) for column in zip(*rows, strict=True)]
    if not columns:  # rows with no scores: nothing to normalise
        empty: list[list[Value]] = [[] for _ in rows]
        return empty
    return [list(row) for row in zip(*columns, strict=True)]


@overload
def softmax(input: Sequence[Scalar], dim: int = -1) -> list[Value]: ...
@overload
def softmax(input: Sequence[Sequence[Scalar]], dim: int = -1) -> list[list[Value]]: ...
@overload
def softmax(input: npt.NDArray[Any], dim: int = -1) -> list[Value] | list[list[Value]]: ...
def softmax(input: Batch, dim: int = -1) -> list[Value] | list[list[Value]]:
    """Softmax (``torch.nn.functional.softmax``): class scores zⱼ to probabilities

        softmax(z)ⱼ = e^(zⱼ) / Σₖ e^(zₖ),   ∂softmax(z)ⱼ/∂zᵢ = softmax(z)ⱼ·([i = j] - softmax(z)ᵢ)

    each in (0, 1] (an exponential far below the largest can underflow to 0), summing to 1.

    ``input`` is one sample's scores (1-D: a list of Values or numbers) or a batch (2-D:
    a list of equal-length rows, or a numpy array). ``dim`` is the dimension that sums to
    1, as in torch: -1 (the default, torch's choice for 1-D and 2-D inputs) normalises
    each row of a batch (or the one sample), 0 a 1-D input or each column of a batch,
    1 and -2 the same as -1 and 0 for a batch. Returns Values in the input's shape.

    Computed stably: with m = maxₖ zₖ (a constant number, not a node),

        softmax(z)ⱼ = e^(zⱼ - m) / Σₖ e^(zₖ - m)

    which is the same quotient (e^(-m) cancels), but every exponent is <= 0 (no overflow)
    and the sum is >= 1 (no division by 0): scores [1000, 0, -1000] give [1, 0, 0]. Since
    m is a constant the gradient is the exact one above. The graph, for C scores: C
    nodes zⱼ - m, C nodes e^(·), one Σ and C divisions, so stepping through ``backward``
    shows the chain rule through the quotient (∂/∂eⱼ = 1/Σ directly, -eⱼ/Σ² through Σ).

    A ``dim`` that is not an int is a TypeError; one out of range is an IndexError, as in
    torch. Ragged rows are a ValueError.
    """
    return _along("softmax", input, dim, _softmax_row)


@overload
def log_softmax(input: Sequence[Scalar], dim: int = -1) -> list[Value]: ...
@overload
def log_softmax(input: Sequence[Sequence[Scalar]], dim: int = -1) -> list[list[Value]]: ...
@overload
def log_softmax(input: npt.NDArray[Any], dim: int = -1) -> list[Value] | list[list[Value]]: ...
def log_softmax(input: Batch, dim: int = -1) -> list[Value] | list[list[Value]]:
    """Log-softmax (``torch.nn.functional.log_softmax``): the log-probabilities

        log_softmax(z)ⱼ = ln softmax(z)ⱼ = zⱼ - ln Σₖ e^(zₖ),   ∂/∂zᵢ = [i = j] - softmax(z)ᵢ

    each <= 0. Shapes and ``dim`` as in ``softmax``. Computed stably, never as the log of
    a softmax (which is -inf once a probability underflows to 0): with m = maxₖ zₖ,

        log_softmax(z)ⱼ = (zⱼ - m) - ln Σₖ e^(zₖ - m)

    The sum is >= 1, so its log is >= 0 and never of 0: scores [1000, 0, -1000] give
    exactly [0, -1000, -2000]. The graph, for C scores: C nodes zⱼ - m, C nodes e^(·),
    one Σ, one ln and C subtractions. ``nll_loss`` of this is ``cross_entropy``.
    """
    return _along("log_softmax", input, dim, _log_softmax_row)


# -- losses over class scores or log-probabilities -----------------------------------------

# A value this far above 0 is not a log-probability even allowing for rounding (a hand-made
# z - logsumexp(z) can come out a few units in the last place above 0).
_LOG_PROBABILITY_SLACK = 1e-9


def _class_rows(input: object, fn: str) -> tuple[list[list[Value]], bool]:
    """``_score_rows`` for a loss: at least one sample, and at least one class."""
    rows, batched = _score_rows(input, fn)
    if not batched and not rows[0]:
        raise ValueError(f"{fn}: input is empty: a loss needs at least one sample")
    for i, row in enumerate(rows):
        if not row:
            where = f"input[{i}]" if batched else "input"
            raise ValueError(f"{fn}: {where} has no class scores")
    return rows, batched


def _ignore_index(fn: str, ignore_index: object) -> int:
    if isinstance(ignore_index, bool) or not isinstance(ignore_index, numbers.Integral):
        raise TypeError(f"{fn}: ignore_index must be an int, got {_what(ignore_index)}")
    return int(ignore_index)


def _class_index(t: object, fn: str, where: str, classes: int, ignore_index: int) -> int | None:
    """``t`` as a class index in [0, classes), or None when it equals ``ignore_index``."""
    if getattr(t, "ndim", None) == 0 and hasattr(t, "item"):  # a numpy scalar or 0-d array
        t = t.item()
    if isinstance(t, bool) or not isinstance(t, numbers.Integral):
        raise TypeError(f"{fn}: {where} must be an int class index, got {_what(t)}")
    index = int(t)
    if index == ignore_index:
        return None
    if not 0 <= index < classes:
        raise IndexError(
            f"{fn}: {where} = {index} is out of bounds: the class indices of {classes} "
            f"classes are 0 to {classes - 1}"
        )
    return index


def _class_targets(
    fn: str, target: object, rows: list[list[Value]], batched: bool, ignore_index: int
) -> list[int | None]:
    """One class index per sample (None where ignored): N of them for a batch, one (a
    number, or a sequence of one as torch allows) for one sample's scores."""
    classes = len(rows[0])
    if not batched:
        entries = list(target) if is_row(target) else [target]
        if len(entries) != 1:
            raise ValueError(
                f"{fn}: input is one sample's {classes} class scores (1-D), so target must "
                f"be one class index, got {len(entries)} targets; for a batch, input needs "
                f"one row of class scores per sample"
            )
        where = "target[0]" if is_row(target) else "target"
        return [_class_index(entries[0], fn, where, classes, ignore_index)]
    if not is_row(target):
        raise TypeError(
            f"{fn}: input is a batch of {len(rows)} samples, so target must hold "
            f"{len(rows)} class indices (a list or numpy array), got {_what(target)}"
        )
    entries = list(target)
    if len(entries) != len(rows):
        raise ValueError(
            f"{fn}: input has {len(rows)} samples but target has {len(entries)}; they must match"
        )
    return [
        _class_index(t, fn, f"target[{i}]", classes, ignore_index) for i, t in enumerate(entries)
    ]


def _reduce_kept(
    fn: str, terms: list[Value | None], reduction: str, batched: bool, ignore_index: int
) -> Value | list[Value]:
    """Reduce the terms of the samples not ignored. ``"none"`` keeps one term per sample,
    0 for an ignored one (a list for a batch, the term for one sample)."""
    if reduction == "none":
        kept_all = [Value(0.0) if term is None else term for term in terms]
        return kept_all if batched else kept_all[0]
    kept = [term for term in terms if term is not None]
    if not kept:
        if reduction == "sum":
            return Value(0.0)
        raise ValueError(
            f"{fn}: every target is ignore_index ({ignore_index}), so the mean is over no "
            f"samples (undefined; PyTorch returns nan); use reduction='sum' or 'none'"
        )
    return _reduce(kept, reduction)


def _check_log_probabilities(rows: list[list[Value]], batched: bool) -> None:
    for i, row in enumerate(rows):
        for j, v in enumerate(row):
            if v.data > _LOG_PROBABILITY_SLACK:
                where = f"input[{i}][{j}]" if batched else f"input[{j}]"
                label = "" if v.label is None else f" (label {v.label!r})"
                raise ValueError(
                    f"nll_loss: {where} = {v.data!r}{label} is above 0, so it is not a "
                    f"log-probability; nll_loss takes log-probabilities such as "
                    f"log_softmax(scores); for raw class scores use cross_entropy"
                )


@overload
def nll_loss(
    input: Sequence[Scalar],
    target: ClassTarget,
    reduction: Reduction = ...,
    *,
    ignore_index: int = ...,
) -> Value: ...
@overload
def nll_loss(
    input: Rows,
    target: ClassTarget,
    reduction: Literal["mean", "sum"] = ...,
    *,
    ignore_index: int = ...,
) -> Value: ...
@overload
def nll_loss(
    input: npt.NDArray[Any],
    target: ClassTarget,
    reduction: Literal["none"],
    *,
    ignore_index: int = ...,
) -> Value | list[Value]: ...
@overload
def nll_loss(
    input: Sequence[Sequence[Scalar]],
    target: ClassTarget,
    reduction: Literal["none"],
    *,
    ignore_index: int = ...,
) -> list[Value]: ...
def nll_loss(
    input: Batch,
    target: ClassTarget,
    reduction: Reduction = "mean",
    *,
    ignore_index: int = -100,
) -> Value | list[Value]:
    """Negative log-likelihood (``torch.nn.functional.nll_loss``, no weights): with
    ``input`` log-probabilities (``log_softmax``'s output) and class indices tᵢ,

        ℓᵢ = -inputᵢ[tᵢ];   ∂ℓᵢ/∂inputᵢⱼ = -[j = tᵢ]

    one negation per sample, then the reduction. Shapes as torch takes them: a batch
    (N, C) of rows with N class indices, or one sample's C log-probabilities (1-D) with
    one class index (a number, or a sequence of one); a 1-D input with ``"none"`` gives
    one Value. Targets equal to ``ignore_index`` (default -100) count for nothing: their
    term is 0 under ``"none"``, and ``"mean"`` divides by the number of the others (if
    every target is ignored that mean is undefined: ValueError, where torch gives nan).

    A target that is not an int (floats and bools included) is a TypeError, one outside
    [0, C) an IndexError (torch's "Target 3 is out of bounds"), mismatched lengths a
    ValueError. Unlike torch, an input above 0 (beyond rounding, 1e-9) is a ValueError:
    it is not a log-probability, and passing raw scores here (forgetting ``log_softmax``)
    would train towards a loss of -∞.
    """
    fn = "nll_loss"
    _check_reduction(fn, reduction)
    ignore = _ignore_index(fn, ignore_index)
    rows, batched = _class_rows(input, fn)
    _check_log_probabilities(rows, batched)
    targets = _class_targets(fn, target, rows, batched, ignore)
    terms = [None if t is None else -row[t] for row, t in zip(rows, targets, strict=True)]
    return _reduce_kept(fn, terms, reduction, batched, ignore)


def _probability_targets(
    fn: str, target: object, rows: list[list[Value]], batched: bool
) -> list[list[Value | float]] | None:
    """Class probabilities when ``target`` has the input's shape (torch's rule: (N, C) for
    a batch, (C,) for one sample), else None (then it holds class indices)."""
    if not is_row(target):
        return None
    entries = list(target)
    classes = len(rows[0])
    given: list[list[object]] = []
    if batched:
        if not entries or not is_row(entries[0]):
            return None
        for i, entry in enumerate(entries):
            if not is_row(entry):
                raise TypeError(
                    f"{fn}: target mixes rows of class probabilities and numbers: "
                    f"target[{i}] is {_what(entry)}"
                )
            given.append(list(entry))
        if len(given) != len(rows):
            raise ValueError(
                f"{fn}: input has {len(rows)} samples but target has {len(given)} rows of "
                f"class probabilities; they must match"
            )
    elif len(entries) == classes:
        given = [entries]
    else:
        return None
    if all(isinstance(p, numbers.Integral) for row in given for p in row):
        # torch: "Expected floating point type for target with class probabilities"
        shape = f"({len(rows)}, {classes})" if batched else f"({classes},)"
        indices = (
            f"{len(rows)} for this batch"
            if batched
            else "one for one sample's scores (for a batch, input needs one row of class "
            "scores per sample: a model with C outputs)"
        )
        raise TypeError(
            f"{fn}: target has the input's shape {shape}, so it is read as class "
            f"probabilities, which must be floats, but it holds whole numbers; class "
            f"indices are one per sample: {indices}"
        )
    out: list[list[Value | float]] = []
    for i, row in enumerate(given):
        prefix = f"target[{i}]" if batched else "target"
        ps = [_scalar(p, fn, f"{prefix}[{j}]") for j, p in enumerate(row)]
        if len(ps) != classes:
            raise ValueError(
                f"{fn}: {prefix} has {len(ps)} class probabilities but input has {classes} "
                f"class scores per sample; a target of class indices has one per sample"
            )
        _check_unit_interval(fn, prefix, ps)
        out.append(ps)
    return out


@overload
def cross_entropy(
    input: Sequence[Scalar],
    target: ClassTarget,
    reduction: Reduction = ...,
    *,
    ignore_index: int = ...,
) -> Value: ...
@overload
def cross_entropy(
    input: Rows,
    target: ClassTarget,
    reduction: Literal["mean", "sum"] = ...,
    *,
    ignore_index: int = ...,
) -> Value: ...
@overload
def cross_entropy(
    input: npt.NDArray[Any],
    target: ClassTarget,
    reduction: Literal["none"],
    *,
    ignore_index: int = ...,
) -> Value | list[Value]: ...
@overload
def cross_entropy(
    input: Sequence[Sequence[Scalar]],
    target: ClassTarget,
    reduction: Literal["none"],
    *,
    ignore_index: int = ...,
) -> list[Value]: ...
def cross_entropy(
    input: Batch,
    target: ClassTarget,
    reduction: Reduction = "mean",
    *,
    ignore_index: int = -100,
) -> Value | list[Value]:
    """Cross-entropy of class scores (``torch.nn.functional.cross_entropy``, no weights),
    ``nll_loss(log_softmax(input), target)`` in one go: with class indices tᵢ,

        ℓᵢ = -ln softmax(zᵢ)[tᵢ] = ln Σⱼ e^(zᵢⱼ) - zᵢₜᵢ;   ∂ℓᵢ/∂zᵢⱼ = softmax(zᵢ)ⱼ - [j = tᵢ]

    Shapes as torch takes them: ``input`` a batch (N, C) of rows of scores (logits), or
    one sample's C scores (1-D); ``target`` N class indices for a batch, one for one
    sample (a number, or a sequence of one), or class probabilities pᵢⱼ in the input's
    shape (soft labels, each in [0, 1]), which give ℓᵢ = -Σⱼ pᵢⱼ·log_softmax(zᵢ)ⱼ. A 1-D
    input with ``"none"`` gives one Value. Lists, tuples and numpy arrays all work.

    Computed stably with the row's largest score m subtracted first, sᵢⱼ = zᵢⱼ - m,
    ℓᵢ = ln Σⱼ e^(sᵢⱼ) - sᵢₜᵢ (m is a constant: ln Σ e^z = m + ln Σ e^(z - m) for any m,
    so the gradient is exact), so no exponential overflows: scores [1000, 0, -1000] with
    target 2 give exactly 2000.0. The graph for C scores: C nodes sⱼ, C exponentials, one
    Σ, one ln and one subtraction (equal, to the last bit, to ``nll_loss`` of
    ``log_softmax``, which adds C - 1 subtractions that the loss does not use and a
    negation). ``ignore_index`` as in ``nll_loss`` (class indices only).

    Errors as in ``nll_loss``: a target that is not an int is a TypeError, one outside
    [0, C) an IndexError, mismatched lengths or probabilities outside [0, 1] ValueError.
    """
    fn = "cross_entropy"
    _check_reduction(fn, reduction)
    ignore = _ignore_index(fn, ignore_index)
    rows, batched = _class_rows(input, fn)
    probabilities = _probability_targets(fn, target, rows, batched)
    terms: list[Value | None] = []
    if probabilities is not None:
        if ignore != -100:
            raise ValueError(
                f"{fn}: ignore_index applies to class indices, not to class probabilities "
                f"(got ignore_index={ignore})"
            )
        for row, ps in zip(rows, probabilities, strict=True):
            # -Σⱼ pⱼ·log_softmax(z)ⱼ as one dot node with weights -pⱼ
            terms.append(autograd.dot([-p for p in ps], _log_softmax_row(row)))
    else:
        targets = _class_targets(fn, target, rows, batched, ignore)
        for row, t in zip(rows, targets, strict=True):
            if t is None:
                terms.append(None)
                continue
            shifted = _shifted(row)
            terms.append(_log_sum_exp(shifted) - shifted[t])
    return _reduce_kept(fn, terms, reduction, batched, ignore)
