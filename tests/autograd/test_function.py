"""``autograd.Function``: your own op, as ``torch.autograd.Function``.

A Function's node takes part in everything a built-in op does: ``backward()`` on both
roads (the fast path and the reference), ``backward_steps``, ``trace``, ``draw``, hooks,
anomaly mode, ``gradcheck`` and training; it agrees with the same Function written for
PyTorch; and every mistake in writing or calling one is a clear error naming it.
"""

from __future__ import annotations

import copy
import inspect
import math
import re
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import pytest

import autograd
import nn
from autograd import Function, Value, gradcheck
from autograd.function import FunctionBackward, FunctionCtx, once_differentiable
from tests.autograd.fast.roads import fast_road_taken
from tests.helpers import assert_named_error, each_named_error


def sigmoid(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x))


class Softplus(Function):
    """softplus(x) = ln(1 + eˣ);  softplus'(x) = sigmoid(x)."""

    @staticmethod
    def forward(ctx: FunctionCtx, x: float) -> float:
        ctx.save_for_backward(x)
        return math.log1p(math.exp(x))

    @staticmethod
    def backward(ctx: FunctionCtx, grad_output: float) -> float:
        (x,) = ctx.saved_tensors
        assert x is not None
        return grad_output * sigmoid(x)


class MulSin(Function):
    """f(x, y) = x·y + sin x;  ∂f/∂x = y + cos x, ∂f/∂y = x."""

    @staticmethod
    def forward(ctx: FunctionCtx, x: float, y: float) -> float:
        ctx.save_for_backward(x, y)
        return x * y + math.sin(x)

    @staticmethod
    def backward(ctx: FunctionCtx, grad_output: float) -> tuple[float, float]:
        x, y = ctx.saved_tensors
        assert x is not None and y is not None
        return grad_output * (y + math.cos(x)), grad_output * x


class Scale(Function):
    """f(x; c) = c·x for a constant c;  ∂f/∂x = c, and no gradient for c."""

    @staticmethod
    def forward(ctx: FunctionCtx, x: float, c: float) -> float:
        ctx.c = c
        return c * x

    @staticmethod
    def backward(ctx: FunctionCtx, grad_output: float) -> tuple[float, None]:
        return grad_output * ctx.c, None


class Log(Function):
    """f(x) = ln x;  backward divides last, g / x, finite wherever the product is."""

    @staticmethod
    def forward(ctx: FunctionCtx, x: float) -> float:
        ctx.save_for_backward(x)
        return math.log(x)

    @staticmethod
    def backward(ctx: FunctionCtx, grad_output: float) -> float:
        (x,) = ctx.saved_tensors
        assert x is not None
        return grad_output / x


def softplus_by_ops(x: Value) -> Value:
    """The same function written with the built-in ops."""
    return (x.exp() + 1.0).log()


@contextmanager
def traced() -> Iterator[None]:
    """What a debugger does: with a tracer set, backward() runs the reference loop."""
    sys.settrace(lambda frame, event, arg: None)
    try:
        yield
    finally:
        sys.settrace(None)


def this_line() -> int:
    frame = inspect.currentframe()
    assert frame is not None and frame.f_back is not None
    return frame.f_back.f_lineno


# -- the node ----------------------------------------------------------------------------


def test_apply_makes_a_node_named_after_the_class() -> None:
    x = Value(0.5, label="x")
    y = Softplus.apply(x)
    assert y.data == math.log1p(math.exp(0.5))
    assert y.op == "Softplus" and not y.is_leaf
    assert y.parents == (x,)
    assert "op='Softplus'" in repr(y)
    op = y._op
    assert isinstance(op, FunctionBackward) and type(op).__name__ == "SoftplusBackward"
    assert repr(op) == "<op Softplus>" and op.describe() == "Softplus"
    assert op.ctx.saved_tensors == (0.5,)


def test_forward_gets_floats_and_constants_as_they_are() -> None:
    seen: list[tuple[object, ...]] = []

    class Record(Function):
        @staticmethod
        def forward(ctx: FunctionCtx, *args: object) -> float:
            seen.append((*args, ctx.needs_input_grad))
            return 1.0

        @staticmethod
        def backward(ctx: FunctionCtx, grad_output: float) -> tuple[float | None, ...]:
            return (grad_output, None, None, grad_output)

    x, y = Value(2), Value(-1.5)
    out = Record.apply(x, 3, "mode", y)
    assert seen == [(2.0, 3, "mode", -1.5, (True, False, False, True))]
    assert type(seen[0][0]) is float
    assert out.parents == (x, y)  # constants are part of the op, not nodes


