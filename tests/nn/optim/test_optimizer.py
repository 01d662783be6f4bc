"""Optimizers and schedulers against numbers worked out by hand, and their errors.

Each update test sets gradients directly (or from a loss whose gradient is obvious) and
compares the parameter after one or two steps with the update rule written out in the
test itself, so a wrong sign, a missing bias correction or a dampening applied on the
first step shows up as a wrong number.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from typing import Any

import pytest

from autograd import Value, no_grad
from nn.optim import SGD, Adam, AdamW, Optimizer, RMSprop, lr_scheduler
from nn.optim.lr_scheduler import ExponentialLR, LambdaLR, LinearLR, StepLR

EPS = 1e-8


def approx(x: float) -> Any:
    return pytest.approx(x, rel=1e-13, abs=1e-15)


def step_with(opt: Optimizer, params: list[Value], grads: list[float]) -> None:
    """One step with the given gradients."""
    for p, g in zip(params, grads, strict=True):
        p.grad = g
    opt.step()


def run_one(opt: Optimizer, p: Value, grads: list[float]) -> list[float]:
    """p's value after each of len(grads) steps with those gradients."""
    values = []
    for g in grads:
        step_with(opt, [p], [g])
        values.append(p.data)
    return values


# -- SGD ------------------------------------------------------------------------------


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


def test_param_groups_use_their_own_hyperparameters() -> None:
    a, b, c = Value(1.0), Value(1.0), Value(1.0)
    opt = SGD([{"params": [a, b]}, {"params": [c], "lr": 0.5}], lr=0.1)
    step_with(opt, [a, b, c], [1.0, 2.0, 1.0])
    assert (a.data, b.data, c.data) == (approx(0.9), approx(0.8), approx(0.5))
    d = Value(1.0)
    opt.add_param_group({"params": d, "momentum": 0.9})  # a single Value is accepted
    assert opt.param_groups[2]["lr"] == 0.1 and opt.param_groups[2]["momentum"] == 0.9
    step_with(opt, [a, b, c, d], [0.0, 0.0, 0.0, 1.0])
    assert d.data == approx(0.9)
    assert list(opt.state) == [d]  # only the group with momentum keeps a buffer


# -- Adam, AdamW ------------------------------------------------------------------------


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


# -- RMSprop --------------------------------------------------------------------------


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


# -- zero_grad, graphs, closures, non-finite updates -----------------------------------


def test_zero_grad_zeroes_every_group() -> None:
    a, b = Value(1.0), Value(2.0)
    opt = SGD([{"params": [a]}, {"params": [b], "lr": 0.5}], lr=0.1)
    a.grad, b.grad = 3.0, -4.0
    opt.zero_grad()
    assert (a.grad, b.grad) == (0.0, 0.0)


@pytest.mark.parametrize(
    "make", [SGD, lambda ps: SGD(ps, momentum=0.9), Adam, AdamW, RMSprop], ids=repr
)
def test_updates_record_no_graph(make: Callable[[list[Value]], Optimizer]) -> None:
    w, b = Value(0.5), Value(-0.3)
    opt = make([w, b])
    for _ in range(3):
        opt.zero_grad()
        ((w * 2.0 + b).tanh() - 1.0).backward()
        opt.step()
    assert w.is_leaf and b.is_leaf
    assert w.parents == () and b.parents == ()
    assert (w.data, b.data) != (0.5, -0.3)


def test_step_runs_the_closure_with_recording_on() -> None:
    p = Value(1.0)
    opt = SGD([p], lr=0.1)

    def closure() -> Value:
        opt.zero_grad()
        loss = (p - 3) ** 2
        loss.backward()
        return loss

    with no_grad():
        loss = opt.step(closure)
    assert loss is not None and loss.op == "pow" and loss.data == 4.0
    assert p.data == approx(1.4)


def test_a_non_finite_update_raises_and_changes_nothing() -> None:
    a, b = Value(1.0), Value(1.0)
    opt = SGD([a, b], lr=1e300, momentum=0.5)
    with pytest.raises(ValueError, match=r"SGD\.step: the update of .* is not finite.*Value\.data"):
        step_with(opt, [a, b], [1.0, 1e10])  # b: 1 - 1e310 is -inf
    assert (a.data, b.data) == (1.0, 1.0)  # a's update was fine, but is not applied either
    assert opt.state == {}


