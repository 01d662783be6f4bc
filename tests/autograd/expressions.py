"""Random expression graphs, replayable with ``autograd.Value``s, torch tensors and floats.

A ``Recipe`` is a flat list of ``Step``s over numbered nodes: nodes ``0 … n_inputs-1``
are the inputs, step k makes node ``n_inputs + k`` from earlier nodes with exactly one
operation of the engine (``+ - * / **``, unary ``-``, the nine functions), so the same
recipe builds the same graph, op for op and in the same order, from any operands that
support Python's operators and the methods ``exp log tanh sigmoid relu sqrt abs sin cos``:
``replay(recipe, [Value(x) …])`` and ``replay(recipe, [torch.tensor(x, …) …])``.
``recipe.source()`` prints it as Python code, for reproducing a failure by hand.

The builder keeps every node inside its op's domain for every input in
``[-INPUT_BOUND, INPUT_BOUND]``, as minitorch's tests do: it tracks an interval for
each node and, where an op needs it, puts a guard in front of the operand
(``log(u*u + 0.5)``, ``log(sigmoid(u) + 0.1)``, ``a / (u*u + 1.5)``, ``sqrt(u*u + 0.25)``,
``(u*u + 0.5) ** tanh(v)``, ``(tanh(u) - 2) ** -3``) and squashes operands with
tanh or sin where a result could grow past ``LIMIT`` (``exp(tanh(u))``). Guards are
ordinary steps, so they are part of the graph that is differentiated. The only
non-smooth points left are relu's and abs's kinks: ``kink_inputs`` gives the values
entering them, for ``hypothesis.assume`` to keep samples away from them where
central differences need it.

Every recipe reuses nodes: some input is used at least twice (``x * x``) and some
interior node feeds at least two ops (a diamond), and all inputs reach the output.
"""

from __future__ import annotations

import math
import operator
import random
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

from hypothesis import strategies as st

INPUT_BOUND = 3.0  # inputs are drawn from [-INPUT_BOUND, INPUT_BOUND]
LIMIT = 100.0  # every node's |value| is at most this, for every such input
POSITIVE_MARGIN = 0.1  # log, sqrt, x ** 0.5 and a ** (Value b) need x >= this
NONZERO_MARGIN = 0.25  # divisors and negative powers need |x| >= this
MAX_INPUTS = 4
MAX_MOVES = 8

T = TypeVar("T")
Interval = tuple[float, float]

# -- the ops ---------------------------------------------------------------------------
# Each entry: how the step reads as Python, and the same thing as a function. The
# functions use only operators and methods, so they work on Values and tensors alike.

NODE_OPS: dict[str, tuple[str, Callable[[Any, Any], Any]]] = {
    "add": ("{a} + {b}", operator.add),
    "sub": ("{a} - {b}", operator.sub),
    "mul": ("{a} * {b}", operator.mul),
    "div": ("{a} / {b}", operator.truediv),
    "pow": ("{a} ** {b}", operator.pow),  # Value exponent, positive base
}
CONST_OPS: dict[str, tuple[str, Callable[[Any, Any], Any]]] = {
    "add_c": ("{a} + {c}", lambda a, c: a + c),
    "radd_c": ("{c} + {a}", lambda a, c: c + a),
    "sub_c": ("{a} - {c}", lambda a, c: a - c),
    "rsub_c": ("{c} - {a}", lambda a, c: c - a),
    "mul_c": ("{a} * {c}", lambda a, c: a * c),
    "rmul_c": ("{c} * {a}", lambda a, c: c * a),
    "div_c": ("{a} / {c}", lambda a, c: a / c),
    "rdiv_c": ("{c} / {a}", lambda a, c: c / a),
    "pow_c": ("{a} ** {c}", lambda a, c: a**c),
    "rpow_c": ("{c} ** {a}", lambda a, c: c**a),
}
UNARY_OPS: dict[str, tuple[str, Callable[[Any], Any]]] = {
    "neg": ("-{a}", operator.neg),
    "exp": ("{a}.exp()", lambda a: a.exp()),
    "log": ("{a}.log()", lambda a: a.log()),
    "tanh": ("{a}.tanh()", lambda a: a.tanh()),
    "sigmoid": ("{a}.sigmoid()", lambda a: a.sigmoid()),
    "relu": ("{a}.relu()", lambda a: a.relu()),
    "sqrt": ("{a}.sqrt()", lambda a: a.sqrt()),
    "abs": ("{a}.abs()", lambda a: a.abs()),
    "sin": ("{a}.sin()", lambda a: a.sin()),
    "cos": ("{a}.cos()", lambda a: a.cos()),
}


