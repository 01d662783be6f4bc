"""The browser fixture itself: headless Chromium opens a local page and runs its script."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest


@pytest.mark.browser
def test_headless_chromium_runs_a_local_pages_script(browser: Any, tmp_path: Path) -> None:
    page = tmp_path / "page.html"
    page.write_text(
        "<!doctype html><title>t</title><p id=out>no script</p>"
        "<script>document.getElementById('out').textContent = String(6 * 7)</script>",
        encoding="utf-8",
    )
    browser.get(page.as_uri())
    assert browser.find_element("id", "out").text == "42"
