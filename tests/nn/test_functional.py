"""nn.functional's losses: against torch.nn.functional in float64 (values and gradients),
at the numerical edges, by central differences, on bad input, and the shape of the graph.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pytest

import autograd
import nn.functional as F
from autograd import Value, gradcheck, topological_order
from tests.helpers import assert_named_error, each_named_error

# relative only: no absolute floor, so tiny values (a loss of 1e-10) are compared digit by
# digit too, and an exact 0 must be an exact 0 on both sides
REL_TOL = 1e-10


def close(ours: float, theirs: float) -> bool:
    return math.isclose(ours, theirs, rel_tol=REL_TOL, abs_tol=0.0)


def leaves(xs: Any) -> Any:
    """Nested lists of floats -> the same nesting of leaf Values."""
    if isinstance(xs, (list, tuple)):
        return [leaves(x) for x in xs]
    return Value(float(xs))


def flat(xs: Any) -> list[Any]:
    if isinstance(xs, (list, tuple)):
        return [v for x in xs for v in flat(x)]
    return [xs]


def run_ours(
    loss: Callable[..., Any],
    inputs: Any,
    targets: Any,
    reduction: str,
    weights: Sequence[float] | None,
    targets_as_values: bool = False,
) -> tuple[list[float], list[float], list[float]]:
    """Our loss's values, and the gradients of Σ wᵢ·lossᵢ (of the loss itself unless
    reduction is 'none') w.r.t. the inputs and, if they are Values, the targets."""
    xs = leaves(inputs)
    ts = leaves(targets) if targets_as_values else targets
    out = loss(xs, ts, reduction=reduction)
    if reduction == "none":
        assert isinstance(out, list) and weights is not None
        assert all(isinstance(term, Value) for term in out)
        autograd.sum([w * term for w, term in zip(weights, out, strict=True)]).backward()
        values = [term.data for term in out]
    else:
        assert isinstance(out, Value)
        assert out.op == reduction  # one mean or sum node
        out.backward()
        values = [out.data]
    target_grads = [t.grad for t in flat(ts)] if targets_as_values else []
    return values, [x.grad for x in flat(xs)], target_grads


def run_torch(
    torch: Any,
    loss: Callable[..., Any],
    inputs: Any,
    targets: Any,
    reduction: str,
    weights: Sequence[float] | None,
    targets_as_values: bool = False,
    target_dtype: Any = None,
) -> tuple[list[float], list[float], list[float]]:
    x = torch.tensor(inputs, dtype=torch.float64, requires_grad=True)
    t = torch.tensor(targets, dtype=target_dtype or torch.float64)
    if targets_as_values:
        t.requires_grad_(True)
    out = loss(x, t, reduction=reduction)
    if reduction == "none":
        w = torch.tensor(weights, dtype=torch.float64)
        (w * out.reshape(-1)).sum().backward()
    else:
        out.backward()
    target_grads = t.grad.reshape(-1).tolist() if targets_as_values else []
    return out.reshape(-1).tolist(), x.grad.reshape(-1).tolist(), target_grads


def assert_all_close(name: str, ours: Sequence[float], theirs: Sequence[float]) -> None:
    assert len(ours) == len(theirs), f"{name}: {len(ours)} vs torch {len(theirs)}"
    for i, (a, b) in enumerate(zip(ours, theirs, strict=True)):
        assert close(a, b), f"{name}[{i}]: {a!r} vs torch {b!r}"


def compare(
    torch: Any,
    ours: Callable[..., Any],
    theirs: Callable[..., Any],
    inputs: Any,
    targets: Any,
    reduction: str,
    *,
    targets_as_values: bool = False,
    target_dtype: Any = None,
    seed: int = 0,
) -> None:
    n_terms = len(flat(inputs)) if theirs is not torch.nn.functional.cross_entropy else len(inputs)
    weights = np.random.default_rng(seed + 1000).uniform(0.5, 2.0, n_terms).tolist()
    a = run_ours(ours, inputs, targets, reduction, weights, targets_as_values)
    b = run_torch(
        torch, theirs, inputs, targets, reduction, weights, targets_as_values, target_dtype
    )
    assert_all_close("value", a[0], b[0])
    assert_all_close("input grad", a[1], b[1])
    assert_all_close("target grad", a[2], b[2])


REDUCTIONS = ["mean", "sum", "none"]
SEEDS = [0, 1, 2]


def torch_hinge(torch: Any) -> Callable[..., Any]:
    """micrograd's max-margin loss written with torch ops (torch has no function of this name)."""

    def hinge(s: Any, y: Any, reduction: str) -> Any:
        terms = torch.relu(1.0 - y * s)
        return {"mean": terms.mean, "sum": terms.sum, "none": lambda: terms}[reduction]()

    return hinge


