"""``make bench``: stepgrad side by side with micrograd 0.1.0 and plain Python floats.

Every figure comes from this one run, on this machine, and is printed with the
ratios between engines. Times are medians over repeated rounds (the machines are
shared and noisy; a single time means little). Results go to
``bench-results/bench.json`` and ``bench-results/bench.md``.

    python tests/bench/run.py [--quick]
"""

from __future__ import annotations

import argparse
import datetime
import gc
import json
import os
import platform
import statistics
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


def bytes_per_node(engine: Any, terms: int, length: int) -> tuple[float, float, int]:
    """Memory the graph holds per node (tracemalloc), after forward and after backward."""
    gc.collect()
    tracemalloc.start()
    try:
        base = tracemalloc.get_traced_memory()[0]
        root, leaves = build(engine, terms, length)
        after_forward = tracemalloc.get_traced_memory()[0] - base
        root.backward()
        after_backward = tracemalloc.get_traced_memory()[0] - base
    finally:
        tracemalloc.stop()
    nodes = count_nodes(root)
    del root, leaves
    return after_forward / nodes, after_backward / nodes, nodes


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


def run(quick: bool) -> dict[str, Any]:
    terms, length, blocks, rounds = (100, 40, 2, 2) if quick else (1000, 40, 8, 2)
    max_depth = 10_000 if quick else 1_000_000
    engines: dict[str, Any] = {"stepgrad": Value}
    if MicrogradValue is not None:
        engines["micrograd"] = MicrogradValue
    else:
        print("micrograd is not installed: `make bench` installs it (pip install micrograd==0.1.0)")

    results: dict[str, Any] = {
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, {platform.system()}",
        "python": platform.python_version(),
        "date": datetime.date.today().isoformat(),
        "rounds": blocks * rounds,
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
    results["floats_ms"] = medians["floats"]
    for name, engine in engines.items():
        figures: dict[str, Any] = {}
        figures["collector_off_ms"] = medians[f"{name}/collector_off"]
        figures["collector_on_ms"] = medians[f"{name}/collector_on"]
        forward, backward, counted = bytes_per_node(engine, terms, length)
        figures["bytes_per_node_forward"] = forward
        figures["bytes_per_node_after_backward"] = backward
        figures["nodes"] = counted
        figures["graph_mb_after_backward"] = backward * counted / 1e6
        figures["deepest_chain"] = deepest_chain(engine, max_depth)
        figures["deepest_chain_limit_tested"] = max_depth
        results["engines"][name] = figures
    results["training_step"] = training_step_medians(quick, MicrogradValue is not None)
    results["scaling"] = scaling(quick)
    return results


def training_step_medians(quick: bool, have_micrograd: bool) -> dict[str, Any]:
    """micrograd's demo step (see train_step.py): median ms per step, engines taking turns;
    each turn starts a fresh model, discards its first step, then times steps with the
    collector on (as users run it) and off (each step's graph freed outside the timing, by
    reference counting for stepgrad and by the collector for micrograd's cycles).

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
        "points": points,
        "steps": blocks * rounds,
        "ms": ms,
        "ms_collector_off": ms_off,
        "stepgrad_stray_hook": {  # hook outside the graph / no hook
            "collector_on": ms["stepgrad_stray_hook"] / ms["stepgrad"],
            "collector_off": ms_off["stepgrad_stray_hook"] / ms_off["stepgrad"],
        },
        "bytes_per_node": {
            graph: step_graph_bytes_per_node(X, y, state, graph) for graph in ("compact", "fine")
        },
    }


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
    """stepgrad's time per node for the same kind of expression at growing sizes, with the
    collector on (as users run it) and off: a cost that grows linearly keeps this flat.
    The control: bare Python objects, one per node, collector on, at the same sizes. The
    sizes take turns, so that the machine's slow moments fall on all of them."""
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
        "us_per_node": per_node["on"],
        "us_per_node_collector_off": per_node["off"],
        "us_per_bare_object": per_node["bare"],
    }


