"""``nn.optim.lr_scheduler``: StepLR, ExponentialLR, LinearLR and LambdaLR against sequences
worked out by hand and against torch.optim.lr_scheduler, state dicts and resuming."""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from typing import Any

import pytest

from autograd import Value
from nn.optim import SGD, lr_scheduler
from nn.optim.lr_scheduler import ExponentialLR, LambdaLR, LinearLR, LRScheduler, StepLR
from tests.nn.optim.step_helpers import approx
from tests.nn.optim.tiny_net import STEPS, TorchNet, ValueNet, assert_same_parameters, initial

P = [Value(1.0)]

ARGUMENT_ERRORS: list[tuple[Callable[[], object], type[Exception], str]] = [
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


SCHEDULES: list[tuple[str, Callable[[Any, Any], Any], dict[str, Any]]] = [
    ("StepLR", lambda lib, opt: lib.StepLR(opt, step_size=10, gamma=0.5), {"momentum": 0.9}),
    (
        "LambdaLR",  # micrograd's demo schedule: from 1.0 down to 0.1 over 100 steps
        lambda lib, opt: lib.LambdaLR(opt, lambda k: 1.0 - 0.9 * k / 100),
        {"lr": 0.3},
    ),
    ("LinearLR", lambda lib, opt: lib.LinearLR(opt, total_iters=20), {"momentum": 0.5}),
    ("ExponentialLR", lambda lib, opt: lib.ExponentialLR(opt, gamma=0.95), {}),
]


@pytest.mark.torch
@pytest.mark.parametrize(
    ("make", "extra"), [s[1:] for s in SCHEDULES], ids=[s[0] for s in SCHEDULES]
)
def test_schedulers_driving_sgd_match_torch(
    make: Callable[[Any, Any], Any], extra: dict[str, Any], torch: Any
) -> None:
    kwargs = {"lr": 0.2, **extra}
    net, tnet = ValueNet(), TorchNet(torch)
    opt, topt = SGD(net.parameters(), **kwargs), torch.optim.SGD(tnet.parameters(), **kwargs)
    sched: LRScheduler = make(lr_scheduler, opt)
    tsched = make(torch.optim.lr_scheduler, topt)
    lrs, tlrs = [sched.get_last_lr()], [tsched.get_last_lr()]
    for _ in range(STEPS):
        for o, loss in ((opt, net.loss), (topt, tnet.loss)):
            o.zero_grad()
            loss().backward()
            o.step()
        sched.step()
        tsched.step()
        lrs.append(sched.get_last_lr())
        tlrs.append(tsched.get_last_lr())
    assert len(set(map(tuple, lrs))) > 2  # the schedule did change the lr
    for ours, theirs in zip(lrs, tlrs, strict=True):
        assert math.isclose(ours[0], theirs[0], rel_tol=1e-13), (ours, theirs)
    assert sched.last_epoch == tsched.last_epoch == STEPS
    assert_same_parameters(net.parameters(), tnet.flat())
    assert [p.data for p in net.parameters()] != initial()


RESUMED: list[tuple[str, dict[str, Any]]] = [
    ("ExponentialLR", {"gamma": 0.5}),
    ("StepLR", {"step_size": 2}),
    ("LinearLR", {}),
]


@pytest.mark.torch
@pytest.mark.parametrize(("name", "kwargs"), RESUMED, ids=[r[0] for r in RESUMED])
def test_schedulers_resumed_with_last_epoch_match_torch(
    name: str, kwargs: dict[str, Any], torch: Any
) -> None:
    ours = SGD([Value(1.0)], lr=0.4)
    theirs = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.4)
    for group in (ours.param_groups[0], theirs.param_groups[0]):
        group["initial_lr"] = 0.8  # as a checkpoint taken at step 3 would have it
    s = getattr(lr_scheduler, name)(ours, last_epoch=3, **kwargs)
    t = getattr(torch.optim.lr_scheduler, name)(theirs, last_epoch=3, **kwargs)
    for _ in range(4):
        assert s.last_epoch == t.last_epoch
        assert s.get_last_lr() == pytest.approx(t.get_last_lr(), rel=1e-13)
        ours.step()
        theirs.step()
        s.step()
        t.step()


@pytest.mark.torch
@pytest.mark.parametrize(
    ("make", "kind"),
    [
        (lambda lib, opt: lib.StepLR(opt, step_size=3, gamma=0.3), "StepLR"),
        (lambda lib, opt: lib.LinearLR(opt, start_factor=0.25, end_factor=0.75), "LinearLR"),
        (lambda lib, opt: lib.ExponentialLR(opt, gamma=0.8), "ExponentialLR"),
        (lambda lib, opt: lib.LambdaLR(opt, [lambda k: 0.9**k, lambda k: 1 / (k + 1)]), "Lambda"),
    ],
    ids=lambda x: x if isinstance(x, str) else "",
)
def test_two_group_lr_sequences_match_torch(
    make: Callable[[Any, Any], Any], kind: str, torch: Any
) -> None:
    ours = SGD([{"params": [Value(1.0)]}, {"params": [Value(2.0)], "lr": 0.05}], lr=0.5)
    t1, t2 = torch.zeros(1, requires_grad=True), torch.zeros(1, requires_grad=True)
    theirs = torch.optim.SGD([{"params": [t1]}, {"params": [t2], "lr": 0.05}], lr=0.5)
    s, t = make(lr_scheduler, ours), make(torch.optim.lr_scheduler, theirs)
    for _ in range(12):
        assert s.get_last_lr() == pytest.approx(t.get_last_lr(), rel=1e-13), kind
        assert [g["lr"] for g in ours.param_groups] == s.get_last_lr()
        ours.step()
        theirs.step()
        s.step()
        t.step()
    assert s.state_dict()["base_lrs"] == t.state_dict()["base_lrs"]