def _sigmoid(x: float) -> float:
    if x >= 0.0:
        return 1.0 / (1.0 + math.exp(-x))
    e = math.exp(x)
    return e / (1.0 + e)


# The same functions on plain floats, from the math module (for ``evaluate``).
MATH_UNARY: dict[str, Callable[[float], float]] = {
    "neg": operator.neg,
    "exp": math.exp,
    "log": math.log,
    "tanh": math.tanh,
    "sigmoid": _sigmoid,
    "relu": lambda x: x if x > 0.0 else 0.0,
    "sqrt": math.sqrt,
    "abs": abs,
    "sin": math.sin,
    "cos": math.cos,
}

ALL_OPS = frozenset(NODE_OPS) | frozenset(CONST_OPS) | frozenset(UNARY_OPS)
KINKED_OPS = frozenset({"relu", "abs"})

CONSTANTS: tuple[float | int, ...] = (0.5, 1.5, 2, 2.5, -0.75, -3.0)  # never 0: used as divisors
EXPONENTS: tuple[float | int, ...] = (0, 1, 2, 3, -1, -2, -3, 0.5, 1.5, -0.5)
BASES: tuple[float | int, ...] = (2, 0.5, 2.5, 3.0)  # for number ** Value


@dataclass(frozen=True)
class Step:
    """One operation: ``op`` on the nodes ``args``, with the number ``const`` if it takes one."""

    op: str
    args: tuple[int, ...]
    const: float | int | None = None

    def expression(self) -> str:
        """The step as Python, e.g. ``v2 ** -3``, ``2.5 - v1`` or ``v0.exp()``."""
        names = [f"v{i}" for i in self.args]
        if self.op in NODE_OPS:
            return NODE_OPS[self.op][0].format(a=names[0], b=names[1])
        if self.op in CONST_OPS:
            return CONST_OPS[self.op][0].format(a=names[0], c=repr(self.const))
        return UNARY_OPS[self.op][0].format(a=names[0])


@dataclass(frozen=True)
class Recipe:
    """An expression graph: ``n_inputs`` inputs, then ``steps``; the last node is the output."""

    n_inputs: int
    steps: tuple[Step, ...]

    @property
    def output(self) -> int:
        return self.n_inputs + len(self.steps) - 1

    def ops(self) -> set[str]:
        return {step.op for step in self.steps}

    def uses(self) -> Counter[int]:
        """How many times each node is an operand (``x * x`` uses x twice)."""
        return Counter(i for step in self.steps for i in step.args)

    def source(self) -> str:
        """Python code that builds the expression: a reproduction of any failure."""
        params = ", ".join(f"v{i}" for i in range(self.n_inputs))
        lines = [f"def f({params}):"]
        for k, step in enumerate(self.steps):
            lines.append(f"    v{self.n_inputs + k} = {step.expression()}")
        lines.append(f"    return v{self.output}")
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.source()


def _apply(step: Step, nodes: Sequence[Any]) -> Any:
    a = nodes[step.args[0]]
    if step.op in NODE_OPS:
        return NODE_OPS[step.op][1](a, nodes[step.args[1]])
    if step.op in CONST_OPS:
        return CONST_OPS[step.op][1](a, step.const)
    return UNARY_OPS[step.op][1](a)