# -- against torch, random inputs ----------------------------------------------------------


@pytest.mark.torch
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("name", ["mse_loss", "l1_loss"])
def test_regression_losses_match_torch(torch: Any, name: str, seed: int, reduction: str) -> None:
    rng = np.random.default_rng(seed)
    n = int(rng.integers(1, 20))
    x, y = rng.normal(size=n).tolist(), rng.normal(size=n).tolist()
    ours, theirs = getattr(F, name), getattr(torch.nn.functional, name)
    compare(torch, ours, theirs, x, y, reduction, seed=seed)
    # targets that are Values are differentiated too
    compare(torch, ours, theirs, x, y, reduction, targets_as_values=True, seed=seed)


@pytest.mark.torch
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("name", ["mse_loss", "l1_loss"])
def test_multi_output_predictions_flatten_in_order_like_torch_2d(
    torch: Any, name: str, reduction: str
) -> None:
    rng = np.random.default_rng(7)
    x, y = rng.normal(size=(6, 3)).tolist(), rng.normal(size=(6, 3)).tolist()
    compare(torch, getattr(F, name), getattr(torch.nn.functional, name), x, y, reduction)


@pytest.mark.torch
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("seed", SEEDS)
def test_binary_cross_entropy_matches_torch(torch: Any, seed: int, reduction: str) -> None:
    rng = np.random.default_rng(seed)
    n = int(rng.integers(1, 20))
    p = rng.uniform(0.01, 0.99, n).tolist()
    hard = rng.integers(0, 2, n).astype(float).tolist()
    soft = rng.uniform(0.0, 1.0, n).tolist()
    bce = torch.nn.functional.binary_cross_entropy
    compare(torch, F.binary_cross_entropy, bce, p, hard, reduction, seed=seed)
    compare(torch, F.binary_cross_entropy, bce, p, soft, reduction, seed=seed)
    compare(
        torch, F.binary_cross_entropy, bce, p, soft, reduction, targets_as_values=True, seed=seed
    )


@pytest.mark.torch
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("seed", SEEDS)
def test_binary_cross_entropy_with_logits_matches_torch(
    torch: Any, seed: int, reduction: str
) -> None:
    rng = np.random.default_rng(seed)
    n = int(rng.integers(1, 20))
    z = (3.0 * rng.normal(size=n)).tolist()
    hard = rng.integers(0, 2, n).astype(float).tolist()
    soft = rng.uniform(0.0, 1.0, n).tolist()
    ours = F.binary_cross_entropy_with_logits
    theirs = torch.nn.functional.binary_cross_entropy_with_logits
    compare(torch, ours, theirs, z, hard, reduction, seed=seed)
    compare(torch, ours, theirs, z, soft, reduction, targets_as_values=True, seed=seed)


@pytest.mark.torch
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("seed", SEEDS)
def test_cross_entropy_matches_torch(torch: Any, seed: int, reduction: str) -> None:
    rng = np.random.default_rng(seed)
    n, classes = int(rng.integers(1, 12)), int(rng.integers(2, 6))
    logits = (2.0 * rng.normal(size=(n, classes))).tolist()
    targets = rng.integers(0, classes, n).tolist()
    compare(
        torch,
        F.cross_entropy,
        torch.nn.functional.cross_entropy,
        logits,
        targets,
        reduction,
        target_dtype=torch.long,
        seed=seed,
    )


