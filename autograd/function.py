"""``Function``: your own op, written as a ``torch.autograd.Function`` is.

Subclass ``Function`` with two static methods and call the subclass's ``apply``::

    class Softplus(Function):
        @staticmethod
        def forward(ctx, x):  # x is a float: the input's value
            ctx.save_for_backward(x)
            return max(x, 0.0) + math.log1p(math.exp(-abs(x)))  # ln(1 + eˣ)

        @staticmethod
        def backward(ctx, grad_output):  # grad_output = ∂L/∂out, a float
            (x,) = ctx.saved_tensors
            return grad_output * (1.0 + math.tanh(x / 2.0)) / 2.0  # ∂L/∂out · sigmoid(x)

    y = Softplus.apply(v)  # a Value whose op is 'Softplus'

For a call ``out = f(x₁, …, xₙ)``, ``forward(ctx, x₁, …, xₙ)`` gets the inputs' values as
floats (it builds no graph, as PyTorch's forward records none) and returns ``out`` as a
float; ``backward(ctx, g)`` returns, for each argument of ``apply``, g · ∂f/∂xᵢ (a tuple,
or one number for a single argument; None for an argument that is not a Value). Values
among the arguments are the node's inputs (its ``parents``, in order); anything else (a
number, a flag) is passed to ``forward`` as it is, a constant with no gradient.

The node is an op of many inputs like ``autograd.sum``, so the backward pass, the fast
path, ``backward_steps``, drawing, hooks, anomaly mode and ``gradcheck`` take it as they
take a built-in op. They ask an op for its local derivatives ∂out/∂xᵢ; a Function's are
``backward(ctx, 1.0)``, which a ``Step`` shows as ``local``. Where upstream × local is
not finite the pass asks for the exact contributions instead, ``backward(ctx, upstream)``
(PyTorch's one call). The two agree because a correct backward is linear in
``grad_output``: g · ∂f/∂xᵢ.
"""

from __future__ import annotations

import inspect
import numbers
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

from autograd import ops
from autograd.anomaly import in_backward, in_forward
from autograd.engine import MANY_INPUTS, Value, node
from autograd.protocol import Node
from autograd.scalars import short_repr

__all__ = ["Function", "FunctionCtx", "once_differentiable"]

Backward = TypeVar("Backward", bound=Callable[..., Any])

# The exception types whose messages say nothing of where they came from ("math domain
# error"): raised in a Function's forward or backward, they are raised again, of the same
# type, with the Function and its inputs named. Other exceptions pass through untouched.
_PLAIN_ERRORS = (ValueError, ArithmeticError, ZeroDivisionError, OverflowError, FloatingPointError)


class FunctionCtx:
    """What ``forward`` and ``backward`` share for one call of ``apply`` (PyTorch's ``ctx``).

    ``save_for_backward(*values)`` keeps numbers for ``backward``, which reads them back as
    ``saved_tensors``; ``needs_input_grad`` says, for each argument of ``apply``, whether it
    is a Value (and so gets a gradient). Anything else can be stored as an attribute
    (``ctx.scale = 3.0``), as in PyTorch.
    """

    needs_input_grad: tuple[bool, ...]

    def __init__(self, function: type[Function], needs_input_grad: tuple[bool, ...]) -> None:
        self._function = function
        self.needs_input_grad = needs_input_grad
        self._saved: tuple[float | None, ...] = ()
        self._marked: tuple[object, ...] = ()
        self._in_forward = True

    def save_for_backward(self, *values: float | None) -> None:
        """Keep ``values`` (numbers, or None) for ``backward`` to read as ``saved_tensors``.
        Called in ``forward``; a second call replaces what the first saved."""
        where = f"{self._function.__name__}: save_for_backward"
        if not self._in_forward:
            raise RuntimeError(f"{where} is for forward; backward reads ctx.saved_tensors")
        for position, value in enumerate(values):
            if value is not None and not _is_number(value):
                raise TypeError(
                    f"{where} takes numbers (the values forward gets or returns) or None; "
                    f"argument {position} is {type(value).__name__} {short_repr(value)} "
                    f"(store anything else as an attribute of ctx, ctx.name = ...)"
                )
        self._saved = values

    @property
    def saved_tensors(self) -> tuple[float | None, ...]:
        """What ``save_for_backward`` saved, in order (``()`` if nothing was)."""
        return self._saved

    def mark_non_differentiable(self, *outputs: float) -> None:
        """Say that forward's output has no gradient (a rounding, a sign, an index): pass it
        the number forward returns. ``apply`` then returns a leaf, as PyTorch returns a
        tensor that does not require grad."""
        if not self._in_forward:
            raise RuntimeError(
                f"{self._function.__name__}: mark_non_differentiable is for forward, "
                f"with the output forward returns"
            )
        self._marked = outputs

    def __getattr__(self, name: str) -> Any:  # only for attributes that were never set
        if name.startswith("_"):  # (ours, or Python's protocols: copy, pickle)
            raise AttributeError(name)
        raise AttributeError(
            f"{self._function.__name__}: ctx has no attribute {name!r}; set it in forward "
            f"(ctx.{name} = ...) to read it in backward"
        )

    if TYPE_CHECKING:  # any attribute may be set, as in PyTorch (ctx.scale = 3.0)

        def __setattr__(self, name: str, value: Any) -> None: ...

    def __repr__(self) -> str:
        return f"<ctx of {self._function.__name__}, saved_tensors={self._saved!r}>"


