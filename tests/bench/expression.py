"""The benchmark's expression, built the same way in any engine, and by hand in floats.

A sum (as a balanced tree) of ``terms`` chains; chain t starts at input t mod 10 and
applies ``length`` steps cycling through four kinds, each one scalar op per node, so
stepgrad and micrograd build node-for-node the same graph:

    k = 0:  acc = acc * a + 0.5
    k = 1:  acc = relu(acc * 0.5)
    k = 2:  acc = acc + a * a
    k = 3:  acc = acc ** 2 * 0.25

where ``a`` is input (t + i) mod 10. The depth stays near ``3 * length``, far below
micrograd's recursion limit.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

N_INPUTS = 10


def input_values(seed: int = 0) -> list[float]:
    rng = random.Random(seed)
    return [rng.uniform(-1.0, 1.0) for _ in range(N_INPUTS)]


def build(leaf: Callable[[float], Any], terms: int, length: int) -> tuple[Any, list[Any]]:
    """The expression over ``N_INPUTS`` leaves made by ``leaf``; returns (root, leaves)."""
    xs = [leaf(v) for v in input_values()]
    parts = []
    for t in range(terms):
        acc = xs[t % N_INPUTS]
        for i in range(length):
            a = xs[(t + i) % N_INPUTS]
            k = i % 4
            if k == 0:
                acc = acc * a + 0.5
            elif k == 1:
                acc = (acc * 0.5).relu()
            elif k == 2:
                acc = acc + a * a
            else:
                acc = acc**2 * 0.25
        parts.append(acc)
    while len(parts) > 1:
        pairs = [parts[i] + parts[i + 1] for i in range(0, len(parts) - 1, 2)]
        parts = pairs + ([parts[-1]] if len(parts) % 2 else [])
    return parts[0], xs


def floats_with_gradients(terms: int, length: int) -> tuple[float, list[float]]:
    """The same expression in plain floats with hand-written gradients (the lower bound).

    Forward keeps what each step's derivative needs; backward walks each chain in
    reverse. Returns (value, d value / d input for each input).
    """
    xs = input_values()
    grads = [0.0] * N_INPUTS
    total = 0.0
    for t in range(terms):
        acc = xs[t % N_INPUTS]
        saved = []
        for i in range(length):
            a = xs[(t + i) % N_INPUTS]
            k = i % 4
            saved.append(acc)
            if k == 0:
                acc = acc * a + 0.5
            elif k == 1:
                acc = acc * 0.5
                acc = acc if acc > 0.0 else 0.0
            elif k == 2:
                acc = acc + a * a
            else:
                acc = acc**2 * 0.25
        total += acc
        d = 1.0  # every chain enters the sum with weight 1
        for i in reversed(range(length)):
            j = (t + i) % N_INPUTS
            before = saved[i]
            k = i % 4
            if k == 0:
                grads[j] += d * before
                d *= xs[j]
            elif k == 1:
                d = d * 0.5 if before * 0.5 > 0.0 else 0.0
            elif k == 2:
                grads[j] += d * 2.0 * xs[j]
            else:
                d *= 0.5 * before
        grads[t % N_INPUTS] += d
    return total, grads


def distinct_nodes(root: Any) -> list[Any]:
    """Every node reachable from ``root``, each once, in either engine (micrograd keeps
    ``_prev``)."""
    seen = {id(root)}
    nodes = [root]
    for node in nodes:  # grows while iterating
        for parent in node.parents if hasattr(node, "parents") else node._prev:
            if id(parent) not in seen:
                seen.add(id(parent))
                nodes.append(parent)
    return nodes


def count_nodes(root: Any) -> int:
    """Distinct nodes reachable from ``root``."""
    return len(distinct_nodes(root))


def count_constants(root: Any, inputs: list[Any]) -> int:
    """Leaves reachable from ``root`` that are not ``inputs``: the numbers an engine made
    nodes of (micrograd does; stepgrad folds them into their ops, as PyTorch does)."""
    given = {id(x) for x in inputs}
    return sum(
        1
        for node in distinct_nodes(root)
        if id(node) not in given and not (node.parents if hasattr(node, "parents") else node._prev)
    )