@pytest.mark.torch
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("seed", SEEDS)
def test_hinge_loss_matches_torch_relu_margin(torch: Any, seed: int, reduction: str) -> None:
    rng = np.random.default_rng(seed)
    n = int(rng.integers(1, 20))
    s = (2.0 * rng.normal(size=n)).tolist()
    y = (rng.integers(0, 2, n) * 2 - 1).astype(float).tolist()
    compare(torch, F.hinge_loss, torch_hinge(torch), s, y, reduction, seed=seed)


def test_numbers_and_numpy_arrays_are_accepted() -> None:
    x = np.array([1.0, 2.0, 4.0])
    y = np.array([0.0, 2.0, 2.0])
    assert F.mse_loss(x, y).data == (1.0 + 0.0 + 4.0) / 3.0
    assert F.l1_loss([1, 2, 4], [0, 2, 2], reduction="sum").data == 3.0
    assert F.mse_loss(np.array([[1.0], [3.0]]), [0.0, 1.0]).data == (1.0 + 4.0) / 2.0
    assert F.cross_entropy(np.zeros((2, 4)), np.array([3, 0])).data == pytest.approx(
        math.log(4.0), rel=1e-15, abs=0
    )


# -- the edges -----------------------------------------------------------------------------


@pytest.mark.torch
def test_binary_cross_entropy_at_0_and_1_gives_torchs_clamped_values(torch: Any) -> None:
    p, y = [0.0, 1.0, 0.0, 1.0], [0.0, 0.0, 1.0, 1.0]
    terms = F.binary_cross_entropy(p, y, reduction="none")
    # a confident wrong answer costs the floor of the log: -(-100) = 100
    assert [t.data for t in terms] == [0.0, 100.0, 100.0, 0.0]
    theirs = torch.nn.functional.binary_cross_entropy(
        torch.tensor(p, dtype=torch.float64), torch.tensor(y, dtype=torch.float64), reduction="none"
    )
    assert [t.data for t in terms] == theirs.tolist()
    assert F.binary_cross_entropy(p, y).data == 50.0
    assert F.binary_cross_entropy(p, y, reduction="sum").data == 200.0


@pytest.mark.torch
def test_binary_cross_entropy_gradient_at_0_and_1_is_documented_not_torchs(torch: Any) -> None:
    # Ours differentiates each floored log as built: a floored log contributes 0, an
    # unfloored one its exact derivative. ∂/∂p of (y - 1)·ln(1 - p) - y·ln p:
    #   p=0, y=0: -(y - 1)/(1 - p) = 1      p=1, y=0: ln(1 - p) floored -> 0
    #   p=0, y=1: ln p floored -> 0         p=1, y=1: -y/p = -1
    ps = [Value(v) for v in (0.0, 1.0, 0.0, 1.0)]
    F.binary_cross_entropy(ps, [0.0, 0.0, 1.0, 1.0], reduction="sum").backward()
    assert [p.grad for p in ps] == [1.0, 0.0, 0.0, -1.0]
    # torch's backward is (p - y) / max(p(1 - p), 1e-12) instead: 0, ±1e12, 0
    tp = torch.tensor([0.0, 1.0, 0.0, 1.0], dtype=torch.float64, requires_grad=True)
    torch.nn.functional.binary_cross_entropy(
        tp, torch.tensor([0.0, 0.0, 1.0, 1.0], dtype=torch.float64), reduction="sum"
    ).backward()
    g = tp.grad.tolist()
    assert g[0] == 0.0 and g[3] == 0.0
    assert g[1] == pytest.approx(1e12, rel=1e-5, abs=0) and g[2] == pytest.approx(
        -1e12, rel=1e-5, abs=0
    )


