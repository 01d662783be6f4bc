"""Stochastic gradient descent, with momentum, dampening, Nesterov and weight decay."""

from __future__ import annotations

from typing import Any

from nn.optim.arithmetic import MINUS, Update, gradient_lines, number, operand
from nn.optim.optimizer import Optimizer, ParamGroup, Params, State, check_non_negative


class SGD(Optimizer):
    """Stochastic gradient descent (``torch.optim.SGD``), for each parameter p::

        g ← ∂L/∂p                     (g ← -∂L/∂p with maximize)
        g ← g + λ·p                   weight decay λ, if λ ≠ 0
        v ← g                         with momentum μ ≠ 0: on the first step,
        v ← μ·v + (1 - τ)·g           on later steps (dampening τ)
        g ← g + μ·v  (nesterov)  or  g ← v
        p ← p - lr·g

    The momentum buffer v is ``state[p]["momentum_buffer"]``; without momentum there is
    no state. Nesterov momentum needs μ > 0 and τ = 0.
    """

    def __init__(
        self,
        params: Params,
        lr: float = 1e-3,
        momentum: float = 0,
        dampening: float = 0,
        weight_decay: float = 0,
        nesterov: bool = False,
        *,
        maximize: bool = False,
    ) -> None:
        defaults = {
            "lr": lr,
            "momentum": momentum,
            "dampening": dampening,
            "weight_decay": weight_decay,
            "nesterov": nesterov,
            "maximize": maximize,
        }
        super().__init__(params, defaults)

    def _check_hyperparameters(self, group: ParamGroup) -> None:
        check_non_negative(group["lr"], "learning rate")
        check_non_negative(group["momentum"], "momentum value")
        check_non_negative(group["weight_decay"], "weight_decay value")
        if group["nesterov"] and (group["momentum"] <= 0 or group["dampening"] != 0):
            raise ValueError("Nesterov momentum requires a momentum and zero dampening")

    def _update(self, value: float, grad: float, state: State, group: ParamGroup) -> float:
        lr: float = group["lr"]
        momentum: float = group["momentum"]
        weight_decay: float = group["weight_decay"]
        g = -grad if group["maximize"] else grad
        if weight_decay != 0:
            g = g + weight_decay * value
        if momentum != 0:
            if "momentum_buffer" in state:
                dampening: float = group["dampening"]
                buf = state["momentum_buffer"] * momentum + (1 - dampening) * g
            else:
                buf = g  # the first step: no dampening
            state["momentum_buffer"] = buf
            g = g + momentum * buf if group["nesterov"] else buf
        return value - lr * g

    def formula(self, hyper: dict[str, Any], symbol: str = "w") -> list[str]:
        """The rule above for a group with ``hyper``, only the lines that apply."""
        lines = [f"g = {MINUS if hyper.get('maximize') else ''}∂L/∂{symbol}"]
        if hyper.get("weight_decay", 0) != 0:
            lines.append(f"g ← g + λ·{symbol}")
        step = "g"
        if hyper.get("momentum", 0) != 0:
            lines.append("v ← g on the first step, then v ← μ·v + (1 − τ)·g")
            if hyper.get("nesterov"):
                lines.append("g ← g + μ·v")
            else:
                step = "v"
        lines.append(f"{symbol} ← {symbol} − lr·{step}")
        return lines

    def arithmetic(self, update: Update, symbol: str = "w") -> list[str]:
        """``formula`` with the numbers of ``update``: the momentum buffer v from the
        optimizer's state before and after the step, the result ``update.after``."""
        hyper = update.hyper
        g, lines = gradient_lines(update, symbol, decay_in_gradient=True)
        momentum = float(hyper.get("momentum", 0.0))
        if momentum != 0:
            buffer = update.state_after["momentum_buffer"]
            if "momentum_buffer" in update.state_before:
                old = update.state_before["momentum_buffer"]
                keep = 1 - float(hyper.get("dampening", 0.0))
                lines.append(
                    f"v ← {number(momentum)} × {operand(old)} + {number(keep)} × {operand(g)}"
                    f" = {number(buffer)}"
                )
            else:
                lines.append(f"v = g = {number(buffer)} (the first step)")
            if hyper.get("nesterov"):
                nudged = g + momentum * buffer
                lines.append(
                    f"g ← {number(g)} + {number(momentum)} × {operand(buffer)} = {number(nudged)}"
                )
                g = nudged
            else:
                g = buffer
        lines.append(
            f"{symbol} ← {number(update.before)} − {number(float(hyper['lr']))} × {operand(g)}"
            f" = {number(update.after)}"
        )
        return lines