def replay_all(recipe: Recipe, inputs: Sequence[Any]) -> list[Any]:
    """Every node of ``recipe`` built from ``inputs`` (Values or tensors), inputs first."""
    if len(inputs) != recipe.n_inputs:
        raise ValueError(f"recipe takes {recipe.n_inputs} inputs, got {len(inputs)}")
    nodes = list(inputs)
    for step in recipe.steps:
        nodes.append(_apply(step, nodes))
    return nodes


def replay(recipe: Recipe, inputs: Sequence[Any]) -> Any:
    """The output of ``recipe`` built from ``inputs`` (Values or tensors)."""
    return replay_all(recipe, inputs)[-1]


def evaluate(recipe: Recipe, xs: Sequence[float]) -> list[float]:
    """Every node's value in plain float arithmetic and the math module: no engine, no torch."""
    values = [float(x) for x in xs]
    for step in recipe.steps:
        a = values[step.args[0]]
        if step.op in NODE_OPS:
            values.append(float(NODE_OPS[step.op][1](a, values[step.args[1]])))
        elif step.op in CONST_OPS:
            values.append(float(CONST_OPS[step.op][1](a, step.const)))
        else:
            values.append(MATH_UNARY[step.op](a))
    return values


def kink_inputs(recipe: Recipe, xs: Sequence[float]) -> list[float]:
    """The values entering each relu and abs (their derivative jumps where this is 0)."""
    values = evaluate(recipe, xs)
    return [values[step.args[0]] for step in recipe.steps if step.op in KINKED_OPS]


def kink_clearance(recipe: Recipe, xs: Sequence[float]) -> float:
    """How far the nearest relu/abs input is from its kink (inf when there is none)."""
    return min((abs(v) for v in kink_inputs(recipe, xs)), default=math.inf)


# -- intervals: what each node can be, for every input in range --------------------------


def _hull(*xs: float) -> Interval:
    return (min(xs), max(xs))


def _power(a: float, b: float) -> float:
    try:
        return float(a**b)
    except OverflowError:
        return math.inf


def _positive(iv: Interval) -> bool:
    return iv[0] >= POSITIVE_MARGIN


def _nonzero(iv: Interval) -> bool:
    return iv[0] >= NONZERO_MARGIN or iv[1] <= -NONZERO_MARGIN


