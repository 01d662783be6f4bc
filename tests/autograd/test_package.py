"""The autograd package as a whole: rules for all of its modules."""

from __future__ import annotations

import ast
from pathlib import Path

import autograd


def test_no_assert_statements_in_engine() -> None:
    # bare asserts vanish under python -O and raise AssertionError otherwise; the
    # engine must raise TypeError / ValueError / ... explicitly
    package = Path(autograd.__file__).parent
    offenders = []
    for path in sorted(package.rglob("*.py")):  # autograd/fast/ too
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        offenders += [
            f"{path.relative_to(package)}:{n.lineno}"
            for n in ast.walk(tree)
            if isinstance(n, ast.Assert)
        ]
    assert offenders == []
