"""Each optimizer writes its update out as arithmetic (``formula``, ``arithmetic``): the text of
the first worked example, every number in it checked against the optimizer's own state and
result, and against torch.optim's state after the same steps."""

from __future__ import annotations

import math
import re
from types import ModuleType
from typing import Any

import pytest

import nn
from autograd import Value
from nn import functional as F
from nn.optim import SGD, Adam, AdamW, Optimizer, RMSprop
from nn.optim.arithmetic import Update, number, operand, superscript

GRADIENTS = [-28.0, 3.5, -0.75, 12.0]  # fed to one parameter, one per step

# (the optimizer, its settings, the torch.optim class name)
SETTINGS: list[tuple[type[Optimizer], dict[str, Any], str]] = [
    (SGD, {"lr": 0.05}, "SGD"),
    (SGD, {"lr": 0.05, "momentum": 0.9, "dampening": 0.1}, "SGD"),
    (SGD, {"lr": 0.05, "momentum": 0.9, "nesterov": True, "weight_decay": 0.1}, "SGD"),
    (SGD, {"lr": 0.05, "maximize": True}, "SGD"),
    (Adam, {"lr": 0.05}, "Adam"),
    (Adam, {"lr": 0.05, "weight_decay": 0.1, "amsgrad": True}, "Adam"),
    (AdamW, {"lr": 0.05}, "AdamW"),
    (RMSprop, {"lr": 0.05}, "RMSprop"),
    (RMSprop, {"lr": 0.05, "centered": True, "momentum": 0.5, "weight_decay": 0.1}, "RMSprop"),
]
IDS = [f"{cls.__name__}-{'-'.join(map(str, kwargs))}" for cls, kwargs, _ in SETTINGS]


def results(lines: list[str]) -> list[float]:
    """The number each line ends with (after its last "= ")."""
    numbers = []
    for line in lines:
        tail = line.rsplit("= ", 1)[1].split(" ")[0]
        numbers.append(float(tail.replace("−", "-")))
    return numbers


def recorded_updates(optimizer: Optimizer, p: Value) -> list[Update]:
    """Step ``optimizer`` once per gradient in GRADIENTS, recording each update of ``p``."""
    hyper = {k: v for k, v in optimizer.param_groups[0].items() if k != "params"}
    updates = []
    for g in GRADIENTS:
        before, state_before = p.data, dict(optimizer.state.get(p, {}))
        p.grad = g
        optimizer.step()
        updates.append(Update(before, g, p.data, state_before, dict(optimizer.state[p]), hyper))
    return updates


def test_the_first_documents_sgd_step() -> None:
    X, y = nn.data.line()
    model = nn.Linear(1, 1, init="zeros")
    optimizer = SGD(model.parameters(), lr=0.05)
    w = model.parameters()[0]
    loss = F.mse_loss([model(row) for row in X.tolist()], y.tolist())
    loss.backward()
    grad = w.grad
    optimizer.step()
    update = Update(0.0, grad, w.data, {}, {}, optimizer.param_groups[0])
    assert optimizer.arithmetic(update) == ["g = ∂L/∂w = −28", "w ← 0 − 0.05 × (−28) = 1.4"]
    assert optimizer.formula(optimizer.param_groups[0]) == ["g = ∂L/∂w", "w ← w − lr·g"]


@pytest.mark.parametrize(("cls", "kwargs", "torch_name"), SETTINGS, ids=IDS)
def test_every_line_has_its_formula_and_the_last_result_is_the_new_value(
    cls: type[Optimizer], kwargs: dict[str, Any], torch_name: str
) -> None:
    p = Value(0.5)
    optimizer = cls([p], **kwargs)
    for update in recorded_updates(optimizer, p):
        lines = optimizer.arithmetic(update, "w")
        assert len(lines) == len(optimizer.formula(dict(update.hyper), "w"))
        assert lines[-1].startswith("w ← ")
        assert lines[-1].endswith(f"= {number(update.after)}")
        assert results(lines)[-1] == pytest.approx(update.after, rel=1e-5, abs=1e-12)


# -- every line's arithmetic, worked out again --------------------------------------------

SUPERSCRIPT_DIGITS = "⁰¹²³⁴⁵⁶⁷⁸⁹"
TOKEN = re.compile(r"\s*(∂L/∂\w|\d+(?:\.\d+)?(?:e[+-]\d+)?|max|[A-Za-z]\w*|[⁰-⁹¹²³]+|.)")