@pytest.mark.parametrize(
    "make",
    [lambda ps: Adam(ps, eps=0.0), lambda ps: RMSprop(ps, eps=0.0)],
    ids=["Adam", "RMSprop"],
)
def test_zero_over_zero_raises_value_error(make: Callable[[list[Value]], Optimizer]) -> None:
    p = Value(1.0)
    opt = make([p])  # eps = 0 and a zero gradient: 0/0, NaN in PyTorch
    with pytest.raises(ValueError, match=r"\.step: the update of .*Value\.data must stay finite"):
        step_with(opt, [p], [0.0])
    assert p.data == 1.0 and opt.state == {}


# -- state_dict -----------------------------------------------------------------------

FACTORIES: list[tuple[str, Callable[[list[Value]], Optimizer]]] = [
    ("SGD-momentum", lambda ps: SGD(ps, lr=0.05, momentum=0.9, nesterov=True)),
    ("Adam-amsgrad", lambda ps: Adam(ps, lr=0.05, amsgrad=True, weight_decay=0.1)),
    ("AdamW", lambda ps: AdamW(ps, lr=0.05)),
    ("RMSprop-centered", lambda ps: RMSprop(ps, lr=0.01, momentum=0.5, centered=True)),
]


def train(opt: Optimizer, w: Value, b: Value, steps: int) -> None:
    """Least squares fit of y = 2x - 1 on three points."""
    for _ in range(steps):
        opt.zero_grad()
        loss = sum(((w * x + b) - (2 * x - 1)) ** 2 for x in (-1.0, 0.5, 2.0))
        assert isinstance(loss, Value)
        loss.backward()
        opt.step()


@pytest.mark.parametrize("make", [f for _, f in FACTORIES], ids=[n for n, _ in FACTORIES])
def test_resuming_from_a_state_dict_matches_an_uninterrupted_run(
    make: Callable[[list[Value]], Optimizer],
) -> None:
    w, b = Value(0.3), Value(0.1)
    opt = make([w, b])
    train(opt, w, b, 5)
    saved = opt.state_dict()
    saved_step = saved["state"][0].get("step")
    w2, b2 = Value(w.data), Value(b.data)
    resumed = make([w2, b2])
    resumed.param_groups[0]["lr"] = 123.0  # overwritten by the load
    resumed.load_state_dict(saved)
    train(opt, w, b, 5)
    train(resumed, w2, b2, 5)
    assert (w2.data, b2.data) == (w.data, b.data)  # exactly: the same floats in the same order
    assert saved["state"][0].get("step") == saved_step  # a snapshot, not a view
    assert resumed.state_dict() == opt.state_dict()


def test_a_fresh_optimizer_would_not_match_so_the_resume_test_can_fail() -> None:
    w, b = Value(0.3), Value(0.1)
    opt = Adam([w, b], lr=0.05)
    train(opt, w, b, 5)
    w2, b2 = Value(w.data), Value(b.data)
    train(opt, w, b, 5)
    train(Adam([w2, b2], lr=0.05), w2, b2, 5)  # no state loaded: bias corrections restart
    assert (w2.data, b2.data) != (w.data, b.data)


def test_state_dict_layout() -> None:
    a, b, c = Value(1.0), Value(1.0), Value(1.0)
    opt = SGD([{"params": [a, b]}, {"params": [c], "lr": 0.5}], lr=0.1, momentum=0.9)
    step_with(opt, [a, b, c], [1.0, 2.0, 3.0])
    sd = opt.state_dict()
    assert sd["state"] == {i: {"momentum_buffer": g} for i, g in enumerate([1.0, 2.0, 3.0])}
    assert [g["params"] for g in sd["param_groups"]] == [[0, 1], [2]]
    assert sd["param_groups"][1] == {
        "lr": 0.5,
        "momentum": 0.9,
        "dampening": 0,
        "weight_decay": 0,
        "nesterov": False,
        "maximize": False,
        "params": [2],
    }


