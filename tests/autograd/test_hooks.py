"""``Value.register_hook``: PyTorch's gradient hooks on scalar Values.

A hook is called once per backward pass with its Value's complete gradient (for a leaf,
this pass's gradient, before it is added to ``.grad``); a number it returns replaces
the gradient, None leaves it. Expected numbers are worked out by hand, then the same
graphs are run through ``torch.Tensor.register_hook``.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any

import pytest

import autograd.hooks
from autograd import RemovableHandle, Value


@pytest.fixture(autouse=True)
def no_hooks_left_behind() -> Iterator[None]:
    """A test that fails before removing its hooks must not leave them to the next test
    (a registered hook keeps its Value alive and sends every backward through hooks)."""
    yield
    autograd.hooks.HOOKS.clear()


class Recorder:
    """A hook that records every gradient it sees and returns ``reply(grad)``."""

    def __init__(self, reply: object = None, times: float | None = None) -> None:
        self.seen: list[float] = []
        self.reply = reply
        self.times = times

    def __call__(self, grad: float) -> object:
        self.seen.append(grad)
        if self.times is not None:
            return grad * self.times
        return self.reply


# -- when a hook is called, and with what -----------------------------------------------


def test_register_hook_returns_a_removable_handle() -> None:
    x = Value(1.0)
    handle = x.register_hook(lambda g: None)
    assert isinstance(handle, RemovableHandle)
    handle.remove()


def test_interior_node_used_twice_is_called_once_with_the_summed_gradient() -> None:
    x = Value(0.5)
    h = x * 3.0  # 1.5, used by two ops
    y = h * h + h.sin()
    hook = Recorder()
    handle = h.register_hook(hook)
    y.backward()
    handle.remove()
    expected = 2.0 * 1.5 + math.cos(1.5)  # d(h² + sin h)/dh
    assert hook.seen == [pytest.approx(expected, rel=1e-12)]
    assert x.grad == pytest.approx(3.0 * expected, rel=1e-12)


def test_leaf_used_twice_is_called_once_with_this_passs_gradient() -> None:
    x = Value(3.0)
    x.grad = 100.0  # held from before: not part of what the hook sees
    hook = Recorder()
    handle = x.register_hook(hook)
    (x * x).backward()
    handle.remove()
    assert hook.seen == [6.0]
    assert x.grad == 106.0


def test_called_once_per_backward_pass() -> None:
    x = Value(2.0)
    y = x * 5.0
    hook = Recorder()
    handle = y.register_hook(hook)
    y.backward()
    y.backward()
    y.backward(gradient=3.0)
    handle.remove()
    assert hook.seen == [1.0, 1.0, 3.0]


def test_hook_on_root_sees_the_seed_gradient() -> None:
    x = Value(2.0)
    y = x.exp()
    hook = Recorder()
    handle = y.register_hook(hook)
    y.backward()
    y.backward(gradient=-2.5)
    handle.remove()
    assert hook.seen == [1.0, -2.5]


def test_hook_on_a_leaf_root() -> None:
    x = Value(2.0)
    hook = Recorder(times=10.0)
    handle = x.register_hook(hook)
    x.backward(gradient=0.5)
    handle.remove()
    assert hook.seen == [0.5]
    assert x.grad == 5.0


def test_hook_on_a_value_outside_the_graph_is_not_called() -> None:
    x, other = Value(2.0), Value(7.0)
    hook = Recorder()
    handle = other.register_hook(hook)
    (x * x).backward()
    handle.remove()
    assert hook.seen == []
    assert other.grad == 0.0


def test_hooks_run_in_backward_steps_too() -> None:
    x = Value(2.0)
    h = x * 3.0
    y = h * h  # dy/dh = 2h = 12
    hook = Recorder(times=0.5)
    handle = h.register_hook(hook)
    steps = list(y.backward_steps())
    handle.remove()
    assert hook.seen == [12.0]
    from_h = [s for s in steps if s.node is h]  # to x (the 3 is part of the op)
    assert [s.upstream for s in from_h] == [6.0]  # the replaced gradient flows on
    assert [s.contribution for s in from_h] == [18.0]
    assert x.grad == 18.0


# -- replacing the gradient -------------------------------------------------------------


def test_returning_a_number_replaces_an_interior_gradient() -> None:
    a, b = Value(2.0), Value(-3.0)
    p = a * b
    y = p * 4.0  # dy/dp = 4
    handle = p.register_hook(lambda g: g * 10.0)
    y.backward()
    handle.remove()
    # the inputs of p see 40 instead of 4
    assert a.grad == 40.0 * -3.0
    assert b.grad == 40.0 * 2.0


def test_replacement_reaches_every_input_downstream() -> None:
    x = Value(0.5)
    h = x * 2.0  # 1.0
    y = (h.tanh() + h) * 3.0
    handle = y.register_hook(lambda g: 0.0)  # cut the gradient at the root
    y.backward()
    handle.remove()
    assert (h.grad, x.grad) == (0.0, 0.0)


def test_returning_a_number_on_a_leaf_replaces_what_is_added_to_grad() -> None:
    x = Value(3.0)
    x.grad = 1.0
    handle = x.register_hook(lambda g: g + 0.25)
    (x * 2.0).backward()  # this pass: 2, replaced by 2.25, added to the held 1
    handle.remove()
    assert x.grad == 3.25


def test_returning_none_leaves_the_gradient() -> None:
    a, b = Value(2.0), Value(-3.0)
    p = a * b
    y = p.tanh()
    hook = Recorder(reply=None)
    handle = p.register_hook(hook)
    y.backward()
    handle.remove()
    d = 1.0 - math.tanh(-6.0) ** 2
    assert hook.seen == [pytest.approx(d, rel=1e-12)]
    assert a.grad == pytest.approx(-3.0 * d, rel=1e-12)
    assert b.grad == pytest.approx(2.0 * d, rel=1e-12)


def test_an_int_or_numpy_replacement_is_accepted() -> None:
    import numpy as np

    x = Value(3.0)
    y = x * 2.0
    handle = y.register_hook(lambda g: 5)
    y.backward()
    handle.remove()
    assert x.grad == 10.0
    handle = y.register_hook(lambda g: np.float64(0.5))
    y.backward()
    handle.remove()
    assert x.grad == 11.0
    assert type(x.grad) is float


def test_several_hooks_run_in_registration_order_each_seeing_the_last_reply() -> None:
    x = Value(1.0)
    y = x * 3.0
    calls: list[tuple[str, float]] = []

    def first(g: float) -> float:
        calls.append(("first", g))
        return g + 1.0

    def second(g: float) -> None:
        calls.append(("second", g))

    def third(g: float) -> float:
        calls.append(("third", g))
        return g * 2.0

    handles = [y.register_hook(f) for f in (first, second, third)]
    y.backward()
    for handle in handles:
        handle.remove()
    assert calls == [("first", 1.0), ("second", 2.0), ("third", 2.0)]
    assert x.grad == 4.0 * 3.0


# -- removing --------------------------------------------------------------------------


def test_remove_stops_the_hook_and_twice_is_fine() -> None:
    x = Value(2.0)
    y = x * x
    hook = Recorder(times=0.0)
    handle = y.register_hook(hook)
    y.backward()
    assert (hook.seen, x.grad) == ([1.0], 0.0)
    handle.remove()
    handle.remove()
    y.backward()
    assert hook.seen == [1.0]
    assert x.grad == 4.0


def test_removing_one_hook_keeps_the_others() -> None:
    x = Value(2.0)
    y = x * 1.0
    kept, removed = Recorder(times=2.0), Recorder(times=100.0)
    keep = y.register_hook(kept)
    drop = y.register_hook(removed)
    drop.remove()
    y.backward()
    keep.remove()
    assert (kept.seen, removed.seen) == ([1.0], [])
    assert x.grad == 2.0


def test_same_function_on_two_values_is_removed_from_one_only() -> None:
    x = Value(2.0)
    a = x * 1.0
    y = a * 1.0
    hook = Recorder()
    on_a = a.register_hook(hook)
    on_y = y.register_hook(hook)
    on_a.remove()
    y.backward()
    on_y.remove()
    assert hook.seen == [1.0]


def test_a_hook_that_removes_itself_does_not_skip_the_next_hook() -> None:
    # A one-shot hook. PyTorch 2.13 gives ["once", "always", "always"] for the same code.
    x = Value(2.0)
    y = x * 3.0
    seen: list[str] = []
    handle: RemovableHandle | None = None

    def once(g: float) -> None:
        seen.append("once")
        assert handle is not None
        handle.remove()

    def always(g: float) -> None:
        seen.append("always")

    handle = y.register_hook(once)
    other = y.register_hook(always)
    y.backward()
    y.backward()
    other.remove()
    assert seen == ["once", "always", "always"]


# -- errors ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("reply", "error"),
    [
        (float("nan"), ValueError),
        (float("inf"), ValueError),
        ("1.0", TypeError),
        (True, TypeError),
        (1j, TypeError),
    ],
)
def test_a_bad_replacement_is_an_error_naming_the_hook(reply: object, error: type) -> None:
    a, b = Value(2.0), Value(-3.0)
    a.grad = 0.5
    y = (a * b).tanh()
    handle = (y.parents[0]).register_hook(lambda g: reply)
    with pytest.raises(error, match="hook"):
        y.backward()
    handle.remove()
    assert (a.grad, b.grad) == (0.5, 0.0)  # a failed pass changes no leaf


def test_a_bad_replacement_on_a_leaf_is_an_error_and_changes_nothing() -> None:
    x = Value(2.0)
    x.grad = 1.5
    handle = x.register_hook(lambda g: float("nan"))
    with pytest.raises(ValueError, match="hook"):
        (x * x).backward()
    handle.remove()
    assert x.grad == 1.5


def test_an_exception_in_a_hook_propagates_and_changes_no_leaf() -> None:
    a, b = Value(2.0), Value(-3.0)
    b.grad = 4.0
    y = (a * b) * 2.0

    def boom(g: float) -> None:
        raise KeyError("from the hook")

    handle = y.register_hook(boom)
    with pytest.raises(KeyError, match="from the hook"):
        y.backward()
    handle.remove()
    assert (a.grad, b.grad) == (0.0, 4.0)


@pytest.mark.parametrize("not_a_function", [None, 3, "print", 1.5])
def test_registering_a_non_callable_is_a_type_error(not_a_function: object) -> None:
    x = Value(1.0)
    with pytest.raises(TypeError, match="hook"):
        x.register_hook(not_a_function)  # type: ignore[arg-type]
    x.backward()  # nothing was registered
    assert x.grad == 1.0


# -- against PyTorch -------------------------------------------------------------------


@pytest.mark.torch
def test_doubling_an_intermediate_gradient_matches_torch(torch: Any) -> None:
    def ours(hook_on_c: bool) -> tuple[list[float], list[float]]:
        a, b = Value(0.7), Value(-1.3)
        c = a * b
        d = c.tanh() + c * a  # c used twice, a used twice
        seen: list[float] = []
        handle = None
        if hook_on_c:
            handle = c.register_hook(lambda g: seen.append(g) or 2.0 * g)
        d.backward()
        if handle is not None:
            handle.remove()
        return [a.grad, b.grad], seen

    def theirs(hook_on_c: bool) -> tuple[list[float], list[float]]:
        a = torch.tensor(0.7, dtype=torch.float64, requires_grad=True)
        b = torch.tensor(-1.3, dtype=torch.float64, requires_grad=True)
        c = a * b
        d = c.tanh() + c * a
        seen: list[float] = []
        if hook_on_c:
            c.register_hook(lambda g: seen.append(float(g)) or 2.0 * g)
        d.backward()
        return [float(a.grad), float(b.grad)], seen

    plain, _ = ours(False)
    doubled, seen = ours(True)
    torch_plain, _ = theirs(False)
    torch_doubled, torch_seen = theirs(True)
    assert doubled != plain  # the hook changed something
    assert doubled == pytest.approx(torch_doubled, rel=1e-12)
    assert plain == pytest.approx(torch_plain, rel=1e-12)
    assert seen == pytest.approx(torch_seen, rel=1e-12)
    assert len(seen) == 1  # once, with the gradient from both uses
    # by hand: dd/dc = tanh'(c) + a, doubled; c's inputs then see it times b and a
    c = 0.7 * -1.3
    dc = 2.0 * (1.0 - math.tanh(c) ** 2 + 0.7)
    assert doubled == pytest.approx([dc * -1.3 + c, dc * 0.7], rel=1e-12)


@pytest.mark.torch
def test_leaf_and_root_hooks_match_torch(torch: Any) -> None:
    x = Value(0.4)
    y = x.sigmoid() * x
    seen_x: list[float] = []
    seen_y: list[float] = []
    hx = x.register_hook(lambda g: seen_x.append(g) or -g)
    hy = y.register_hook(lambda g: seen_y.append(g) or g + 1.0)
    y.backward(gradient=0.5)
    hx.remove()
    hy.remove()

    t = torch.tensor(0.4, dtype=torch.float64, requires_grad=True)
    u = t.sigmoid() * t
    t_seen_x: list[float] = []
    t_seen_y: list[float] = []
    t.register_hook(lambda g: t_seen_x.append(float(g)) or -g)
    u.register_hook(lambda g: t_seen_y.append(float(g)) or g + 1.0)
    u.backward(torch.tensor(0.5, dtype=torch.float64))

    assert seen_y == t_seen_y == [0.5]
    assert seen_x == pytest.approx(t_seen_x, rel=1e-12)
    assert x.grad == pytest.approx(float(t.grad), rel=1e-12)
    # by hand: y' = s + x s (1 - s); the root's gradient is 0.5 + 1, the leaf's negated
    s = 1.0 / (1.0 + math.exp(-0.4))
    assert x.grad == pytest.approx(-1.5 * (s + 0.4 * s * (1.0 - s)), rel=1e-12)