@pytest.mark.torch
def test_binary_cross_entropy_near_the_edges_matches_torch(torch: Any) -> None:
    # p(1 - p) >= 1e-12 here, where torch's closed-form backward is the exact derivative
    p = [1e-6, 1.0 - 1e-6, 1e-6, 1.0 - 1e-6, 1e-10, 0.5]
    y = [0.0, 1.0, 1.0, 0.0, 0.0, 0.25]
    bce = torch.nn.functional.binary_cross_entropy
    compare(torch, F.binary_cross_entropy, bce, p[:4], y[:4], "none")
    # at p = 1e-10 (p(1-p) < 1e-12) the value still matches: log1p(-p) keeps its digits
    ours = F.binary_cross_entropy(p, y, reduction="none")
    theirs = bce(
        torch.tensor(p, dtype=torch.float64), torch.tensor(y, dtype=torch.float64), reduction="none"
    )
    assert_all_close("value", [t.data for t in ours], theirs.tolist())
    assert ours[4].data == pytest.approx(1e-10, rel=1e-9, abs=0)  # -ln(1 - p) ≈ p


@pytest.mark.torch
def test_binary_cross_entropy_with_logits_at_plus_minus_1000(torch: Any) -> None:
    z = [1000.0, -1000.0, 1000.0, -1000.0, 1000.0, 0.0, 0.0]
    y = [0.0, 1.0, 1.0, 0.0, 0.3, 1.0, 0.25]
    zs = [Value(v) for v in z]
    terms = F.binary_cross_entropy_with_logits(zs, y, reduction="none")
    # hand: wrong by 1000 costs 1000, right costs 0; soft label 0.3 at z = 1000 costs 0.7·1000;
    # at z = 0 the loss is ln 2 whatever the label
    expected = [1000.0, 1000.0, 0.0, 0.0, 700.0, math.log(2.0), math.log(2.0)]
    assert_all_close("value", [t.data for t in terms], expected)
    autograd.sum(terms).backward()
    # σ(z) - y: σ(±1000) is 1 or 0 exactly in float64, σ(0) = 1/2 (no kink at z = 0)
    assert [v.grad for v in zs] == [1.0, -1.0, 0.0, 0.0, 0.7, -0.5, 0.25]
    compare(
        torch,
        F.binary_cross_entropy_with_logits,
        torch.nn.functional.binary_cross_entropy_with_logits,
        z,
        y,
        "none",
    )


@pytest.mark.torch
def test_cross_entropy_of_1000_0_minus_1000(torch: Any) -> None:
    row = [Value(1000.0), Value(0.0), Value(-1000.0)]
    loss = F.cross_entropy([row], [2])
    assert loss.data == 2000.0  # exactly: ln(e⁰ + e⁻¹⁰⁰⁰ + e⁻²⁰⁰⁰) - (-1000 - 1000)
    loss.backward()
    # softmax - one_hot(2) = [1, 0, 0] - [0, 0, 1]
    assert [v.grad for v in row] == [1.0, 0.0, -1.0]
    x = torch.tensor([[1000.0, 0.0, -1000.0]], dtype=torch.float64, requires_grad=True)
    theirs = torch.nn.functional.cross_entropy(x, torch.tensor([2]))
    theirs.backward()
    assert theirs.item() == 2000.0
    assert x.grad.tolist() == [[1.0, 0.0, -1.0]]
    # the other targets: 0 costs nothing, 1 costs 1000
    terms = F.cross_entropy([[1000.0, 0.0, -1000.0]] * 2, [0, 1], reduction="none")
    assert [t.data for t in terms] == [0.0, 1000.0]


def test_cross_entropy_hand_values() -> None:
    # two equal scores: -ln(1/2); a single class: -ln 1 = 0
    assert F.cross_entropy([[3.0, 3.0]], [1]).data == pytest.approx(math.log(2.0), rel=1e-15, abs=0)
    assert F.cross_entropy([[5.0]], [0]).data == 0.0
    row = [Value(0.0), Value(math.log(3.0))]  # softmax = [1/4, 3/4]
    loss = F.cross_entropy([row], [0])
    assert loss.data == pytest.approx(math.log(4.0), rel=1e-15, abs=0)
    loss.backward()
    assert row[0].grad == pytest.approx(-0.75, rel=1e-15, abs=0)
    assert row[1].grad == pytest.approx(0.75, rel=1e-15, abs=0)