def test_parents_are_the_values_in_order_with_repeats() -> None:
    x = Value(1.5)
    out = MulSin.apply(x, x)  # x·x + sin x
    assert out.parents == (x, x)
    out.backward()
    assert x.grad == (1.5 + math.cos(1.5)) + 1.5  # both edges, summed


def test_a_subclass_of_a_function_has_its_own_name() -> None:
    class Softer(Softplus):
        pass

    assert Softer.apply(Value(1.0)).op == "Softer"
    assert Softplus.apply(Value(1.0)).op == "Softplus"


def test_a_plain_def_forward_and_backward_work_as_in_pytorch() -> None:
    class Twice(Function):
        def forward(ctx, x):  # type: ignore[no-untyped-def, override]
            return 2.0 * x

        def backward(ctx, grad_output):  # type: ignore[no-untyped-def, override]
            return 2.0 * grad_output

    x = Value(3.0)
    y = Twice.apply(x)
    y.backward()
    assert (y.data, x.grad) == (6.0, 2.0)


def test_no_value_among_the_arguments_gives_a_leaf() -> None:
    y = Softplus.apply(0.5)
    assert y.is_leaf and y.data == math.log1p(math.exp(0.5))


def test_under_no_grad_the_result_is_a_leaf_and_backward_is_never_asked() -> None:
    calls: list[float] = []

    class Counted(Softplus):
        @staticmethod
        def backward(ctx: FunctionCtx, grad_output: float) -> float:
            calls.append(grad_output)
            return Softplus.backward(ctx, grad_output)

    x = Value(0.5)
    with autograd.no_grad():
        y = Counted.apply(x)
    assert y.is_leaf and y.data == Softplus.apply(x).data
    with pytest.raises(RuntimeError, match="computed under no_grad"):  # as for any op
        y.backward()
    assert calls == [] and x.grad == 0.0


def test_mark_non_differentiable_gives_a_leaf() -> None:
    class Round(Function):
        @staticmethod
        def forward(ctx: FunctionCtx, x: float) -> float:
            out = float(round(x))
            ctx.mark_non_differentiable(out)
            return out

        @staticmethod
        def backward(ctx: FunctionCtx, grad_output: float) -> float:
            raise AssertionError("never asked")

    x = Value(2.7)
    r = Round.apply(x)
    assert r.is_leaf and r.data == 3.0
    (r * x).backward()
    assert x.grad == 3.0  # only through x: the rounded value passes no gradient


def test_a_ctx_copies_and_names_only_what_was_set() -> None:
    x = Value(0.5)
    op = Scale.apply(x, 3.0)._op
    assert isinstance(op, FunctionBackward)
    copied = copy.copy(op.ctx)  # Python's protocols find no attribute they look for
    assert copied.c == 3.0 and copied.needs_input_grad == (True, False)
    assert_named_error(lambda: op.ctx.scale, AttributeError, r"Scale: ctx has no attribute")


def test_once_differentiable_is_accepted_and_changes_nothing() -> None:
    class Plain(Softplus):
        @staticmethod
        @once_differentiable
        def backward(ctx: FunctionCtx, grad_output: float) -> float:
            return Softplus.backward(ctx, grad_output)

    assert once_differentiable(Softplus.backward) is Softplus.backward
    a, b = Value(0.8), Value(0.8)
    Plain.apply(a).backward()
    Softplus.apply(b).backward()
    assert a.grad == b.grad != 0.0


# -- backward, on both roads ---------------------------------------------------------------


def expression(x: Value, y: Value, softplus: Callable[[Value], Value]) -> Value:
    """A graph that mixes a Function with built-in ops and uses its output twice."""
    s = softplus(x * y - 0.3)
    return (s * y + MulSin.apply(s, x).tanh()) * s


@pytest.mark.parametrize("road", ["fast", "reference"])
def test_backward_agrees_with_the_same_function_built_from_ops(road: str) -> None:
    x, y = Value(0.7), Value(-1.2)
    out = expression(x, y, Softplus.apply)
    with fast_road_taken() as answers:
        if road == "fast":
            out.backward()
        else:
            with traced():
                out.backward()
    assert answers == ([True] if road == "fast" else [])
    a, b = Value(0.7), Value(-1.2)
    expected = expression(a, b, softplus_by_ops)
    expected.backward()
    assert math.isclose(out.data, expected.data, rel_tol=1e-14)
    assert math.isclose(x.grad, a.grad, rel_tol=1e-12)
    assert math.isclose(y.grad, b.grad, rel_tol=1e-12)