class Arithmetic:
    """Evaluates the text of one line's expression: numbers as ``number`` prints them,
    × / + and the true minus (−, also unary), √ (of what follows it), superscript
    powers, parentheses, ``max(a, b)``, and names (∂L/∂w, g, m, ...) from ``names``."""

    def __init__(self, text: str, names: dict[str, float]) -> None:
        self.tokens = [t for t in TOKEN.findall(text) if t.strip()]
        self.at, self.names = 0, names

    def value(self) -> float:
        result = self.sum()
        assert self.at == len(self.tokens), f"unparsed: {self.tokens[self.at :]}"
        return result

    def peek(self) -> str | None:
        return self.tokens[self.at] if self.at < len(self.tokens) else None

    def take(self, expected: str | None = None) -> str:
        token = self.tokens[self.at]
        assert expected is None or token == expected, (token, expected)
        self.at += 1
        return token

    def sum(self) -> float:
        total = self.product()
        while self.peek() in ("+", "−"):
            total = total + self.product() if self.take() == "+" else total - self.product()
        return total

    def product(self) -> float:
        total = self.signed()
        while self.peek() in ("×", "/"):
            total = total * self.signed() if self.take() == "×" else total / self.signed()
        return total

    def signed(self) -> float:
        if self.peek() == "−":
            self.take()
            return -self.signed()
        if self.peek() == "√":
            self.take()
            return math.sqrt(self.power())
        return self.power()

    def power(self) -> float:
        base = self.atom()
        token = self.peek()
        if token is not None and all(c in SUPERSCRIPT_DIGITS for c in token):
            self.take()
            exponent = int("".join(str(SUPERSCRIPT_DIGITS.index(c)) for c in token))
            return float(base**exponent)
        return base

    def atom(self) -> float:
        token = self.take()
        if token == "(":
            inner = self.sum()
            self.take(")")
            return inner
        if token == "max":
            self.take("(")
            first = self.sum()
            self.take(",")
            second = self.sum()
            self.take(")")
            return max(first, second)
        if token[0].isdigit():
            return float(token)
        return self.names[token]


def parsed(line: str) -> tuple[str, str, float, str]:
    """``w ← 0 − 0.05 × (−28) = 1.4`` as its symbol, its expression, its result (as
    shown) and the result's text."""
    head, shown = line.rsplit(" = ", 1)
    shown = shown.split(" ")[0]
    symbol, expression = re.split(r" [=←] ", head, maxsplit=1)
    return symbol, expression, float(shown.replace("−", "-")), shown


def test_the_evaluator_reads_the_notation() -> None:
    names = {"∂L/∂w": -28.0, "g": 2.0}
    assert Arithmetic("0 − 0.05 × (−28)", names).value() == pytest.approx(1.4)
    assert Arithmetic("√(7.84 − (−0.2)²) + 1e-08", names).value() == pytest.approx(
        math.sqrt(7.84 - 0.04) + 1e-8
    )
    assert Arithmetic("−2.8 / (1 − 0.9¹²)", names).value() == pytest.approx(-2.8 / (1 - 0.9**12))
    assert Arithmetic("max(0.5, −∂L/∂w) × g", names).value() == 56.0
    assert Arithmetic("−3²", names).value() == -9.0


EVALUATED: list[tuple[type[Optimizer], dict[str, Any]]] = [
    (SGD, {"lr": 0.05}),
    (SGD, {"lr": 0.05, "momentum": 0.9}),
    (SGD, {"lr": 0.05, "momentum": 0.9, "dampening": 0.1, "weight_decay": 0.1, "maximize": True}),
    (SGD, {"lr": 0.05, "momentum": 0.9, "nesterov": True, "weight_decay": 0.1}),
    (Adam, {"lr": 0.05}),
    (Adam, {"lr": 0.05, "weight_decay": 0.1, "amsgrad": True, "maximize": True}),
    (AdamW, {"lr": 0.05, "weight_decay": 0.1}),
    (AdamW, {"lr": 0.05, "weight_decay": 0.1, "amsgrad": True}),
    (RMSprop, {"lr": 0.05}),
    (RMSprop, {"lr": 0.05, "momentum": 0.9}),
    (RMSprop, {"lr": 0.05, "centered": True}),
    (RMSprop, {"lr": 0.05, "centered": True, "momentum": 0.5, "weight_decay": 0.1}),
]


