"""What ``test_native_ops.py`` and ``test_native_graphs.py`` share: the compiled engine (or
the module's skip without it), both engines' builders side by side, bit-for-bit
comparison of floats, outcomes (a value or an error) to compare, and the two roads of a
backward pass.

The compiled engine is imported directly (``autograd.fast.native``), so these tests run
under either ``STEPGRAD_ENGINE``; the reference is always ``autograd.value.Value``. Where the
extension was not built, importing this module skips the test module, or fails it under
``STEPGRAD_REQUIRE_OPTIONAL=1`` (as ``tests/conftest.py`` does for optional packages).
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from types import ModuleType
from typing import Any

import pytest

from autograd import backprop, ops
from autograd import value as reference
from autograd.fast.layer import AffineLayer as PythonAffineLayer
from autograd.hooks import HOOKS


def _compiled_engine() -> tuple[ModuleType, ModuleType]:
    """``autograd.fast.native`` and ``autograd.fast._native``, or skip (fail) the module."""
    try:
        from autograd.fast import _native, native
    except ImportError as error:
        reason = (
            f"the compiled engine is not built ({error}): pip install -e . builds "
            f"autograd/fast/_native.c where a C compiler is found"
        )
        if os.environ.get("STEPGRAD_REQUIRE_OPTIONAL") == "1":
            pytest.fail(f"{reason}, and STEPGRAD_REQUIRE_OPTIONAL=1 requires it", pytrace=False)
        pytest.skip(reason, allow_module_level=True)
    return native, _native


native, _native = _compiled_engine()

Reference = reference.Value
Native: type[Any] = native.Value
ENGINES: list[Any] = [pytest.param(Reference, id="reference"), pytest.param(Native, id="native")]

# Inputs at the edges of floats: signed zeros, the smallest subnormal, a subnormal whose
# reciprocal overflows, the largest magnitudes, and ordinary numbers of both signs.
EDGES = [0.0, -0.0, 5e-324, -5e-324, 1e-310, -1e-310, 1e308, -1e308, 1.0, -1.0, 2.0, -2.0]
EDGES += [0.5, -0.5, 3.0, 710.0, -750.0]


# -- floats, bit for bit ------------------------------------------------------------------


def bits(x: float) -> tuple[type, float, float]:
    """``x`` as a key that is equal for equal floats only: its type, the value (compared
    with ==) and its sign (math.copysign tells -0.0 from 0.0, which == does not)."""
    return (type(x), x, math.copysign(1.0, x))


def all_bits(xs: Iterable[float]) -> list[tuple[type, float, float]]:
    return [bits(x) for x in xs]


def grads(values: Iterable[Any]) -> list[tuple[type, float, float]]:
    return [bits(v.grad) for v in values]


# -- outcomes -----------------------------------------------------------------------------

Outcome = tuple[Any, ...]
"""("value", what the call returned) or ("raised", the error's type, its message)."""


def outcome(call: Callable[[], Any]) -> Outcome:
    """What ``call()`` did: returned a value, or raised an Exception (type and message)."""
    try:
        return ("value", call())
    except Exception as error:
        return ("raised", type(error), str(error))


def raised(result: Outcome) -> bool:
    return bool(result[0] == "raised")


def in_both(do: Callable[[Any], Any]) -> tuple[Outcome, Outcome]:
    """``do(V)`` for the reference's Value class and the compiled one: their outcomes."""
    return outcome(lambda: do(Reference)), outcome(lambda: do(Native))


def is_native(x: Any) -> bool:
    return isinstance(x, Native)


def nary(op: ops.NaryOp, values: Sequence[Any], V: Any = None) -> Any:
    """The node ``op(values)`` in the engine of ``V``, or else of the Values among
    ``values``: ``native.nary`` for compiled Values, ``autograd.value._nary`` for the
    reference's (the builders of ``autograd.sum``, ``mean`` and ``dot``). Both are called
    from one line, which anomaly mode names as the user's."""
    compiled = V is Native or (V is None and any(map(is_native, values)))
    build = native.nary if compiled else reference._nary
    return build(op, values)


class Layer:
    """A layer of neurons act(wⱼ·x + bⱼ) over leaf Values of the engine of ``V``:
    ``native.AffineLayer`` for compiled Values. For the reference's, each call makes the
    node the reference builds for each neuron, ``_nary(ops.AFFINE[act], (*wⱼ, *x, bⱼ))``,
    once the Python engine's layer (``autograd.fast.layer``) has accepted the call: a
    layer's errors are the layer's, in either engine."""

    def __init__(
        self, V: Any, rows: Sequence[Sequence[Any]], biases: Any, activation: str | None
    ) -> None:
        self.rows, self.biases, self.activation = rows, biases, activation
        self.compiled = native.AffineLayer(rows, biases, activation) if V is Native else None

    def __call__(self, xs: Sequence[Any]) -> list[Any]:
        if self.compiled is not None:
            return list(self.compiled(xs))
        PythonAffineLayer(self.rows, self.biases, self.activation)(xs)  # raises as a layer
        op = ops.AFFINE[self.activation]
        inputs = [x if isinstance(x, Reference) else Reference(x) for x in xs]
        bias_of = self.biases if self.biases is not None else [None] * len(self.rows)
        return [
            reference._nary(op, (*row, *inputs, *(() if b is None else (b,))))
            for row, b in zip(self.rows, bias_of, strict=True)
        ]


def affine(
    V: Any, activation: str | None, rows: Sequence[Sequence[Any]], xs: Sequence[Any], biases: Any
) -> list[Any]:
    """The outputs of a ``Layer`` of ``V``'s engine called once on ``xs``."""
    return Layer(V, rows, biases, activation)(xs)


# -- the two roads of backward() ----------------------------------------------------------


@contextmanager
def native_backward_installed() -> Iterator[None]:
    """``autograd.fast.native.backward`` as the installed fast backward (it hands graphs of
    reference Values on to the Python fast path), whichever engine this run chose; the
    installed one is put back after. No hook is left registered."""
    installed = backprop.ACCELERATOR.backward
    backprop.accelerate(native.backward)
    try:
        yield
    finally:
        backprop.accelerate(installed)
        HOOKS.clear()


@contextmanager
def reference_loop() -> Iterator[None]:
    """``backward()`` with no fast backward installed: the reference's chain-rule loop,
    ``backprop.backward_steps`` run to the end."""
    installed = backprop.ACCELERATOR.backward
    backprop.accelerate(None)
    try:
        yield
    finally:
        backprop.accelerate(installed)