def test_both_roads_and_the_steps_give_the_same_gradients_bit_for_bit() -> None:
    grads = []
    for run in ("fast", "reference", "steps"):
        x, y = Value(0.7), Value(-1.2)
        out = expression(x, y, Softplus.apply)
        if run == "fast":
            out.backward()
        elif run == "reference":
            with traced():
                out.backward()
        else:
            for _ in out.backward_steps():
                pass
        grads.append((x.grad, y.grad))
    assert grads[0] == grads[1] == grads[2]


def test_leaves_accumulate_over_two_passes() -> None:
    x = Value(0.25)
    y = Softplus.apply(x)
    y.backward()
    once = x.grad
    y.backward()
    assert once == sigmoid(0.25) and x.grad == 2 * once


def test_backward_is_asked_with_grad_output_one_for_the_local_derivatives() -> None:
    seen: list[float] = []

    class Seen(Softplus):
        @staticmethod
        def backward(ctx: FunctionCtx, grad_output: float) -> float:
            seen.append(grad_output)
            return Softplus.backward(ctx, grad_output)

    x = Value(0.5)
    (Seen.apply(x) * 3.0).backward()
    assert seen == [1.0]
    assert x.grad == 3.0 * sigmoid(0.5)


def test_where_the_local_derivative_overflows_backward_gets_the_upstream_gradient() -> None:
    # 1/x overflows at x = 5e-324, but upstream / x with upstream 1e-300 does not: the
    # pass asks backward(ctx, upstream), as the built-in log's exact form does.
    for road in ("fast", "reference"):
        x, same = Value(5e-324), Value(5e-324)
        with fast_road_taken() as answers:
            if road == "fast":
                (Log.apply(x) * 1e-300).backward()
            else:
                with traced():
                    (Log.apply(x) * 1e-300).backward()
        (same.log() * 1e-300).backward()
        assert answers == ([False] if road == "fast" else [])  # the fast loop declined
        assert x.grad == same.grad == 1e-300 / 5e-324
    x = Value(5e-324)
    steps = list((Log.apply(x) * 1e-300).backward_steps())
    step = steps[-1]
    assert step.node.op == "Log" and step.local == math.inf
    assert step.contribution == 1e-300 / 5e-324


def test_a_changed_input_is_caught_before_backward() -> None:
    x = Value(0.5, label="x")
    y = Softplus.apply(x)
    x.data = 2.0
    assert_named_error(y.backward, RuntimeError, r"input 0 of 'Softplus' \(x, now 2\.0\)")


# -- stepping, tracing, drawing --------------------------------------------------------------


def test_backward_steps_has_a_step_per_value_input() -> None:
    x, y = Value(0.4, label="x"), Value(-2.0, label="y")
    out = MulSin.apply(x, y)
    steps = list(out.backward_steps(gradient=2.0))
    assert [(s.node, s.position, s.input) for s in steps] == [(out, 0, x), (out, 1, y)]
    assert [s.local for s in steps] == [-2.0 + math.cos(0.4), 0.4]
    assert [s.upstream for s in steps] == [2.0, 2.0]
    assert [s.contribution for s in steps] == [2.0 * s.local for s in steps]
    assert (x.grad, y.grad) == (steps[0].contribution, steps[1].contribution)


def test_a_constant_is_not_a_step() -> None:
    x = Value(1.5, label="x")
    steps = list(Scale.apply(x, 4.0).backward_steps())
    assert [(s.input, s.local) for s in steps] == [(x, 4.0)]


def test_trace_names_the_function() -> None:
    x = Value(0.5, label="x")
    lines: list[str] = []

    class Lines:
        def write(self, text: str) -> None:
            lines.extend(text.splitlines())

    autograd.trace(Softplus.apply(x) * 2.0, file=Lines())  # type: ignore[arg-type]
    row = next(line for line in lines if "Softplus" in line)
    assert re.match(r"\s*1\s+v1 = Softplus\s+\[0\] x\s+2\s+0\.622459\s", row), row
    assert f"{sigmoid(0.5):.6g}" == "0.622459"


def test_draw_shows_the_op_and_its_local_derivatives() -> None:
    x, y = Value(0.4, label="x"), Value(-2.0, label="y")
    source = autograd.draw(MulSin.apply(x, y)).source
    assert re.search(r"v0_op \[label=MulSin ", source), source
    assert f'label="[0] ∂ {-2.0 + math.cos(0.4):.4g}"' in source
    assert f'label="[1] ∂ {0.4:.4g}"' in source
    one = autograd.draw(Softplus.apply(x)).source
    assert "label=Softplus " in one and f'label="∂ {sigmoid(0.4):.4g}"' in one