@pytest.mark.parametrize(
    ("cls", "kwargs"),
    EVALUATED,
    ids=[f"{cls.__name__}-{'-'.join(map(str, kwargs))}" for cls, kwargs in EVALUATED],
)
def test_each_lines_arithmetic_gives_its_result(
    cls: type[Optimizer], kwargs: dict[str, Any]
) -> None:
    p = Value(0.5)
    optimizer = cls([p], **kwargs)
    for update in recorded_updates(optimizer, p):
        names = {"∂L/∂w": update.grad}
        lines = optimizer.arithmetic(update, "w")
        for line in lines:
            symbol, expression, result, shown = parsed(line)
            evaluated = Arithmetic(expression, names).value()
            # each number shown is what the optimizer held to six digits: the line's
            # arithmetic on them gives its result to about that
            assert evaluated == pytest.approx(result, rel=1e-5, abs=1e-12), (line, evaluated)
            assert number(result) == shown
            names[symbol] = result
        assert names["w"] == pytest.approx(update.after, rel=1e-5, abs=1e-12)


def test_adams_moments_are_the_optimizers_state() -> None:
    p = Value(0.5)
    optimizer = Adam([p], lr=0.05)
    for t, update in enumerate(recorded_updates(optimizer, p), start=1):
        _, m_line, v_line, m_hat_line, v_hat_line, _ = optimizer.arithmetic(update)
        m, v = update.state_after["exp_avg"], update.state_after["exp_avg_sq"]
        assert m_line.endswith(f"= {number(m)}")
        assert v_line.endswith(f"= {number(v)}")
        assert f"{operand(update.state_before.get('exp_avg', 0.0))} + 0.1 × " in m_line
        assert (
            m_hat_line
            == f"m̂ = {number(m)} / (1 − 0.9{superscript(t)}) = {number(m / (1 - 0.9**t))}"
        )
        assert v_hat_line.endswith(f"= {number(v / (1 - 0.999**t))}")
        # the textbook form the lines show gives the optimizer's result
        m_hat, v_hat = results([m_hat_line, v_hat_line])
        assert update.before - 0.05 * m_hat / (math.sqrt(v_hat) + 1e-8) == pytest.approx(
            update.after, rel=1e-5
        )


def test_an_optimizer_of_ones_own_shows_before_and_after() -> None:
    class Halve(Optimizer):
        def _update(self, value: float, grad: float, state: Any, group: Any) -> float:
            return value / 2

    p = Value(3.0)
    optimizer = Halve([p], {})
    (update,) = recorded_updates(optimizer, p)[:1]
    assert optimizer.formula({}) == []
    assert optimizer.arithmetic(update, "b") == ["b ← 1.5 (was 3; Halve writes out no arithmetic)"]


def test_numbers_are_printed_with_a_minus_sign_and_six_digits() -> None:
    assert [number(x) for x in (1.4, -28.000000000000004, 1e-8, 1 / 3, 0.0)] == [
        "1.4",
        "−28",
        "1e-08",
        "0.333333",
        "0",
    ]
    assert (operand(-0.5), operand(2.0), superscript(120)) == ("(−0.5)", "2", "¹²⁰")


@pytest.mark.torch
@pytest.mark.parametrize(("cls", "kwargs", "torch_name"), SETTINGS, ids=IDS)
def test_the_numbers_shown_are_torchs_after_the_same_steps(
    torch: ModuleType, cls: type[Optimizer], kwargs: dict[str, Any], torch_name: str
) -> None:
    p = Value(0.5)
    optimizer = cls([p], **kwargs)
    t = torch.tensor(0.5, dtype=torch.float64, requires_grad=True)
    theirs = getattr(torch.optim, torch_name)([t], **kwargs)
    state_keys = {"exp_avg": "m", "exp_avg_sq": "v", "square_avg": "s", "grad_avg": "ḡ"}
    for update in recorded_updates(optimizer, p):
        t.grad = torch.tensor(update.grad, dtype=torch.float64)
        theirs.step()
        lines = optimizer.arithmetic(update)
        shown = dict(zip((line.split(" ")[0] for line in lines), results(lines), strict=False))
        assert shown["w"] == pytest.approx(t.item(), rel=1e-5, abs=1e-12)
        for key, symbol in state_keys.items():
            if key in theirs.state[t] and not kwargs.get("amsgrad"):
                expected = float(theirs.state[t][key])
                assert shown[symbol] == pytest.approx(expected, rel=1e-5, abs=1e-12)
        if "momentum_buffer" in theirs.state[t]:
            symbol = "b" if cls is RMSprop else "v"
            expected = float(theirs.state[t]["momentum_buffer"])
            assert shown[symbol] == pytest.approx(expected, rel=1e-5, abs=1e-12)
