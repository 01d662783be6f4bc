"""``nn.optim.Adam`` and ``AdamW``: the first steps against the textbook rule, betas, weight
decay (added to the gradient, or applied to the parameter), amsgrad and maximize."""

from __future__ import annotations

import math

from autograd import Value
from nn.optim import Adam, AdamW
from tests.nn.optim.step_helpers import EPS, approx, run_one


def adam_by_hand(
    p: float, grads: list[float], lr: float, b1: float = 0.9, b2: float = 0.999
) -> list[float]:
    """The textbook Adam (Kingma & Ba), with m̂ = m/(1 - β₁ᵗ), v̂ = v/(1 - β₂ᵗ)."""
    m = v = 0.0
    out = []
    for t, g in enumerate(grads, start=1):
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
        m_hat, v_hat = m / (1 - b1**t), v / (1 - b2**t)
        p = p - lr * m_hat / (math.sqrt(v_hat) + EPS)
        out.append(p)
    return out


def test_adam_first_steps() -> None:
    p = Value(1.0)
    values = run_one(Adam([p], lr=0.1), p, [0.5, -1.0])
    # step 1: m̂ = g, v̂ = g², so the step is lr·g/(|g| + ε): about lr against the gradient
    assert values[0] == approx(1.0 - 0.1 * 0.5 / (0.5 + EPS))
    # step 2: m = 0.9·0.05 - 0.1 = -0.055, v = 0.999·0.00025 + 0.001 = 0.00124975
    m_hat, v_hat = -0.055 / (1 - 0.81), 0.00124975 / (1 - 0.998001)
    assert values[1] == approx(values[0] - 0.1 * m_hat / (math.sqrt(v_hat) + EPS))
    assert values == [approx(x) for x in adam_by_hand(1.0, [0.5, -1.0], lr=0.1)]


def test_adam_state_is_floats_with_a_float_step() -> None:
    p = Value(1.0)
    opt = Adam([p], lr=0.1)
    run_one(opt, p, [0.5, -1.0])
    assert opt.state[p] == {
        "step": 2.0,
        "exp_avg": approx(-0.055),
        "exp_avg_sq": approx(0.00124975),
    }
    assert all(type(x) is float for x in opt.state[p].values())


def test_adam_other_betas_and_maximize() -> None:
    p = Value(1.0)
    grads = [0.3, 0.7, -0.2]
    values = run_one(Adam([p], lr=0.05, betas=(0.5, 0.75)), p, grads)
    assert values == [approx(x) for x in adam_by_hand(1.0, grads, lr=0.05, b1=0.5, b2=0.75)]
    q = Value(1.0)
    values = run_one(Adam([q], lr=0.05, maximize=True), q, grads)
    assert values == [approx(x) for x in adam_by_hand(1.0, [-g for g in grads], lr=0.05)]


def test_adam_weight_decay_is_added_to_the_gradient() -> None:
    p = Value(1.0)
    (value,) = run_one(Adam([p], lr=0.1, weight_decay=0.5), p, [0.5])
    # g = 0.5 + 0.5·1.0 = 1.0, and the first step is lr·g/(|g| + ε)
    assert value == approx(1.0 - 0.1 * 1.0 / (1.0 + EPS))


def test_adamw_decays_the_parameter_directly() -> None:
    p = Value(1.0)
    (value,) = run_one(AdamW([p], lr=0.1, weight_decay=0.5), p, [0.5])
    # p ← 1.0·(1 - 0.1·0.5) = 0.95, then Adam's step with the raw gradient 0.5
    assert value == approx(0.95 - 0.1 * 0.5 / (0.5 + EPS))
    assert AdamW([Value(0.0)]).defaults["weight_decay"] == 0.01


def test_amsgrad_keeps_the_largest_second_moment() -> None:
    grads = [2.0, 0.0]  # v falls on step 2: 0.004, then 0.999·0.004
    plain, ams = Value(1.0), Value(1.0)
    run_one(Adam([plain], lr=0.1), plain, grads)
    opt = Adam([ams], lr=0.1, amsgrad=True)
    run_one(opt, ams, grads)
    p1 = 1.0 - 0.1 * 2.0 / (2.0 + EPS)
    m_hat = 0.9 * 0.2 / (1 - 0.81)
    v_max_hat = 0.004 / (1 - 0.998001)  # the step-1 value, not 0.003996
    assert ams.data == approx(p1 - 0.1 * m_hat / (math.sqrt(v_max_hat) + EPS))
    assert opt.state[ams]["max_exp_avg_sq"] == approx(0.004)
    assert plain.data == approx(p1 - 0.1 * m_hat / (math.sqrt(0.003996 / 0.001999) + EPS))