def test_draw_shows_the_constants_in_the_op_as_for_a_built_in_op() -> None:
    x = Value(1.5, label="x")
    assert 'label="Scale(·, 3)"' in autograd.draw(Scale.apply(x, 3.0)).source
    assert (x * 3.0)._op.describe() == "*3"  # type: ignore[union-attr]  # (the same number)
    op = MulSin.apply(x, Value(2.0))._op
    assert op is not None and op.describe() == "MulSin"  # no constants: the name alone

    class Tagged(Function):
        @staticmethod
        def forward(ctx: FunctionCtx, x: float, tag: object) -> float:
            return x

        @staticmethod
        def backward(ctx: FunctionCtx, grad_output: float) -> tuple[float, None]:
            return grad_output, None

    for tag, shown in [("mode", "Tagged(·, 'mode')"), (10**400, "Tagged(·, 10000000000000000...)")]:
        op = Tagged.apply(x, tag)._op
        assert op is not None and op.describe() == shown


def test_draw_at_a_step_runs_the_pass_through_the_function() -> None:
    x = Value(0.5, label="x")
    out = Softplus.apply(x) * 3.0
    source = autograd.draw(out, step=1).source
    assert "into input 0 of 'Softplus'" in source
    assert f"grad {3.0 * sigmoid(0.5):.4g}" in source
    assert x.grad == 0.0  # drawing leaves the gradients as they were


# -- hooks and anomaly mode ------------------------------------------------------------------


def test_a_hook_on_the_output_scales_what_flows_into_the_inputs() -> None:
    x = Value(0.5)
    y = Softplus.apply(x)
    handle = y.register_hook(lambda g: g * 10.0)
    try:
        with fast_road_taken() as answers:
            (y + 1.0).backward()
    finally:
        handle.remove()
    assert answers == [False]  # a hooked Value sends the pass to the reference
    assert x.grad == 10.0 * sigmoid(0.5)


def test_a_hook_on_an_input_sees_what_the_function_sent_it() -> None:
    x = Value(0.5)
    h = x * 2.0
    seen: list[float] = []
    handles = [h.register_hook(seen.append), x.register_hook(seen.append)]
    try:
        Softplus.apply(h).backward()
    finally:
        for handle in handles:
            handle.remove()
    assert seen == [sigmoid(1.0), 2.0 * sigmoid(1.0)]
    assert x.grad == 2.0 * sigmoid(1.0)


class Infinite(Function):
    @staticmethod
    def forward(ctx: FunctionCtx, x: float) -> float:
        return x

    @staticmethod
    def backward(ctx: FunctionCtx, grad_output: float) -> float:
        return grad_output * math.inf


class Dividing(Function):
    @staticmethod
    def forward(ctx: FunctionCtx, x: float) -> float:
        ctx.save_for_backward(x)
        return x

    @staticmethod
    def backward(ctx: FunctionCtx, grad_output: float) -> float:
        (x,) = ctx.saved_tensors
        assert x is not None
        return grad_output / x


def test_an_infinite_gradient_names_the_function_and_leaves_the_leaves() -> None:
    x = Value(0.5, label="x")
    x.grad = 0.25
    with fast_road_taken() as answers, pytest.raises(OverflowError) as caught:
        Infinite.apply(x).backward()
    assert answers == [False]
    assert "input 0 of 'Infinite' is not finite" in str(caught.value)
    assert "created at" not in str(caught.value)
    assert x.grad == 0.25


def test_anomaly_mode_names_the_line_that_called_apply_for_an_infinite_gradient() -> None:
    with autograd.detect_anomaly():
        x = Value(0.5)
        line = this_line() + 1
        y = Infinite.apply(x)
        with pytest.raises(OverflowError) as caught:
            y.backward()
    message = str(caught.value)
    assert "input 0 of 'Infinite' is not finite" in message
    assert f"'Infinite' created at {__file__}:{line}" in message
    assert "y = Infinite.apply(x)" in message


def test_anomaly_mode_names_the_line_that_called_apply_when_backward_raises() -> None:
    with autograd.detect_anomaly():
        x = Value(0.0, label="x")
        line = this_line() + 1
        y = Dividing.apply(x)
        with pytest.raises(ZeroDivisionError) as caught:
            y.backward()
    message = str(caught.value)
    assert "Dividing.backward(ctx, grad_output=1.0): float division by zero" in message
    assert "arguments x = 0.0" in message
    assert f"'Dividing' created at {__file__}:{line}" in message
    assert isinstance(caught.value.__cause__, ZeroDivisionError)  # the original error


def test_anomaly_mode_names_the_line_for_a_wrong_count_of_gradients() -> None:
    with autograd.detect_anomaly():
        line = this_line() + 1
        y = TWO_GRADIENTS.apply(Value(1.0))
        with pytest.raises(TypeError) as caught:
            y.backward()
    message = str(caught.value)
    assert "returned 2 gradients for 1 argument" in message
    assert f"created at {__file__}:{line}" in message


