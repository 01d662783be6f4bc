"""demos/explorer.py: the explorer pages of the two worked examples and the moons MLP, and
the GIF of the doubling line; each page is opened in headless Chromium."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from tests.demos.running import run_demo, written

PAGES = ["line_backward", "line_training", "doubling_backward", "doubling_training",
         "moons_backward", "moons_training"]  # fmt: skip


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, Path]:
    out = tmp_path_factory.mktemp("explorer")
    return run_demo("explorer", "--quick", "--out", str(out)), out


def test_the_demo_writes_every_page_and_the_gif_and_says_how_big(demo: tuple[str, Path]) -> None:
    output, out = demo
    expected = [out / f"{name}.html" for name in PAGES]
    expected.insert(4, out / "doubling_line.gif")
    assert written(output) == expected
    for path in expected:  # each printed with its size in KiB and the seconds it took
        size = re.search(rf"{path.name} +(\d+) KiB +[\d.]+ s", output)
        assert size, path.name
        assert abs(int(size[1]) - path.stat().st_size / 1024) <= 1
    for name in PAGES:
        page = (out / f"{name}.html").read_text(encoding="utf-8")
        assert page.lower().startswith("<!doctype html>") and "http://" not in page.replace(
            "http://www.w3.org", ""
        )


def test_the_gif_is_the_line_over_the_first_ten_iterations(demo: tuple[str, Path]) -> None:
    from PIL import Image

    _, out = demo
    with Image.open(out / "doubling_line.gif") as gif:
        assert gif.n_frames == 10


@pytest.mark.browser
def test_the_line_pages_show_the_first_documents_first_step(
    demo: tuple[str, Path], browser: Any
) -> None:
    _, out = demo
    browser.get((out / "line_training.html").as_uri())
    body = browser.find_element("tag name", "body").text
    assert "w ← 0 − 0.05 × (−28) = 1.4" in body  # the first document's first update
    browser.get((out / "line_backward.html").as_uri() + "#step=0")
    panel = browser.find_element("css selector", ".sg-step-panel").text
    assert "Step 0: loss = mean" in panel and "1/5 = 0.2" in panel  # ∂mean/∂x₁ = 1/n


@pytest.mark.browser
def test_the_moons_page_shows_one_samples_neurons(demo: tuple[str, Path], browser: Any) -> None:
    _, out = demo
    browser.get((out / "moons_backward.html").as_uri() + "#step=40")
    panel = browser.find_element("css selector", ".sg-step-panel").text
    assert "Step 40:" in panel and "neuron" in panel and "into the parameter layers." in panel