def test_load_state_dict_errors_leave_the_optimizer_unchanged() -> None:
    a, b, c = Value(1.0), Value(1.0), Value(1.0)
    two_groups = SGD([{"params": [a]}, {"params": [b]}], lr=0.1, momentum=0.9)
    one_group = SGD([a, b], lr=0.1, momentum=0.9)
    three_params = SGD([a, b, c], lr=0.1)
    adam = Adam([a, b], lr=0.1)
    step_with(adam, [a, b], [1.0, 1.0])
    before = adam.state_dict()
    with pytest.raises(ValueError, match="different number of parameter groups"):
        adam.load_state_dict(two_groups.state_dict())
    with pytest.raises(ValueError, match="doesn't match the size of optimizer's group"):
        adam.load_state_dict(three_params.state_dict())
    with pytest.raises(ValueError, match="group 0 has no betas, eps, amsgrad"):
        adam.load_state_dict(one_group.state_dict())
    bad = adam.state_dict()
    bad["state"][7] = {"step": 1.0}
    with pytest.raises(ValueError, match="state for parameter 7"):
        adam.load_state_dict(bad)
    bad = adam.state_dict()
    bad["param_groups"][0]["lr"] = -1.0
    with pytest.raises(ValueError, match=re.escape("Invalid learning rate: -1.0")):
        adam.load_state_dict(bad)
    assert adam.state_dict() == before


# -- argument errors ------------------------------------------------------------------

P = [Value(1.0)]

ARGUMENT_ERRORS: list[tuple[Callable[[], object], type[Exception], str]] = [
    (lambda: SGD(P, lr=-0.1), ValueError, "Invalid learning rate: -0.1"),
    (lambda: SGD(P, lr=math.nan), ValueError, "Invalid learning rate: nan"),
    (lambda: SGD(P, momentum=-0.5), ValueError, "Invalid momentum value: -0.5"),
    (lambda: SGD(P, weight_decay=-1e-4), ValueError, "Invalid weight_decay value: -0.0001"),
    (
        lambda: SGD(P, nesterov=True),
        ValueError,
        "Nesterov momentum requires a momentum and zero dampening",
    ),
    (
        lambda: SGD(P, momentum=0.9, dampening=0.1, nesterov=True),
        ValueError,
        "Nesterov momentum requires a momentum and zero dampening",
    ),
    (lambda: SGD([{"params": P, "lr": -1}]), ValueError, "Invalid learning rate: -1"),
    (lambda: Adam(P, lr=-0.1), ValueError, "Invalid learning rate: -0.1"),
    (lambda: Adam(P, eps=-1e-8), ValueError, "Invalid epsilon value: -1e-08"),
    (lambda: Adam(P, betas=(1.0, 0.999)), ValueError, "Invalid beta parameter at index 0: 1.0"),
    (lambda: Adam(P, betas=(0.9, -0.1)), ValueError, "Invalid beta parameter at index 1: -0.1"),
    (lambda: Adam(P, weight_decay=-0.1), ValueError, "Invalid weight_decay value: -0.1"),
    (lambda: Adam(P, betas=(0.9,)), ValueError, "betas must be a pair (beta1, beta2)"),  # type: ignore[arg-type]
    (lambda: AdamW(P, lr=-0.1), ValueError, "Invalid learning rate: -0.1"),
    (lambda: AdamW(P, weight_decay=-0.1), ValueError, "Invalid weight_decay value: -0.1"),
    (lambda: RMSprop(P, lr=-0.1), ValueError, "Invalid learning rate: -0.1"),
    (lambda: RMSprop(P, eps=-1.0), ValueError, "Invalid epsilon value: -1.0"),
    (lambda: RMSprop(P, momentum=-0.1), ValueError, "Invalid momentum value: -0.1"),
    (lambda: RMSprop(P, weight_decay=-0.1), ValueError, "Invalid weight_decay value: -0.1"),
    (lambda: RMSprop(P, alpha=-0.5), ValueError, "Invalid alpha value: -0.5"),
    # what params may be
    (
        lambda: SGD(Value(1.0)),  # type: ignore[arg-type]
        TypeError,
        "params argument given to the optimizer should be an iterable of Values, but got Value",
    ),
    (lambda: SGD(3.0), TypeError, "should be an iterable of Values, but got float"),  # type: ignore[arg-type]
    (lambda: SGD([]), ValueError, "optimizer got an empty parameter list"),
    (lambda: SGD({"params": P}), TypeError, "but got a dict: put the group in a list"),  # type: ignore[dict-item]
    (
        lambda: SGD([Value(1.0), 2.0]),  # type: ignore[list-item]
        TypeError,
        "optimizer can only optimize Values, but one of the params is float",
    ),
    (lambda: SGD({Value(1.0)}), TypeError, "need to be organized in ordered collections"),
    (lambda: SGD([Value(1.0) * 2]), ValueError, "can't optimize a non-leaf Value"),
    (lambda: SGD(P + P), ValueError, "a parameter group with duplicate parameters"),
    (
        lambda: SGD([{"params": P}, {"params": P}]),
        ValueError,
        "some parameters appear in more than one parameter group",
    ),
    (lambda: SGD(P).add_param_group([Value(1.0)]), TypeError, "param_group must be a dict"),  # type: ignore[arg-type]
    (lambda: SGD(P).add_param_group({"lr": 0.1}), KeyError, "must have a 'params' entry"),
    # schedulers
    (lambda: StepLR(P, step_size=1), TypeError, "list is not an Optimizer"),  # type: ignore[arg-type]
    (lambda: StepLR(SGD(P), step_size=0), ValueError, "step_size must be a positive integer"),
    (
        lambda: LinearLR(SGD(P), start_factor=0.0),
        ValueError,
        "Starting multiplicative factor expected to be greater than 0 and less or equal to 1.",
    ),
    (
        lambda: LinearLR(SGD(P), end_factor=1.5),
        ValueError,
        "Ending multiplicative factor expected to be between 0 and 1.",
    ),
    (
        lambda: LambdaLR(SGD(P), [lambda k: 1.0, lambda k: 0.5]),
        ValueError,
        "Expected 1 lr_lambdas, but got 2",
    ),
    (
        lambda: ExponentialLR(SGD(P), gamma=0.5, last_epoch=3),
        KeyError,
        "param 'initial_lr' is not specified in param_groups[0]",
    ),
]