class FunctionBackward(ops.NaryOp):
    """The op of one call of a ``Function``: its local derivatives come from ``backward``.

    Each Function subclass has its own subclass of this (``SoftplusBackward``, as PyTorch
    names its nodes), whose ``name`` is the Function's class name; each call makes one,
    holding that call's ``ctx`` and arguments.
    """

    __slots__ = ("ctx", "arguments")
    function: ClassVar[type[Function]]

    def __init__(self, ctx: FunctionCtx, arguments: tuple[object, ...]) -> None:
        self.ctx = ctx
        self.arguments = arguments

    def describe(self) -> str:
        """The Function's name, with its constants where it has any: ``Scale(·, 3)``."""
        if all(isinstance(x, Value) for x in self.arguments):
            return self.name
        shown = ("·" if isinstance(x, Value) else _constant_text(x) for x in self.arguments)
        return f"{self.name}({', '.join(shown)})"

    def local_derivatives(self, out: Node) -> tuple[float, ...]:
        """∂out/∂xᵢ for each Value among the arguments: ``backward(ctx, 1.0)``."""
        # In anomaly mode the backward pass itself adds where ``out`` was created to an
        # ArithmeticError or ValueError raised here (not to other errors, nor to those
        # raised by ``contributions``).
        return self._gradients(out, 1.0, name_site_of_math_errors=False)

    def contributions(self, out: Node, upstream: float) -> tuple[float, ...]:
        """upstream · ∂out/∂xᵢ for each Value among the arguments: ``backward(ctx, upstream)``."""
        return self._gradients(out, upstream, name_site_of_math_errors=True)

    def _gradients(
        self, out: Node, grad_output: float, name_site_of_math_errors: bool
    ) -> tuple[float, ...]:
        """``backward(ctx, grad_output)`` checked: one gradient per argument of ``apply``,
        a finite number or None (0) for each Value, None for everything else. In anomaly
        mode every error names the line that created ``out`` (``anomaly.in_backward``),
        an ArithmeticError or ValueError only if ``name_site_of_math_errors``."""

        def math_error(error: Exception) -> Exception:
            return in_backward(error, out) if name_site_of_math_errors else error

        function = self.function
        name = function.__name__
        if function.backward is Function.backward:
            raise in_backward(
                NotImplementedError(
                    f"{name}: backward is not defined; define @staticmethod "
                    f"backward(ctx, grad_output) returning one gradient per argument of apply"
                ),
                out,
            )
        call = f"{name}.backward(ctx, grad_output={grad_output!r})"
        try:
            returned = function.backward(self.ctx, grad_output)
        except _PLAIN_ERRORS as error:
            if type(error) not in _PLAIN_ERRORS:
                raise
            raised = type(error)(f"{call}: {error} ({_arguments_text(self.arguments)})")
            raise math_error(raised) from error
        gradients = returned if isinstance(returned, tuple | list) else (returned,)
        arguments = self.arguments
        if len(gradients) != len(arguments):
            raise in_backward(
                TypeError(
                    f"{call} returned {_count(len(gradients), 'gradient')} for "
                    f"{_count(len(arguments), 'argument')} of apply; return one per argument, "
                    f"None for an argument that is not a Value"
                ),
                out,
            )
        local: list[float] = []
        for position, (argument, gradient) in enumerate(zip(arguments, gradients, strict=True)):
            which = f"argument {position} ({_argument_text(argument)})"
            if not isinstance(argument, Value):
                if gradient is not None:
                    raise in_backward(
                        TypeError(
                            f"{call} returned {short_repr(gradient)} as the gradient of {which}, "
                            f"which is not a Value: return None for it"
                        ),
                        out,
                    )
                continue
            if gradient is None:  # no gradient: zero, as in PyTorch
                local.append(0.0)
                continue
            if not _is_number(gradient):
                raise in_backward(
                    TypeError(
                        f"{call} returned {type(gradient).__name__} {short_repr(gradient)} as "
                        f"the gradient of {which}; a gradient is a number (or None)"
                    ),
                    out,
                )
            try:
                value = float(gradient)
            except OverflowError:  # an int beyond a float
                raise in_backward(
                    OverflowError(
                        f"{call} returned {short_repr(gradient)} as the gradient of {which}, too "
                        f"large for a float"
                    ),
                    out,
                ) from None
            if value != value:
                raise math_error(ValueError(f"{call} returned nan as the gradient of {which}"))
            local.append(value)  # ±inf is left to the backward pass (see the module docs)
        return tuple(local)


