"""nn/progress.py: the progress line fits the terminal, in a real pseudo-terminal too.

The pseudo-terminal tests run ``nn.fit`` in a child Python whose stdout is the slave side
of a pty of a given size, read everything it writes from the master side, and replay it
as a terminal would (``\\r`` to the first column, ``ESC[K`` clearing to the end of the
line, ``\\n`` down a line), without wrapping: a replayed line longer than the terminal is
one that a real terminal would have wrapped.
"""

from __future__ import annotations

import io
import os
import re
import select
import subprocess
import sys
import textwrap

import pytest

import nn
from nn import functional as F
from nn.progress import duration, figure, progress_line, terminal_width
from tests.helpers import ROOT

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="pseudo-terminals are POSIX")

LOGS = {
    "loss": 0.123456,
    "sign_accuracy": 0.95,
    "mse": 0.5,
    "val_loss": 0.234567,
    "val_sign_accuracy": 0.9333,
    "val_mse": 0.61,
}


def test_figures_keep_their_digits() -> None:
    assert [figure(v) for v in (0.0123, 0.0, 33.0, 0.001, 3.2e-10, 1.4413848e154)] == [
        "0.0123",
        "0.0000",
        "33.0000",
        "0.0010",
        "3.200e-10",
        "1.441e+154",
    ]


def test_times_are_written_as_keras_writes_its_eta() -> None:
    assert [duration(s) for s in (0.4, 12.0, 245.0, 3723.0)] == ["0s", "12s", "4:05", "1:02:03"]


def test_a_wide_terminal_gets_the_whole_line() -> None:
    line = progress_line(3, 60, {"loss": 0.5, "val_loss": 0.25}, "ETA 4s", width=100)
    assert line == "epoch 3/60 [=>..................]  loss 0.5000  val_loss 0.2500  ETA 4s"


FORMS = {  # every way a figure of LOGS may be written, whole
    "loss 0.1235", "loss 0.123", "sign_accuracy 0.9500", "sign_accuracy 0.950",
    "sign_acc 0.950", "mse 0.5000", "mse 0.500", "val_loss 0.2346", "val_loss 0.235",
    "val_sign_accuracy 0.9333", "val_sign_accuracy 0.933", "val_sign_acc 0.933",
    "val_mse 0.6100", "val_mse 0.610",
}  # fmt: skip


def test_the_line_never_reaches_the_last_column_nor_cuts_a_figure() -> None:
    for width in range(8, 161):
        line = progress_line(37, 60, LOGS, "ETA 1:05", width)
        assert len(line) <= width - 1, (width, line)
        assert line.startswith("epoch 37/60"[: width - 1]), (width, line)
        if width > len("epoch 37/60"):  # below that, only the epoch fits, cut
            body = re.sub(r"^epoch 37/60( \[[=>.]+\])?", "", line).split()
            pairs = [" ".join(body[i : i + 2]) for i in range(0, len(body), 2)]
            assert all(pair in FORMS or pair in ("ETA 1:05", "...") for pair in pairs), line


def test_the_bar_goes_first_then_digits_then_names_then_the_time() -> None:
    whole = progress_line(37, 60, LOGS, "ETA 9s", 1000)
    forms = []
    for width in range(len(whole) + 1, 10, -1):
        line = progress_line(37, 60, LOGS, "ETA 9s", width)
        if not forms or line != forms[-1]:
            forms.append(line)
    assert forms[:5] == [
        "epoch 37/60 [============>.......]  loss 0.1235  sign_accuracy 0.9500  mse 0.5000  "
        "val_loss 0.2346  val_sign_accuracy 0.9333  val_mse 0.6100  ETA 9s",
        "epoch 37/60  loss 0.1235  sign_accuracy 0.9500  mse 0.5000  "
        "val_loss 0.2346  val_sign_accuracy 0.9333  val_mse 0.6100  ETA 9s",
        "epoch 37/60 loss 0.123 sign_accuracy 0.950 mse 0.500 val_loss 0.235 "
        "val_sign_accuracy 0.933 val_mse 0.610 ETA 9s",
        "epoch 37/60 loss 0.123 sign_acc 0.950 mse 0.500 val_loss 0.235 val_sign_acc 0.933 "
        "val_mse 0.610 ETA 9s",
        "epoch 37/60 loss 0.123 sign_acc 0.950 mse 0.500 val_loss 0.235 val_sign_acc 0.933 "
        "val_mse 0.610",
    ]
    # then whole figures go, loss and val_loss last
    assert forms[5:] == [
        "epoch 37/60 loss 0.123 sign_acc 0.950 mse 0.500 val_loss 0.235 val_sign_acc 0.933 ...",
        "epoch 37/60 loss 0.123 sign_acc 0.950 mse 0.500 val_loss 0.235 ...",
        "epoch 37/60 loss 0.123 sign_acc 0.950 val_loss 0.235 ...",
        "epoch 37/60 loss 0.123 val_loss 0.235 ...",
        "epoch 37/60 loss 0.123 ...",
        "epoch 37/60 ...",
        "epoch 37/60",
        "epoch 37/6",
    ]


