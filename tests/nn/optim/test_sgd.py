"""``nn.optim.SGD``: plain, momentum, dampening, Nesterov, weight decay and maximize, against
the update rule written out by hand."""

from __future__ import annotations

from autograd import Value
from nn.optim import SGD
from tests.nn.optim.step_helpers import approx, run_one


def test_sgd_plain_follows_the_gradient_of_a_loss() -> None:
    p = Value(1.0)
    opt = SGD([p], lr=0.1)
    for expected in (1.4, 1.72):  # loss (p - 3)²: grad 2(p - 3) = -4.0, then -3.2
        opt.zero_grad()
        loss = (p - 3) ** 2
        loss.backward()
        opt.step()
        assert p.data == approx(expected)
    assert opt.state == {}  # no momentum, no state


def test_sgd_momentum_buffer_starts_at_the_gradient_then_dampens() -> None:
    p = Value(1.0)
    opt = SGD([p], lr=0.1, momentum=0.9, dampening=0.5)
    # step 1: buf = g = 0.5 (no dampening yet); p = 1 - 0.1·0.5
    # step 2: buf = 0.9·0.5 + (1 - 0.5)·0.2 = 0.55; p = 0.95 - 0.1·0.55
    assert run_one(opt, p, [0.5, 0.2]) == [approx(0.95), approx(0.895)]
    assert opt.state[p]["momentum_buffer"] == approx(0.55)


def test_sgd_nesterov() -> None:
    p = Value(1.0)
    opt = SGD([p], lr=0.1, momentum=0.9, nesterov=True)
    # step 1: buf = 0.5; g = 0.5 + 0.9·0.5 = 0.95; p = 1 - 0.095
    # step 2: buf = 0.9·0.5 + 0.2 = 0.65; g = 0.2 + 0.9·0.65 = 0.785; p = 0.905 - 0.0785
    assert run_one(opt, p, [0.5, 0.2]) == [approx(0.905), approx(0.8265)]


def test_sgd_weight_decay_and_maximize() -> None:
    p = Value(2.0)
    opt = SGD([p], lr=0.1, weight_decay=0.1)
    assert run_one(opt, p, [0.5]) == [approx(2.0 - 0.1 * (0.5 + 0.1 * 2.0))]
    q = Value(2.0)
    opt = SGD([q], lr=0.1, maximize=True)
    assert run_one(opt, q, [0.5]) == [approx(2.05)]  # up the gradient