def step_interval(
    op: str, ivs: Sequence[Interval], const: float | int | None, same: bool = False
) -> Interval | None:
    """Bounds on the step's value given bounds on its operands; None where the op's
    domain (with the margins above) is not guaranteed. ``same``: both operands are one node.
    """
    (lo, hi) = ivs[0]
    c = 0.0 if const is None else float(const)
    if op in ("add", "sub", "mul", "div", "pow"):
        (blo, bhi) = ivs[1]
        if op == "add":
            return (lo + blo, hi + bhi)
        if op == "sub":
            return (lo - bhi, hi - blo)
        if op == "mul":
            if same:  # x * x: a square, never negative
                top = max(lo * lo, hi * hi)
                return (0.0 if lo <= 0.0 <= hi else min(lo * lo, hi * hi), top)
            return _hull(lo * blo, lo * bhi, hi * blo, hi * bhi)
        if op == "div":
            if not _nonzero(ivs[1]):
                return None
            return _hull(lo / blo, lo / bhi, hi / blo, hi / bhi)
        if not _positive(ivs[0]):  # a ** b = exp(b ln a): extremes at the corners
            return None
        return _hull(_power(lo, blo), _power(lo, bhi), _power(hi, blo), _power(hi, bhi))
    if op in ("add_c", "radd_c"):
        return (lo + c, hi + c)
    if op == "sub_c":
        return (lo - c, hi - c)
    if op == "rsub_c":
        return (c - hi, c - lo)
    if op in ("mul_c", "rmul_c"):
        return _hull(lo * c, hi * c)
    if op == "div_c":
        return _hull(lo / c, hi / c)
    if op == "rdiv_c":
        return _hull(c / lo, c / hi) if _nonzero(ivs[0]) else None
    if op == "pow_c":
        if c == 0.0:
            return (1.0, 1.0)
        if c.is_integer() and c > 0.0:
            if c % 2 == 1.0:
                return (_power(lo, c), _power(hi, c))
            top = max(abs(lo), abs(hi)) ** c
            return (0.0 if lo <= 0.0 <= hi else min(abs(lo), abs(hi)) ** c, top)
        if c.is_integer():  # negative: monotone on an interval of one sign
            return _hull(_power(lo, c), _power(hi, c)) if _nonzero(ivs[0]) else None
        return _hull(_power(lo, c), _power(hi, c)) if _positive(ivs[0]) else None
    if op == "rpow_c":
        return _hull(_power(c, lo), _power(c, hi))
    if op == "neg":
        return (-hi, -lo)
    if op == "exp":
        return (math.exp(min(lo, 700.0)), math.exp(min(hi, 700.0)))
    if op == "log":
        return (math.log(lo), math.log(hi)) if _positive(ivs[0]) else None
    if op == "sqrt":
        return (math.sqrt(lo), math.sqrt(hi)) if _positive(ivs[0]) else None
    if op == "tanh":
        return (math.tanh(lo), math.tanh(hi))
    if op == "sigmoid":
        return (_sigmoid(lo), _sigmoid(hi))
    if op == "relu":
        return (max(lo, 0.0), max(hi, 0.0))
    if op == "abs":
        if lo >= 0.0:
            return (lo, hi)
        if hi <= 0.0:
            return (-hi, -lo)
        return (0.0, max(-lo, hi))
    if op in ("sin", "cos"):
        return (-1.0, 1.0)
    raise ValueError(f"unknown op {op!r}")


def _fits(iv: Interval | None) -> bool:
    return iv is not None and iv[0] >= -LIMIT and iv[1] <= LIMIT


# A chain is a sequence of one-operand steps applied to a node; "square" is ``u * u``.
Chain = tuple[tuple[str, float | int | None], ...]

NO_CHAIN: Chain = ()
SQUASHES: tuple[Chain, ...] = ((("tanh", None),), (("sin", None),))
# Guards map any u into (0.1, ∞) or (-∞, -0.25]; which one is used is drawn at random.
GUARDS: tuple[Chain, ...] = (
    (("square", None), ("add_c", 0.5)),  # u*u + 0.5
    (("square", None), ("add_c", 1.5)),  # u*u + 1.5
    (("square", None), ("radd_c", 0.25)),  # 0.25 + u*u
    (("sigmoid", None), ("add_c", 0.1)),  # sigmoid(u) + 0.1
    (("tanh", None), ("exp", None)),  # exp(tanh(u))
    (("cos", None), ("rsub_c", 2.0)),  # 2 - cos(u)
    (("square", None), ("add_c", 0.25), ("sqrt", None)),  # sqrt(u*u + 0.25)
    (("tanh", None), ("sub_c", 2.0)),  # tanh(u) - 2, negative
    (("square", None), ("add_c", 0.5), ("neg", None)),  # -(u*u + 0.5), negative
)


class Chooser(Protocol):
    """Where the builder's random choices come from: Hypothesis's ``draw`` or a seeded RNG."""

    def integer(self, lo: int, hi: int) -> int: ...

    def choice(self, options: Sequence[T]) -> T: ...


class DrawChooser:
    """Choices drawn by Hypothesis (so that it can shrink them)."""

    def __init__(self, draw: Callable[[st.SearchStrategy[Any]], Any]) -> None:
        self._draw = draw

    def integer(self, lo: int, hi: int) -> int:
        return int(self._draw(st.integers(lo, hi)))

    def choice(self, options: Sequence[T]) -> T:
        return options[self.integer(0, len(options) - 1)]


