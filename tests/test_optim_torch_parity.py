"""The optimizers and schedulers against torch.optim in float64: same model, same result.

A 2-3-1 tanh network is written out twice, once with ``autograd.Value``s and once with
float64 tensors, from the same initial weights. Both are trained for 50 steps on the same
six points with the same optimizer settings; every parameter must then agree to 1e-10
relative. The two sides compute the gradients with different summation orders and tanh
implementations (last-bit differences) and the updates in the same arithmetic, so
anything but a last-bits difference means a different update rule.
"""

from __future__ import annotations

import math
import random
import re
from collections.abc import Callable
from typing import Any

import pytest

from autograd import Value
from nn.optim import SGD, Adam, AdamW, Optimizer, RMSprop, lr_scheduler
from nn.optim.lr_scheduler import LRScheduler

pytestmark = pytest.mark.torch  # every test here compares with torch.optim

STEPS = 50
REL_TOL, ABS_TOL = 1e-10, 1e-14

X = [(0.5, -1.0), (-0.3, 0.8), (1.2, 0.4), (-1.5, -0.6), (0.0, 1.1), (0.9, -0.2)]
Y = [0.7, -0.4, 0.9, -0.8, 0.1, 0.5]
_rng = random.Random(1234)
W1 = [[_rng.uniform(-1, 1) for _ in range(2)] for _ in range(3)]
B1 = [_rng.uniform(-0.5, 0.5) for _ in range(3)]
W2 = [[_rng.uniform(-1, 1) for _ in range(3)]]
B2 = [_rng.uniform(-0.5, 0.5)]


class ValueNet:
    """y = W2·tanh(W1·x + b1) + b2 in Values; ``layers`` are the parameters by tensor."""

    def __init__(self) -> None:
        self.w1 = [[Value(w) for w in row] for row in W1]
        self.b1 = [Value(b) for b in B1]
        self.w2 = [[Value(w) for w in row] for row in W2]
        self.b2 = [Value(b) for b in B2]

    def first_layer(self) -> list[Value]:
        return [w for row in self.w1 for w in row] + self.b1

    def second_layer(self) -> list[Value]:
        return [w for row in self.w2 for w in row] + self.b2

    def parameters(self) -> list[Value]:
        return self.first_layer() + self.second_layer()

    def loss(self) -> Value:
        total: Value | float = 0.0
        for (x0, x1), y in zip(X, Y, strict=True):
            hidden = [
                (w[0] * x0 + w[1] * x1 + b).tanh() for w, b in zip(self.w1, self.b1, strict=True)
            ]
            out = sum((w * h for w, h in zip(self.w2[0], hidden, strict=True)), self.b2[0])
            total = total + (out - y) ** 2
        assert isinstance(total, Value)
        return total / len(X)


class TorchNet:
    """The same network as float64 tensors, in the same parameter order."""

    def __init__(self, torch: Any) -> None:
        self.torch = torch

        def leaf(data: list[Any]) -> Any:
            return torch.tensor(data, dtype=torch.float64, requires_grad=True)

        self.w1, self.b1, self.w2, self.b2 = leaf(W1), leaf(B1), leaf(W2), leaf(B2)
        self.x = torch.tensor(X, dtype=torch.float64)
        self.y = torch.tensor(Y, dtype=torch.float64)

    def first_layer(self) -> list[Any]:
        return [self.w1, self.b1]

    def second_layer(self) -> list[Any]:
        return [self.w2, self.b2]

    def parameters(self) -> list[Any]:
        return self.first_layer() + self.second_layer()

    def loss(self) -> Any:
        out = self.torch.tanh(self.x @ self.w1.T + self.b1) @ self.w2.T + self.b2
        return ((out.squeeze(1) - self.y) ** 2).mean()

    def flat(self) -> list[float]:
        return [float(x) for p in self.parameters() for x in p.detach().flatten()]


def train(opt: Any, loss: Callable[[], Any], sched: Any = None) -> list[float]:
    """STEPS steps; returns the losses, which work the same way on both sides."""
    losses = []
    for _ in range(STEPS):
        opt.zero_grad()
        value = loss()
        value.backward()
        opt.step()
        if sched is not None:
            sched.step()
        losses.append(float(value.item()))
    return losses


