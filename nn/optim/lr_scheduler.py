"""Learning-rate schedulers (``torch.optim.lr_scheduler``): change ``group["lr"]`` per step.

A scheduler wraps an optimizer. At construction it records each group's starting
learning rate as ``group["initial_lr"]`` and sets ``group["lr"]`` for step 0; each
``scheduler.step()``, called after ``optimizer.step()``, advances ``last_epoch`` by one
and sets the learning rates for the next step::

    scheduler = StepLR(optimizer, step_size=30, gamma=0.1)
    for epoch in range(100):
        train(...)  # optimizer.step() for each batch
        scheduler.step()
"""

from __future__ import annotations

import types
from collections.abc import Callable, Sequence
from typing import Any

from nn.optim.optimizer import Optimizer


class LRScheduler:
    """Base class: subclasses give ``get_lr()``, the learning rates after one more step.

    ``last_epoch`` counts the calls to ``step()`` (it is 0 right after construction;
    pass ``last_epoch=k`` with groups that have an ``"initial_lr"`` to resume at step k).
    ``base_lrs`` are the groups' initial learning rates, ``get_last_lr()`` the current ones.
    """

    def __init__(self, optimizer: Optimizer, last_epoch: int = -1) -> None:
        if not isinstance(optimizer, Optimizer):
            raise TypeError(f"{type(optimizer).__name__} is not an Optimizer")
        self.optimizer = optimizer
        if last_epoch == -1:
            for group in optimizer.param_groups:
                group.setdefault("initial_lr", group["lr"])
        else:
            for i, group in enumerate(optimizer.param_groups):
                if "initial_lr" not in group:
                    raise KeyError(
                        f"param 'initial_lr' is not specified in param_groups[{i}] "
                        "when resuming scheduler with last_epoch >= 0"
                    )
        self.base_lrs: list[float] = [group["initial_lr"] for group in optimizer.param_groups]
        self.last_epoch = last_epoch
        self._step_count = 0
        self._is_initial = True  # the step below sets the learning rates for step 0
        self.step()
        self._is_initial = False

    def get_lr(self) -> list[float]:
        """The learning rate of each group for step ``last_epoch`` (already advanced)."""
        raise NotImplementedError(f"{type(self).__name__} does not define get_lr()")

    def step(self) -> None:
        """Advance ``last_epoch`` by one and set every group's ``lr`` for it."""
        self._step_count += 1
        self.last_epoch += 1
        for group, lr in zip(self.optimizer.param_groups, self.get_lr(), strict=True):
            group["lr"] = lr
        self._last_lr = [group["lr"] for group in self.optimizer.param_groups]

    def get_last_lr(self) -> list[float]:
        """The learning rates the last ``step()`` (or the constructor) set, one per group."""
        return list(self._last_lr)

    def _current_lrs(self) -> list[float]:
        return [group["lr"] for group in self.optimizer.param_groups]

    def state_dict(self) -> dict[str, Any]:
        """Everything but the optimizer: ``last_epoch``, ``base_lrs`` and the settings."""
        return {key: value for key, value in vars(self).items() if key != "optimizer"}

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Restore what ``state_dict()`` returned (load the optimizer's state as well)."""
        vars(self).update(state_dict)


class StepLR(LRScheduler):
    """Multiply the learning rate by ``gamma`` every ``step_size`` steps::

    lr(t) = lr₀ · γ^⌊t / step_size⌋
    """

    def __init__(
        self, optimizer: Optimizer, step_size: int, gamma: float = 0.1, last_epoch: int = -1
    ) -> None:
        if isinstance(step_size, bool) or not isinstance(step_size, int) or step_size < 1:
            raise ValueError(f"step_size must be a positive integer, got {step_size!r}")
        self.step_size = step_size
        self.gamma = gamma
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        if self.last_epoch == 0 or self.last_epoch % self.step_size != 0:
            return self._current_lrs()
        return [lr * self.gamma for lr in self._current_lrs()]


class ExponentialLR(LRScheduler):
    """Multiply the learning rate by ``gamma`` every step::

    lr(t) = lr₀ · γᵗ
    """

    def __init__(self, optimizer: Optimizer, gamma: float, last_epoch: int = -1) -> None:
        self.gamma = gamma
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        if self._is_initial:
            return self._current_lrs()
        return [lr * self.gamma for lr in self._current_lrs()]


class LinearLR(LRScheduler):
    """Scale the learning rate by a factor that goes linearly from ``start_factor`` to
    ``end_factor`` over ``total_iters`` steps, then stays::

        lr(t) = lr₀ · (s + (e - s) · min(t, total_iters) / total_iters)

    computed step by step as PyTorch does (each step multiplies the current lr by the
    ratio of successive factors).
    """

    def __init__(
        self,
        optimizer: Optimizer,
        start_factor: float = 1.0 / 3,
        end_factor: float = 1.0,
        total_iters: int = 5,
        last_epoch: int = -1,
    ) -> None:
        if start_factor > 1.0 or start_factor <= 0:
            raise ValueError(
                "Starting multiplicative factor expected to be greater than 0 "
                "and less or equal to 1."
            )
        if end_factor > 1.0 or end_factor < 0:
            raise ValueError("Ending multiplicative factor expected to be between 0 and 1.")
        self.start_factor = start_factor
        self.end_factor = end_factor
        self.total_iters = total_iters
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        if self.last_epoch == 0:
            return [lr * self.start_factor for lr in self._current_lrs()]
        if self._is_initial or self.last_epoch > self.total_iters:
            return self._current_lrs()
        change = self.end_factor - self.start_factor
        ratio = 1.0 + change / (
            self.total_iters * self.start_factor + (self.last_epoch - 1) * change
        )
        return [lr * ratio for lr in self._current_lrs()]


class LambdaLR(LRScheduler):
    """Set the learning rate to the initial one times ``lr_lambda(t)``, t the step count::

        lr(t) = lr₀ · f(t)

    ``lr_lambda`` is one function for all groups or a list of one per group. micrograd's
    demo decays its learning rate linearly from 1.0 to 0.1 over 100 steps; that is
    ``LambdaLR(SGD(params, lr=1.0), lambda k: 1.0 - 0.9 * k / 100)``.
    """

    def __init__(
        self,
        optimizer: Optimizer,
        lr_lambda: Callable[[int], float] | Sequence[Callable[[int], float]],
        last_epoch: int = -1,
    ) -> None:
        groups = len(optimizer.param_groups)
        if isinstance(lr_lambda, (list, tuple)):
            if len(lr_lambda) != groups:
                raise ValueError(f"Expected {groups} lr_lambdas, but got {len(lr_lambda)}")
            self.lr_lambdas: list[Callable[[int], float]] = list(lr_lambda)
        elif callable(lr_lambda):
            self.lr_lambdas = [lr_lambda] * groups
        else:
            raise TypeError(
                f"lr_lambda must be a function or a list of functions, "
                f"got {type(lr_lambda).__name__}"
            )
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        return [
            base_lr * f(self.last_epoch)
            for f, base_lr in zip(self.lr_lambdas, self.base_lrs, strict=True)
        ]

    def state_dict(self) -> dict[str, Any]:
        """As the base class, with ``lr_lambdas`` saved only for callable objects (their
        attributes), not for functions and lambdas, as in PyTorch."""
        state = super().state_dict()
        state["lr_lambdas"] = [
            None
            if isinstance(f, types.FunctionType) or not hasattr(f, "__dict__")
            else dict(vars(f))
            for f in self.lr_lambdas
        ]
        return state

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        state = dict(state_dict)
        saved_lambdas = state.pop("lr_lambdas")
        vars(self).update(state)
        for f, saved in zip(self.lr_lambdas, saved_lambdas, strict=True):
            if saved is not None:
                vars(f).update(saved)


def _has_own_attributes(f: Callable[[int], float]) -> bool:
    """True for a callable object with attributes to save; False for functions and lambdas."""
    return not isinstance(f, types.FunctionType) and hasattr(f, "__dict__")
