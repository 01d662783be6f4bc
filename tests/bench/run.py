"""``make bench``: stepgrad's two engines side by side with micrograd 0.1.0 and plain floats.

stepgrad has two engines (``autograd.engine``): the compiled one (``autograd.fast.native``,
written in C) and the Python reference (``autograd.value``). Every figure comes from this
one run, on this machine, and is printed with the ratios between engines. Times are
medians over repeated rounds, the engines taking turns (the machines are shared and
noisy; a single time means little). Results go to ``bench-results/bench.json`` and
``bench-results/bench.md``.

- The expression: both stepgrad engines, micrograd and plain floats in this process
  (the reference's Values work beside the compiled engine's; see ``autograd.engine``).
- micrograd's demo training step: ``nn`` picks its engine at import, so each engine's
  step runs in a child process of its own (``STEPGRAD_ENGINE=native``, ``=python``), in
  which micrograd and plain floats take turns with it: every ratio is within one process.

    python tests/bench/run.py [--quick]

Run with ``STEPGRAD_ENGINE=python`` (or where the compiled engine is not built), it
measures the Python engine alone and says that the compiled one is unavailable.
"""

from __future__ import annotations

import argparse
import datetime
import gc
import json
import os
import platform
import statistics
import subprocess
import sys
import time
import tracemalloc
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from pathlib import Path
from typing import Any

# Run as a script (python tests/bench/run.py): the checkout's root on the path, so that
# the two workloads import as the package tests.bench (as the tests import them).
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
import nn
from autograd import Value
from autograd import value as reference
from autograd.engine import NAME as ENGINE_NAME
from tests.bench.expression import build, count_nodes, floats_with_gradients
from tests.bench.train_step import (
    data,
    floats_trainer,
    initial_state,
    micrograd_trainer,
    stepgrad_loss,
    stepgrad_trainer,
    stray_hook,
)

try:
    from micrograd.engine import Value as MicrogradValue
except ImportError:  # pragma: no cover - make bench installs it
    MicrogradValue = None

RESULTS = Path("bench-results")
# The compiled engine is measured where it is the engine in use (autograd.engine picks it
# where it was built, unless STEPGRAD_ENGINE=python).
COMPILED = ENGINE_NAME == "native"
LABELS = {
    "stepgrad_compiled": "stepgrad (compiled)",
    "stepgrad_python": "stepgrad (Python)",
    "micrograd": "micrograd 0.1.0",
}
UNAVAILABLE = "unavailable"


def release_kept_memory() -> None:
    """Hand the compiled engine's empty slabs back (``_native.release_memory()``) before a
    measurement of memory, so that every measurement starts from the same state (the
    memory of freed nodes it keeps is not counted by tracemalloc either way)."""
    if COMPILED:
        from autograd.fast import _native

        _native.release_memory()


def kept_mb() -> float:
    """MB of freed nodes' memory the compiled engine keeps for new ones (its slabs' room)."""
    from autograd.fast import _native

    return _native.kept() * _native.NODE_BYTES / 1e6


def step_times(engine: Any, terms: int, length: int, rounds: int, collector: bool) -> list[float]:
    """Seconds of one user step, ``rounds`` times: build the expression and call backward().

    Collector on (as users run it): the previous step's graph is dropped inside the
    timed region, so freeing it (by reference counting, or by the cyclic collector
    for micrograd's reference cycles) is paid as a user pays it. Collector off: the
    graph is dropped and collected outside the timed region, so the figure is the
    pure cost of building and differentiating.
    """
    was_enabled = gc.isenabled()
    gc.collect()
    (gc.enable if collector else gc.disable)()
    times = []
    try:
        for _ in range(rounds + 1):  # the first round warms up and is discarded
            start = time.perf_counter()
            root, leaves = build(engine, terms, length)
            root.backward()
            if collector:
                del root, leaves
                times.append(time.perf_counter() - start)
            else:
                times.append(time.perf_counter() - start)
                del root, leaves
                gc.collect()
    finally:
        (gc.enable if was_enabled else gc.disable)()
        gc.collect()
    return times[1:]


