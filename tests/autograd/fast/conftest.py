"""Fixtures of the fast path's tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest


@pytest.fixture
def compiled_backward() -> Iterator[None]:
    """The compiled engine's C pass installed as the fast backward, whichever engine the
    suite runs with (the compiled engine's tests use it for every test). Imported here,
    not at the top: without the extension only those tests skip, not this folder's."""
    from tests.autograd.fast.native_helpers import native_backward_installed

    with native_backward_installed():
        yield
