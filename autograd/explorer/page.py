"""The explorer as one self-contained HTML page: the picture, the script, the style, the data.

The page holds the static picture (``layout`` filled with the final gradients of the
pass it opens at), so that where scripts do not run it still shows the graph after the
whole pass. Its script (``static/explorer.js``) then turns that picture into the
explorer: ``StepgradExplorer.mount(container, {graph, passes}, {pass, hashKey})``. The
data sits in a ``<script type="application/json">`` with ``<``, ``>`` and ``&`` written
as ``\\u003c``, ``\\u003e`` and ``\\u0026``, so that no string in it can end the element;
the script puts every string it shows in the page as text, never as markup. Nothing is
loaded from anywhere: no URL, no ``@import``, no ``fetch``.
"""

from __future__ import annotations

import base64
import html
import json
import os
from collections.abc import Mapping, Sequence
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from autograd import rendering
from autograd.explorer.data import MAX_NODES
from autograd.explorer.layout import drawn, fill, layout

FRAME_HEIGHT = 760
"""The height in pixels of the notebook frame the explorer shows in (its width is the cell's)."""
TRUST = (
    "run the cell, or trust the notebook (File &gt; Trust Notebook, or "
    "<code>jupyter trust NAME.ipynb</code>): an untrusted notebook runs no scripts"
)
"""How to see a page that an untrusted notebook does not show (HTML)."""


@cache
def asset(name: str) -> str:
    """The text of ``autograd/explorer/static/<name>`` (package data)."""
    return resources.files("autograd").joinpath(f"explorer/static/{name}").read_text("utf-8")