def test_anomaly_mode_names_the_line_for_a_failing_forward() -> None:
    with autograd.detect_anomaly(), pytest.raises(ValueError) as caught:
        line = this_line() + 1
        Log.apply(Value(-1.0))
    message = str(caught.value)
    assert "Log.forward: math domain error (arguments -1.0)" in message
    assert f"(in 'Log' at {__file__}:{line}" in message


# -- gradcheck and training ------------------------------------------------------------------


def test_gradcheck_passes_a_correct_function() -> None:
    for point in (-3.0, -0.5, 0.0, 0.7, 4.0):
        assert gradcheck(Softplus.apply, [Value(point)])
    assert gradcheck(MulSin.apply, [Value(0.3), Value(-1.1)])
    assert gradcheck(lambda x: Scale.apply(x, -2.5), [Value(0.9)])


def test_gradcheck_catches_a_wrong_backward() -> None:
    class WrongSoftplus(Softplus):
        @staticmethod
        def backward(ctx: FunctionCtx, grad_output: float) -> float:
            (x,) = ctx.saved_tensors
            assert x is not None
            return grad_output * math.exp(x)  # softplus' is sigmoid, not exp

    with pytest.raises(AssertionError, match=r"gradcheck: input 0: backward\(\) gives"):
        gradcheck(WrongSoftplus.apply, [Value(0.5)])

    class WrongSecond(MulSin):
        @staticmethod
        def backward(ctx: FunctionCtx, grad_output: float) -> tuple[float, float]:
            gx, gy = MulSin.backward(ctx, grad_output)
            return gx, -gy

    with pytest.raises(AssertionError, match=r"gradcheck: input 1:"):
        gradcheck(WrongSecond.apply, [Value(0.3), Value(-1.1)])


class LogCosh(Function):
    """f(r) = ln cosh r, computed without overflow;  f'(r) = tanh r."""

    @staticmethod
    def forward(ctx: FunctionCtx, r: float) -> float:
        ctx.save_for_backward(r)
        a = abs(r)
        return a + math.log1p(math.exp(-2.0 * a)) - math.log(2.0)

    @staticmethod
    def backward(ctx: FunctionCtx, grad_output: float) -> float:
        (r,) = ctx.saved_tensors
        assert r is not None
        return grad_output * math.tanh(r)


def log_cosh_loss(predictions: Sequence[Value], targets: Sequence[float]) -> Value:
    return autograd.mean([LogCosh.apply(p - t) for p, t in zip(predictions, targets, strict=True)])


def log_cosh_by_ops(predictions: Sequence[Value], targets: Sequence[float]) -> Value:
    """The same loss with the built-in ops: ln cosh r = ln(eʳ + e⁻ʳ) - ln 2."""
    terms = [
        ((p - t).exp() + (t - p).exp()).log() - math.log(2.0)
        for p, t in zip(predictions, targets, strict=True)
    ]
    return autograd.mean(terms)


def test_a_loss_made_of_a_function_trains_a_model_as_the_same_loss_made_of_ops() -> None:
    X, y = nn.data.line()
    trained = []
    for loss in (log_cosh_loss, log_cosh_by_ops):
        model = nn.Linear(1, 1, init="zeros")
        optimizer = nn.optim.Adam(model.parameters(), lr=0.2)
        history = nn.fit(model, X, y, loss=loss, optimizer=optimizer, epochs=1000, verbose=0)
        trained.append((history["loss"], [p.data for p in model.parameters()]))
    (losses, params), (losses_by_ops, params_by_ops) = trained
    assert losses[-1] < 1e-6 < losses[0]  # it learned y = 2x + 1
    assert [round(p, 4) for p in params] == [2.0, 1.0]
    assert max(abs(a - b) for a, b in zip(params, params_by_ops, strict=True)) < 1e-9
    assert max(abs(a - b) for a, b in zip(losses, losses_by_ops, strict=True)) < 1e-9


# -- against PyTorch ---------------------------------------------------------------------------


def docs_forward(ctx: Any, x: Any, y: Any, z: int) -> Any:
    """The example of ``FunctionCtx.save_for_backward`` in PyTorch's documentation."""
    w = x * y * z
    out = x * y + y * z + w
    ctx.save_for_backward(x, y, w, out)
    ctx.z = z  # z is not a tensor
    return out


def docs_backward(ctx: Any, grad_out: Any) -> Any:
    x, y, w, out = ctx.saved_tensors  # noqa: RUF059  (as the documentation has it)
    z = ctx.z
    gx = grad_out * (y + y * z)
    gy = grad_out * (x + z + x * z)
    gz = None
    return gx, gy, gz


