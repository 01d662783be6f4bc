"""What every optimizer shares (``nn.optim.Optimizer``): parameter groups, zero_grad, no
graph recorded by an update, closures, non-finite updates, state dicts, argument errors and
repr, checked by hand and against torch.optim in float64 (the update rules of each optimizer
are in test_sgd.py, test_adam.py and test_rmsprop.py, worked out by hand).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from typing import Any

import pytest

from autograd import Value, no_grad
from nn.optim import SGD, Adam, AdamW, Optimizer, RMSprop
from tests.nn.optim import tiny_net
from tests.nn.optim.step_helpers import approx, step_with
from tests.nn.optim.tiny_net import TorchNet, ValueNet, assert_same_parameters, train_steps


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


@pytest.mark.torch
@pytest.mark.parametrize(
    ("ours", "theirs", "kwargs"), [c[1:] for c in CONFIGS], ids=[c[0] for c in CONFIGS]
)
def test_fifty_steps_match_torch(
    ours: type[Optimizer], theirs: str, kwargs: dict[str, Any], torch: Any
) -> None:
    net, tnet = ValueNet(), TorchNet(torch)
    losses = train_steps(ours(net.parameters(), **kwargs), net.loss)
    torch_losses = train_steps(getattr(torch.optim, theirs)(tnet.parameters(), **kwargs), tnet.loss)
    assert_same_parameters(net.parameters(), tnet.flat())
    assert losses[-1] != losses[0]  # it trained: the comparison is not of untouched weights
    assert math.isclose(losses[-1], torch_losses[-1], rel_tol=tiny_net.REL_TOL)


@pytest.mark.torch
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
    train_steps(opt, net.loss)
    train_steps(topt, tnet.loss)
    assert_same_parameters(net.parameters(), tnet.flat())


TORCH_ONLY_KEYS = {"foreach", "differentiable", "fused", "capturable"}


@pytest.mark.torch
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


@pytest.mark.torch
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


@pytest.mark.torch
@pytest.mark.parametrize(("name", "kwargs"), BAD_ARGUMENTS)
def test_argument_errors_have_torchs_words(name: str, kwargs: dict[str, Any], torch: Any) -> None:
    with pytest.raises(ValueError) as theirs:
        getattr(torch.optim, name)([torch.zeros(1, requires_grad=True)], **kwargs)
    ours_cls = {"SGD": SGD, "Adam": Adam, "AdamW": AdamW, "RMSprop": RMSprop}[name]
    with pytest.raises(ValueError) as ours:
        ours_cls([Value(0.0)], **kwargs)
    assert str(ours.value) == str(theirs.value)