def markdown(results: dict[str, Any]) -> str:
    engines = results["engines"]
    ours = engines["stepgrad"]
    theirs = engines.get("micrograd")
    floats = results["floats_ms"]

    def ratio(a: float, b: float) -> str:
        return f"{a / b:.1f}x"

    lines = [
        f"Measured {results['date']} on {results['machine']}, Python {results['python']}; "
        f"medians of {results['rounds']} rounds. Expression: the same computation in both "
        "engines, built and differentiated; one node per scalar op in both, and micrograd "
        "also makes each number in it (the 0.5 in `acc * 0.5`) a leaf node, where stepgrad "
        "keeps it in its op, as PyTorch does.",
        "",
        "| figure | stepgrad | micrograd 0.1.0 | micrograd / stepgrad | stepgrad / plain floats |",
        "|---|---|---|---|---|",
    ]
    for key, label in (
        ("collector_on_ms", "build + backward, collector on (ms)"),
        ("collector_off_ms", "build + backward, collector off (ms)"),
    ):
        mg = f"{theirs[key]:.1f}" if theirs else "n/a"
        rt = ratio(theirs[key], ours[key]) if theirs else "n/a"
        lines.append(f"| {label} | {ours[key]:.1f} | {mg} | {rt} | {ratio(ours[key], floats)} |")
    for key, label, digits in (
        ("nodes", "nodes in the graph", ",.0f"),
        ("bytes_per_node_forward", "bytes per node, graph built", ".0f"),
        ("bytes_per_node_after_backward", "bytes per node, after backward", ".0f"),
        ("graph_mb_after_backward", "MB the whole graph holds, after backward", ".1f"),
    ):
        mg = f"{theirs[key]:{digits}}" if theirs else "n/a"
        rt = ratio(theirs[key], ours[key]) if theirs else "n/a"
        lines.append(f"| {label} | {ours[key]:{digits}} | {mg} | {rt} | |")

    def depth(figures: dict[str, Any]) -> str:
        d = figures["deepest_chain"]
        limit = figures["deepest_chain_limit_tested"]
        return f"no limit (tested {limit:,})" if d >= limit else f"{d:,}"

    lines.append(
        f"| deepest chain backward() handles | {depth(ours)} | "
        f"{depth(theirs) if theirs else 'n/a'} | | |"
    )
    lines.append("")
    lines.append(
        f"Plain Python floats with hand-written gradients: {floats:.2f} ms for the same expression."
    )
    grown = results.get("scaling")
    if grown:
        for key, what in (
            ("us_per_node", "Time per node as the expression grows (stepgrad, collector on)"),
            ("us_per_node_collector_off", "The same, collector off"),
            ("us_per_bare_object", "Control, no engine: one bare Python object per node, "
             "collector on"),
        ):  # fmt: skip
            per_node = {int(n): us for n, us in grown[key].items()}
            cells = ", ".join(f"{n:,} nodes: {us:.2f} µs" for n, us in per_node.items())
            spread = per_node[max(per_node)] / per_node[min(per_node)]
            lines += ["", f"{what}: {cells}; largest / smallest {spread:.2f}x."]
    step = results.get("training_step")
    if step:
        on, off = step["ms"], step["ms_collector_off"]
        lines += [
            "",
            f"micrograd's demo training step: MLP(2, [16, 16, 1]), {step['points']} two-moons "
            f"points, hinge loss + 1e-4 L2, SGD; medians of {step['steps']} steps.",
            "",
            "| engine | ms per step, collector on | micrograd / engine | engine / plain floats "
            "| ms, collector off | micrograd / engine |",
            "|---|---|---|---|---|---|",
        ]
        labels = {
            "stepgrad": "stepgrad (default: one node per neuron, `AffineLayer`)",
            "stepgrad_stray_hook": "stepgrad (default), one hook on a Value outside the graph",
            "stepgrad_fine": 'stepgrad, `graph="fine"` (one node per scalar op)',
            "micrograd": "micrograd 0.1.0",
            "floats": "plain floats, hand-written gradients",
        }
        for name, label in labels.items():
            if name in on:
                vs = ratio(on["micrograd"], on[name]) if "micrograd" in on else "n/a"
                vs_off = ratio(off["micrograd"], off[name]) if "micrograd" in off else "n/a"
                lines.append(
                    f"| {label} | {on[name]:.1f} | {vs} | {ratio(on[name], on['floats'])} "
                    f"| {off[name]:.1f} | {vs_off} |"
                )
        hooked = step["stepgrad_stray_hook"]
        lines += [
            "",
            f"Hook outside the graph / no hook (the default stepgrad step, with and without one "
            f"gradient hook on a Value in no graph): {hooked['collector_on']:.2f}x collector on, "
            f"{hooked['collector_off']:.2f}x collector off; unchanged is 1.00x.",
        ]
        memory = step["bytes_per_node"]
        cells = "; ".join(
            f"{graph}: {m['built']:.0f} built, {m['after_backward']:.0f} after backward "
            f"({m['nodes']:,} nodes)"
            for graph, m in memory.items()
        )
        lines += ["", f"Bytes per node of the step's graph: {cells}."]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes, for a smoke test")
    parser.add_argument("--out", type=Path, default=RESULTS, help="folder for bench.json/.md")
    args = parser.parse_args()
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
