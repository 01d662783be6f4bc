"""The README's examples run as written and print what the README says."""

from __future__ import annotations

import doctest
from pathlib import Path

import pytest

README = Path(__file__).resolve().parent.parent / "README.md"


def test_readme_examples_run_as_written() -> None:
    result = doctest.testfile(str(README), module_relative=False, optionflags=doctest.ELLIPSIS)
    assert result.attempted >= 15, "the README lost its examples"
    assert result.failed == 0


def test_readme_quick_start_is_exactly_the_two_commands() -> None:
    text = README.read_text()
    opening = text.index("```sh", text.index("## Quick start")) + len("```sh")
    block = text[opening : text.index("```", opening)]
    commands = [line.split("#")[0].strip() for line in block.strip().splitlines()]
    assert commands == ["make demo", "make test"]


@pytest.mark.torch
def test_readme_pytorch_graduation_code_runs_and_agrees() -> None:
    import nn

    text = README.read_text()
    opening = text.index("```python", text.index("### Moving to PyTorch")) + len("```python")
    code = text[opening : text.index("```", opening)]
    X, _ = nn.data.make_moons(50, noise=0.1, seed=4, signed=True)
    model = nn.MLP(2, [16, 16, 1], seed=2)
    namespace: dict[str, object] = {"model": model, "X": X}
    exec(compile(code, "README.md", "exec"), namespace)
    same = namespace["same"]
    expected = model.predict(X)
    assert abs(same - expected).max() <= 1e-12 * max(1.0, abs(expected).max())  # type: ignore[operator]


def test_the_layout_table_lists_every_module() -> None:
    text = README.read_text()
    table = text[text.index("## Layout") :]
    root = README.parent
    modules = [
        path.relative_to(root).as_posix()
        for package in ("autograd", "nn")
        for path in sorted((root / package).rglob("*.py"))
        if path.name != "__init__.py"
    ]
    missing = [
        module
        for module in modules
        if f"`{module}`" not in table
        and not (f"`{module.rpartition('/')[0]}/`" in table and module.rpartition("/")[2] in table)
    ]
    assert missing == [], f"README's Layout table does not list {missing}"


def test_the_readme_names_no_file_outside_the_repository() -> None:
    text = README.read_text()
    for name in ("FACTS.md", "STYLE.md", "seeds/", "shared/", "the first document"):
        assert name not in text, name