def function_class(base: type, name: str, forward: Any, backward: Any) -> Any:
    methods = {"forward": staticmethod(forward), "backward": staticmethod(backward)}
    return type(name, (base,), methods)


def torch_softplus(torch: Any) -> Any:
    def forward(ctx: Any, x: Any) -> Any:
        ctx.save_for_backward(x)
        return torch.log1p(torch.exp(x))

    def backward(ctx: Any, grad_output: Any) -> Any:
        (x,) = ctx.saved_tensors
        return grad_output * torch.sigmoid(x)

    return function_class(torch.autograd.Function, "Softplus", forward, backward)


def torch_mul_sin(torch: Any) -> Any:
    def forward(ctx: Any, x: Any, y: Any) -> Any:
        ctx.save_for_backward(x, y)
        return x * y + torch.sin(x)

    def backward(ctx: Any, grad_output: Any) -> Any:
        x, y = ctx.saved_tensors
        return grad_output * (y + torch.cos(x)), grad_output * x

    return function_class(torch.autograd.Function, "MulSin", forward, backward)


def leaf(torch: Any, x: float) -> Any:
    return torch.tensor(x, dtype=torch.float64, requires_grad=True)


@pytest.mark.torch
@pytest.mark.parametrize("point", [-4.0, -0.6, 0.0, 0.5, 3.0])
def test_softplus_matches_the_same_function_in_torch(point: float, torch: Any) -> None:
    x = Value(point)
    out = Softplus.apply(x).tanh() * 2.0
    out.backward()
    t = leaf(torch, point)
    tout = torch_softplus(torch).apply(t).tanh() * 2.0
    tout.backward()
    assert math.isclose(out.data, tout.item(), rel_tol=1e-14, abs_tol=1e-15)
    assert math.isclose(x.grad, t.grad.item(), rel_tol=1e-13, abs_tol=1e-15)


@pytest.mark.torch
@pytest.mark.parametrize(("x0", "y0"), [(0.7, -1.3), (2.0, 3.0), (-0.4, 0.9)])
def test_a_two_input_function_matches_torch(x0: float, y0: float, torch: Any) -> None:
    x, y = Value(x0), Value(y0)
    out = MulSin.apply(x, y) * MulSin.apply(y, x)
    out.backward()
    tx, ty = leaf(torch, x0), leaf(torch, y0)
    TorchMulSin = torch_mul_sin(torch)
    tout = TorchMulSin.apply(tx, ty) * TorchMulSin.apply(ty, tx)
    tout.backward()
    assert math.isclose(out.data, tout.item(), rel_tol=1e-14)
    assert math.isclose(x.grad, tx.grad.item(), rel_tol=1e-13)
    assert math.isclose(y.grad, ty.grad.item(), rel_tol=1e-13)


@pytest.mark.torch
def test_pytorchs_documentation_example_runs_as_written_and_agrees(torch: Any) -> None:
    Func = function_class(Function, "Func", docs_forward, docs_backward)
    TorchFunc = function_class(torch.autograd.Function, "Func", docs_forward, docs_backward)
    a, b, c = Value(1.0), Value(2.0), 4
    d = Func.apply(a, b, c)
    d.backward()
    ta, tb = leaf(torch, 1.0), leaf(torch, 2.0)
    td = TorchFunc.apply(ta, tb, c)
    td.backward()
    assert d.op == "Func" and d.parents == (a, b)
    assert (d.data, a.grad, b.grad) == (td.item(), ta.grad.item(), tb.grad.item())


@pytest.mark.torch
def test_mark_non_differentiable_matches_torch(torch: Any) -> None:
    def forward(ctx: Any, x: Any) -> Any:
        out = round(x) if isinstance(x, float) else torch.round(x)
        ctx.mark_non_differentiable(out)
        return out

    def backward(ctx: Any, grad_output: Any) -> Any:
        return grad_output

    Round = function_class(Function, "Round", forward, backward)
    TorchRound = function_class(torch.autograd.Function, "Round", forward, backward)
    x, t = Value(2.7), leaf(torch, 2.7)
    r, tr = Round.apply(x), TorchRound.apply(t)
    assert r.is_leaf and not tr.requires_grad
    (r * x + x).backward()
    (tr * t + t).backward()
    assert (r.data, x.grad) == (tr.item(), t.grad.item())


# -- mistakes, each a clear error naming the Function ------------------------------------------


def returning(value: object) -> type[Function]:
    """A Function whose forward returns ``value``."""

    def forward(ctx: FunctionCtx, *args: float) -> object:
        return value

    return function_class(Function, "Broken", forward, Softplus.backward)  # type: ignore[no-any-return]