@pytest.mark.parametrize(("make", "error", "message"), ARGUMENT_ERRORS)
def test_argument_errors(make: Callable[[], object], error: type[Exception], message: str) -> None:
    with pytest.raises(error, match=re.escape(message)):
        make()


def test_failed_add_param_group_adds_nothing() -> None:
    a, b = Value(1.0), Value(1.0)
    opt = SGD([a], lr=0.1)
    with pytest.raises(ValueError, match="Invalid learning rate"):
        opt.add_param_group({"params": [b], "lr": -0.5})
    assert len(opt.param_groups) == 1
    opt.add_param_group({"params": [b]})  # b is not taken by the failed attempt
    assert len(opt.param_groups) == 2


def test_repr_lists_each_group_like_torch() -> None:
    opt = SGD([Value(1.0)], lr=0.1)
    opt.add_param_group({"params": [Value(2.0)], "momentum": 0.9})
    assert repr(opt) == (
        "SGD (\n"
        "Parameter Group 0\n"
        "    dampening: 0\n    lr: 0.1\n    maximize: False\n    momentum: 0\n"
        "    nesterov: False\n    weight_decay: 0\n"
        "Parameter Group 1\n"
        "    dampening: 0\n    lr: 0.1\n    maximize: False\n    momentum: 0.9\n"
        "    nesterov: False\n    weight_decay: 0\n"
        ")"
    )


# -- schedulers -----------------------------------------------------------------------


def lr_sequence(scheduler: lr_scheduler.LRScheduler, steps: int) -> list[float]:
    """The first group's lr at construction and after each of ``steps`` steps."""
    lrs = [scheduler.get_last_lr()[0]]
    for _ in range(steps):
        scheduler.optimizer.step()
        scheduler.step()
        lrs.append(scheduler.get_last_lr()[0])
    assert lrs[-1] == scheduler.optimizer.param_groups[0]["lr"]
    return lrs


