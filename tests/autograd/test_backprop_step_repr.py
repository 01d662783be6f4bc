"""A ``Step``'s repr: one short line that reads as the chain rule, every field still there."""

from __future__ import annotations

import math
import re

from autograd import Value
from tests.autograd.readme_example import readme_expression

STEP = re.compile(
    r"Step\((?P<index>\d+): (?P<node>.+) → \[(?P<position>\d+)\] (?P<input>.+): "
    r"(?P<upstream>\S+) × (?P<local>\S+) = (?P<contribution>\S+), input grad (?P<grad>\S+)\)"
)


def test_x_times_x_by_hand() -> None:
    x = Value(3.0, label="x")
    assert [repr(s) for s in (x * x).backward_steps()] == [
        "Step(0: mul → [0] x: 1 × 3 = 3, input grad 3)",
        "Step(1: mul → [1] x: 1 × 3 = 3, input grad 6)",
    ]


def test_every_field_reads_back_to_six_digits() -> None:
    loss, *_ = readme_expression()
    steps = list(loss.backward_steps())
    for step in steps:
        text = repr(step)
        assert len(text) < 90, text  # (the dataclass's own repr was over 160 characters)
        match = STEP.fullmatch(text)
        assert match, text
        assert int(match["index"]) == step.index
        assert int(match["position"]) == step.position
        assert match["node"] == step.node.op  # the README's interior nodes have no labels
        for field, value in [
            ("upstream", step.upstream),
            ("local", step.local),
            ("contribution", step.contribution),
            ("grad", step.input_grad),
        ]:
            assert math.isclose(float(match[field]), value, rel_tol=5e-6), (text, field)
    # inputs: by label, else by the op that made them
    assert [STEP.fullmatch(repr(s))["input"] for s in steps] == [  # type: ignore[index]
        "(tanh)", "c", "(add)", "(mul)", "c", "a", "b",
    ]  # fmt: skip


def test_a_labelled_node_an_unlabelled_leaf_and_no_minus_zero() -> None:
    w = Value(2.0)
    h = (w * -1.0).relu()  # relu's local derivative at -2 is 0: upstream × 0 is -0.0
    h.label = "h"
    out = -h
    steps = list(out.backward_steps())
    assert any(s.contribution == 0 and math.copysign(1, s.contribution) < 0 for s in steps)
    texts = [repr(s) for s in steps]
    assert texts[0] == "Step(0: neg → [0] h: 1 × -1 = -1, input grad -1)"
    assert texts[1] == "Step(1: h = relu → [0] (mul): -1 × 0 = 0, input grad 0)"
    assert texts[2].startswith("Step(2: mul → [0] (leaf): 0 × -1 = ")
    assert all("-0 " not in t and "-0," not in t for t in texts)
