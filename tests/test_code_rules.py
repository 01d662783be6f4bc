"""Rules for every module of the packages and the demos."""

from __future__ import annotations

import ast

import pytest

from tests.helpers import ROOT


@pytest.mark.parametrize("folder", ["autograd", "nn", "demos"])
def test_no_assert_statements(folder: str) -> None:
    # bare asserts vanish under python -O and raise AssertionError otherwise; the code
    # must raise TypeError / ValueError / ... explicitly, naming what went wrong
    offenders = []
    for path in sorted((ROOT / folder).rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        offenders += [
            f"{path.relative_to(ROOT)}:{n.lineno}"
            for n in ast.walk(tree)
            if isinstance(n, ast.Assert)
        ]
    assert offenders == []