def backward_returning(value: Callable[[float], object], name: str = "Broken") -> type[Function]:
    """A Function (its forward returns 1.0) whose backward returns ``value(grad_output)``."""

    def forward(ctx: FunctionCtx, *args: float) -> float:
        return 1.0

    def backward(ctx: FunctionCtx, grad_output: float) -> object:
        return value(grad_output)

    return function_class(Function, name, forward, backward)  # type: ignore[no-any-return]


TWO_GRADIENTS = backward_returning(lambda g: (g, g), "Twice")  # for one argument


class Empty(Function):
    """Neither forward nor backward."""


class NoBackward(Function):
    @staticmethod
    def forward(ctx: FunctionCtx, x: float) -> float:
        return x


class SavesInBackward(Function):
    @staticmethod
    def forward(ctx: FunctionCtx, x: float) -> float:
        return x

    @staticmethod
    def backward(ctx: FunctionCtx, grad_output: float) -> float:
        ctx.save_for_backward(grad_output)
        return grad_output


class ReadsWhatWasNeverSet(Function):
    @staticmethod
    def forward(ctx: FunctionCtx, x: float) -> float:
        return x

    @staticmethod
    def backward(ctx: FunctionCtx, grad_output: float) -> float:
        return grad_output * ctx.scale  # type: ignore[no-any-return]


def backward_of(function: type[Function], *args: object) -> Callable[[], None]:
    return lambda: function.apply(*args).backward()


def saving(value: object) -> type[Function]:
    def forward(ctx: FunctionCtx, x: float) -> float:
        ctx.save_for_backward(value)  # type: ignore[arg-type]
        return x

    return function_class(Function, "Saving", forward, Softplus.backward)  # type: ignore[no-any-return]


def marking(value: object) -> type[Function]:
    def forward(ctx: FunctionCtx, x: float) -> float:
        ctx.mark_non_differentiable(value)  # type: ignore[arg-type]
        return x

    return function_class(Function, "Marking", forward, Softplus.backward)  # type: ignore[no-any-return]


