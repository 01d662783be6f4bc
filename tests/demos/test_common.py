"""demos/common.py: what the demos share; here, that a demo without matplotlib prints its
figures and says how to get the plots."""

from __future__ import annotations

from pathlib import Path

from tests.demos.running import run


def test_a_demo_without_matplotlib_prints_its_figures_and_says_how_to_get_plots(
    tmp_path: Path,
) -> None:
    code = (
        "import runpy, sys; sys.modules['matplotlib'] = None; "
        f"sys.argv = ['learning_rate', '--out', {str(tmp_path)!r}]; "
        "runpy.run_module('demos.learning_rate', run_name='__main__')"
    )
    output = run(["-c", code])
    assert "oscillates" in output and "lr 0.5: diverged" in output
    assert "pip install 'stepgrad[plot]'" in output
    assert output.rstrip().endswith("Files written: none")
    assert list(tmp_path.iterdir()) == []