def assert_same_parameters(ours: list[Value], theirs: list[float]) -> None:
    assert len(ours) == len(theirs) == 13
    for i, (p, t) in enumerate(zip(ours, theirs, strict=True)):
        assert math.isclose(p.data, t, rel_tol=REL_TOL, abs_tol=ABS_TOL), (i, p.data, t)


def initial() -> list[float]:
    return [w for row in W1 for w in row] + B1 + [w for row in W2 for w in row] + B2


# (name, ours, torch's, keyword arguments): every optimizer and a spread of options.
CONFIGS: list[tuple[str, type[Optimizer], str, dict[str, Any]]] = [
    ("sgd", SGD, "SGD", {"lr": 0.1}),
    ("sgd-momentum", SGD, "SGD", {"lr": 0.1, "momentum": 0.9}),
    ("sgd-dampening", SGD, "SGD", {"lr": 0.1, "momentum": 0.9, "dampening": 0.3}),
    ("sgd-nesterov", SGD, "SGD", {"lr": 0.1, "momentum": 0.8, "nesterov": True}),
    ("sgd-weight-decay", SGD, "SGD", {"lr": 0.1, "momentum": 0.5, "weight_decay": 0.05}),
    ("sgd-maximize", SGD, "SGD", {"lr": 0.02, "momentum": 0.5, "maximize": True}),
    ("adam", Adam, "Adam", {"lr": 0.02}),
    ("adam-betas", Adam, "Adam", {"lr": 0.02, "betas": (0.8, 0.9), "eps": 1e-6}),
    ("adam-weight-decay", Adam, "Adam", {"lr": 0.02, "weight_decay": 0.1}),
    ("adam-amsgrad", Adam, "Adam", {"lr": 0.02, "amsgrad": True}),
    ("adam-maximize", Adam, "Adam", {"lr": 0.01, "maximize": True}),
    ("adamw", AdamW, "AdamW", {"lr": 0.02}),
    ("adamw-amsgrad", AdamW, "AdamW", {"lr": 0.02, "weight_decay": 0.3, "amsgrad": True}),
    ("rmsprop", RMSprop, "RMSprop", {"lr": 0.01}),
    ("rmsprop-momentum", RMSprop, "RMSprop", {"lr": 0.005, "momentum": 0.9}),
    ("rmsprop-centered", RMSprop, "RMSprop", {"lr": 0.01, "centered": True}),
    ("rmsprop-weight-decay", RMSprop, "RMSprop", {"lr": 0.01, "weight_decay": 0.1}),
    (
        "rmsprop-all",
        RMSprop,
        "RMSprop",
        {"lr": 0.005, "alpha": 0.9, "momentum": 0.5, "centered": True, "weight_decay": 0.05},
    ),
]


@pytest.mark.parametrize(
    ("ours", "theirs", "kwargs"), [c[1:] for c in CONFIGS], ids=[c[0] for c in CONFIGS]
)
def test_fifty_steps_match_torch(
    ours: type[Optimizer], theirs: str, kwargs: dict[str, Any], torch: Any
) -> None:
    net, tnet = ValueNet(), TorchNet(torch)
    losses = train(ours(net.parameters(), **kwargs), net.loss)
    torch_losses = train(getattr(torch.optim, theirs)(tnet.parameters(), **kwargs), tnet.loss)
    assert_same_parameters(net.parameters(), tnet.flat())
    assert losses[-1] != losses[0]  # it trained: the comparison is not of untouched weights
    assert math.isclose(losses[-1], torch_losses[-1], rel_tol=REL_TOL)


@pytest.mark.parametrize(
    ("ours", "theirs", "kwargs"),
    [
        (SGD, "SGD", {"lr": 0.1, "momentum": 0.9}),
        (Adam, "Adam", {"lr": 0.01, "amsgrad": True}),
        (RMSprop, "RMSprop", {"lr": 0.01, "centered": True}),
    ],
    ids=["sgd", "adam", "rmsprop"],
)
def test_param_groups_match_torch(
    ours: type[Optimizer], theirs: str, kwargs: dict[str, Any], torch: Any
) -> None:
    """Two groups: the first layer with its own lr and weight decay."""
    net, tnet = ValueNet(), TorchNet(torch)
    override = {"lr": kwargs["lr"] / 4, "weight_decay": 0.2}
    groups = [{"params": net.first_layer(), **override}, {"params": net.second_layer()}]
    opt = ours(groups, **kwargs)
    topt = getattr(torch.optim, theirs)(
        [{"params": tnet.first_layer(), **override}, {"params": tnet.second_layer()}], **kwargs
    )
    train(opt, net.loss)
    train(topt, tnet.loss)
    assert_same_parameters(net.parameters(), tnet.flat())


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