class Function:
    """Base class of your own ops: subclass it with static ``forward(ctx, *inputs)`` and
    ``backward(ctx, grad_output)``, then call ``YourOp.apply(*inputs)`` (see the module
    docs). A Function is never instantiated, as in PyTorch."""

    _backward_op: ClassVar[type[FunctionBackward]]

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls._backward_op = type(
            f"{cls.__name__}Backward",
            (FunctionBackward,),
            {"__slots__": (), "name": cls.__name__, "function": cls, "__module__": cls.__module__},
        )

    def __init__(self, *args: object, **kwargs: object) -> None:
        name = type(self).__name__
        raise TypeError(
            f"{name}(...): a Function is not instantiated; call {name}.apply(x, ...) "
            f"with its inputs (forward and backward are static methods)"
        )

    @staticmethod
    def forward(ctx: Any, *args: Any, **kwargs: Any) -> Any:
        """The op's value from its inputs' values (floats): define it in the subclass."""
        raise NotImplementedError("define forward(ctx, *inputs) in a subclass of Function")

    @staticmethod
    def backward(ctx: Any, *grad_outputs: Any) -> Any:
        """grad_output · ∂out/∂xᵢ for each argument of ``apply``: define it in the subclass."""
        raise NotImplementedError("define backward(ctx, grad_output) in a subclass of Function")

    @classmethod
    def apply(cls, *args: Any, **kwargs: Any) -> Value:
        """``forward(ctx, *values)`` as a Value whose parents are the Values among ``args``
        and whose op is this class's name. A leaf when no argument is a Value, under
        ``no_grad()``, and when forward marks its output non-differentiable."""
        name = cls.__name__
        if cls is Function or cls.forward is Function.forward:
            raise NotImplementedError(
                f"{name}: forward is not defined; subclass Function with @staticmethod "
                f"forward(ctx, *inputs) and backward(ctx, grad_output)"
            )
        if kwargs:
            raise TypeError(
                f"{name}.apply takes its inputs as positional arguments, in forward's "
                f"order; got keyword arguments {', '.join(sorted(kwargs))}"
            )
        _check_arguments(name, args)
        ctx = FunctionCtx(cls, tuple(isinstance(x, Value) for x in args))
        op = cls._backward_op(ctx, args)
        values = [x._data if isinstance(x, Value) else x for x in args]
        try:
            out = cls.forward(ctx, *values)
        except TypeError:
            _check_signature(cls, ctx, values)
            raise
        except _PLAIN_ERRORS as error:
            if type(error) not in _PLAIN_ERRORS:
                raise
            raised = type(error)(f"{name}.forward: {error} ({_arguments_text(args)})")
            raise in_forward(raised, op) from error
        finally:
            ctx._in_forward = False
        data = _output(op, out, args)
        if ctx._marked:
            _check_marked(name, ctx._marked, data)
        inputs = tuple(x for x in args if isinstance(x, Value))
        if not inputs or ctx._marked:
            return Value(data)
        return node(data, op, inputs, MANY_INPUTS)  # a leaf under no_grad()


