"""Adam and AdamW: steps scaled by running averages of the gradient and its square."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from nn.optim.arithmetic import MINUS, Update, gradient_lines, number, operand, superscript
from nn.optim.optimizer import (
    Optimizer,
    ParamGroup,
    Params,
    State,
    check_non_negative,
    lerp,
)


class Adam(Optimizer):
    """Adam (``torch.optim.Adam``), for each parameter p, at step t = 1, 2, ...::

        g ← ∂L/∂p                          (g ← -∂L/∂p with maximize)
        g ← g + λ·p                        weight decay λ, if λ ≠ 0
                                           (decoupled: p ← p·(1 - lr·λ) instead, as AdamW)
        m ← β₁·m + (1 - β₁)·g              state "exp_avg", from 0
        v ← β₂·v + (1 - β₂)·g²             state "exp_avg_sq", from 0
        v̂ ← max(v̂, v) with amsgrad, else v̂ ← v     state "max_exp_avg_sq"
        p ← p - (lr / (1 - β₁ᵗ)) · m / (√v̂ / √(1 - β₂ᵗ) + ε)

    The last line is PyTorch's arrangement of the bias corrections (ε is added after
    dividing by √(1 - β₂ᵗ)), kept so that results match it to the last bits.
    ``state[p]["step"]`` is t, as a float.
    """

    def __init__(
        self,
        params: Params,
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0,
        amsgrad: bool = False,
        *,
        maximize: bool = False,
        decoupled_weight_decay: bool = False,
    ) -> None:
        defaults = {
            "lr": lr,
            "betas": betas,
            "eps": eps,
            "weight_decay": weight_decay,
            "amsgrad": amsgrad,
            "maximize": maximize,
            "decoupled_weight_decay": decoupled_weight_decay,
        }
        super().__init__(params, defaults)

    def _check_hyperparameters(self, group: ParamGroup) -> None:
        check_non_negative(group["lr"], "learning rate")
        check_non_negative(group["eps"], "epsilon value")
        betas: Sequence[float] = group["betas"]
        if len(betas) != 2:
            raise ValueError(f"betas must be a pair (beta1, beta2), got {betas!r}")
        for i, beta in enumerate(betas):
            if not 0.0 <= beta < 1.0:
                raise ValueError(f"Invalid beta parameter at index {i}: {beta}")
        check_non_negative(group["weight_decay"], "weight_decay value")

    def _update(self, value: float, grad: float, state: State, group: ParamGroup) -> float:
        lr: float = group["lr"]
        beta1: float
        beta2: float
        beta1, beta2 = group["betas"]
        eps: float = group["eps"]
        weight_decay: float = group["weight_decay"]
        step = state["step"] = state.get("step", 0.0) + 1.0

        g = -grad if group["maximize"] else grad
        if weight_decay != 0:
            if group["decoupled_weight_decay"]:
                value = value * (1 - lr * weight_decay)
            else:
                g = g + weight_decay * value
        m = lerp(state.get("exp_avg", 0.0), g, 1 - beta1)
        v = state.get("exp_avg_sq", 0.0) * beta2 + (1 - beta2) * g * g
        state["exp_avg"], state["exp_avg_sq"] = m, v
        if group["amsgrad"]:
            v = state["max_exp_avg_sq"] = max(state.get("max_exp_avg_sq", 0.0), v)

        bias_correction1: float = 1 - beta1**step
        bias_correction2: float = 1 - beta2**step
        step_size = lr / bias_correction1
        denom: float = math.sqrt(v) / bias_correction2**0.5 + eps
        return value - step_size * m / denom

    def formula(self, hyper: dict[str, Any], symbol: str = "w") -> list[str]:
        """The rule above for a group with ``hyper``, written with the bias-corrected
        moments m̂ and v̂ (the textbook form; ``_update`` computes the same in PyTorch's
        arrangement)."""
        decay = hyper.get("weight_decay", 0) != 0
        decoupled = decay and hyper.get("decoupled_weight_decay")
        lines = [f"{symbol} ← {symbol}·(1 − lr·λ)"] if decoupled else []
        lines.append(f"g = {MINUS if hyper.get('maximize') else ''}∂L/∂{symbol}")
        if decay and not decoupled:
            lines.append(f"g ← g + λ·{symbol}")
        lines += ["m ← β₁·m + (1 − β₁)·g", "v ← β₂·v + (1 − β₂)·g²"]
        if hyper.get("amsgrad"):
            lines.append("v ← max(v_max, v), kept as v_max")
        lines += [
            "m̂ = m / (1 − β₁ᵗ)",
            "v̂ = v / (1 − β₂ᵗ)",
            f"{symbol} ← {symbol} − lr·m̂ / (√v̂ + ε)",
        ]
        return lines

    def arithmetic(self, update: Update, symbol: str = "w") -> list[str]:
        """``formula`` with the numbers of ``update``: m and v are the optimizer's state
        before and after the step (``exp_avg``, ``exp_avg_sq``), t its ``step``, and the
        last line's result ``update.after``."""
        hyper, before, after = update.hyper, update.state_before, update.state_after
        lr = float(hyper["lr"])
        beta1, beta2 = (float(b) for b in hyper["betas"])
        decay = float(hyper.get("weight_decay", 0.0))
        decoupled = decay != 0 and bool(hyper.get("decoupled_weight_decay"))
        value = update.before
        lines = []
        if decoupled:
            shrunk = value * (1 - lr * decay)
            lines.append(
                f"{symbol} ← {number(value)} × (1 − {number(lr)} × {number(decay)})"
                f" = {number(shrunk)}"
            )
            value = shrunk
        g, gradient = gradient_lines(update, symbol, decay_in_gradient=not decoupled)
        lines += gradient
        t = round(after["step"])
        m, v = after["exp_avg"], after["exp_avg_sq"]
        lines.append(
            f"m ← {number(beta1)} × {operand(before.get('exp_avg', 0.0))} + "
            f"{number(1 - beta1)} × {operand(g)} = {number(m)}"
        )
        lines.append(
            f"v ← {number(beta2)} × {number(before.get('exp_avg_sq', 0.0))} + "
            f"{number(1 - beta2)} × {operand(g)}² = {number(v)}"
        )
        if hyper.get("amsgrad"):
            v_max = after["max_exp_avg_sq"]
            old = before.get("max_exp_avg_sq", 0.0)
            lines.append(f"v ← max({number(old)}, {number(v)}) = {number(v_max)}")
            v = v_max
        m_hat = m / (1 - beta1**t)
        v_hat = v / (1 - beta2**t)
        power = superscript(t)
        lines.append(f"m̂ = {number(m)} / (1 − {number(beta1)}{power}) = {number(m_hat)}")
        lines.append(f"v̂ = {number(v)} / (1 − {number(beta2)}{power}) = {number(v_hat)}")
        lines.append(
            f"{symbol} ← {number(value)} − {number(lr)} × {operand(m_hat)} / "
            f"(√{number(v_hat)} + {number(float(hyper['eps']))}) = {number(update.after)}"
        )
        return lines


class AdamW(Adam):
    """Adam with decoupled weight decay (``torch.optim.AdamW``), for each parameter p::

        p ← p·(1 - lr·λ)                   weight decay λ (default 0.01), before the step
        then Adam's update with no weight decay in g (see ``Adam``)

    The decay shrinks p directly instead of passing through the averages m and v, so
    that it is not scaled down for parameters with large gradients.
    """

    def __init__(
        self,
        params: Params,
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 1e-2,
        amsgrad: bool = False,
        *,
        maximize: bool = False,
    ) -> None:
        super().__init__(
            params,
            lr,
            betas,
            eps,
            weight_decay,
            amsgrad,
            maximize=maximize,
            decoupled_weight_decay=True,
        )
