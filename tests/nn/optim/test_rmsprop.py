"""``nn.optim.RMSprop``: plain, centered, momentum and weight decay, against the update rule
written out by hand."""

from __future__ import annotations

import math

from autograd import Value
from nn.optim import RMSprop
from tests.nn.optim.step_helpers import EPS, approx, run_one


def test_rmsprop_first_steps() -> None:
    p = Value(1.0)
    values = run_one(RMSprop([p], lr=0.01), p, [0.5, -1.0])
    # s = 0.01·0.25 = 0.0025, √s = 0.05;  then s = 0.99·0.0025 + 0.01·1 = 0.012475
    assert values[0] == approx(1.0 - 0.01 * 0.5 / (0.05 + EPS))
    assert values[1] == approx(values[0] + 0.01 * 1.0 / (math.sqrt(0.012475) + EPS))


def test_rmsprop_centered_subtracts_the_squared_mean() -> None:
    p = Value(1.0)
    opt = RMSprop([p], lr=0.01, centered=True)
    (value,) = run_one(opt, p, [0.5])
    # s = 0.0025, ḡ = 0.01·0.5 = 0.005, s - ḡ² = 0.002475
    assert value == approx(1.0 - 0.01 * 0.5 / (math.sqrt(0.002475) + EPS))
    assert opt.state[p] == {"step": 1.0, "square_avg": approx(0.0025), "grad_avg": approx(0.005)}


def test_rmsprop_momentum_and_weight_decay() -> None:
    p = Value(1.0)
    opt = RMSprop([p], lr=0.01, momentum=0.9, weight_decay=0.2)
    values = run_one(opt, p, [0.3, -0.5])
    g1 = 0.3 + 0.2 * 1.0
    s1 = 0.01 * g1 * g1
    b1 = g1 / (math.sqrt(s1) + EPS)  # the buffer starts at 0, unlike SGD's
    assert values[0] == approx(1.0 - 0.01 * b1)
    g2 = -0.5 + 0.2 * values[0]
    s2 = 0.99 * s1 + 0.01 * g2 * g2
    b2 = 0.9 * b1 + g2 / (math.sqrt(s2) + EPS)
    assert values[1] == approx(values[0] - 0.01 * b2)
