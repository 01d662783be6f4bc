"""The backprop explorer: a backward pass to step through in a page, or in a notebook.

``explore(loss)`` is the whole of it: ``data`` turns the graph and a backward pass over
it into plain data (what the page shows is the engine's numbers), ``formulas`` reads each
op's math from its docstring, ``views`` narrows a big graph (one sample's part,
parameters inside their neurons), ``layout`` lays the graph out once, and ``page`` makes
the self-contained page (``Explorer``) with ``static/explorer.js``.
"""

from __future__ import annotations

from collections.abc import Mapping

from autograd import rendering
from autograd.engine import Value
from autograd.explorer.data import MAX_NODES, build, frame_gradients
from autograd.explorer.page import Explorer

__all__ = ["Explorer", "build", "explore", "frame_gradients"]


def explore(
    root: Value,
    params: Mapping[str, Value] | None = None,
    *,
    sample: int | None = None,
    view: str = "value",
    max_nodes: int = MAX_NODES,
    timeout: float | None = rendering.TIMEOUT,
) -> Explorer:
    """The backprop explorer of the graph ``root`` was computed by: a page that steps
    through ``backward_steps(root)``, shown inline in a notebook, ``.save("loss.html")``
    to write it as one self-contained file.

    ``params`` names parameters (``dict(model.named_parameters())``); ``sample=i`` shows
    one sample's part of a loss over many; ``view="neuron"`` draws parameters inside their
    neurons, ``view="layer"`` groups neurons by layer (see ``build``). A graph of more
    than ``max_nodes`` values to draw, or one whose layout takes more than ``timeout``
    seconds, raises saying what to show instead. Gradients are left as they were; to see
    where each node was created, build the graph and call ``explore`` inside
    ``autograd.detect_anomaly()``.
    """
    graph, numbers = build(root, params, sample=sample, view=view, max_nodes=max_nodes)
    return Explorer(graph, [numbers], max_nodes=max_nodes, timeout=timeout)