def floats_times(terms: int, length: int, rounds: int) -> list[float]:
    """Seconds of the same step in plain floats with hand-written gradients, ``rounds`` times."""
    times = []
    for _ in range(rounds + 1):
        start = time.perf_counter()
        floats_with_gradients(terms, length)
        times.append(time.perf_counter() - start)
    return times[1:]


def interleaved_medians(
    engines: dict[str, Any], terms: int, length: int, blocks: int, rounds: int
) -> dict[str, float]:
    """Median milliseconds per figure, from ``blocks`` turns in which each engine runs
    ``rounds`` steps in each collector mode: taking turns spreads the machine's slow and
    fast moments over all engines, so the ratios are fairer than the absolute times.
    """
    samples: dict[str, list[float]] = {}
    for _ in range(blocks):
        samples.setdefault("floats", []).extend(floats_times(terms, length, rounds))
        for name, engine in engines.items():
            for collector in (False, True):
                key = f"{name}/collector_{'on' if collector else 'off'}"
                samples.setdefault(key, []).extend(
                    step_times(engine, terms, length, rounds, collector)
                )
    return {key: statistics.median(times) * 1e3 for key, times in samples.items()}


def traced_graph(engine: Any, terms: int, length: int) -> tuple[int, int, int]:
    """(nodes, bytes, bytes after backward) of the expression's graph, by tracemalloc."""
    gc.collect()
    release_kept_memory()
    tracemalloc.start()
    try:
        base = tracemalloc.get_traced_memory()[0]
        root, _leaves = build(engine, terms, length)
        built = tracemalloc.get_traced_memory()[0] - base
        root.backward()
        after_backward = tracemalloc.get_traced_memory()[0] - base
    finally:
        tracemalloc.stop()
    return count_nodes(root), built, after_backward


