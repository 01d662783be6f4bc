"""Drawing a computation graph with the ``graphviz`` package.

Each Value is a record ``{ name | data | grad }``; each op is a small oval between its
inputs and its output; every edge from an input to an op is labelled with the local
derivative ∂out/∂input (and, with ``contributions=True``, the contribution
upstream · local). Colours:

- green: the output (the root);
- gold: a parameter (a Value named in ``params``);
- blue: any other leaf with a label (an input);
- white: unlabelled leaves and intermediate values;
- grey ovals: ops; a number in an op is part of it, as in PyTorch (``2 * x`` is one oval,
  ``*2``, with one input, x);
- red: in a frame of a backward pass, the chain-rule step just taken.

Node ids (``v0`` for the root, then in the order the graph is walked from it) are the
same from run to run.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

import graphviz

from autograd import rendering
from autograd.backprop import Step, backward_steps
from autograd.engine import Value

OUTPUT, PARAMETER, INPUT, PLAIN, OP, CURRENT = (
    "#c8ecc0",
    "#ffe08a",
    "#cfe3ff",
    "#ffffff",
    "#e6e6e6",
    "#d62728",
)


class Graph:
    """A drawn graph: ``.source`` is the DOT text, ``.save(path)`` and ``.svg()`` render it,
    and Jupyter shows it inline, scaled down to the cell's width when it is wider.
    ``.digraph`` is the underlying ``graphviz.Digraph``. ``shows`` says what it draws
    (``"7 values"``, ``"MLP by layer: 3 layers"``) for its repr and its errors, which
    begin with ``made_by`` and, when rendering fails or takes too long, end with
    ``smaller``: how to draw less."""

    def __init__(
        self,
        digraph: graphviz.Digraph,
        shows: str | None = None,
        *,
        made_by: str = "draw",
        smaller: str | None = None,
    ) -> None:
        self.digraph = digraph
        self.shows = shows or f"the digraph {digraph.name!r}"
        self.made_by = made_by
        self.smaller = smaller

    @property
    def source(self) -> str:
        return str(self.digraph.source)

    @property
    def summary(self) -> str:
        """What the graph shows and how many edges it has (the time Graphviz takes grows
        with them), as its errors name it: ``"930 values (10,865 edges)"``."""
        edges = rendering.count_edges(self.source)
        return f"{self.shows} ({edges:,} edge{'' if edges == 1 else 's'})"

    def _render(self, format: str, timeout: float | None) -> bytes:
        return rendering.render(
            self.source,
            format,
            timeout=timeout,
            shows=self.summary,
            made_by=self.made_by,
            smaller=self.smaller,
        )

    def svg(self, timeout: float | None = rendering.TIMEOUT) -> str:
        """The graph rendered as SVG text. A render that takes more than ``timeout``
        seconds (None: no limit) is stopped with a RuntimeError that says how large the
        graph is and how to draw less (see ``autograd.rendering``)."""
        return self._render("svg", timeout).decode("utf-8")

    def save(self, path: str | os.PathLike[str], timeout: float | None = rendering.TIMEOUT) -> Path:
        """Render to ``path`` in the format its extension names (``.svg``, ``.png``, ...;
        ``.dot`` writes the source). Without a renderer, or when rendering fails or takes
        more than ``timeout`` seconds, writes ``<path>.dot`` and raises RuntimeError
        saying why."""
        target = Path(path)
        fmt = target.suffix.lstrip(".").lower()
        if not fmt:
            raise ValueError(f"save: {str(target)!r} has no extension to name a format")
        if fmt in ("dot", "gv"):
            target.write_text(self.source, encoding="utf-8")
            return target
        try:
            image = self._render(fmt, timeout)
        except RuntimeError as error:
            fallback = target.with_suffix(target.suffix + ".dot")
            fallback.write_text(self.source, encoding="utf-8")
            raise RuntimeError(f"{error} (the DOT source is in {fallback})") from None
        target.write_bytes(image)
        return target

    def inline_svg(self, timeout: float | None = rendering.TIMEOUT) -> str:
        """The SVG element as a notebook shows it: no XML prolog, and styled
        ``max-width: 100%; height: auto``, so that a graph wider than the cell is scaled
        down to fit it (its ``viewBox`` keeps the proportions) and a narrower one keeps
        its size."""
        svg = self.svg(timeout)
        start = svg.find("<svg")
        if start < 0:
            raise RuntimeError(f"{self.made_by}: the renderer returned no <svg> element")
        return f'<svg style="{INLINE_STYLE}"' + svg[start + len("<svg") :]

    def _repr_mimebundle_(self, include: object = None, exclude: object = None) -> dict[str, str]:
        """What Jupyter shows, rendered once: the SVG, also as HTML (front ends prefer one
        or the other), and the repr."""
        svg = self.inline_svg()
        return {"image/svg+xml": svg, "text/html": svg, "text/plain": repr(self)}

    def _repr_svg_(self) -> str:
        return self.inline_svg()

    def _repr_html_(self) -> str:
        return self.inline_svg()

    def __repr__(self) -> str:
        return f"<autograd.Graph of {self.shows}; .source, .save(path), .svg()>"


INLINE_STYLE = "max-width: 100%; height: auto"


def node_names(root: Value, params: Mapping[str, Value] | None = None) -> dict[int, str]:
    """What drawings and traces call each Value (by ``id``): its parameter name, else its
    label, else its node id (``v0`` is the root)."""
    names = {id(v): name for name, v in (params or {}).items()}
    return {id(v): names.get(id(v)) or v.label or f"v{i}" for i, v in enumerate(_walk(root))}


def _walk(root: Value) -> list[Value]:
    """Every Value reachable from ``root``, each once, root first, in a fixed order."""
    seen = {id(root)}
    ordered = [root]
    for node in ordered:  # grows while iterating: a breadth-first walk
        for parent in node.parents:
            if id(parent) not in seen:
                seen.add(id(parent))
                ordered.append(parent)
    return ordered


def _number(x: float, digits: int = 4) -> str:
    """``x`` to ``digits`` significant digits; zero is shown as 0, never -0."""
    return f"{x + 0.0:.{digits}g}"  # -0.0 + 0.0 is 0.0


def _escape(text: str) -> str:
    """``text`` safe inside a record label: its separators escaped, ``&`` not read as an
    HTML entity, and a newline kept as a line break."""
    for char in '\\{}|<>"':
        text = text.replace(char, "\\" + char)
    return text.replace("&", "&amp;").replace("\n", "\\n")


def _local_derivatives(node: Value) -> tuple[float, ...] | None:
    try:
        return node._op.local_derivatives(node)  # type: ignore[union-attr]
    except (ValueError, ZeroDivisionError, OverflowError):
        return None  # undefined here (e.g. sqrt at 0): the edge says so


SMALLER = (
    "draw fewer values:\n"
    "  - one sample's part of the loss: the loss of model(X[0]) and y[0], not the batch's\n"
    "  - a part of the graph: draw(v) for a Value inside it\n"
    "  - a model by layer, nn.draw_model(model), or by neuron, "
    'nn.draw_model(model, level="neuron")\n'
    "autograd.trace(root) lists every chain-rule step of a graph of any size"
)
"""How to draw less, which ``draw``'s errors end with."""

