"""Checking ``backward()`` against central differences, with PyTorch's criterion."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from autograd.engine import Value
from autograd.grad_mode import no_grad
from autograd.value import Number


def numerical_gradient(
    fn: Callable[..., Value], inputs: Sequence[Value], index: int, eps: float = 1e-6
) -> float:
    """Central difference (f(x + eps) - f(x - eps)) / (2 eps) in input ``index``."""
    x = inputs[index]
    original = x.data
    try:
        with no_grad():
            x.data = original + eps
            above = fn(*inputs).data
            x.data = original - eps
            below = fn(*inputs).data
    finally:
        x.data = original
    return (above - below) / (2.0 * eps)


def gradcheck(
    fn: Callable[..., Value],
    inputs: Sequence[Value | Number],
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
) -> bool:
    """Check the gradients ``backward()`` gives for ``fn(*inputs)`` against central differences.

    For each input i, the analytic ∂fn/∂xᵢ must satisfy ``|a - n| <= atol + rtol·|n|``
    where n is the central difference with step ``eps`` (``torch.autograd.gradcheck``'s
    criterion and defaults). Returns True, or raises AssertionError naming the input and
    both values. Numbers among ``inputs`` become leaf Values; the inputs' ``.grad`` are left
    as they were.
    """
    if eps <= 0.0 or atol < 0.0 or rtol < 0.0:
        raise ValueError(
            f"gradcheck: need eps > 0, atol >= 0, rtol >= 0; got {eps}, {atol}, {rtol}"
        )
    leaves = [x if isinstance(x, Value) else Value(x) for x in inputs]
    for i, x in enumerate(leaves):
        if not x.is_leaf:
            raise ValueError(
                f"gradcheck: input {i} is the output of '{x.op}'; inputs must be leaves"
            )
    out = fn(*leaves)
    if not isinstance(out, Value):
        raise TypeError(f"gradcheck: fn must return a Value, got {type(out).__name__}")
    saved = [x.grad for x in leaves]
    try:
        for x in leaves:
            x.grad = 0.0
        out.backward()
        analytic = [x.grad for x in leaves]
    finally:
        for x, grad in zip(leaves, saved, strict=True):
            x.grad = grad
    for i, a in enumerate(analytic):
        if leaves.index(leaves[i]) != i:
            continue  # the same leaf passed twice: its gradient is the total, checked once
        n = numerical_gradient(fn, leaves, i, eps)
        if abs(a - n) > atol + rtol * abs(n):
            raise AssertionError(
                f"gradcheck: input {i}: backward() gives {a!r} but the central difference "
                f"gives {n!r} (|difference| {abs(a - n):.3g} > "
                f"atol {atol} + rtol {rtol} * {abs(n):.3g})"
            )
    return True
