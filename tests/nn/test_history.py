"""nn/history.py: what History holds (indices, as Keras), and its short and rich reprs
(which count epochs from 1)."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import nn
from nn import functional as F
from nn.history import History


def line_history(epochs: int, **kwargs: object) -> History:
    X, y = nn.data.line()
    model = nn.Linear(1, 1, init="zeros")
    optimizer = nn.optim.SGD(model.parameters(), lr=kwargs.pop("lr", 0.05))  # type: ignore[arg-type]
    return nn.fit(
        model, X, y, loss=F.mse_loss, optimizer=optimizer, epochs=epochs, verbose=0,
        **kwargs,  # type: ignore[arg-type]
    )  # fmt: skip


def test_epochs_are_indices_as_in_keras() -> None:
    history = line_history(4)
    assert history.epoch == [0, 1, 2, 3]
    assert len(history["loss"]) == 4 and history.best_epoch is None


def test_the_repr_is_one_short_line_of_first_and_last_figures() -> None:
    history = line_history(1000)
    last = history["loss"][-1]
    assert last < 1e-20  # so it is written in scientific notation, with its digits
    assert repr(history) == f"History(epochs=1000, loss=33.0000 → {last:.3e})"


def test_the_repr_says_how_early_stopping_ended_counting_from_1() -> None:
    # lr 0.2 makes gradient descent on the line oscillate and grow: the best is early
    history = line_history(50, lr=0.2, early_stopping=3)
    assert history.stopped_epoch is not None and history.best_epoch is not None
    best = history["loss"][history.best_epoch]
    assert repr(history).endswith(
        f", stopped early at epoch {history.stopped_epoch + 1}; "
        f"best loss {best:.4f} at epoch {history.best_epoch + 1} (weights restored))"
    )
    assert history.monitor == "loss" and history.restored


def table(history: History) -> tuple[str, list[str], list[list[str]]]:
    """The caption, the column headings and the rows (heading first) of the HTML table."""
    root = ET.fromstring(history._repr_html_())
    caption = root.findtext("caption") or ""
    heads = [th.text or "" for th in root.iter("th")][: len(history.history) + 1]
    rows = [[cell.text or "" for cell in tr] for tr in root.find("tbody") or []]
    return caption, heads, rows


def test_the_notebook_table_shows_the_ends_and_the_best_epoch_counting_from_1() -> None:
    history = History(monitor="val_loss", best_epoch=20, stopped_epoch=39, restored=True)
    for epoch in range(40):
        history.record(epoch, {"loss": 1 / (epoch + 1), "val_loss": 1 + abs(epoch - 20) / 8})
    caption, heads, rows = table(history)
    assert caption == (
        "History: 40 epochs; stopped early at epoch 40; "
        "best val_loss 1.0000 at epoch 21 (weights restored)"
    )
    assert heads == ["epoch", "loss", "val_loss"]
    assert rows == [
        ["1", "1.0000", "3.5000"],
        ["2", "0.5000", "3.3750"],
        ["3", "0.3333", "3.2500"],
        ["4", "0.2500", "3.1250"],
        ["5", "0.2000", "3.0000"],
        ["…", "…", "…"],
        ["21 (best)", "0.0476", "1.0000"],
        ["…", "…", "…"],
        ["36", "0.0278", "2.8750"],
        ["37", "0.0270", "3.0000"],
        ["38", "0.0263", "3.1250"],
        ["39", "0.0256", "3.2500"],
        ["40", "0.0250", "3.3750"],
    ]


def test_a_short_history_shows_every_epoch_and_escapes_names() -> None:
    history = History()
    for epoch, value in enumerate([0.5, 0.25, 0.125]):
        history.record(epoch, {"loss": value, "<b>": 1.0})
    caption, heads, rows = table(history)
    assert caption == "History: 3 epochs"
    assert heads == ["epoch", "loss", "<b>"]  # escaped in the HTML, read back as text
    assert rows == [["1", "0.5000", "1.0000"], ["2", "0.2500", "1.0000"], ["3", "0.1250", "1.0000"]]
    assert "<b>" not in history._repr_html_()
    assert repr(History()) == "History(epochs=0)"
