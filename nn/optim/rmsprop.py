"""RMSprop: steps divided by a running root mean square of the gradient."""

from __future__ import annotations

import math
from typing import Any

from nn.optim.arithmetic import MINUS, Update, gradient_lines, number, operand
from nn.optim.optimizer import (
    Optimizer,
    ParamGroup,
    Params,
    State,
    check_non_negative,
    lerp,
)


class RMSprop(Optimizer):
    """RMSprop (``torch.optim.RMSprop``), for each parameter p::

        g ← ∂L/∂p                          (g ← -∂L/∂p with maximize)
        g ← g + λ·p                        weight decay λ, if λ ≠ 0
        s ← α·s + (1 - α)·g²               state "square_avg", from 0
        ḡ ← α·ḡ + (1 - α)·g                centered only: state "grad_avg", from 0
        d ← √(s - ḡ²) + ε  (centered)  or  d ← √s + ε
        b ← μ·b + g / d;  p ← p - lr·b     with momentum μ > 0 (state "momentum_buffer", from 0)
        p ← p - lr·g / d                   without

    ``state[p]["step"]`` counts the steps, as a float.
    """

    def __init__(
        self,
        params: Params,
        lr: float = 1e-2,
        alpha: float = 0.99,
        eps: float = 1e-8,
        weight_decay: float = 0,
        momentum: float = 0,
        centered: bool = False,
        *,
        maximize: bool = False,
    ) -> None:
        defaults = {
            "lr": lr,
            "momentum": momentum,
            "alpha": alpha,
            "eps": eps,
            "centered": centered,
            "weight_decay": weight_decay,
            "maximize": maximize,
        }
        super().__init__(params, defaults)

    def _check_hyperparameters(self, group: ParamGroup) -> None:
        check_non_negative(group["lr"], "learning rate")
        check_non_negative(group["eps"], "epsilon value")
        check_non_negative(group["momentum"], "momentum value")
        check_non_negative(group["weight_decay"], "weight_decay value")
        check_non_negative(group["alpha"], "alpha value")

    def _update(self, value: float, grad: float, state: State, group: ParamGroup) -> float:
        lr: float = group["lr"]
        alpha: float = group["alpha"]
        eps: float = group["eps"]
        weight_decay: float = group["weight_decay"]
        momentum: float = group["momentum"]
        state["step"] = state.get("step", 0.0) + 1.0

        g = -grad if group["maximize"] else grad
        if weight_decay != 0:
            g = g + weight_decay * value
        s = state["square_avg"] = state.get("square_avg", 0.0) * alpha + (1 - alpha) * g * g
        if group["centered"]:
            g_avg = state["grad_avg"] = lerp(state.get("grad_avg", 0.0), g, 1 - alpha)
            d = math.sqrt(s - g_avg * g_avg) + eps
        else:
            d = math.sqrt(s) + eps
        if momentum > 0:
            b = state["momentum_buffer"] = state.get("momentum_buffer", 0.0) * momentum + g / d
            return value - lr * b
        return value - lr * g / d

    def formula(self, hyper: dict[str, Any], symbol: str = "w") -> list[str]:
        """The rule above for a group with ``hyper``, only the lines that apply."""
        lines = [f"g = {MINUS if hyper.get('maximize') else ''}∂L/∂{symbol}"]
        if hyper.get("weight_decay", 0) != 0:
            lines.append(f"g ← g + λ·{symbol}")
        lines.append("s ← α·s + (1 − α)·g²")
        if hyper.get("centered"):
            lines += ["ḡ ← α·ḡ + (1 − α)·g", "d = √(s − ḡ²) + ε"]
        else:
            lines.append("d = √s + ε")
        if hyper.get("momentum", 0) > 0:
            lines += ["b ← μ·b + g / d", f"{symbol} ← {symbol} − lr·b"]
        else:
            lines.append(f"{symbol} ← {symbol} − lr·g / d")
        return lines

    def arithmetic(self, update: Update, symbol: str = "w") -> list[str]:
        """``formula`` with the numbers of ``update``: s, ḡ and b from the optimizer's
        state before and after the step, the last line's result ``update.after``."""
        hyper, before, after = update.hyper, update.state_before, update.state_after
        alpha, eps, lr = float(hyper["alpha"]), float(hyper["eps"]), float(hyper["lr"])
        g, lines = gradient_lines(update, symbol, decay_in_gradient=True)
        s = after["square_avg"]
        lines.append(
            f"s ← {number(alpha)} × {number(before.get('square_avg', 0.0))} + "
            f"{number(1 - alpha)} × {operand(g)}² = {number(s)}"
        )
        if hyper.get("centered"):
            g_avg = after["grad_avg"]
            lines.append(
                f"ḡ ← {number(alpha)} × {operand(before.get('grad_avg', 0.0))} + "
                f"{number(1 - alpha)} × {operand(g)} = {number(g_avg)}"
            )
            d = math.sqrt(s - g_avg * g_avg) + eps
            lines.append(f"d = √({number(s)} − {operand(g_avg)}²) + {number(eps)} = {number(d)}")
        else:
            d = math.sqrt(s) + eps
            lines.append(f"d = √{number(s)} + {number(eps)} = {number(d)}")
        momentum = float(hyper.get("momentum", 0.0))
        if momentum > 0:
            b = after["momentum_buffer"]
            lines.append(
                f"b ← {number(momentum)} × {operand(before.get('momentum_buffer', 0.0))} + "
                f"{operand(g)} / {number(d)} = {number(b)}"
            )
            lines.append(
                f"{symbol} ← {number(update.before)} − {number(lr)} × {operand(b)}"
                f" = {number(update.after)}"
            )
        else:
            lines.append(
                f"{symbol} ← {number(update.before)} − {number(lr)} × {operand(g)} / {number(d)}"
                f" = {number(update.after)}"
            )
        return lines