DIRECTIONS = ("LR", "TB", "RL", "BT")


def graph_attributes(
    made_by: str, rankdir: str, size: str | tuple[float, float] | None
) -> dict[str, str]:
    """Graphviz's ``rankdir`` and ``size`` attributes, checked: ``rankdir`` one of LR (left
    to right), TB (top to bottom), RL, BT; ``size`` the largest width and height in inches,
    ``"8,5"`` or ``(8, 5)``, to which a larger drawing is scaled down."""
    if rankdir not in DIRECTIONS:
        raise ValueError(
            f"{made_by}: rankdir must be 'LR' (left to right), 'TB' (top to bottom), 'RL' or "
            f"'BT', got {rankdir!r}"
        )
    attributes = {"rankdir": rankdir}
    if size is None:
        return attributes
    parts: list[object] = []
    if isinstance(size, str):
        parts = list(size.split(","))
    elif isinstance(size, tuple | list):
        parts = list(size)
    inches = [_inches(part) for part in parts]
    if len(inches) != 2 or None in inches:
        raise ValueError(
            f'{made_by}: size must be the largest width and height in inches, "8,5" or '
            f"(8, 5), got {size!r}"
        )
    attributes["size"] = f"{inches[0]:g},{inches[1]:g}"
    return attributes


def _inches(part: object) -> float | None:
    """``part`` as a positive finite number, else None."""
    try:
        x = float(part)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return x if 0 < x < float("inf") else None