def test_hinge_hand_values_and_the_margin() -> None:
    s = [Value(2.0), Value(0.5), Value(-0.25), Value(1.0)]
    y = [1, 1, -1, 1]
    terms = F.hinge_loss(s, y, reduction="none")
    # max(0, 1 - y·s): 0, 0.5, 0.75, and exactly at the margin 0
    assert [t.data for t in terms] == [0.0, 0.5, 0.75, 0.0]
    F.hinge_loss(s, y, reduction="sum").backward()
    # -y inside the margin, 0 outside and at it (relu'(0) = 0)
    assert [v.grad for v in s] == [0.0, -1.0, 1.0, 0.0]


def test_regression_hand_values() -> None:
    x = [Value(3.0), Value(-1.0)]
    loss = F.mse_loss(x, [1.0, 1.0])  # ((2)² + (-2)²) / 2
    assert loss.data == 4.0
    loss.backward()
    assert [v.grad for v in x] == [2.0, -2.0]  # 2(x - y)/n
    x = [Value(3.0), Value(1.0)]
    loss = F.l1_loss(x, [1.0, 1.0], reduction="sum")
    assert loss.data == 2.0
    loss.backward()
    assert [v.grad for v in x] == [1.0, 0.0]  # sign(x - y), 0 where equal


def test_the_first_documents_starting_loss() -> None:
    # the line example: X = 0..4, y = 2x + 1, w = b = 0: the loss before the first step is 33
    w, b = Value(0.0), Value(0.0)
    xs = [0.0, 1.0, 2.0, 3.0, 4.0]
    loss = F.mse_loss([w * x + b for x in xs], [2.0 * x + 1.0 for x in xs])
    assert loss.data == 33.0
    loss.backward()
    # ∂/∂w = mean(2·(0 - y)·x) = -2·(0 + 3 + 10 + 21 + 36)/5 = -28, ∂/∂b = -2·25/5 = -10
    assert (w.grad, b.grad) == (-28.0, -10.0)


# -- central differences -------------------------------------------------------------------


def test_gradcheck_regression_losses() -> None:
    y = [0.3, -1.2, 2.0]
    assert gradcheck(lambda *x: F.mse_loss(list(x), y), [0.5, 0.1, -0.7])
    assert gradcheck(lambda *x: F.l1_loss(list(x), y, reduction="sum"), [0.5, 0.1, -0.7])
    # with respect to the targets as well
    assert gradcheck(lambda a, b, c, d: F.mse_loss([a, b], [c, d]), [0.5, 0.1, -0.7, 2.0])


def test_gradcheck_binary_cross_entropy() -> None:
    assert gradcheck(lambda *p: F.binary_cross_entropy(list(p), [1.0, 0.0, 0.3]), [0.2, 0.7, 0.55])
    # probability and soft target together
    assert gradcheck(lambda p, y: F.binary_cross_entropy([p], [y]), [0.35, 0.6])


def test_gradcheck_binary_cross_entropy_with_logits() -> None:
    assert gradcheck(
        lambda *z: F.binary_cross_entropy_with_logits(list(z), [1.0, 0.0, 0.3, 0.5]),
        [2.5, -1.5, 0.0, -7.0],
    )
    assert gradcheck(lambda z, y: F.binary_cross_entropy_with_logits([z], [y]), [-0.4, 0.2])


def test_gradcheck_cross_entropy() -> None:
    def loss(*z: Value) -> Value:
        return F.cross_entropy([list(z[:3]), list(z[3:])], [2, 0], reduction="sum")

    assert gradcheck(loss, [0.5, -1.0, 2.0, 3.0, 0.1, -0.3])


def test_gradcheck_hinge_loss() -> None:
    # scores kept off the margin y·s = 1, where the derivative jumps
    assert gradcheck(lambda *s: F.hinge_loss(list(s), [1, -1, 1, -1]), [0.3, 0.2, 1.7, -2.0])


# -- the graph -----------------------------------------------------------------------------