def test_the_width_is_read_as_shutil_reads_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("COLUMNS", raising=False)
    assert terminal_width(io.StringIO()) == 80  # no terminal: the fallback
    monkeypatch.setenv("COLUMNS", "57")
    assert terminal_width(io.StringIO()) == 57
    monkeypatch.setenv("COLUMNS", "wide")
    assert terminal_width(io.StringIO()) == 80


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_an_in_place_line_fits_the_columns_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "40")
    X, y = nn.data.make_moons(40, noise=0.1, seed=3, signed=True)
    model = nn.MLP(2, [4, 1], seed=0)
    stream = Terminal()
    nn.fit(
        model, X, y, loss=F.hinge_loss, optimizer=nn.optim.SGD(model.parameters(), lr=0.1),
        epochs=4, validation_split=0.25, metrics=["sign_accuracy"], stream=stream,
    )  # fmt: skip
    shown = [
        part.removesuffix("\x1b[K\n").removesuffix("\x1b[K")
        for part in stream.getvalue().split("\r")[1:]
    ]
    assert [line.split()[:2] for line in shown] == [["epoch", f"{i}/4"] for i in range(1, 5)]
    assert all(len(line) <= 39 for line in shown)


# -- in a real pseudo-terminal ---------------------------------------------------------------

EPOCHS = 30
TRAINING = """
import nn
from nn import functional as F

X, y = nn.data.make_moons(60, noise=0.1, seed=3, signed=True)
model = nn.MLP(2, [8, 1], seed=0)
history = nn.fit(
    model, X, y, loss=F.hinge_loss, optimizer=nn.optim.Adam(model.parameters(), lr=0.05),
    epochs={epochs}, validation_split=0.25, metrics=["sign_accuracy", "mse"], {extra}
)
"""


def run_in_terminal(code: str, columns: int, env: dict[str, str] | None = None) -> str:
    """Run ``python -c code`` with stdin, stdout and stderr on a pty ``columns`` wide, and
    return everything it wrote (with the terminal's own \\n → \\r\\n)."""
    import fcntl
    import pty
    import struct
    import termios

    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, columns, 0, 0))
    environment = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES")}
    environment.update(env or {})
    child = subprocess.Popen(
        [sys.executable, "-c", code], stdin=slave, stdout=slave, stderr=slave, cwd=ROOT,
        env=environment,
    )  # fmt: skip
    os.close(slave)
    chunks = []
    try:
        while True:
            ready, _, _ = select.select([master], [], [], 300)
            assert ready, "the child wrote nothing for 300 s"
            try:
                chunk = os.read(master, 65536)
            except OSError:  # EIO: every process has closed the terminal
                break
            if not chunk:
                break
            chunks.append(chunk)
    finally:
        os.close(master)
        returncode = child.wait(timeout=300)
    text = b"".join(chunks).decode()
    assert returncode == 0, text
    return text


def replay(output: str) -> list[str]:
    """The screen's lines after ``output``, as a terminal that never wraps shows them."""
    lines: list[list[str]] = [[]]
    column = 0
    i = 0
    while i < len(output):
        if output.startswith("\x1b[K", i):
            del lines[-1][column:]
            i += 3
            continue
        char = output[i]
        assert char != "\x1b", f"an escape the test does not know: {output[i : i + 8]!r}"
        if char == "\r":
            column = 0
        elif char == "\n":
            lines.append([])  # down a line, in the same column
        else:
            row = lines[-1]
            row.extend(" " * (column - len(row)))
            if column < len(row):
                row[column] = char
            else:
                row.append(char)
            column += 1
        i += 1
    return ["".join(row).rstrip() for row in lines]


@pytest.mark.parametrize("columns", [60, 80, 100])
def test_progress_fits_a_real_terminal(columns: int) -> None:
    output = run_in_terminal(TRAINING.format(epochs=EPOCHS, extra=""), columns)
    assert output.count("\r") >= EPOCHS  # it was rewritten in place, epoch after epoch
    screen = [line for line in replay(output) if line]
    assert all(len(line) <= columns for line in screen), screen
    # one line, updated in place: no cut-off copies left behind, and it ends on the last epoch
    assert len(screen) == 1, screen
    last = screen[0]
    assert last.startswith(f"epoch {EPOCHS}/{EPOCHS} ")
    # loss and val_loss are the last figures to go; at 100 columns every figure is there
    assert re.match(rf"epoch {EPOCHS}/{EPOCHS} loss \d\.\d{{3}} sign_acc \d\.\d{{3}} ", last)
    assert re.search(r" val_loss \d\.\d{3}( |$)", last)
    if columns >= 100:
        assert "val_sign_acc " in last and "val_mse " in last and "..." not in last
    else:
        assert last.endswith(" ...")


@pytest.mark.parametrize("columns", [60, 80, 100])
def test_early_stopping_message_fits_a_real_terminal(columns: int) -> None:
    code = TRAINING.format(epochs=300, extra="early_stopping=3") + textwrap.dedent(
        """
        print("STOPPED", history.stopped_epoch, "BEST", history.best_epoch)
        """
    )
    output = run_in_terminal(code, columns)
    screen = [line for line in replay(output) if line]
    assert all(len(line) <= columns for line in screen), screen
    stopped, best = (int(word) for word in screen[-1].split()[1::2])
    progress, message = screen[0], " ".join(screen[1:-1])
    assert progress.startswith(f"epoch {stopped + 1}/300 ")
    assert message.startswith(f"early stopping at epoch {stopped + 1}: val_loss has not ")
    assert f"at epoch {best + 1}; restored the weights from the end of epoch {best + 1}" in (
        message
    )


def test_a_columns_variable_narrower_than_the_terminal_wins() -> None:
    output = run_in_terminal(TRAINING.format(epochs=5, extra=""), 100, env={"COLUMNS": "50"})
    screen = [line for line in replay(output) if line]
    assert len(screen) == 1 and len(screen[0]) <= 49
    assert screen[0].startswith("epoch 5/5 ")
