"""``autograd.trace``: the backward pass printed as a table, one row per chain-rule step, and
the names it gives the nodes (``autograd.drawing.node_names``)."""

from __future__ import annotations

import io
import re
from html.parser import HTMLParser

import pytest

import nn
from autograd import Step, Value, trace
from autograd.drawing import node_names
from tests.autograd.readme_example import DTANH4, TANH4, bits, readme_expression

COLUMNS = ["step", "node", "input", "upstream", "local", "contribution", "input grad"]


def _rows(text: str) -> list[list[str]]:
    """The table's cells: columns are separated by two or more spaces."""
    return [re.split(r"\s{2,}", line.strip()) for line in text.splitlines()]


def test_trace_prints_header_and_one_row_per_step() -> None:
    loss, *_ = readme_expression()
    out = io.StringIO()
    steps = trace(loss, file=out)
    rows = _rows(out.getvalue())
    assert rows[0] == COLUMNS
    assert len(rows) == 1 + 7
    assert len(steps) == 7 and all(isinstance(s, Step) for s in steps)
    # unlabelled nodes by their id: v0 the root, then in the order walked from it
    # (L's inputs t, c; t's input s; s's input p; p's inputs a, b)
    assert rows[1] == ["0", "v0 = mul", "[0] v1", "1", "10", "10", "10"]
    assert rows[2][:3] == ["1", "v0 = mul", "[1] c"]
    assert rows[3][:3] == ["2", "v1 = tanh", "[0] v3"]
    assert rows[5][:3] == ["4", "v3 = add", "[1] c"]
    assert rows[6][:3] == ["5", "v4 = mul", "[0] a"]
    assert rows[7][:3] == ["6", "v4 = mul", "[1] b"]
    # numbers: upstream, local, contribution, input grad, each as printed to 6 digits
    for row, step in zip(rows[1:], steps, strict=True):
        upstream, local, contribution, grad = (float(cell) for cell in row[3:])
        assert upstream == pytest.approx(step.upstream, rel=1e-5)
        assert local == pytest.approx(step.local, rel=1e-5)
        assert contribution == pytest.approx(step.contribution, rel=1e-5)
        assert grad == pytest.approx(step.input_grad, rel=1e-5)
    assert float(rows[5][6]) == pytest.approx(TANH4 + 10.0 * DTANH4, rel=1e-5)
    assert float(rows[6][5]) == pytest.approx(-30.0 * DTANH4, rel=1e-5)


def test_trace_prints_to_stdout_by_default(capsys: pytest.CaptureFixture[str]) -> None:
    x = Value(3.0, label="x")
    steps = trace(x * x)
    rows = _rows(capsys.readouterr().out)
    assert rows == [
        COLUMNS,
        ["0", "v0 = mul", "[0] x", "1", "3", "3", "3"],
        ["1", "v0 = mul", "[1] x", "1", "3", "3", "6"],
    ]
    assert [s.position for s in steps] == [0, 1]


def test_trace_leaves_the_gradients_backward_leaves() -> None:
    first, second = readme_expression(), readme_expression()
    for v in (*first[4:], *second[4:]):
        v.grad = 0.125  # held gradients, accumulated in both
    first[0].backward()
    trace(second[0], file=io.StringIO())
    assert [bits(v.grad) for v in first] == [bits(v.grad) for v in second]


def test_trace_names_match_node_names_with_params() -> None:
    model = nn.MLP(2, [2, 1], seed=3)
    params = dict(model.named_parameters())
    x0, x1 = Value(0.5, label="x0"), Value(-1.5, label="x1")
    loss = (model([x0, x1]) - 1.0) ** 2
    out = io.StringIO()
    steps = trace(loss, params=params, file=out)
    names = node_names(loss, params)
    rows = _rows(out.getvalue())[1:]
    assert len(rows) == len(steps)
    for row, step in zip(rows, steps, strict=True):
        assert row[1] == f"{names[id(step.node)]} = {step.node.op}"
        assert row[2] == f"[{step.position}] {names[id(step.input)]}"
    inputs_named = {row[2].split("] ", 1)[1] for row in rows}
    # parameters by their full names (not their labels), inputs by label
    assert set(params) <= inputs_named
    assert {"x0", "x1"} <= inputs_named
    assert "weight[0, 0]" not in inputs_named  # a parameter's label alone
    assert rows[0][1] == "v0 = pow"  # the unlabelled root


def _check_names(root: Value, expected: dict[int, str]) -> None:
    names = node_names(root)
    for key, name in expected.items():
        assert names[key] == name