class RandomChooser:
    """Choices from ``random.Random(seed)``: the same recipe for the same seed."""

    def __init__(self, seed: int) -> None:
        self._rng = random.Random(seed)

    def integer(self, lo: int, hi: int) -> int:
        return self._rng.randint(lo, hi)

    def choice(self, options: Sequence[T]) -> T:
        return options[self._rng.randint(0, len(options) - 1)]


class _Builder:
    def __init__(self, chooser: Chooser, n_inputs: int) -> None:
        self.chooser = chooser
        self.n_inputs = n_inputs
        self.steps: list[Step] = []
        self.ivs: list[Interval] = [(-INPUT_BOUND, INPUT_BOUND)] * n_inputs

    # -- emitting steps ---------------------------------------------------------------

    def emit(self, op: str, args: tuple[int, ...], const: float | int | None = None) -> int:
        same = len(args) == 2 and args[0] == args[1]
        iv = step_interval(op, [self.ivs[i] for i in args], const, same)
        assert _fits(iv), f"builder bug: {op} {args} {const} gives {iv}"
        self.steps.append(Step(op, args, const))
        self.ivs.append(iv)  # type: ignore[arg-type]
        return len(self.ivs) - 1

    def simulate(self, u: int, chain: Chain) -> Interval | None:
        """The interval at the end of ``chain`` applied to node u; None if any step fails."""
        iv: Interval | None = self.ivs[u]
        for op, const in chain:
            if op == "square":
                iv = step_interval("mul", [iv, iv], None, same=True)  # type: ignore[list-item]
            else:
                iv = step_interval(op, [iv], const)  # type: ignore[list-item]
            if not _fits(iv):
                return None
        return iv

    def emit_chain(self, u: int, chain: Chain) -> int:
        for op, const in chain:
            u = self.emit("mul", (u, u)) if op == "square" else self.emit(op, (u,), const)
        return u

    def pick(self) -> int:
        """An existing node: often the newest (for depth), otherwise any."""
        newest = len(self.ivs) - 1
        return newest if self.chooser.integer(0, 2) == 0 else self.chooser.integer(0, newest)

    def prefer_plain(self, options: list[T], plain: T) -> T:
        """Usually ``plain`` (no guard) when it is allowed; sometimes a guard anyway."""
        if plain in options and self.chooser.integer(0, 2) != 0:
            return plain
        return self.chooser.choice(options)

    # -- one op, with whatever guards and squashes its operands need -----------------

    def unary(self, op: str, u: int, const: float | int | None = None) -> int | None:
        """``op`` on node u (an op of one node, perhaps with a number), guarded as needed."""
        last: Chain = ((op, const),)
        for squash in (NO_CHAIN, self.chooser.choice(SQUASHES)):
            options = [
                guard
                for guard in (NO_CHAIN, *GUARDS)
                if self.simulate(u, squash + guard + last) is not None
            ]
            if options:
                guard = self.prefer_plain(options, NO_CHAIN)
                return self.emit(op, (self.emit_chain(u, squash + guard),), const)
        return None

    def binary(self, op: str, a: int, b: int) -> int | None:
        """``op`` on nodes a and b, guarded and squashed as needed."""
        squash = self.chooser.choice(SQUASHES)
        for squash_a, squash_b in ((NO_CHAIN, NO_CHAIN), (NO_CHAIN, squash), (squash, NO_CHAIN)):
            options: list[tuple[Chain, Chain]] = []
            for guard_a in (NO_CHAIN, *GUARDS) if op == "pow" else (NO_CHAIN,):
                for guard_b in (NO_CHAIN, *GUARDS) if op == "div" else (NO_CHAIN,):
                    chain_a, chain_b = squash_a + guard_a, squash_b + guard_b
                    iv_a, iv_b = self.simulate(a, chain_a), self.simulate(b, chain_b)
                    if iv_a is None or iv_b is None:
                        continue
                    same = a == b and chain_a == chain_b
                    if _fits(step_interval(op, [iv_a, iv_b], None, same)):
                        options.append((chain_a, chain_b))
            if options:
                chain_a, chain_b = self.prefer_plain(options, (squash_a, squash_b))
                node_a = self.emit_chain(a, chain_a)
                same = a == b and chain_a == chain_b  # x * x stays one node used twice
                node_b = node_a if same else self.emit_chain(b, chain_b)
                return self.emit(op, (node_a, node_b))
        squashed = self.emit_chain(a, squash)  # both squashed: every op then fits
        return self.binary(op, squashed, squashed if a == b else self.emit_chain(b, squash))

    def diamond(self, d: int) -> int | None:
        """Two ops on node d, joined: d feeds both sides (the chain rule sums two paths)."""
        left = self.unary(self.chooser.choice(("tanh", "sin", "cos", "sigmoid", "exp")), d)
        right = self.unary(self.chooser.choice(("tanh", "sin", "cos", "sigmoid", "neg")), d)
        if left is None or right is None:
            return None
        return self.binary(self.chooser.choice(("add", "sub", "mul")), left, right)

    def move(self) -> None:
        kind = self.chooser.choice((*sorted(ALL_OPS), "diamond", "square"))
        if kind == "diamond":
            self.diamond(self.pick())
        elif kind == "square":
            u = self.pick()
            self.binary("mul", u, u)
        elif kind in NODE_OPS:
            self.binary(kind, self.pick(), self.pick())
        elif kind in CONST_OPS:
            numbers = {"pow_c": EXPONENTS, "rpow_c": BASES}.get(kind, CONSTANTS)
            self.unary(kind, self.pick(), self.chooser.choice(numbers))
        else:
            self.unary(kind, self.pick())

    # -- finishing: one output that every input reaches, with reuse ---------------------

    def uses(self) -> Counter[int]:
        return Counter(i for step in self.steps for i in step.args)

    def join(self, out: int, other: int) -> int:
        joined = self.binary(self.chooser.choice(("add", "sub", "mul")), out, other)
        assert joined is not None
        return joined

    def finish(self) -> Recipe:
        uses = self.uses()
        sinks = [i for i in range(len(self.ivs)) if uses[i] == 0]
        out = sinks[0]
        for sink in sinks[1:]:
            out = self.join(out, sink)
        uses = self.uses()
        if all(uses[i] < 2 for i in range(self.n_inputs)):
            x = self.chooser.integer(0, self.n_inputs - 1)
            out = self.join(out, self.emit("mul", (x, x)))
        uses = self.uses()
        if all(uses[i] < 2 for i in range(self.n_inputs, len(self.ivs))) or not self.steps:
            diamond = self.diamond(out)
            assert diamond is not None
            out = diamond
        return Recipe(self.n_inputs, tuple(self.steps))


def build_recipe(chooser: Chooser) -> Recipe:
    """A random expression over 1–4 inputs, its choices taken from ``chooser``."""
    builder = _Builder(chooser, chooser.integer(1, MAX_INPUTS))
    for _ in range(chooser.integer(1, MAX_MOVES)):
        builder.move()
    return builder.finish()


@st.composite
def recipes(draw: Callable[[st.SearchStrategy[Any]], Any]) -> Recipe:
    """Hypothesis strategy: a random ``Recipe``."""
    return build_recipe(DrawChooser(draw))


def inputs_for(n: int) -> st.SearchStrategy[list[float]]:
    """Hypothesis strategy: n inputs from ``[-INPUT_BOUND, INPUT_BOUND]``."""
    xs = st.floats(-INPUT_BOUND, INPUT_BOUND, allow_nan=False, allow_infinity=False)
    return st.lists(xs, min_size=n, max_size=n)


@st.composite
def cases(draw: Callable[[st.SearchStrategy[Any]], Any]) -> tuple[Recipe, list[float]]:
    """Hypothesis strategy: a random ``Recipe`` and inputs for it."""
    recipe = draw(recipes())
    return recipe, draw(inputs_for(recipe.n_inputs))