MISTAKES: list[tuple[str, Callable[[], object], type[BaseException], str]] = [
    # calling
    ("instantiated", lambda: Softplus(), TypeError, r"Softplus\(\.\.\.\): a Function is not "
     r"instantiated; call Softplus\.apply\(x, \.\.\.\)"),
    ("keyword arguments", lambda: Scale.apply(Value(1.0), c=2.0), TypeError,
     r"Scale\.apply takes its inputs as positional arguments.*got keyword arguments c"),
    ("too many arguments", lambda: Softplus.apply(Value(1.0), Value(2.0)), TypeError,
     r"Softplus\.forward\(ctx, x\) cannot take ctx and the 2 arguments"),
    ("too few arguments", lambda: MulSin.apply(Value(1.0)), TypeError,
     r"MulSin\.forward.* cannot take ctx and the 1 argument given to apply"),
    ("a list of Values", lambda: MulSin.apply([Value(1.0), Value(2.0)]), TypeError,
     r"MulSin\.apply: argument 0 is a list of Values; pass each Value as an argument"),
    ("the base class", lambda: Function.apply(Value(1.0)), NotImplementedError,
     r"Function: forward is not defined"),
    ("no forward", lambda: Empty.apply(Value(1.0)), NotImplementedError,
     r"Empty: forward is not defined"),
    # forward
    ("forward returns a str", lambda: returning("1.0").apply(Value(1.0)), TypeError,
     r"Broken\.forward returned str '1\.0' for arguments 1\.0; a Function has one output"),
    ("forward returns a Value", lambda: returning(Value(2.0)).apply(Value(1.0, label="x")),
     TypeError, r"Broken\.forward returned Value .* for arguments x = 1\.0; forward gets the "
     r"inputs' values as floats and returns a float"),
    ("forward returns a tuple", lambda: returning((1.0, 2.0)).apply(Value(1.0)), TypeError,
     r"Broken\.forward returned tuple \(1\.0, 2\.0\)"),
    ("forward returns None", lambda: returning(None).apply(Value(1.0)), TypeError,
     r"Broken\.forward returned NoneType None"),
    ("forward returns a bool", lambda: returning(True).apply(Value(1.0)), TypeError,
     r"Broken\.forward returned bool True"),
    ("forward returns nan", lambda: returning(math.nan).apply(Value(1.0)), ValueError,
     r"Broken\.forward returned nan for arguments 1\.0; a Value must be finite"),
    ("forward returns inf", lambda: returning(-math.inf).apply(Value(1.0), 3), ValueError,
     r"Broken\.forward returned -inf for arguments 1\.0, constant 3; a Value must be finite"),
    ("forward returns a huge int", lambda: returning(10**400).apply(Value(1.0)),
     OverflowError, r"Broken\.forward returned 1000.*, too large for a float"),
    ("forward overflows", lambda: Softplus.apply(Value(800.0, label="x")), OverflowError,
     r"Softplus\.forward: math range error \(arguments x = 800\.0\)"),
    ("forward outside its domain", lambda: Log.apply(Value(0.0)), ValueError,
     r"Log\.forward: math domain error \(arguments 0\.0\)"),
    ("saves a list", lambda: saving([1.0]).apply(Value(1.0)), TypeError,
     r"Saving: save_for_backward takes numbers .* argument 0 is list \[1\.0\]"),
    ("saves a Value", lambda: saving(Value(1.0)).apply(Value(1.0)), TypeError,
     r"Saving: save_for_backward takes numbers .* argument 0 is Value"),
    ("marks something else", lambda: marking(5.0).apply(Value(1.0)), ValueError,
     r"Marking: mark_non_differentiable takes the output forward returns \(1\.0\), got 5\.0"),
    # backward
    ("no backward", backward_of(NoBackward, Value(1.0)), NotImplementedError,
     r"NoBackward: backward is not defined; define @staticmethod backward\(ctx, grad_output\)"),
    ("two gradients for one argument", backward_of(TWO_GRADIENTS, Value(1.0)), TypeError,
     r"Twice\.backward\(ctx, grad_output=1\.0\) returned 2 gradients for 1 argument of apply; "
     r"return one per argument, None for"),
    ("one gradient for two arguments", backward_of(backward_returning(lambda g: g),
     Value(1.0), 2.0), TypeError, r"Broken\.backward.* returned 1 gradient for 2 arguments"),
    ("a gradient for a constant", backward_of(backward_returning(lambda g: (g, g)),
     Value(1.0), 2.0), TypeError, r"Broken\.backward\(ctx, grad_output=1\.0\) returned 1\.0 as "
     r"the gradient of argument 1 \(constant 2\.0\), which is not a Value: return None for it"),
    ("a str gradient", backward_of(backward_returning(lambda g: "g"), Value(1.0, label="x")),
     TypeError, r"Broken\.backward.* returned str 'g' as the gradient of argument 0 \(x = 1\.0\)"
     r"; a gradient is a number"),
    ("a Value gradient", backward_of(backward_returning(lambda g: Value(g)), Value(1.0)),
     TypeError, r"Broken\.backward.* returned Value"),
    ("a bool gradient", backward_of(backward_returning(lambda g: True), Value(1.0)),
     TypeError, r"Broken\.backward.* returned bool True"),
    ("a gradient too large for a float", backward_of(backward_returning(lambda g: 10**400),
     Value(1.0)), OverflowError, r"Broken\.backward.* returned 1000.* as the gradient of "
     r"argument 0 \(1\.0\), too large for a float"),
    ("a nan gradient", backward_of(backward_returning(lambda g: g * math.nan), Value(1.0)),
     ValueError, r"Broken\.backward\(ctx, grad_output=1\.0\) returned nan as the gradient of "
     r"argument 0 \(1\.0\)"),
    ("backward outside its domain", backward_of(Dividing, Value(0.0, label="x")),
     ZeroDivisionError, r"Dividing\.backward\(ctx, grad_output=1\.0\): float division by zero "
     r"\(arguments x = 0\.0\)"),
    ("saves in backward", backward_of(SavesInBackward, Value(1.0)), RuntimeError,
     r"SavesInBackward: save_for_backward is for forward"),
    ("reads what forward never set", backward_of(ReadsWhatWasNeverSet, Value(1.0)),
     AttributeError, r"ReadsWhatWasNeverSet: ctx has no attribute 'scale'; set it in forward "
     r"\(ctx\.scale = \.\.\.\)"),
]  # fmt: skip


@each_named_error(MISTAKES)
def test_mistakes_are_clear_errors_naming_the_function(
    call: Callable[[], object], error: type[BaseException], message: str
) -> None:
    assert_named_error(call, error, message)


@pytest.mark.parametrize("road", ["fast", "reference"])
def test_a_failed_pass_leaves_the_gradients_as_they_were(road: str) -> None:
    x, y = Value(1.0), Value(2.0)
    x.grad, y.grad = 0.5, -0.5
    out = TWO_GRADIENTS.apply(x) * y
    with pytest.raises(TypeError):
        if road == "fast":
            out.backward()
        else:
            with traced():
                out.backward()
    assert (x.grad, y.grad) == (0.5, -0.5)


def test_a_nan_from_backward_is_undefined_in_a_drawing() -> None:
    out = backward_returning(lambda g: g * math.nan).apply(Value(1.0))
    assert 'label="∂ undefined"' in autograd.draw(out).source