def script_json(payload: object) -> str:
    """``payload`` as JSON that is safe inside a ``<script>`` element: ``<``, ``>`` and ``&``
    as JSON's ``\\u003c`` escapes (so ``</script>`` cannot appear), and no NaN or inf
    (which JSON has not)."""
    text = json.dumps(payload, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def inline(code: str, tag: str) -> str:
    """``code`` (our own script or style) checked to be safe inside ``<tag>``."""
    if f"</{tag}" in code.lower():
        raise ValueError(f"Explorer: an asset contains '</{tag}', which would end its element")
    return code


def notebook_frame(page: str, *, title: str, height: int, untrusted: str) -> str:
    """The self-contained ``page`` in an ``<iframe srcdoc=...>`` as wide as a notebook's
    cell and ``height`` pixels tall, its script and style kept apart from the notebook's
    (``sandbox="allow-scripts"``). Inside the frame's tag goes ``untrusted`` (HTML): a
    browser that shows the frame never shows it, and an untrusted notebook, whose
    sanitizer removes the frame, keeps it."""
    return (
        f'<iframe srcdoc="{html.escape(page, quote=True)}" '
        f'title="{html.escape(title, quote=True)}" sandbox="allow-scripts" '
        f'style="width: 100%; height: {height}px; border: 1px solid #ddd; '
        f'border-radius: 4px">{untrusted}</iframe>'
    )


GRAPH_KEYS = ("title", "nodes", "edges")
PASS_KEYS = ("data", "seed", "held", "steps", "final", "reached_at", "complete_at", "why")


def _require(part: object, keys: tuple[str, ...], what: str) -> None:
    """Raise unless ``part`` is a mapping with every one of ``keys``."""
    missing = [key for key in keys if not isinstance(part, Mapping) or key not in part]
    if missing:
        raise ValueError(
            f"Explorer: {what} lacks {', '.join(map(repr, missing))}; make the graph and its "
            "passes with autograd.explorer.build"
        )


class Explorer:
    """The backprop explorer of one graph: ``Explorer(graph, passes)``, with ``graph`` and
    each pass as ``autograd.explorer.build`` makes them (the backward explorer has one
    pass; a training page one per recorded epoch).

    The graph is laid out once, here (so a graph too large to lay out is a ValueError
    now, saying what to show instead; see ``layout``). ``.html()`` is the page,
    ``.save(path)`` writes it, and in Jupyter it shows itself in a frame of its own.
    ``pass_`` is the pass the page opens at.
    """

    def __init__(
        self,
        graph: Mapping[str, Any],
        passes: Sequence[Mapping[str, Any]],
        *,
        pass_: int = 0,
        max_nodes: int = MAX_NODES,
        timeout: float | None = rendering.TIMEOUT,
    ) -> None:
        if isinstance(passes, Mapping) or not isinstance(passes, Sequence) or not passes:
            raise TypeError(
                "Explorer: passes must be a non-empty list of passes (the backward "
                f"explorer has one: [pass_]), got {type(passes).__name__}"
            )
        _require(graph, GRAPH_KEYS, "the graph")
        count = len(graph["nodes"])
        for number, one in enumerate(passes):
            _require(one, PASS_KEYS, f"pass {number}")
            for key in ("data", "final", "held", "reached_at", "complete_at", "why"):
                if len(one[key]) != count:
                    raise ValueError(
                        f"Explorer: pass {number} has {len(one[key])} entries in {key!r} for a "
                        f"graph of {count} nodes; build the graph and its passes together"
                    )
        if isinstance(pass_, bool) or not isinstance(pass_, int) or not 0 <= pass_ < len(passes):
            raise ValueError(
                f"Explorer: pass_ must be the number of one of the {len(passes)} passes, "
                f"got {pass_!r}"
            )
        self.graph = graph
        self.passes = list(passes)
        self.pass_ = pass_
        self.layout = layout(graph, max_nodes=max_nodes, timeout=timeout)

    @property
    def title(self) -> str:
        return str(self.graph["title"])

    def static_svg(self) -> str:
        """The picture without the script: the graph after the whole of the pass the page
        opens at (each node's data and final gradient)."""
        shown = self.passes[self.pass_]
        return fill(self.layout, shown["data"], shown["final"])

    def html(self) -> str:
        """The page: one self-contained HTML document (see the module docstring)."""
        payload = script_json({"graph": self.graph, "passes": self.passes})
        options = script_json({"pass": self.pass_, "hashKey": "step"})
        title = html.escape(self.title)
        steps = len(self.passes[self.pass_]["steps"])
        return (
            "<!doctype html>\n"
            '<html lang="en" class="sg-page">\n<head>\n<meta charset="utf-8">\n'
            '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f"<title>{title}</title>\n"
            f"<style>\n{inline(asset('explorer.css'), 'style')}</style>\n</head>\n<body>\n"
            '<div class="stepgrad-explorer" id="stepgrad-explorer">\n'
            '<div class="sg-static">\n'
            f'<h1 class="sg-title">{title}</h1>\n'
            f'<p class="sg-static-note">The graph after the whole backward pass ({steps} '
            "chain-rule steps), with its final gradients. With JavaScript on, this page "
            "steps through the pass.</p>\n"
            f"{self.static_svg()}\n</div>\n</div>\n"
            f'<script type="application/json" id="stepgrad-data">{payload}</script>\n'
            f"<script>\n{inline(asset('explorer.js'), 'script')}</script>\n"
            "<script>\n"
            "window.stepgradExplorer = StepgradExplorer.mount(\n"
            '  document.getElementById("stepgrad-explorer"),\n'
            '  JSON.parse(document.getElementById("stepgrad-data").textContent),\n'
            f"  {options}\n);\n</script>\n</body>\n</html>\n"
        )

    def save(self, path: str | os.PathLike[str]) -> Path:
        """Write the page to ``path`` (``.html`` or ``.htm``; ``.svg`` writes the static
        picture) and return it. Open it in any browser: it needs nothing else."""
        target = Path(path)
        suffix = target.suffix.lower()
        if suffix in (".html", ".htm"):
            target.write_text(self.html(), encoding="utf-8")
        elif suffix == ".svg":
            target.write_text(self.static_svg(), encoding="utf-8")
        else:
            raise ValueError(
                f"Explorer.save: {str(target)!r} should end in .html (the page) or .svg "
                f"(the static picture)"
            )
        return target

    def _repr_html_(self) -> str:
        """The page in an ``<iframe srcdoc=...>``: its script and style kept apart from
        the notebook's, as wide as the cell."""
        picture = base64.b64encode(self.static_svg().encode("utf-8")).decode("ascii")
        untrusted = (
            f'<img alt="{html.escape(self.title, quote=True)}" style="max-width: 100%" '
            f'src="data:image/svg+xml;base64,{picture}">'
            f"<p>The graph after the whole pass. To step through it, {TRUST}.</p>"
        )
        return notebook_frame(
            self.html(), title=self.title, height=FRAME_HEIGHT, untrusted=untrusted
        )

    def _repr_mimebundle_(self, include: object = None, exclude: object = None) -> dict[str, str]:
        """What Jupyter shows: the page in its frame, the static picture for front ends
        that show no HTML, and the repr."""
        svg = self.static_svg()
        picture = '<svg style="max-width: 100%; height: auto"' + svg[len("<svg") :]
        return {"text/html": self._repr_html_(), "image/svg+xml": picture, "text/plain": repr(self)}

    def __repr__(self) -> str:
        values = len(drawn(self.graph))
        steps = len(self.passes[self.pass_]["steps"])
        passes = "" if len(self.passes) == 1 else f" in each of {len(self.passes)} passes"
        return (
            f"<autograd.Explorer of {values} value{'' if values == 1 else 's'}, {steps} "
            f"step{'' if steps == 1 else 's'}{passes}; .save('page.html') writes the page, "
            f".html() is its text>"
        )