# -- the same layout and the same words ---------------------------------------------------

TORCH_ONLY_KEYS = {"foreach", "differentiable", "fused", "capturable"}


@pytest.mark.parametrize(
    ("ours", "theirs", "kwargs"), [c[1:] for c in CONFIGS], ids=[c[0] for c in CONFIGS]
)
def test_state_dict_keys_match_torch(
    ours: type[Optimizer], theirs: str, kwargs: dict[str, Any], torch: Any
) -> None:
    """Same hyperparameter names in each group, same state names for each parameter."""
    p, t = Value(0.5), torch.tensor([0.5], dtype=torch.float64, requires_grad=True)
    opt, topt = ours([p], **kwargs), getattr(torch.optim, theirs)([t], **kwargs)
    for _ in range(2):
        p.grad = 0.3
        t.grad = torch.tensor([0.3], dtype=torch.float64)
        opt.step()
        topt.step()
    sd, tsd = opt.state_dict(), topt.state_dict()
    assert set(sd["param_groups"][0]) == set(tsd["param_groups"][0]) - TORCH_ONLY_KEYS
    assert sd["param_groups"][0] == {
        k: v for k, v in tsd["param_groups"][0].items() if k not in TORCH_ONLY_KEYS
    }
    assert sd["state"].keys() == tsd["state"].keys()
    for index, state in sd["state"].items():  # none for plain SGD, on either side
        assert set(state) == set(tsd["state"][index])
        for key, value in state.items():
            assert math.isclose(value, float(tsd["state"][index][key]), rel_tol=1e-12), key


def test_repr_matches_torch_for_the_shared_keys(torch: Any) -> None:
    ours = repr(Adam([Value(1.0)], lr=0.1))
    theirs = repr(torch.optim.Adam([torch.zeros(1, requires_grad=True)], lr=0.1))
    keep = re.compile(r"^    (\w+):")
    theirs_lines = [
        line
        for line in theirs.splitlines()
        if not (m := keep.match(line)) or m.group(1) not in TORCH_ONLY_KEYS
    ]
    assert ours.splitlines() == theirs_lines


BAD_ARGUMENTS: list[tuple[str, dict[str, Any]]] = [
    ("SGD", {"lr": -0.1}),
    ("SGD", {"lr": 0.1, "momentum": -0.9}),
    ("SGD", {"lr": 0.1, "weight_decay": -1e-3}),
    ("SGD", {"lr": 0.1, "nesterov": True}),
    ("SGD", {"lr": 0.1, "momentum": 0.9, "dampening": 0.5, "nesterov": True}),
    ("Adam", {"lr": -1e-3}),
    ("Adam", {"eps": -1e-8}),
    ("Adam", {"betas": (1.0, 0.999)}),
    ("Adam", {"betas": (0.9, 1.5)}),
    ("Adam", {"weight_decay": -0.5}),
    ("AdamW", {"lr": -2.0}),
    ("AdamW", {"betas": (-0.1, 0.999)}),
    ("RMSprop", {"lr": -0.01}),
    ("RMSprop", {"eps": -1.0}),
    ("RMSprop", {"momentum": -0.1}),
    ("RMSprop", {"weight_decay": -0.1}),
    ("RMSprop", {"alpha": -0.99}),
]


@pytest.mark.parametrize(("name", "kwargs"), BAD_ARGUMENTS)
def test_argument_errors_have_torchs_words(name: str, kwargs: dict[str, Any], torch: Any) -> None:
    with pytest.raises(ValueError) as theirs:
        getattr(torch.optim, name)([torch.zeros(1, requires_grad=True)], **kwargs)
    ours_cls = {"SGD": SGD, "Adam": Adam, "AdamW": AdamW, "RMSprop": RMSprop}[name]
    with pytest.raises(ValueError) as ours:
        ours_cls([Value(0.0)], **kwargs)
    assert str(ours.value) == str(theirs.value)


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
