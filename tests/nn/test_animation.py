"""GIFs of a recorded training (``explorer.gif``): the regression line over the first 10
iterations of the second document's x → 2x, a decision boundary, the loss curve; Pillow
reads them back frame by frame."""

from __future__ import annotations

import itertools
import re
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageChops

import nn
from nn import animation
from nn.recording import Record

SHOTS = Path("/tmp/training-shots")


def doubling_history(epochs: int = 12) -> nn.History:
    """The second document: x → 2x from (1, 2), (2, 4), (3, 6), w = b = 0, SGD lr 0.1, mse."""
    X, y = nn.data.doubling()
    model = nn.Linear(1, 1, init="zeros")
    optimizer = nn.optim.SGD(model.parameters(), lr=0.1)
    return nn.fit(
        model, X, y, loss="mse", optimizer=optimizer, epochs=epochs, verbose=0, record=True
    )


def frames_of(path: Path) -> list[Image.Image]:
    image = Image.open(path)
    frames = []
    for i in range(image.n_frames):
        image.seek(i)
        frames.append(image.convert("RGB"))
    return frames


def test_the_regression_line_over_the_first_10_iterations() -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = (
        doubling_history().explore().gif(SHOTS / "doubling-line.gif", view="fit", frames=range(10))
    )
    frames = frames_of(path)
    assert len(frames) == 10
    assert frames[0].size == (400, 320)  # 5 × 4 inches at 80 dpi
    for earlier, later in itertools.pairwise(frames):
        assert ImageChops.difference(earlier, later).getbbox() is not None  # the line moved
    frames[0].save(SHOTS / "doubling-line-frame0.png")
    frames[9].save(SHOTS / "doubling-line-frame9.png")


def test_a_boundary_and_the_loss_curve(tmp_path: Path) -> None:
    X, y = nn.data.make_moons(30, noise=0.1, seed=0, signed=True)
    model = nn.MLP(2, [6, 1], seed=0)
    optimizer = nn.optim.Adam(model.parameters(), lr=0.05)
    history = nn.fit(
        model, X, y, loss="hinge", optimizer=optimizer, epochs=4, verbose=0,
        record=Record(sample=None, grid=10),
    )  # fmt: skip
    explorer = history.explore()
    boundary = frames_of(explorer.gif(tmp_path / "boundary.gif"))
    assert len(boundary) == 4
    assert ImageChops.difference(boundary[0], boundary[3]).getbbox() is not None
    loss = frames_of(explorer.gif(tmp_path / "loss.gif", view="loss", frames=[0, 3], fps=1))
    assert len(loss) == 2
    assert ImageChops.difference(loss[0], loss[1]).getbbox() is not None  # the marker moved


def test_bad_gif_requests_say_what_to_pass(tmp_path: Path) -> None:
    explorer = doubling_history(3).explore()
    with pytest.raises(ValueError, match=r"frame 3 is not a recorded step: the recording has 3"):
        explorer.gif(tmp_path / "x.gif", frames=range(4))
    with pytest.raises(ValueError, match=r"view must be one of 'fit', 'loss', got 'curve'"):
        explorer.gif(tmp_path / "x.gif", view="curve")
    with pytest.raises(ValueError, match=r"frames is empty"):
        explorer.gif(tmp_path / "x.gif", frames=[])
    with pytest.raises(ValueError, match=r"fps must be positive"):
        explorer.gif(tmp_path / "x.gif", fps=0)
    assert not (tmp_path / "x.gif").exists()


def test_no_fit_view_says_why(tmp_path: Path) -> None:
    X = [[0.0, 1.0, 2.0], [1.0, 0.0, 1.0], [2.0, 2.0, 0.0]]
    model = nn.Linear(3, 1, seed=0)
    sgd = nn.optim.SGD(model.parameters(), lr=0.1)
    history = nn.fit(model, X, [1.0, 2.0, 3.0], loss="mse", optimizer=sgd, verbose=0, record=True)
    with pytest.raises(
        ValueError, match=r'view="fit" cannot be drawn: no predictions view.*view="loss"'
    ):
        history.explore().gif(tmp_path / "x.gif")
    assert len(frames_of(history.explore().gif(tmp_path / "loss.gif", view="loss"))) == 1


def test_without_matplotlib_the_error_says_how_to_install_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    explorer = doubling_history(2).explore()
    for name in [m for m in sys.modules if m == "matplotlib" or m.startswith("matplotlib.")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # import matplotlib fails
    with pytest.raises(ImportError, match=r"needs matplotlib.*pip install 'stepgrad\[plot\]'"):
        explorer.gif(tmp_path / "x.gif")


def test_six_classes_have_six_colours_and_the_plane_is_coloured_as_their_points() -> None:
    from matplotlib.colors import to_rgb
    from matplotlib.figure import Figure

    centres = [(np.cos(a), np.sin(a)) for a in np.linspace(0, 2 * np.pi, 6, endpoint=False)]
    rng = np.random.default_rng(0)
    X = np.array([[3 * cx, 3 * cy] for cx, cy in centres for _ in range(4)])
    X += rng.normal(scale=0.2, size=X.shape)
    y = [c for c in range(6) for _ in range(4)]
    model = nn.MLP(2, [8, 6], seed=0)
    adam = nn.optim.Adam(model.parameters(), lr=0.05)
    history = nn.fit(
        model, X, y, loss="categorical_crossentropy", optimizer=adam, epochs=2, verbose=0,
        record=Record(sample=None, grid=10),
    )  # fmt: skip
    recording = history.recording
    assert recording is not None and recording.view is not None
    assert recording.view.classes == 6
    ax = Figure().add_subplot()
    animation._fit_drawer(recording, ax)(1)
    (mesh,) = ax.collections[:1]
    points = ax.collections[1:]
    colours = [to_rgb(p.get_facecolor()[0]) for p in points]
    assert len(set(colours)) == 6
    for label, colour in enumerate(colours):
        assert to_rgb(mesh.cmap(mesh.norm(label))) == colour  # the plane's class c is c's colour


def test_the_gifs_colours_are_the_pages() -> None:
    script = (Path(animation.__file__).parent / "static" / "training.js").read_text("utf-8")
    found = re.search(r"const palette = \[([^\]]*)\]", script)
    assert found is not None
    assert tuple(re.findall(r'"(#[0-9a-f]{6})"', found[1])) == animation.PALETTE