def once_differentiable(backward: Backward) -> Backward:
    """PyTorch's decorator for a ``backward`` that cannot itself be differentiated. Here
    ``backward`` always works on floats and builds no graph, so every backward is once
    differentiable: the decorator returns ``backward`` unchanged, and code written for
    PyTorch runs as it is."""
    return backward


# -- checks and messages ----------------------------------------------------------------


def _is_number(x: object) -> bool:
    """A real number other than a bool (bools are almost always a mistake in arithmetic)."""
    return isinstance(x, numbers.Real) and not isinstance(x, bool)


def _check_arguments(name: str, args: tuple[object, ...]) -> None:
    """Values hidden in a list or tuple would reach forward as Values, not floats."""
    for position, x in enumerate(args):
        if isinstance(x, list | tuple) and any(isinstance(v, Value) for v in x):
            raise TypeError(
                f"{name}.apply: argument {position} is a {type(x).__name__} of Values; pass "
                f"each Value as an argument of its own ({name}.apply(*values))"
            )


def _check_signature(cls: type[Function], ctx: FunctionCtx, values: list[object]) -> None:
    """After a TypeError in forward: if forward cannot take these arguments at all, say so."""
    try:
        signature = inspect.signature(cls.forward)
    except (TypeError, ValueError):  # a builtin or something else without a signature
        return
    try:
        signature.bind(ctx, *values)
    except TypeError:
        plain = signature.replace(  # the parameters alone, without their annotations
            parameters=[p.replace(annotation=p.empty) for p in signature.parameters.values()],
            return_annotation=signature.empty,
        )
        raise TypeError(
            f"{cls.__name__}.forward{plain} cannot take ctx and the "
            f"{_count(len(values), 'argument')} given to apply"
        ) from None


def _output(op: FunctionBackward, out: object, args: tuple[object, ...]) -> float:
    """forward's result as a finite float, or an error naming the Function and its inputs."""
    name = op.name
    if isinstance(out, Value) or not _is_number(out):
        hint = (
            "forward gets the inputs' values as floats and returns a float (compute it with "
            "math, not with Values)"
            if isinstance(out, Value)
            else "a Function has one output, a number"
        )
        raise in_forward(
            TypeError(
                f"{name}.forward returned {type(out).__name__} {short_repr(out)} for "
                f"{_arguments_text(args)}; {hint}"
            ),
            op,
        )
    try:
        data = float(out)  # type: ignore[arg-type]
    except OverflowError:
        raise in_forward(
            OverflowError(f"{name}.forward returned {short_repr(out)}, too large for a float"),
            op,
        ) from None
    if data - data:  # inf - inf and nan - nan are nan, which is truthy
        raise in_forward(
            ValueError(
                f"{name}.forward returned {data!r} for {_arguments_text(args)}; "
                f"a Value must be finite"
            ),
            op,
        )
    return data


def _check_marked(name: str, marked: tuple[object, ...], data: float) -> None:
    for x in marked:
        if not _is_number(x) or float(x) != data:  # type: ignore[arg-type]
            raise ValueError(
                f"{name}: mark_non_differentiable takes the output forward returns "
                f"({data!r}), got {short_repr(x)}"
            )


def _constant_text(x: object) -> str:
    """A constant as a drawing shows it: a number as the built-in ops show theirs."""
    if _is_number(x):
        try:
            return ops.constant_text(float(x))  # type: ignore[arg-type]
        except OverflowError:  # an int too large for a float
            pass
    return short_repr(x, 20)


def _argument_text(x: object) -> str:
    if isinstance(x, Value):
        return f"{x.label} = {x._data!r}" if x.label else repr(x._data)
    return f"constant {short_repr(x)}"


def _arguments_text(args: tuple[object, ...]) -> str:
    if not args:
        return "no arguments"
    return "arguments " + ", ".join(map(_argument_text, args))


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"
