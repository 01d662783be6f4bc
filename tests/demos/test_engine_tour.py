"""demos/engine_tour.py: the tour of the engine runs to its end, gradcheck included."""

from __future__ import annotations

from tests.demos.running import run_demo


def test_engine_tour_runs_and_prints_its_gradcheck() -> None:
    output = run_demo("engine_tour")
    assert "gradcheck" in output
