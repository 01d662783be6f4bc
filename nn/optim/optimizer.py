"""``Optimizer``: the base class that holds parameter groups and per-parameter state.

Every parameter is a scalar ``Value``, so an update rule is plain float arithmetic on
one number, its gradient and a few floats of state. A subclass writes that rule once,
in ``_update``; this class runs it over every parameter, checks the results and writes
them back, so that a step either happens completely or not at all.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from autograd import Value, enable_grad, no_grad
from nn.optim.arithmetic import Update, number

# One parameter group: {"params": [Value, ...], "lr": ..., <the other hyperparameters>}.
ParamGroup = dict[str, Any]
# What an optimizer accepts: Values (a model's ``parameters()``) or parameter groups, not
# both. (One Iterable of the union, rather than a union of Iterables, lets a type checker
# read a list of group dicts written in place as groups.)
Params = Iterable[Value | ParamGroup]
# Per-parameter state: floats only ("step", "exp_avg", "momentum_buffer", ...).
State = dict[str, float]

_Loss = TypeVar("_Loss")


class Optimizer:
    """Base class of the optimizers (``torch.optim.Optimizer``).

    ``params`` is an iterable of ``Value``s, or a list of parameter groups, dicts such as
    ``{"params": [w, b], "lr": 0.1}``; a hyperparameter a group leaves out takes its value
    from ``defaults``. A parameter may appear only once over all groups.

    ``param_groups`` is the list of groups (the hyperparameters can be changed between
    steps, which is what the schedulers in ``nn.optim.lr_scheduler`` do); ``state`` maps
    each parameter to its floats (``state[p]["exp_avg"]``), filled on the first ``step()``.

    Two differences from PyTorch, both because a ``Value``'s gradient is a float:
    ``state[p]["step"]`` is a float (1.0, 2.0, ...) rather than a tensor, and every
    parameter is updated on every step, since ``.grad`` is never None (it is 0.0 for a
    parameter the loss does not depend on, which weight decay and momentum still move;
    PyTorch skips parameters whose ``.grad`` is None).
    """

    def __init__(self, params: Params, defaults: dict[str, Any]) -> None:
        if isinstance(params, Value) or not isinstance(params, Iterable):
            raise TypeError(
                "params argument given to the optimizer should be an iterable of Values, "
                f"but got {type(params).__name__}"
            )
        if isinstance(params, (set, frozenset)):
            raise TypeError(_UNORDERED)
        if isinstance(params, dict):
            raise TypeError(
                "params argument given to the optimizer should be an iterable of Values or of "
                "parameter groups, but got a dict: put the group in a list, [group]"
            )
        self.defaults: dict[str, Any] = dict(defaults)
        self._check_hyperparameters(self.defaults)
        self.state: defaultdict[Value, State] = defaultdict(dict)
        self.param_groups: list[ParamGroup] = []
        groups: list[Any] = list(params)
        if not groups:
            raise ValueError("optimizer got an empty parameter list")
        if not isinstance(groups[0], dict):
            groups = [{"params": groups}]
        for group in groups:
            self.add_param_group(group)

    # -- what a subclass provides -----------------------------------------------------

    def _check_hyperparameters(self, group: dict[str, Any]) -> None:
        """Raise ValueError, in PyTorch's words, for a hyperparameter out of range.

        Runs on the defaults and on every group, so a group's own ``lr`` is checked too.
        """

    def _update(self, value: float, grad: float, state: State, group: ParamGroup) -> float:
        """One parameter's update: return its new value and fill ``state`` (a copy)."""
        raise NotImplementedError(f"{type(self).__name__} does not define an update rule")

    def formula(self, hyper: dict[str, Any], symbol: str = "w") -> list[str]:
        """The update rule in symbols, one line per assignment, for a group with the
        hyperparameters ``hyper`` (``["w ← w − lr·g"]`` for plain SGD). An optimizer
        that does not write out its rule gives ``[]``."""
        return []

    def arithmetic(self, update: Update, symbol: str = "w") -> list[str]:
        """``formula`` with one update's numbers put in, each line ending in its result
        (``["g = ∂L/∂w = −28", "w ← 0 − 0.05 × (−28) = 1.4"]``); the last line's result
        is ``update.after``. This base class shows only before → after."""
        return [
            f"{symbol} ← {number(update.after)} (was {number(update.before)}; "
            f"{type(self).__name__} writes out no arithmetic)"
        ]

    # -- parameter groups -------------------------------------------------------------

    def add_param_group(self, param_group: dict[str, Any]) -> None:
        """Add a group of parameters, with its own hyperparameters, to ``param_groups``."""
        if not isinstance(param_group, dict):
            raise TypeError(f"param_group must be a dict, but got {type(param_group).__name__}")
        if "params" not in param_group:
            raise KeyError("param_group must have a 'params' entry (the Values to optimize)")
        raw = param_group["params"]
        if isinstance(raw, (set, frozenset)):
            raise TypeError(_UNORDERED)
        params: list[Any] = [raw] if isinstance(raw, Value) else list(raw)
        for p in params:
            if not isinstance(p, Value):
                raise TypeError(
                    "optimizer can only optimize Values, "
                    f"but one of the params is {type(p).__name__}"
                )
            if not p.is_leaf:
                raise ValueError(
                    f"can't optimize a non-leaf Value (the output of '{p.op}'): "
                    "its .data cannot be assigned"
                )
        if len({id(p) for p in params}) != len(params):
            # PyTorch only warns; updating a parameter twice per step is never wanted.
            raise ValueError("optimizer contains a parameter group with duplicate parameters")
        taken = {id(p) for group in self.param_groups for p in group["params"]}
        if any(id(p) in taken for p in params):
            raise ValueError("some parameters appear in more than one parameter group")

        group: ParamGroup = {"params": params}
        for key, value in param_group.items():
            if key != "params":
                group[key] = value
        for key, default in self.defaults.items():
            group.setdefault(key, default)
        self._check_hyperparameters(group)
        self.param_groups.append(group)

    # -- the step ---------------------------------------------------------------------

    def zero_grad(self) -> None:
        """Set every parameter's ``.grad`` to 0.0 (gradients accumulate across backward())."""
        for group in self.param_groups:
            for p in group["params"]:
                p.grad = 0.0

    def step(self, closure: Callable[[], _Loss] | None = None) -> _Loss | None:
        """Update every parameter from its ``.grad``; return ``closure()``'s loss, if given.

        ``closure`` (optional) recomputes the loss and its gradients before the update;
        it runs with recording on. The updates themselves record no graph: parameters
        stay leaves. They are computed for all parameters first and written only if
        every new value and every state float is finite; otherwise a ValueError names
        the parameter and nothing changes (where PyTorch would write NaN or inf).
        """
        loss = None
        if closure is not None:
            with enable_grad():
                loss = closure()
        name = type(self).__name__
        updates: list[tuple[Value, float, State]] = []
        # The rules compute on floats, so nothing could be recorded anyway; no_grad()
        # keeps it so if a rule ever uses Values.
        with no_grad():
            for group in self.param_groups:
                for p in group["params"]:
                    state = dict(self.state.get(p, {}))
                    try:
                        new = self._update(p.data, p.grad, state, group)
                    except (ArithmeticError, ValueError) as error:  # x / 0.0, sqrt(-x)
                        raise _not_finite(name, p, f"{error} (NaN in PyTorch)") from None
                    if not math.isfinite(new):
                        raise _not_finite(name, p, f"the new value is {new!r}")
                    for key, x in state.items():
                        if not math.isfinite(x):
                            raise _not_finite(name, p, f"state {key!r} becomes {x!r}")
                    updates.append((p, new, state))
            for p, new, state in updates:
                p.data = new
                if state:
                    self.state[p] = state
        return loss

    # -- saving and loading -----------------------------------------------------------

    def state_dict(self) -> dict[str, Any]:
        """The optimizer's state as a new dict, in PyTorch's layout.

        ``{"state": {index: {"step": ..., ...}}, "param_groups": [{"lr": ..., ...,
        "params": [index, ...]}]}``: parameters are numbered 0, 1, 2, ... in the order of
        the groups, and only their state and the hyperparameters are saved, not their values.
        """
        index: dict[int, int] = {}
        groups = []
        for group in self.param_groups:
            packed = {key: value for key, value in group.items() if key != "params"}
            packed["params"] = [index.setdefault(id(p), len(index)) for p in group["params"]]
            groups.append(packed)
        state = {
            index[id(p)]: dict(s)
            for group in self.param_groups
            for p in group["params"]
            if (s := self.state.get(p))
        }
        return {"state": state, "param_groups": groups}

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Load what ``state_dict()`` returned: state and hyperparameters, group by group.

        The parameters are matched by position, so the groups must have the same number
        of parameters as when saved; otherwise a ValueError, and nothing is changed.
        """
        saved_groups: list[dict[str, Any]] = state_dict["param_groups"]
        if len(saved_groups) != len(self.param_groups):
            raise ValueError("loaded state dict has a different number of parameter groups")
        if any(
            len(saved["params"]) != len(group["params"])
            for saved, group in zip(saved_groups, self.param_groups, strict=True)
        ):
            raise ValueError(
                "loaded state dict contains a parameter group "
                "that doesn't match the size of optimizer's group"
            )
        by_index: dict[Any, Value] = {}
        new_groups: list[ParamGroup] = []
        for i, (saved, group) in enumerate(zip(saved_groups, self.param_groups, strict=True)):
            missing = [key for key in self.defaults if key not in saved]
            if missing:
                raise ValueError(
                    f"loaded state dict's parameter group {i} has no {', '.join(missing)} "
                    f"(was it saved from another kind of optimizer than {type(self).__name__}?)"
                )
            by_index.update(zip(saved["params"], group["params"], strict=True))
            new_group: ParamGroup = {"params": group["params"]}
            new_group.update((k, v) for k, v in saved.items() if k != "params")
            self._check_hyperparameters(new_group)
            new_groups.append(new_group)
        new_state: defaultdict[Value, State] = defaultdict(dict)
        for key, saved_state in state_dict["state"].items():
            if key not in by_index:
                raise ValueError(
                    f"loaded state dict has state for parameter {key!r}, "
                    "which none of its parameter groups lists"
                )
            new_state[by_index[key]] = {k: float(v) for k, v in saved_state.items()}
        self.param_groups = new_groups
        self.state = new_state

    def __repr__(self) -> str:
        lines = [f"{type(self).__name__} ("]
        for i, group in enumerate(self.param_groups):
            lines.append(f"Parameter Group {i}")
            lines.extend(f"    {key}: {group[key]}" for key in sorted(group) if key != "params")
        return "\n".join(lines) + "\n)"


_UNORDERED = (
    "optimizer parameters need to be organized in ordered collections, but the ordering "
    "of Values in sets changes between runs. Please use a list instead."
)


def _not_finite(optimizer: str, p: Value, why: str) -> ValueError:
    return ValueError(
        f"{optimizer}.step: the update of {p!r} is not finite: {why}; Value.data must stay "
        "finite, so no parameter was changed (check the learning rate, eps and the gradients)"
    )


def check_non_negative(value: float, what: str) -> None:
    """ValueError ``Invalid <what>: <value>`` unless 0 <= value (NaN fails too)."""
    if not value >= 0.0:
        raise ValueError(f"Invalid {what}: {value}")


def lerp(start: float, end: float, weight: float) -> float:
    """start + weight·(end - start), evaluated as ``torch.lerp`` does (same rounding)."""
    if abs(weight) < 0.5:
        return start + weight * (end - start)
    return end - (end - start) * (1.0 - weight)