def depth(root: Value) -> int:
    """The longest path from ``root`` down to a leaf, in edges (iteratively)."""
    best: dict[int, int] = {}
    for node in reversed(topological_order(root)):  # inputs before the nodes using them
        best[id(node)] = 1 + max(best.get(id(p), 0) for p in node.parents)
    return best[id(root)]


N = 1000

GRAPHS: list[tuple[str, Callable[[list[Value]], Value]]] = [
    ("mse_loss", lambda x: F.mse_loss(x, [0.5] * N)),
    ("l1_loss", lambda x: F.l1_loss(x, [0.5] * N)),
    ("binary_cross_entropy", lambda x: F.binary_cross_entropy([v.sigmoid() for v in x], [1] * N)),
    ("binary_cross_entropy_with_logits", lambda x: F.binary_cross_entropy_with_logits(x, [1] * N)),
    ("hinge_loss", lambda x: F.hinge_loss(x, [1, -1] * (N // 2))),
    ("cross_entropy", lambda x: F.cross_entropy([[v, Value(0.0)] for v in x], [0] * N)),
]


@pytest.mark.parametrize(("name", "build"), GRAPHS, ids=[name for name, _ in GRAPHS])
def test_a_loss_over_1000_samples_is_one_mean_node_over_shallow_terms(
    name: str, build: Callable[[list[Value]], Value]
) -> None:
    x = [Value(float(v)) for v in np.random.default_rng(0).normal(size=N)]
    loss = build(x)
    assert loss.op == "mean"
    # every per-sample term is a direct input of the root: one node, not a chain of adds
    assert len(loss.parents) == N
    order = topological_order(loss)
    # a handful of nodes per sample (no per-sample term here needs more than 12), plus the root
    assert N < len(order) <= 12 * N + 1
    # and the depth does not grow with the number of samples
    assert depth(loss) <= 12
    loss.backward()
    assert all(math.isfinite(v.grad) for v in x)


def test_mse_graph_is_two_nodes_per_sample_and_the_mean() -> None:
    x = [Value(float(i)) for i in range(N)]
    loss = F.mse_loss(x, [0.0] * N)
    # (x - y) and its square for each sample, then the mean
    assert len(topological_order(loss)) == 2 * N + 1
    assert {p.op for p in loss.parents} == {"pow"}


def test_reduction_sum_and_none_shapes() -> None:
    x = [Value(1.0), Value(2.0)]
    total = F.mse_loss(x, [0.0, 0.0], reduction="sum")
    assert total.op == "sum" and total.data == 5.0 and len(total.parents) == 2
    terms = F.mse_loss(x, [0.0, 0.0], reduction="none")
    assert isinstance(terms, list) and [t.data for t in terms] == [1.0, 4.0]
    terms = F.cross_entropy([[0.0, 0.0]] * 3, [0, 1, 0], reduction="none")
    assert len(terms) == 3


# -- bad input -----------------------------------------------------------------------------

BAD: list[tuple[str, Callable[[], object], type[BaseException], str]] = [
    ("empty input", lambda: F.mse_loss([], []), ValueError, r"mse_loss: input is empty"),
    (
        "empty cross-entropy",
        lambda: F.cross_entropy([], []),
        ValueError,
        r"cross_entropy: input is empty",
    ),
    (
        "lengths differ",
        lambda: F.mse_loss([1.0, 2.0, 3.0], [1.0, 2.0]),
        ValueError,
        r"mse_loss: input has 3 values but target has 2",
    ),
    (
        "lengths differ (cross-entropy)",
        lambda: F.cross_entropy([[0.0, 1.0]] * 2, [0]),
        ValueError,
        r"cross_entropy: input has 2 samples but target has 1",
    ),
    (
        "unknown reduction",
        lambda: F.l1_loss([1.0], [1.0], reduction="avg"),  # type: ignore[call-overload]
        ValueError,
        r"l1_loss: reduction must be 'mean', 'sum' or 'none', got 'avg'",
    ),
    (
        "reduction None",
        lambda: F.hinge_loss([1.0], [1], reduction=None),  # type: ignore[call-overload]
        ValueError,
        r"hinge_loss: reduction .* got None",
    ),
    (
        "a string in input",
        lambda: F.mse_loss([1.0, "2"], [1.0, 2.0]),  # type: ignore[arg-type]
        TypeError,
        r"mse_loss: input\[1\].*str '2'",
    ),
    (
        "None in target",
        lambda: F.l1_loss([1.0], [None]),  # type: ignore[arg-type]
        TypeError,
        r"l1_loss: target\[0\].*None",
    ),
    (
        "a bool in input",
        lambda: F.mse_loss([True], [1.0]),
        TypeError,
        r"mse_loss: input\[0\].*bool",
    ),
    (
        "nan in target",
        lambda: F.mse_loss([1.0], [float("nan")]),
        ValueError,
        r"mse_loss: target\[0\].*nan",
    ),
    (
        "input not a sequence",
        lambda: F.mse_loss(Value(1.0), [1.0]),  # type: ignore[call-overload]
        TypeError,
        r"mse_loss: input must be a sequence .* got Value",
    ),
    (
        "nested too deep",
        lambda: F.mse_loss([[[1.0]]], [1.0]),  # type: ignore[arg-type]
        TypeError,
        r"mse_loss: input\[0\]\[0\].*list",
    ),
    (
        "probability above 1",
        lambda: F.binary_cross_entropy([0.5, 1.5], [0.0, 1.0]),
        ValueError,
        r"binary_cross_entropy: input\[1\] = 1.5 is outside \[0, 1\]",
    ),
    (
        "negative probability",
        lambda: F.binary_cross_entropy([Value(-0.1)], [0.0]),
        ValueError,
        r"binary_cross_entropy: input\[0\] = -0.1 is outside \[0, 1\]",
    ),
    (
        "target above 1 (probabilities)",
        lambda: F.binary_cross_entropy([0.5], [2.0]),
        ValueError,
        r"binary_cross_entropy: target\[0\] = 2.0 is outside \[0, 1\]",
    ),
    (
        "target -1 (logits)",
        lambda: F.binary_cross_entropy_with_logits([0.5, 0.2], [1, -1]),
        ValueError,
        r"binary_cross_entropy_with_logits: target\[1\] = -1.0 is outside \[0, 1\]",
    ),
    (
        "class index out of range",
        lambda: F.cross_entropy([[0.0, 1.0, 2.0]] * 2, [0, 3]),
        IndexError,
        r"cross_entropy: target\[1\] = 3 is out of bounds: the class indices of 3 classes "
        r"are 0 to 2",
    ),
    (
        "negative class index",
        lambda: F.cross_entropy([[0.0, 1.0]], [-1]),
        IndexError,
        r"cross_entropy: target\[0\] = -1 is out of bounds",
    ),
    (
        "float class index",
        lambda: F.cross_entropy([[0.0, 1.0]], [1.0]),  # type: ignore[list-item]
        TypeError,
        r"cross_entropy: target\[0\] must be an int class index, got float 1.0",
    ),
    (
        "bool class index",
        lambda: F.cross_entropy([[0.0, 1.0]], [True]),
        TypeError,
        r"cross_entropy: target\[0\] must be an int class index, got bool True",
    ),
    (
        "ragged rows",
        lambda: F.cross_entropy([[0.0, 1.0], [0.0, 1.0, 2.0]], [0, 0]),
        ValueError,
        r"cross_entropy: input\[1\] has 3 class scores but input\[0\] has 2",
    ),
    (
        "hinge label 0",
        lambda: F.hinge_loss([0.5, 0.2], [1, 0]),
        ValueError,
        r"hinge_loss: target\[1\] = 0.0 must be -1 or 1",
    ),
    (
        "hinge label 0.5",
        lambda: F.hinge_loss([0.5], [0.5]),
        ValueError,
        r"hinge_loss: target\[0\] = 0.5 must be -1 or 1",
    ),
]


@each_named_error(BAD)
def test_bad_input_raises_a_named_error(
    call: Callable[[], object], error: type[BaseException], message: str
) -> None:
    assert_named_error(call, error, message)
