"""``no_grad`` and ``enable_grad``: when ops record their inputs, nested, and restored after
an exception."""

from __future__ import annotations

import math

import pytest

from autograd import Value, enable_grad, is_grad_enabled, no_grad


def test_grad_enabled_by_default() -> None:
    assert is_grad_enabled()


def test_no_grad_results_are_leaves() -> None:
    x, w = Value(2.0), Value(-3.0)
    with no_grad():
        assert not is_grad_enabled()
        y = (x * w + 1).tanh()
        z = x**2
        q = 2 - x
    assert is_grad_enabled()
    for v in (y, z, q):
        assert v.is_leaf
        assert v.op is None
        assert v.parents == ()
    assert y.data == math.tanh(2.0 * -3.0 + 1.0)
    assert z.data == 4.0
    assert q.data == 0.0
    # results computed under no_grad are ordinary leaves afterwards
    (y * 2).backward()
    assert y.grad == 2.0
    assert x.grad == 0.0
    assert w.grad == 0.0


def test_no_grad_restores_after_exception() -> None:
    with pytest.raises(ZeroDivisionError), no_grad():
        assert not is_grad_enabled()
        _ = Value(1.0) / 0.0
    assert is_grad_enabled()
    y = Value(1.0) * 2
    assert y.op == "mul"


def test_no_grad_restores_after_unrelated_exception() -> None:
    class Boom(Exception):
        pass

    with pytest.raises(Boom), no_grad():
        raise Boom
    assert is_grad_enabled()


def test_nested_no_grad() -> None:
    with no_grad():
        with no_grad():
            assert not is_grad_enabled()
        assert not is_grad_enabled()
        assert (Value(1.0) + 1).is_leaf
    assert is_grad_enabled()


def test_enable_grad_inside_no_grad() -> None:
    x = Value(2.0)
    with no_grad():
        assert (x * 3).is_leaf
        with enable_grad():
            assert is_grad_enabled()
            y = x * 3
        assert not is_grad_enabled()
        z = x * 3
    assert is_grad_enabled()
    assert y.op == "mul"
    assert y.parents[0] is x
    assert z.is_leaf
    y.backward()
    assert x.grad == 3.0


def test_enable_grad_restores_after_exception() -> None:
    with no_grad():
        with pytest.raises(ValueError), enable_grad():
            Value(-1.0).log()
        assert not is_grad_enabled()
    assert is_grad_enabled()


def test_no_grad_as_update_step() -> None:
    w = Value(1.0)
    loss = (w * 3 - 6) ** 2  # d/dw = 2·(3w - 6)·3 = -18 at w = 1
    loss.backward()
    assert w.grad == -18.0
    with no_grad():
        w.data = (w - 0.1 * w.grad).data
    assert w.data == pytest.approx(2.8)
    assert w.is_leaf


def test_backward_on_a_result_made_under_no_grad_raises_as_pytorch_does() -> None:
    w = Value(0.5, label="w")
    with no_grad():
        y = w * 2.0 + 1.0
        y.label = "y"
    for start in (y.backward, y.backward_steps):
        with pytest.raises(RuntimeError, match=r"'y' \(2\.0\) was computed under no_grad\(\)"):
            start()
    assert w.grad == 0.0


def test_a_leaf_you_made_still_differentiates_to_one() -> None:
    x = Value(3.0)
    x.backward()
    assert x.grad == 1.0
    with no_grad():
        z = Value(2.0)  # made by you, not computed: a leaf as any other
    z.backward()
    assert z.grad == 1.0
    d = (x * 2.0).detach()
    d.backward()
    assert d.grad == 1.0