def memory(engine: Any, terms: int, length: int) -> dict[str, float]:
    """Memory of the graph: in all, and per node at the margin (what each further node
    costs: the graphs of ``terms`` and ``terms // 2`` terms, their difference in memory
    over their difference in nodes, so that what a graph holds once, such as the list of
    its leaves, is not spread over its nodes), built and after backward; and for the
    compiled engine the MB of room its slabs keep once the graph is dropped."""
    fewer, built_fewer, after_backward_fewer = traced_graph(engine, terms // 2, length)
    nodes, built, after_backward = traced_graph(engine, terms, length)  # the last dropped
    more = nodes - fewer
    figures = {
        "nodes": nodes,
        "bytes_per_node_forward": (built - built_fewer) / more,
        "bytes_per_node_after_backward": (after_backward - after_backward_fewer) / more,
        "graph_mb_after_backward": after_backward / 1e6,
    }
    if COMPILED and engine is Value:  # both graphs are dropped: their nodes' memory is kept
        figures["mb_kept_for_reuse"] = kept_mb()
    return figures


def chain(engine: Any, depth: int) -> Any:
    """x * 1.0 * 1.0 ...: ``depth`` mul nodes deep (plus their constant leaves)."""
    node = engine(1.0)
    for _ in range(depth):
        node = node * 1.0
    return node


def survives(engine: Any, depth: int) -> bool:
    root = chain(engine, depth)
    try:
        root.backward()
    except RecursionError:
        return False
    return True


def deepest_chain(engine: Any, limit: int) -> int:
    """Largest depth <= limit whose backward() succeeds (binary search; monotone)."""
    if survives(engine, limit):
        return limit
    low, high = 1, limit  # survives(low), not survives(high)
    while high - low > 1:
        middle = (low + high) // 2
        if survives(engine, middle):
            low = middle
        else:
            high = middle
    return low


def expression_engines() -> dict[str, Any]:
    """The engines the expression is timed in: stepgrad's compiled engine (where it is in
    use), its Python reference (always, beside it), micrograd (where installed)."""
    engines: dict[str, Any] = {}
    if COMPILED:
        engines["stepgrad_compiled"] = Value
    engines["stepgrad_python"] = reference.Value
    if MicrogradValue is not None:
        engines["micrograd"] = MicrogradValue
    else:
        print("micrograd is not installed: `make bench` installs it (pip install micrograd==0.1.0)")
    return engines


def run(quick: bool) -> dict[str, Any]:
    terms, length, blocks, rounds = (100, 40, 2, 2) if quick else (1000, 40, 8, 2)
    max_depth = 10_000 if quick else 1_000_000
    engines = expression_engines()
    reason = None if COMPILED else unavailable_reason()
    if reason:
        print(f"the compiled engine is {UNAVAILABLE}: {reason}")

    results: dict[str, Any] = {
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, {platform.system()}",
        "python": platform.python_version(),
        "date": datetime.date.today().isoformat(),
        "rounds": blocks * rounds,
        "engine_in_use": ENGINE_NAME,
        "compiled_available": COMPILED,
        "compiled_unavailable_because": reason,
        "expression": {"terms": terms, "length": length},
        "engines": {},
    }
    root, _ = build(Value, terms, length)
    nodes = count_nodes(root)
    del root
    results["expression"]["nodes"] = nodes
    print(
        f"expression: {nodes:,} nodes in stepgrad's graph (terms={terms}, length={length}); "
        f"medians of {blocks * rounds} steps, taken in {blocks} turns per engine"
    )

    medians = interleaved_medians(engines, terms, length, blocks, rounds)
    floats = results["floats_ms"] = medians["floats"]
    for name, leaf in engines.items():
        figures: dict[str, Any] = {
            "collector_off_ms": medians[f"{name}/collector_off"],
            "collector_on_ms": medians[f"{name}/collector_on"],
        }
        figures |= memory(leaf, terms, length)
        figures["deepest_chain"] = deepest_chain(leaf, max_depth)
        figures["deepest_chain_limit_tested"] = max_depth
        results["engines"][name] = figures
    for figures in results["engines"].values():
        figures["ratios"] = expression_ratios(figures, results["engines"].get("micrograd"), floats)

    print("training step: one child process per engine")
    results["training_step"] = {
        name: training_step_in_child(name, quick)
        for name in (("native", "python") if COMPILED else ("python",))
    }
    results["scaling"] = scaling(quick)
    results["targets"] = targets(results)
    return results


def unavailable_reason() -> str:
    """Why the compiled engine is not in use: not built, or STEPGRAD_ENGINE=python."""
    try:
        from autograd.fast import _native  # noqa: F401
    except ImportError:
        return "autograd.fast._native is not built: no C compiler when installing?"
    return "STEPGRAD_ENGINE=python"


MICROGRAD_OVER = (  # the expression's figures with a "micrograd / engine" ratio
    "collector_on_ms",
    "collector_off_ms",
    "nodes",
    "bytes_per_node_forward",
    "bytes_per_node_after_backward",
    "graph_mb_after_backward",
)


def expression_ratios(
    figures: dict[str, Any], micrograd: dict[str, Any] | None, floats_ms: float
) -> dict[str, Any]:
    """The expression's ratios for one engine: engine / plain floats, collector on /
    collector off, and micrograd / engine (times and memory, keyed by the figure)."""
    ratios: dict[str, Any] = {
        "over_floats_collector_on": figures["collector_on_ms"] / floats_ms,
        "over_floats_collector_off": figures["collector_off_ms"] / floats_ms,
        "collector_on_over_off": figures["collector_on_ms"] / figures["collector_off_ms"],
    }
    if micrograd is not None:
        ratios["micrograd_over_engine"] = {
            key: micrograd[key] / figures[key] for key in MICROGRAD_OVER
        }
    return ratios


def training_step_in_child(engine_name: str, quick: bool) -> dict[str, Any]:
    """micrograd's demo step timed in a child process whose engine is ``engine_name``
    (``run.py --training-json`` with STEPGRAD_ENGINE set): its figures, read from the
    JSON the child prints."""
    command = [sys.executable, str(Path(__file__).resolve()), "--training-json"]
    completed = subprocess.run(
        command + (["--quick"] if quick else []),
        env={**os.environ, "STEPGRAD_ENGINE": engine_name},
        stdout=subprocess.PIPE,
        text=True,
        check=True,
    )
    figures: dict[str, Any] = json.loads(completed.stdout)
    if figures["engine"] != engine_name:
        raise RuntimeError(f"asked for the {engine_name} engine, the child ran {figures['engine']}")
    return figures


def training_step_medians(quick: bool, have_micrograd: bool) -> dict[str, Any]:
    """micrograd's demo step (see train_step.py) in this process's engine: median ms per
    step, engines taking turns; each turn starts a fresh model, discards its first step,
    then times steps with the collector on (as users run it) and off (each step's graph
    freed outside the timing, by reference counting for stepgrad and by the collector for
    micrograd's cycles).

    ``stepgrad_stray_hook`` is the default stepgrad step with one gradient hook registered
    on a Value in no graph for its whole turn (removed before the next engine's turn), so
    "hook outside the graph / no hook" is the cost such a hook adds: it should be 1.0x.
    """
    points, blocks, rounds = (20, 2, 2) if quick else (100, 5, 3)
    X, y = data(points)
    state = initial_state()
    trainers: dict[str, Any] = {
        "stepgrad": lambda: stepgrad_trainer(X, y, state),
        "stepgrad_stray_hook": lambda: stepgrad_trainer(X, y, state),
        "stepgrad_fine": lambda: stepgrad_trainer(X, y, state, graph="fine"),
        "floats": lambda: floats_trainer(X, y, state),
    }
    if have_micrograd:
        trainers["micrograd"] = lambda: micrograd_trainer(X, y, state)
    during: dict[str, Callable[[], AbstractContextManager[None]]] = {
        "stepgrad_stray_hook": stray_hook  # registered for the turn, removed after it
    }
    on: dict[str, list[float]] = {name: [] for name in trainers}
    off: dict[str, list[float]] = {name: [] for name in trainers}
    was_enabled = gc.isenabled()
    try:
        for _ in range(blocks):
            for name, make in trainers.items():
                with during.get(name, nullcontext)():
                    times_on, times_off = timed_turn(make, rounds)
                on[name] += times_on
                off[name] += times_off
    finally:
        (gc.enable if was_enabled else gc.disable)()
        gc.collect()
    ms = {name: statistics.median(times) * 1e3 for name, times in on.items()}
    ms_off = {name: statistics.median(times) * 1e3 for name, times in off.items()}
    return {
        "engine": ENGINE_NAME,
        "points": points,
        "steps": blocks * rounds,
        "ms": ms,
        "ms_collector_off": ms_off,
        "ratios": {name: step_ratios(name, ms, ms_off) for name in ms},
        "stepgrad_stray_hook": {  # hook outside the graph / no hook
            "collector_on": ms["stepgrad_stray_hook"] / ms["stepgrad"],
            "collector_off": ms_off["stepgrad_stray_hook"] / ms_off["stepgrad"],
        },
        "bytes_per_node": {
            graph: step_graph_bytes_per_node(X, y, state, graph) for graph in ("compact", "fine")
        },
    }


def step_ratios(name: str, ms: dict[str, float], ms_off: dict[str, float]) -> dict[str, float]:
    """One row's ratios: engine / plain floats and micrograd / engine (collector on and
    off), collector on / collector off."""
    ratios = {
        "over_floats_collector_on": ms[name] / ms["floats"],
        "over_floats_collector_off": ms_off[name] / ms_off["floats"],
        "collector_on_over_off": ms[name] / ms_off[name],
    }
    if "micrograd" in ms:
        ratios["micrograd_over_engine_collector_on"] = ms["micrograd"] / ms[name]
        ratios["micrograd_over_engine_collector_off"] = ms_off["micrograd"] / ms_off[name]
    return ratios


def timed_turn(
    make: Callable[[], Callable[[], Any]], rounds: int
) -> tuple[list[float], list[float]]:
    """One engine's turn: a fresh model from ``make()``, its first step discarded, then
    seconds of ``rounds`` steps with the collector on and ``rounds`` with it off."""
    on, off = [], []
    gc.enable()
    gc.collect()
    step = make()
    step()
    for _ in range(rounds):
        start = time.perf_counter()
        step()  # the graph is freed here, as a user's is: by refcount or collector
        on.append(time.perf_counter() - start)
    for _ in range(rounds):
        gc.collect()
        gc.disable()
        start = time.perf_counter()
        kept = step()
        off.append(time.perf_counter() - start)
        del kept  # freed outside the timing, as the collector frees micrograd's
        gc.enable()
    return on, off


def step_graph_bytes_per_node(
    X: Any, y: Any, state: dict[str, Any], graph: nn.layers.Graph
) -> dict[str, float]:
    """Memory (tracemalloc) of one training step's graph per node, built and after
    backward(). Nodes are counted as a user sees them (every Value reachable from the
    loss, leaves included), after measuring, since counting makes deferred neurons Values."""
    model = nn.MLP(2, [16, 16, 1], init=state, graph=graph)
    parameters = model.parameters()
    rows, targets = X.tolist(), y.tolist()
    gc.collect()
    release_kept_memory()
    tracemalloc.start()
    try:
        base = tracemalloc.get_traced_memory()[0]
        loss = stepgrad_loss(model, parameters, rows, targets)
        built = tracemalloc.get_traced_memory()[0] - base
        loss.backward()
        after = tracemalloc.get_traced_memory()[0] - base
    finally:
        tracemalloc.stop()
    nodes = count_nodes(loss) - len(parameters)  # the parameters exist before and after
    return {"nodes": nodes, "built": built / nodes, "after_backward": after / nodes}


class BareNode:
    """The least a node can be in Python: one object with a value and two inputs."""

    __slots__ = ("data", "a", "b")

    data: float
    a: BareNode | None
    b: BareNode | None


def bare_chain(nodes: int) -> BareNode:
    """``nodes`` bare objects, each holding the previous one and a shared leaf: the
    control for the scaling figures, with no engine in it."""
    leaf = BareNode()
    leaf.data, leaf.a, leaf.b = 1.0, None, None
    node = leaf
    for _ in range(nodes):
        out = BareNode()
        out.data, out.a, out.b = 1.0, node, leaf
        node = out
    return node


def bare_times(nodes: int, rounds: int) -> list[float]:
    """Seconds to make (and drop) a chain of ``nodes`` bare objects, collector on."""
    gc.collect()
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        root = bare_chain(nodes)
        del root
        times.append(time.perf_counter() - start)
    return times


def scaling(quick: bool) -> dict[str, Any]:
    """Time per node of the engine in use (the compiled one where it is built) for the
    same kind of expression at growing sizes, with the collector on (as users run it) and
    off: a cost that grows linearly keeps this flat. The control: bare Python objects,
    one per node, collector on, at the same sizes. The sizes take turns, so that the
    machine's slow moments fall on all of them."""
    sizes = (10, 100) if quick else (10, 100, 1_000, 10_000)  # terms; about 81 nodes each
    turns = 1 if quick else 3
    nodes_of = {terms: count_nodes(build(Value, terms, 40)[0]) for terms in sizes}
    samples: dict[str, dict[int, list[float]]] = {
        mode: {nodes: [] for nodes in nodes_of.values()} for mode in ("on", "off", "bare")
    }
    for _ in range(turns):
        for terms, nodes in nodes_of.items():
            rounds = 2 if quick else max(2, 30_000 // nodes // turns)
            for mode, collector in (("on", True), ("off", False)):
                samples[mode][nodes] += step_times(Value, terms, 40, rounds, collector=collector)
            samples["bare"][nodes] += bare_times(nodes, rounds)
    per_node = {
        mode: {nodes: statistics.median(times) / nodes * 1e6 for nodes, times in by_size.items()}
        for mode, by_size in samples.items()
    }
    return {
        "engine": "stepgrad_compiled" if COMPILED else "stepgrad_python",
        "us_per_node": per_node["on"],
        "us_per_node_collector_off": per_node["off"],
        "us_per_bare_object": per_node["bare"],
    }


def targets(results: dict[str, Any]) -> list[dict[str, Any]]:
    """Issue #13's targets for the compiled engine, each with its figure from this run
    and whether it is met (none where the compiled engine is unavailable)."""
    compiled = results["engines"].get("stepgrad_compiled")
    if compiled is None:
        return []
    step = results["training_step"]["native"]["ratios"]
    limit = compiled["deepest_chain_limit_tested"]
    rows: list[tuple[str, float, float, str]] = [  # (target, figure, bound, unit)
        (
            "fine-grained expression / plain-float program, collector on",
            compiled["ratios"]["over_floats_collector_on"],
            0.7,
            "x",
        ),
        (
            "demo step, default graph / plain-float step, collector on",
            step["stepgrad"]["over_floats_collector_on"],
            1.0,
            "x",
        ),
        (
            'demo step, graph="fine" / plain-float step, collector on',
            step["stepgrad_fine"]["over_floats_collector_on"],
            5.0,
            "x",
        ),
        (
            "expression, collector on / collector off",
            compiled["ratios"]["collector_on_over_off"],
            1.2,
            "x",
        ),
        (
            "demo step (default graph), collector on / collector off",
            step["stepgrad"]["collector_on_over_off"],
            1.2,
            "x",
        ),
        (
            "bytes per node, expression, graph built",
            compiled["bytes_per_node_forward"],
            64,
            " bytes",
        ),
        (
            "bytes per node, expression, after backward",
            compiled["bytes_per_node_after_backward"],
            64,
            " bytes",
        ),
    ]
    listed = [
        {"target": what, "figure": figure, "at_most": bound, "unit": unit, "met": figure <= bound}
        for what, figure, bound, unit in rows
    ]
    depth = compiled["deepest_chain"]
    listed.append(
        {"target": "no depth limit", "figure": depth, "tested": limit, "met": depth >= limit}
    )
    return listed


def markdown(results: dict[str, Any]) -> str:
    lines = [
        f"Measured {results['date']} on {results['machine']}, Python {results['python']}; "
        f"medians of {results['rounds']} rounds. Expression: the same computation in every "
        "engine, built and differentiated; one node per scalar op in all of them, and "
        "micrograd also makes each number in it (the 0.5 in `acc * 0.5`) a leaf node, where "
        "stepgrad keeps it in its op, as PyTorch does. stepgrad (compiled) is "
        "`autograd.fast.native.Value`, stepgrad (Python) the reference `autograd.value.Value`, "
        "both in this process, taking turns with micrograd and plain floats.",
    ]
    if not results["compiled_available"]:
        lines += [
            "",
            f"The compiled engine is {UNAVAILABLE} in this run "
            f"({results['compiled_unavailable_because']}): its columns are empty.",
        ]
    lines += ["", *expression_table(results)]
    grown = results.get("scaling")
    if grown:
        name = LABELS[grown["engine"]]
        for key, what in (
            ("us_per_node", f"Time per node as the expression grows ({name}, collector on)"),
            ("us_per_node_collector_off", "The same, collector off"),
            ("us_per_bare_object", "Control, no engine: one bare Python object per node, "
             "collector on"),
        ):  # fmt: skip
            per_node = {int(n): us for n, us in grown[key].items()}
            cells = ", ".join(f"{n:,} nodes: {us:.2f} µs" for n, us in per_node.items())
            spread = per_node[max(per_node)] / per_node[min(per_node)]
            lines += ["", f"{what}: {cells}; largest / smallest {spread:.2f}x."]
    steps = results.get("training_step")
    if steps:
        lines += ["", *training_table(steps, results["compiled_available"])]
    lines += ["", *targets_block(results["targets"], results["compiled_available"])]
    return "\n".join(lines) + "\n"


def ratio(a: float, b: float) -> str:
    return times(a / b)


def times(figure: float | None) -> str:
    """A ratio as printed: two decimals under 10 (0.72x is not 0.7x for a target of 0.7x),
    one above; "n/a" for none."""
    if figure is None:
        return "n/a"
    return f"{figure:.2f}x" if figure < 10 else f"{figure:.1f}x"


def expression_table(results: dict[str, Any]) -> list[str]:
    """The expression's table: a column per engine and one for plain floats, then the
    ratios; a cell is empty where its figure means nothing (plain floats hold no graph)."""
    engines = results["engines"]
    floats = results["floats_ms"]
    stepgrad = ("stepgrad_compiled", "stepgrad_python")
    measured = (*stepgrad, "micrograd")
    micrograd = engines.get("micrograd")
    header = [LABELS[name] for name in measured] + ["plain floats"]
    header += ["compiled / plain floats", "Python / plain floats"]
    header += ["micrograd / compiled", "micrograd / Python"]
    lines = ["| figure | " + " | ".join(header) + " |", "|---" * (len(header) + 1) + "|"]

    def row(label: str, cells: list[str]) -> None:
        cells += [""] * (len(header) - len(cells))
        lines.append(f"| {label} | " + " | ".join(cells) + " |")

    def missing(name: str) -> str:
        return UNAVAILABLE if name == "stepgrad_compiled" else "n/a"

    def figure(name: str, key: str, digits: str) -> str:
        return f"{engines[name][key]:{digits}}" if name in engines else missing(name)

    def micrograd_over(key: str) -> list[str]:
        return [
            ratio(micrograd[key], engines[name][key])
            if micrograd is not None and name in engines
            else missing(name)
            for name in stepgrad
        ]

    for key, label in (
        ("collector_on_ms", "build + backward, collector on (ms)"),
        ("collector_off_ms", "build + backward, collector off (ms)"),
    ):
        over_floats = [
            ratio(engines[name][key], floats) if name in engines else missing(name)
            for name in stepgrad
        ]
        row(
            label,
            [figure(name, key, ".2f") for name in measured]
            + [f"{floats:.2f}", *over_floats, *micrograd_over(key)],
        )
    row(
        "collector on / collector off",
        [
            ratio(engines[name]["collector_on_ms"], engines[name]["collector_off_ms"])
            if name in engines
            else missing(name)
            for name in measured
        ],
    )
    for key, label, digits in (
        ("nodes", "nodes in the graph", ",.0f"),
        ("bytes_per_node_forward", "bytes per node, graph built", ".0f"),
        ("bytes_per_node_after_backward", "bytes per node, after backward", ".0f"),
        ("graph_mb_after_backward", "MB the whole graph holds, after backward", ".1f"),
    ):
        cells = [figure(name, key, digits) for name in measured]
        row(label, cells + [""] * 3 + micrograd_over(key))
    row(
        "MB kept for reuse after the graph is dropped",
        [figure("stepgrad_compiled", "mb_kept_for_reuse", ".1f")],
    )

    def depth(name: str) -> str:
        if name not in engines:
            return missing(name)
        deepest = engines[name]["deepest_chain"]
        limit = engines[name]["deepest_chain_limit_tested"]
        return f"no limit (tested {limit:,})" if deepest >= limit else f"{deepest:,}"

    row("deepest chain backward() handles", [depth(name) for name in measured])
    return [
        *lines,
        "",
        "Memory: tracemalloc, which counts each live node of the compiled engine as 64 "
        "bytes (its slabs' room for more is not counted, as pymalloc's is not), measured "
        "after the compiled engine's empty slabs are handed back "
        "(`_native.release_memory()`). Bytes per node: what "
        "each further node costs (the graphs of all the terms and of half of them: their "
        "difference in memory over their difference in nodes), so that what a graph holds "
        "once, such as the list of its leaves, is not spread over its nodes. MB kept for "
        "reuse: the memory of freed nodes the compiled engine keeps for the next graph once "
        "the graph is dropped (its slabs' room, `_native.kept()` nodes of "
        "`_native.NODE_BYTES`, 64, bytes each; at most 16 MiB of empty slabs are kept).",
    ]


STEP_ROWS = {
    "stepgrad": "default: one node per neuron, `AffineLayer`",
    "stepgrad_stray_hook": "default, one hook on a Value outside the graph",
    "stepgrad_fine": '`graph="fine"`: one node per scalar op',
    "micrograd": "micrograd 0.1.0",
    "floats": "plain floats, hand-written gradients",
}
ENGINE_OF_CHILD = {"native": "compiled", "python": "Python"}


def training_table(steps: dict[str, Any], compiled_available: bool) -> list[str]:
    """The training step's table: each engine's rows, from its own process, beside the
    micrograd and plain-float steps that process timed in turns with it."""
    first = next(iter(steps.values()))
    lines = [
        f"micrograd's demo training step: MLP(2, [16, 16, 1]), {first['points']} two-moons "
        f"points, hinge loss + 1e-4 L2, SGD; medians of {first['steps']} steps. `nn` picks "
        "its engine at import, so each stepgrad engine was timed in a child process of its "
        "own (STEPGRAD_ENGINE=native, =python) that timed micrograd's step and the "
        "plain-float step too, in turns with it: every ratio is between figures of one "
        "process.",
    ]
    if not compiled_available:
        lines += ["", f"The compiled engine is {UNAVAILABLE}: no rows for it."]
    lines += [
        "",
        "| engine | step | ms per step, collector on | micrograd / engine | engine / plain floats "
        "| ms, collector off | micrograd / engine, off | engine / plain floats, off "
        "| collector on / off |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for child, step in steps.items():
        process = f"{ENGINE_OF_CHILD[child]} engine's process"
        for name, what in STEP_ROWS.items():
            if name not in step["ms"]:
                continue
            r = step["ratios"][name]
            engine_cell = f"stepgrad ({ENGINE_OF_CHILD[child]})" if "stepgrad" in name else ""
            what = what if engine_cell else f"{what} (in the {process})"
            lines.append(
                f"| {engine_cell} | {what} | {step['ms'][name]:.2f} "
                f"| {times(r.get('micrograd_over_engine_collector_on'))} "
                f"| {times(r['over_floats_collector_on'])} | {step['ms_collector_off'][name]:.2f} "
                f"| {times(r.get('micrograd_over_engine_collector_off'))} "
                f"| {times(r['over_floats_collector_off'])} | {times(r['collector_on_over_off'])} |"
            )
    for child, step in steps.items():
        hooked = step["stepgrad_stray_hook"]
        memory = step["bytes_per_node"]
        cells = "; ".join(
            f"{graph}: {m['built']:.0f} built, {m['after_backward']:.0f} after backward "
            f"({m['nodes']:,} nodes)"
            for graph, m in memory.items()
        )
        lines += [
            "",
            f"stepgrad ({ENGINE_OF_CHILD[child]}): hook outside the graph / no hook (the "
            f"default step, with and without one gradient hook on a Value in no graph): "
            f"{hooked['collector_on']:.2f}x collector on, {hooked['collector_off']:.2f}x "
            f"collector off; unchanged is 1.00x. Bytes per node of the step's graph: {cells}.",
        ]
    return lines


def targets_block(listed: list[dict[str, Any]], compiled_available: bool) -> list[str]:
    """Issue #13's targets, each with this run's figure and "met" or "not met"."""
    lines = ["Targets of #13, for the compiled engine:", ""]
    if not compiled_available:
        return [*lines, f"- not measured: the compiled engine is {UNAVAILABLE}."]
    for target in listed:
        verdict = "met" if target["met"] else "not met"
        if "at_most" in target:
            unit = target["unit"]
            digits, bound = (".2f", ".1f") if unit == "x" else (".1f", ".0f")
            measured = (
                f"{target['figure']:{digits}}{unit} (at most {target['at_most']:{bound}}{unit})"
            )
        else:
            deepest, tested = target["figure"], target["tested"]
            measured = (
                f"a chain of {tested:,} nodes differentiated"
                if deepest >= tested
                else f"deepest chain {deepest:,} of {tested:,} tested"
            )
        lines.append(f"- {target['target']}: {measured}: **{verdict}**")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes, for a smoke test")
    parser.add_argument("--out", type=Path, default=RESULTS, help="folder for bench.json/.md")
    parser.add_argument(
        "--training-json",
        action="store_true",
        help="time only the training step, in this process's engine (STEPGRAD_ENGINE), and "
        "print its figures as JSON (the run does this in one child process per engine)",
    )
    args = parser.parse_args()
    if args.training_json:
        print(json.dumps(training_step_medians(args.quick, MicrogradValue is not None)))
        return
    results = run(args.quick)
    table = markdown(results)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "bench.json").write_text(json.dumps(results, indent=2) + "\n")
    (args.out / "bench.md").write_text(table)
    print()
    print(table)
    print(f"written: {args.out / 'bench.json'}, {args.out / 'bench.md'}")


if __name__ == "__main__":
    main()