def draw(
    root: Value,
    params: Mapping[str, Value] | None = None,
    *,
    contributions: bool = False,
    step: int | None = None,
    max_nodes: int = 400,
    rankdir: str = "LR",
    size: str | tuple[float, float] | None = None,
) -> Graph:
    """Draw the graph that ``root`` was computed by (see the module docstring).

    ``params`` names parameters (``dict(model.named_parameters())``). ``step=k`` draws the
    graph as it stands after chain-rule step k of a backward pass from ``root`` (the first
    is 0; -1 is the moment the root is seeded), with that step's edge in red; the Values'
    own gradients are left as they were. ``rankdir`` is Graphviz's direction: ``"LR"``,
    left to right (inputs on the left), or ``"TB"``, top to bottom; ``size="8,5"`` scales
    the drawing down to at most 8 by 5 inches. A graph of more than ``max_nodes`` Values
    raises ValueError saying what to draw instead (``SMALLER``).
    """
    attributes = graph_attributes("draw", rankdir, size)
    values = _walk(root)
    if len(values) > max_nodes:
        raise ValueError(
            f"draw: the graph has {len(values):,} values, more than max_nodes={max_nodes}; "
            f"{SMALLER}\nor pass max_nodes={len(values)} to draw it all: Graphviz may take "
            f"minutes, and a render is stopped\nafter {rendering.TIMEOUT:g} s unless .svg() or "
            f".save() is given a larger timeout"
        )
    names = {id(v): name for name, v in (params or {}).items()}
    grads = {id(v): v.grad for v in values}
    current: Step | None = None
    if step is not None:
        grads, current = _state_after(root, values, step)
    ids = {id(v): f"v{i}" for i, v in enumerate(values)}

    digraph = graphviz.Digraph(
        "backprop",
        graph_attr=attributes,
        node_attr={"fontname": "Helvetica"},
        edge_attr={"fontname": "Helvetica"},
    )
    digraph.attr(label=_caption(current, step), labelloc="t", fontname="Helvetica")
    for value in values:
        name = names.get(id(value)) or value.label or ids[id(value)]
        if value is root:
            colour = OUTPUT
        elif id(value) in names:
            colour = PARAMETER
        elif value.is_leaf and value.label:
            colour = INPUT
        else:
            colour = PLAIN
        record = (
            f"{{ {_escape(name)} | data {_number(value.data)} | grad {_number(grads[id(value)])} }}"
        )
        highlight = current is not None and value in (current.node, current.input)
        digraph.node(
            ids[id(value)],
            label=record,
            shape="record",
            style="filled",
            fillcolor=colour,
            color=CURRENT if highlight else "black",
            penwidth="2" if highlight else "1",
        )
        if value.is_leaf:
            continue
        op_id = ids[id(value)] + "_op"
        digraph.node(op_id, label=_escape(value._op.describe()), shape="oval", style="filled",  # type: ignore[union-attr]
                     fillcolor=OP, fontsize="11")  # fmt: skip
        digraph.edge(op_id, ids[id(value)])
        local = _local_derivatives(value)
        for position, parent in enumerate(value.parents):
            label = "∂ undefined" if local is None else f"∂ {_number(local[position])}"
            if contributions and local is not None:
                label += f"\ncontrib {_number(local[position] * grads[id(value)])}"
            if len(value.parents) > 1:
                label = f"[{position}] {label}"
            taken = current is not None and current.node is value and current.position == position
            digraph.edge(
                ids[id(parent)],
                op_id,
                label=label,
                fontsize="10",
                color=CURRENT if taken else "black",
                fontcolor=CURRENT if taken else "black",
                penwidth="2.5" if taken else "1",
            )
    count = f"{len(values):,} value" + ("" if len(values) == 1 else "s")
    return Graph(digraph, count, made_by="draw", smaller=SMALLER)


def _caption(current: Step | None, step: int | None) -> str:
    if current is None:
        return "before the first step: the output's gradient is 1" if step == -1 else ""
    return (
        f"step {current.index}: {_number(current.upstream)} (upstream) × "
        f"{_number(current.local)} (local) = {_number(current.contribution)} into input "
        f"{current.position} of '{current.node.op}'"
    )


def _state_after(
    root: Value, values: list[Value], step: int
) -> tuple[dict[int, float], Step | None]:
    """Everyone's gradient after chain-rule step ``step`` (-1: only the root seeded with 1),
    computed by running the pass that far and then put back as it was."""
    if isinstance(step, bool) or not isinstance(step, int) or step < -1:
        raise ValueError(f"draw: step must be an int >= -1, got {step!r}")
    if step == -1:
        return {id(v): 1.0 if v is root else 0.0 for v in values}, None
    saved = [v.grad for v in values]
    steps = backward_steps(root)
    try:
        for record in steps:
            if record.index == step:
                return {id(v): v.grad for v in values}, record
        raise ValueError(f"draw: there is no step {step} in this backward pass")
    finally:
        steps.close()
        for value, grad in zip(values, saved, strict=True):
            value.grad = grad


def write_frames(
    root: Value,
    folder: str | os.PathLike[str],
    params: Mapping[str, Value] | None = None,
    *,
    format: str = "svg",
    max_steps: int = 200,
) -> list[Path]:
    """One picture per chain-rule step of a backward pass from ``root`` into ``folder``:
    ``step_start`` (the root seeded), then ``step_000``, ``step_001``, ... Returns the
    paths. Gradients are left as they were."""
    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    total = sum(1 for _ in _counting_pass(root))
    if total > max_steps:
        raise ValueError(f"write_frames: {total} steps, more than max_steps={max_steps}")
    width = max(3, len(str(total)))
    paths = [draw(root, params, step=-1).save(out / f"step_start.{format}")]
    for k in range(total):
        paths.append(draw(root, params, step=k).save(out / f"step_{k:0{width}d}.{format}"))
    return paths


def _counting_pass(root: Value) -> list[Step]:
    values = _walk(root)
    saved = [v.grad for v in values]
    try:
        return list(backward_steps(root))
    finally:
        for value, grad in zip(values, saved, strict=True):
            value.grad = grad