def test_step_lr() -> None:
    sched = StepLR(SGD([Value(1.0)], lr=1.0), step_size=2, gamma=0.5)
    assert lr_sequence(sched, 6) == [1.0, 1.0, 0.5, 0.5, 0.25, 0.25, 0.125]
    assert sched.last_epoch == 6


def test_exponential_lr() -> None:
    sched = ExponentialLR(SGD([Value(1.0)], lr=2.0), gamma=0.5)
    assert lr_sequence(sched, 4) == [2.0, 1.0, 0.5, 0.25, 0.125]


def test_linear_lr_warms_up_then_stays() -> None:
    sched = LinearLR(SGD([Value(1.0)], lr=0.2), start_factor=0.5, total_iters=4)
    factors = [0.5, 0.625, 0.75, 0.875, 1.0, 1.0, 1.0]  # 0.5 + 0.5·min(t, 4)/4
    assert lr_sequence(sched, 6) == [approx(0.2 * f) for f in factors]


def test_linear_lr_defaults() -> None:
    sched = LinearLR(SGD([Value(1.0)], lr=0.3))  # start 1/3, end 1, over 5 steps
    expected = [0.3 * (1 / 3 + (2 / 3) * min(t, 5) / 5) for t in range(8)]
    assert lr_sequence(sched, 7) == [approx(x) for x in expected]


def test_lambda_lr_micrograd_schedule_drives_the_steps() -> None:
    p = Value(0.0)
    opt = SGD([p], lr=1.0)
    sched = LambdaLR(opt, lambda k: 1.0 - 0.9 * k / 100)
    assert opt.param_groups[0]["initial_lr"] == 1.0
    lrs = lr_sequence(sched, 100)
    assert lrs[:4] == [1.0, approx(0.991), approx(0.982), approx(0.973)]
    assert lrs[100] == approx(0.1)
    # with grad 1 each step moves p by -lr: after 100 steps p = -(1.0 + 0.991 + … + 0.109)
    p.data, p.grad = 0.0, 1.0
    opt2 = SGD([p], lr=1.0)
    sched2 = LambdaLR(opt2, lambda k: 1.0 - 0.9 * k / 100)
    for _ in range(100):
        opt2.step()
        sched2.step()
    assert p.data == pytest.approx(-(100 * (1.0 + 0.109) / 2), rel=1e-12)


def test_lambda_lr_per_group_and_state_dict() -> None:
    opt = SGD([{"params": [Value(1.0)], "lr": 1.0}, {"params": [Value(1.0)], "lr": 0.1}])
    sched = LambdaLR(opt, [lambda k: 0.5**k, lambda k: 1.0 + k])
    for _ in range(3):
        opt.step()
        sched.step()
    assert sched.get_last_lr() == [0.125, approx(0.4)]
    assert sched.base_lrs == [1.0, 0.1]
    saved = sched.state_dict()
    assert saved["last_epoch"] == 3 and saved["lr_lambdas"] == [None, None]


def test_scheduler_state_dict_resumes_the_sequence() -> None:
    opt = SGD([Value(1.0)], lr=1.0)
    sched = StepLR(opt, step_size=3, gamma=0.1)
    for _ in range(4):
        opt.step()
        sched.step()
    saved_opt, saved = opt.state_dict(), sched.state_dict()
    opt2 = SGD([Value(1.0)], lr=1.0)
    sched2 = StepLR(opt2, step_size=1, gamma=0.5)  # different settings, overwritten
    opt2.load_state_dict(saved_opt)
    sched2.load_state_dict(saved)
    assert "optimizer" not in saved
    assert lr_sequence(sched2, 5) == lr_sequence(sched, 5)
    assert lr_sequence(sched, 0) == [approx(0.001)]  # at epoch 9: decayed at 3, 6 and 9


def test_resuming_a_scheduler_with_last_epoch() -> None:
    opt = SGD([Value(1.0)], lr=1.0)
    ExponentialLR(opt, gamma=0.5)
    opt.param_groups[0]["lr"] = 0.25  # as if two steps had been taken
    sched = ExponentialLR(opt, gamma=0.5, last_epoch=2)
    assert sched.last_epoch == 3 and sched.get_last_lr() == [0.25]  # the initial step keeps lr
    assert lr_sequence(sched, 1) == [0.25, 0.125]