def test_node_names_by_hand() -> None:
    loss, t, s, p, a, b, c = readme_expression()
    _check_names(
        loss,
        {id(loss): "v0", id(t): "v1", id(c): "c", id(s): "v3", id(p): "v4", id(a): "a", id(b): "b"},
    )
    root = Value(1.0)
    assert node_names(root) == {id(root): "v0"}
    labelled = Value(1.0, label="r")
    assert node_names(labelled) == {id(labelled): "r"}


def test_trace_of_a_leaf_prints_only_the_header() -> None:
    x = Value(2.0, label="x")
    out = io.StringIO()
    assert trace(x, file=out) == []
    assert _rows(out.getvalue()) == [COLUMNS]
    assert x.grad == 1.0  # as x.backward() leaves it


# -- what trace returns: a list of the steps, short to print, a table in a notebook ---------


class _Table(HTMLParser):
    """The caption, header cells, body rows and each cell's alignment of an HTML table."""

    def __init__(self) -> None:
        super().__init__()
        self.caption, self.header, self.rows, self.align = "", [], [], []
        self._in: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "tr":
            self.rows.append([])
        if tag in ("caption", "th", "td"):
            self._in = tag
            self._text = ""
            style = dict(attrs).get("style") or ""
            if tag == "td" and len(self.rows) == 1:
                self.align.append(style)

    def handle_data(self, data: str) -> None:
        if self._in:
            self._text += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "caption":
            self.caption = self._text
        elif tag == "th":
            self.header.append(self._text)
        elif tag == "td":
            self.rows[-1].append(self._text)
        if tag in ("caption", "th", "td"):
            self._in = None


def _table(markup: str) -> _Table:
    table = _Table()
    table.feed(markup)
    table.rows = [row for row in table.rows if row]  # (the header's row has no td)
    return table


def test_trace_returns_a_list_of_the_steps() -> None:
    loss, *_ = readme_expression()
    steps = trace(loss, file=io.StringIO())
    assert isinstance(steps, list) and len(steps) == 7
    assert [s.index for s in steps] == list(range(7))
    assert steps[-1].input.label == "b" and steps[1].input.label == "c"
    assert [s.position for s in steps[3:5]] == [0, 1]
    assert [s.index for s in reversed(steps)] == list(range(6, -1, -1))
    twin, *_ = readme_expression()
    assert [(s.position, s.upstream, s.local) for s in steps] == [
        (s.position, s.upstream, s.local) for s in twin.backward_steps()
    ]


def test_trace_repr_is_one_short_line() -> None:
    loss, *_ = readme_expression()
    steps = trace(loss, file=io.StringIO())
    assert repr(steps) == "<trace: 7 steps of the backward pass from v0 = mul>"
    named = Value(2.0, label="x") * 3.0
    named.label = "y"
    assert repr(trace(named, file=io.StringIO())) == (
        "<trace: 1 step of the backward pass from y = mul>"
    )
    leaf = Value(1.0, label="w")
    assert repr(trace(leaf, file=io.StringIO())) == "<trace: 0 steps of the backward pass from w>"


def test_str_of_a_trace_is_the_table_it_printed() -> None:
    loss, *_ = readme_expression()
    out = io.StringIO()
    steps = trace(loss, file=out)
    assert str(steps) + "\n" == out.getvalue()


def test_trace_html_is_the_same_table() -> None:
    model = nn.MLP(2, [2, 1], seed=3)
    params = dict(model.named_parameters())
    x0 = Value(0.5, label="x<0> & co")  # escaped in HTML, read back as itself
    loss = (model([x0, Value(-1.5)]) - 1.0) ** 2
    out = io.StringIO()
    steps = trace(loss, params=params, file=out)
    markup = steps._repr_html_()
    assert "x&lt;0&gt; &amp; co" in markup and "x<0>" not in markup
    table = _table(markup)
    assert table.header == COLUMNS
    assert table.rows == [[*row] for row in _rows(out.getvalue())[1:]]
    assert len(table.rows) == len(steps)
    assert any(row[2].endswith("] x<0> & co") for row in table.rows)
    assert table.caption == f"trace: {len(steps)} steps of the backward pass from v0 = pow"
    numeric = {i for i, name in enumerate(COLUMNS) if name not in ("node", "input")}
    for i, style in enumerate(table.align):  # numbers right, names left, as printed
        assert ("right" if i in numeric else "left") in style, COLUMNS[i]


def test_verbose_0_prints_nothing(capsys: pytest.CaptureFixture[str]) -> None:
    loss, *_ = readme_expression()
    steps = trace(loss, verbose=0)
    assert capsys.readouterr().out == ""
    assert len(steps) == 7 and len(str(steps).splitlines()) == 8
    with pytest.raises(ValueError, match=r"trace: verbose must be 0 or 1, got 2"):
        trace(loss, verbose=2)
