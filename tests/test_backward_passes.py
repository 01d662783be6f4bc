"""One backward pass at a time, and what abandoning one does; finite answers where the
chain rule has one although a local derivative overflows a float."""

from __future__ import annotations

import math

import pytest
from conftest import require

from autograd import Value


def tanh_expression() -> tuple[Value, Value, Value, Value]:
    a, b, c = Value(2.0, label="a"), Value(-3.0, label="b"), Value(10.0, label="c")
    return (a * b + c).tanh() * c, a, b, c


def full_pass_gradients() -> tuple[float, float, float]:
    loss, a, b, c = tanh_expression()
    loss.backward()
    return a.grad, b.grad, c.grad


def test_an_abandoned_iterator_never_changes_a_later_pass() -> None:
    loss, a, b, c = tanh_expression()
    it = loss.backward_steps()
    next(it)
    loss.backward()  # abandons the unfinished pass, then runs its own
    expected = full_pass_gradients()
    assert (a.grad, b.grad, c.grad) == expected
    assert round(a.grad, 4) == -0.0402
    it = loss.backward_steps()  # the old iterator is dropped and finalised
    assert (a.grad, b.grad, c.grad) == expected


def test_an_abandoned_iterator_cannot_resume() -> None:
    loss, *_ = tanh_expression()
    it = loss.backward_steps()
    next(it)
    loss.backward()
    with pytest.raises(RuntimeError, match="abandoned when another backward pass began"):
        next(it)


def test_closing_an_iterator_puts_the_leaves_back() -> None:
    loss, a, b, c = tanh_expression()
    a.grad, b.grad = 1.5, -2.0  # held from an earlier pass
    it = loss.backward_steps()
    steps = [next(it) for _ in range(5)]
    assert steps[1].input is c and c.grad != 0.0  # c has this pass's contributions so far
    it.close()
    assert (a.grad, b.grad, c.grad) == (1.5, -2.0, 0.0)


def test_a_second_iterator_abandons_the_first() -> None:
    loss, a, b, c = tanh_expression()
    first = loss.backward_steps()
    next(first)
    second = loss.backward_steps()
    for _ in second:
        pass
    assert (a.grad, b.grad, c.grad) == full_pass_gradients()
    with pytest.raises(RuntimeError, match="abandoned"):
        next(first)
    assert (a.grad, b.grad, c.grad) == full_pass_gradients()


def test_a_finished_iterator_is_no_longer_in_progress() -> None:
    loss, a, b, c = tanh_expression()
    steps = list(loss.backward_steps())
    loss.backward()  # a second full pass: leaves accumulate
    once = full_pass_gradients()
    assert (a.grad, b.grad, c.grad) == tuple(2 * g for g in once)
    assert len(steps) == 7


# -- finite answers -------------------------------------------------------------------------

TINY = 5e-324  # the smallest subnormal: 1/TINY overflows a float


def torch_grad(torch: object, build: object) -> float:
    t = torch  # type: ignore[assignment]
    x = t.tensor(TINY, dtype=t.float64, requires_grad=True)  # type: ignore[attr-defined]
    build(x).backward()  # type: ignore[operator]
    return float(x.grad)


CASES = {
    "log times a tiny number": (lambda x: x.log() * 1e-300, 1e-300 / TINY),
    "x times log x": (lambda x: x * x.log(), math.log(TINY) + 1.0),
    "division by a subnormal": (lambda x: (x / TINY) * 1e-300, 1e-300 / TINY),
    "c over x": (lambda x: (1e-300 / (x * 1e300)) * 1e-300, None),
}


def test_a_small_power_of_a_subnormal_is_finite_where_torch_says_inf() -> None:
    # d/dx x**0.01 = 0.01 x**-0.99, beyond a float at x = 5e-324; times 1e-300 it is not
    # (torch 2.13 multiplies in that order and gives inf).
    x = Value(TINY)
    ((x**0.01) * 1e-300).backward()
    expected_log = math.log(0.01) - 0.99 * math.log(TINY) + math.log(1e-300)
    assert math.isclose(math.log(x.grad), expected_log, rel_tol=1e-12)


@pytest.mark.parametrize("name", list(CASES))
def test_a_finite_chain_rule_product_is_finite(name: str) -> None:
    build, expected = CASES[name]
    x = Value(TINY)
    build(x).backward()
    assert math.isfinite(x.grad)
    if expected is not None:
        assert math.isclose(x.grad, expected, rel_tol=1e-12)
    torch = require("torch")
    assert math.isclose(x.grad, torch_grad(torch, build), rel_tol=1e-12)


def test_division_of_zero_by_a_subnormal_as_the_issue_writes_it() -> None:
    x = Value(0.0)
    ((x / TINY) * 1e-300).backward()
    assert x.grad == 1e-300 / TINY
    torch = require("torch")
    z = torch.tensor(0.0, dtype=torch.float64, requires_grad=True)
    ((z / TINY) * 1e-300).backward()
    assert math.isclose(x.grad, float(z.grad), rel_tol=1e-12)


def test_stepping_shows_the_overflowing_local_derivative_and_the_exact_contribution() -> None:
    x = Value(TINY, label="x")
    loss = x.log() * 1e-300
    steps = list(loss.backward_steps())
    log_step = steps[-1]
    assert log_step.node.op == "log" and log_step.input is x
    assert log_step.upstream == 1e-300
    assert log_step.local == math.inf  # 1/x, beyond a float
    assert log_step.contribution == 1e-300 / TINY  # upstream / x, computed as a quotient
    assert x.grad == log_step.contribution


def test_a_product_that_really_overflows_still_raises_naming_the_op() -> None:
    x = Value(1e-200, label="x")
    y = 1 / x  # its derivative, -1/x² = -1e400, is beyond a float, and so is the gradient
    with pytest.raises(OverflowError, match=r"input 0 of 'div' is not finite(.|\n)*x = 1e-200"):
        y.backward()
    assert x.grad == 0.0
