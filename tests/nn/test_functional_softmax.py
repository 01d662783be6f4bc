"""nn.functional's multi-class functions: softmax, log_softmax, nll_loss and cross_entropy
over one sample (1-D) or a batch (2-D), against torch.nn.functional in float64 (values and
gradients, and the type of error for bad input), by central differences, at the numerical
edges, and the graph each builds.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd
import nn.functional as F
from autograd import Value, gradcheck, topological_order
from tests.helpers import assert_named_error, each_named_error

REL_TOL = 1e-10  # relative, no absolute floor: an exact 0 must be an exact 0 on both sides
SEEDS = [0, 1, 2, 3]
REDUCTIONS = ["mean", "sum", "none"]


def leaves(xs: Any) -> Any:
    """Nested lists of floats -> the same nesting of leaf Values."""
    if isinstance(xs, list):
        return [leaves(x) for x in xs]
    return Value(float(xs))


def flat(xs: Any) -> list[Any]:
    if isinstance(xs, list):
        return [v for x in xs for v in flat(x)]
    return [xs]


def assert_all_close(name: str, ours: list[float], theirs: list[float]) -> None:
    assert len(ours) == len(theirs), f"{name}: {len(ours)} vs torch {len(theirs)}"
    for i, (a, b) in enumerate(zip(ours, theirs, strict=True)):
        assert math.isclose(a, b, rel_tol=REL_TOL, abs_tol=0.0), f"{name}[{i}]: {a!r} vs {b!r}"


def weights_like(shape: tuple[int, ...], seed: int) -> np.ndarray:
    """Upstream gradients for a function with many outputs: backward of Σ wⱼ·outⱼ."""
    return np.random.default_rng(seed + 1000).uniform(-2.0, 2.0, shape)


def random_scores(seed: int, batched: bool) -> list[Any]:
    rng = np.random.default_rng(seed)
    n, classes = int(rng.integers(1, 7)), int(rng.integers(1, 6))
    scores = 3.0 * rng.normal(size=(n, classes) if batched else classes)
    result: list[Any] = scores.tolist()
    return result


# -- softmax and log_softmax against torch --------------------------------------------------

NORMALISERS = ["softmax", "log_softmax"]
DIMS = [(False, 0), (False, -1), (True, 0), (True, 1), (True, -1), (True, -2)]


@pytest.mark.torch
@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize(("batched", "dim"), DIMS)
@pytest.mark.parametrize("name", NORMALISERS)
def test_softmax_and_log_softmax_match_torch(
    torch: Any, name: str, batched: bool, dim: int, seed: int
) -> None:
    scores = random_scores(seed, batched)
    w = weights_like(np.shape(scores), seed)
    xs = leaves(scores)
    out = getattr(F, name)(xs, dim=dim)
    assert np.shape([[v.data for v in row] for row in out] if batched else [v.data for v in out])
    autograd.sum([wj * v for wj, v in zip(w.ravel(), flat(out), strict=True)]).backward()

    x = torch.tensor(scores, dtype=torch.float64, requires_grad=True)
    theirs = getattr(torch.nn.functional, name)(x, dim=dim)
    (torch.from_numpy(w) * theirs).sum().backward()
    assert np.shape(out) == tuple(theirs.shape)  # the input's shape, rows kept as rows
    assert_all_close("value", [v.data for v in flat(out)], theirs.reshape(-1).tolist())
    assert_all_close("grad", [v.grad for v in flat(xs)], x.grad.reshape(-1).tolist())


@pytest.mark.torch
@pytest.mark.parametrize("name", NORMALISERS)
def test_softmax_of_1000_0_minus_1000_is_stable_and_matches_torch(torch: Any, name: str) -> None:
    row = [Value(1000.0), Value(0.0), Value(-1000.0)]
    out = getattr(F, name)(row)
    expected = [1.0, 0.0, 0.0] if name == "softmax" else [0.0, -1000.0, -2000.0]
    assert [v.data for v in out] == expected  # exactly: e⁻¹⁰⁰⁰ underflows to 0 against e⁰
    autograd.sum([v * float(j + 1) for j, v in enumerate(out)]).backward()
    x = torch.tensor([1000.0, 0.0, -1000.0], dtype=torch.float64, requires_grad=True)
    theirs = getattr(torch.nn.functional, name)(x, dim=0)
    (theirs * torch.tensor([1.0, 2.0, 3.0], dtype=torch.float64)).sum().backward()
    assert theirs.tolist() == expected
    assert [v.grad for v in row] == x.grad.tolist()


def test_softmax_hand_values() -> None:
    # [0, ln 3]: e⁰ / (1 + 3) and 3 / 4
    row = [Value(0.0), Value(math.log(3.0))]
    p = F.softmax(row)
    assert [v.data for v in p] == pytest.approx([0.25, 0.75], rel=1e-15, abs=0)
    p[0].backward()
    # ∂p₀/∂z₀ = p₀(1 - p₀) = 3/16, ∂p₀/∂z₁ = -p₀p₁ = -3/16
    assert row[0].grad == pytest.approx(3 / 16, rel=1e-14, abs=0)
    assert row[1].grad == pytest.approx(-3 / 16, rel=1e-14, abs=0)
    # one class: probability 1, log-probability 0, whatever the score
    assert [v.data for v in F.softmax([5.0])] == [1.0]
    assert [v.data for v in F.log_softmax([-7.5])] == [0.0]
    # equal scores share the probability
    assert [v.data for v in F.softmax([2.0, 2.0, 2.0, 2.0])] == [0.25] * 4


def test_log_softmax_hand_gradient_is_one_hot_minus_softmax() -> None:
    row = [Value(0.0), Value(math.log(3.0))]
    F.log_softmax(row)[1].backward()  # ∂/∂zᵢ = [i = 1] - softmax(z)ᵢ = [-1/4, 1/4]
    assert row[0].grad == pytest.approx(-0.25, rel=1e-14, abs=0)
    assert row[1].grad == pytest.approx(0.25, rel=1e-14, abs=0)


FINITE = st.floats(min_value=-700.0, max_value=700.0, allow_nan=False)


@settings(max_examples=60, deadline=None)
@given(st.lists(FINITE, min_size=1, max_size=8), st.floats(min_value=-50.0, max_value=50.0))
def test_softmax_sums_to_1_and_ignores_a_shift(scores: list[float], shift: float) -> None:
    p = [v.data for v in F.softmax(scores)]
    assert all(0.0 <= q <= 1.0 for q in p)
    assert math.fsum(p) == pytest.approx(1.0, rel=1e-14, abs=0)
    shifted = [v.data for v in F.softmax([z + shift for z in scores])]
    assert shifted == pytest.approx(p, rel=1e-9, abs=1e-12)
    logp = [v.data for v in F.log_softmax(scores)]
    assert all(lp <= 0.0 for lp in logp)
    top = scores.index(max(scores))  # the largest score has the largest probability
    assert p[top] == max(p) and logp[top] == max(logp)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.floats(min_value=-30.0, max_value=30.0), min_size=1, max_size=8))
def test_log_softmax_is_the_log_of_softmax(scores: list[float]) -> None:
    p = [v.data for v in F.softmax(scores)]
    logp = [v.data for v in F.log_softmax(scores)]
    assert logp == pytest.approx([math.log(q) for q in p], rel=1e-12, abs=1e-12)


def test_dim_0_of_a_batch_is_each_column() -> None:
    rows = [[1.0, -2.0, 0.5], [3.0, 0.0, 0.5]]
    columns = [list(c) for c in zip(*rows, strict=True)]
    for name in NORMALISERS:
        f = getattr(F, name)
        down = [[v.data for v in row] for row in f(rows, dim=0)]
        across = [[v.data for v in row] for row in f(columns, dim=1)]
        assert down == [list(c) for c in zip(*across, strict=True)]
        assert down == [[v.data for v in row] for row in f(rows, dim=-2)]
        assert [[v.data for v in row] for row in f(rows)] == [
            [v.data for v in f(row, dim=0)] for row in rows
        ]


def test_numbers_numpy_and_tuples_give_values() -> None:
    for scores in ([1.0, 2.0], (1, 2), np.array([1.0, 2.0]), [Value(1.0), 2]):
        out = F.softmax(scores)
        assert isinstance(out, list) and all(isinstance(v, Value) for v in out)
        assert [v.data for v in out] == pytest.approx([1 / (1 + math.e), math.e / (1 + math.e)])
    batch = F.log_softmax(np.zeros((3, 2)))
    assert isinstance(batch, list) and len(batch) == 3
    assert all(isinstance(row, list) and len(row) == 2 for row in batch)
    assert [v.data for row in batch for v in row] == [-math.log(2.0)] * 6  # type: ignore[union-attr]


@pytest.mark.torch
def test_empty_inputs_give_empty_outputs_as_in_torch(torch: Any) -> None:
    assert F.softmax([]) == [] and F.log_softmax([], dim=0) == []
    assert torch.nn.functional.softmax(torch.zeros(0), dim=0).shape == (0,)
    for dim in (0, 1):
        assert F.softmax([[], []], dim=dim) == [[], []]
        assert torch.nn.functional.softmax(torch.zeros(2, 0), dim=dim).shape == (2, 0)


@pytest.mark.parametrize("name", NORMALISERS)
def test_gradcheck_softmax_and_log_softmax(name: str) -> None:
    f = getattr(F, name)

    def one_row(*z: Value) -> Value:  # a weighted sum, so every output's gradient counts
        return autograd.sum([w * p for w, p in zip([0.3, -1.2, 2.0, 0.7], f(list(z)), strict=True)])

    assert gradcheck(one_row, [0.5, -1.0, 2.0, 0.1])

    def columns(*z: Value) -> Value:
        out = f([list(z[:3]), list(z[3:])], dim=0)
        return autograd.sum(
            [w * p for w, p in zip([1.0, -0.5, 2.0, 0.3, 1.5, -1.0], flat(out), strict=True)]
        )

    assert gradcheck(columns, [0.5, -1.0, 2.0, 3.0, 0.1, -0.3])


# -- the graph ------------------------------------------------------------------------------


def graph_ops(outputs: list[Value]) -> list[str]:
    """The ops of every node the outputs are made of (leaves left out), each node once."""
    seen: dict[int, Value] = {}
    for out in outputs:
        for node in topological_order(out):
            seen[id(node)] = node
    return sorted(node.op for node in seen.values() if node.op is not None)


@pytest.mark.parametrize("classes", [1, 3, 10])
def test_softmax_graph_is_shift_exp_sum_and_divide(classes: int) -> None:
    z = [Value(float(j)) for j in range(classes)]
    out = F.softmax(z)
    # zⱼ - m, e^(·) and a division per class, one Σ: 3C + 1 nodes
    assert graph_ops(out) == sorted(["sub", "exp", "div"] * classes + ["sum"])
    assert {p.op for v in out for p in v.parents} == {"exp", "sum"}


@pytest.mark.parametrize("classes", [1, 3, 10])
def test_log_softmax_graph_is_shift_exp_sum_log_and_subtract(classes: int) -> None:
    z = [Value(float(j)) for j in range(classes)]
    out = F.log_softmax(z)
    # zⱼ - m, e^(·) and (zⱼ - m) - ln Σ per class, one Σ and one ln: 3C + 2 nodes
    assert graph_ops(out) == sorted(["sub", "exp", "sub"] * classes + ["sum", "log"])
    assert all(v.op == "sub" and v.parents[1].op == "log" for v in out)


def test_cross_entropy_graph_per_sample_and_as_nll_of_log_softmax() -> None:
    z = [Value(float(j)) for j in range(4)]
    loss = F.cross_entropy([z], [2], reduction="sum")
    # the shift and e^(·) per class, Σ, ln, and ln Σ - s₂: 2C + 3 nodes, then the sum
    assert graph_ops([loss]) == sorted(["sub"] * 4 + ["exp"] * 4 + ["sum", "log", "sub", "sum"])
    via_nll = F.nll_loss(F.log_softmax([z]), [2], reduction="sum")
    # log_softmax's other outputs are not part of the loss: only the target's, and its negation
    assert graph_ops([via_nll]) == sorted(
        ["sub"] * 4 + ["exp"] * 4 + ["sum", "log", "sub", "neg", "sum"]
    )


# -- nll_loss and cross_entropy against torch -----------------------------------------------


def run_loss(
    ours: Callable[..., Any], scores: Any, target: Any, reduction: str, **kwargs: Any
) -> tuple[list[float], list[float]]:
    """Our loss's value(s) and the gradient of Σ wᵢ·ℓᵢ (of the loss itself unless 'none')."""
    xs = leaves(scores)
    out = ours(xs, target, reduction=reduction, **kwargs)
    terms = out if isinstance(out, list) else [out]
    w = weights_like((len(terms),), 7) if reduction == "none" else np.ones(1)
    autograd.sum([wi * t for wi, t in zip(w, terms, strict=True)]).backward()
    return [t.data for t in terms], [v.grad for v in flat(xs)]


def run_torch_loss(
    torch: Any, theirs: Callable[..., Any], scores: Any, target: Any, reduction: str, **kw: Any
) -> tuple[list[float], list[float]]:
    x = torch.tensor(scores, dtype=torch.float64, requires_grad=True)
    if is_float_rows(target):
        t = torch.tensor(target, dtype=torch.float64)
    else:
        t = torch.tensor(target, dtype=torch.long)
    out = theirs(x, t, reduction=reduction, **kw).reshape(-1)
    w = weights_like((len(out),), 7) if reduction == "none" else np.ones(1)
    (torch.from_numpy(w) * out).sum().backward()
    return out.tolist(), x.grad.reshape(-1).tolist()


def is_float_rows(target: Any) -> bool:
    return isinstance(target, list) and bool(target) and isinstance(flat(target)[0], float)


def compare_loss(
    torch: Any, name: str, scores: Any, target: Any, reduction: str, **kwargs: Any
) -> None:
    ours = run_loss(getattr(F, name), scores, target, reduction, **kwargs)
    theirs = run_torch_loss(
        torch, getattr(torch.nn.functional, name), scores, target, reduction, **kwargs
    )
    assert_all_close("value", ours[0], theirs[0])
    assert_all_close("grad", ours[1], theirs[1])


def log_probabilities(scores: list[Any]) -> list[Any]:
    """Exact-enough log-probabilities from numpy (z - logsumexp z), for nll_loss's input."""
    z = np.asarray(scores)
    top = z.max(axis=-1, keepdims=True)
    lp = z - top - np.log(np.exp(z - top).sum(axis=-1, keepdims=True))
    result: list[Any] = np.minimum(lp, 0.0).tolist()
    return result


@pytest.mark.torch
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("name", ["nll_loss", "cross_entropy"])
def test_batch_losses_match_torch(torch: Any, name: str, seed: int, reduction: str) -> None:
    rng = np.random.default_rng(seed)
    n, classes = int(rng.integers(1, 10)), int(rng.integers(1, 6))
    scores = (3.0 * rng.normal(size=(n, classes))).tolist()
    inputs = log_probabilities(scores) if name == "nll_loss" else scores
    target = rng.integers(0, classes, n).tolist()
    compare_loss(torch, name, inputs, target, reduction)


@pytest.mark.torch
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("name", ["nll_loss", "cross_entropy"])
def test_ignore_index_matches_torch(torch: Any, name: str, seed: int, reduction: str) -> None:
    rng = np.random.default_rng(seed)
    n, classes = int(rng.integers(2, 10)), int(rng.integers(2, 6))
    scores = (2.0 * rng.normal(size=(n, classes))).tolist()
    inputs = log_probabilities(scores) if name == "nll_loss" else scores
    target = rng.integers(0, classes, n)
    target[rng.permutation(n)[: n // 2]] = -100  # the default ignore_index
    compare_loss(torch, name, inputs, target.tolist(), reduction)
    # a class index as ignore_index: those samples count for nothing
    target = rng.integers(0, classes, n)
    target[0] = 1 - target[1] if target[1] < 2 else 0  # at least one sample is kept
    compare_loss(torch, name, inputs, target.tolist(), reduction, ignore_index=int(target[1]))


@pytest.mark.torch
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("name", ["nll_loss", "cross_entropy"])
@pytest.mark.parametrize("wrap", ["number", "list of one", "numpy scalar", "0-d array"])
def test_one_sample_with_one_class_index_matches_torch(
    torch: Any, name: str, wrap: str, reduction: str
) -> None:
    scores = [0.5, -1.25, 2.0, 0.0]
    inputs = log_probabilities(scores) if name == "nll_loss" else scores
    target: Any = {
        "number": 1,
        "list of one": [1],
        "numpy scalar": np.int64(1),
        "0-d array": np.array(1),
    }[wrap]
    ours = getattr(F, name)(leaves(inputs), target, reduction=reduction)
    assert isinstance(ours, Value)  # torch gives a 0-d tensor, whatever the reduction
    compare_loss(torch, name, inputs, 1, reduction)
    # (torch's forward takes a target of shape (1,) here too, but its nll_loss backward
    # then fails with "size mismatch"; ours gives what the scalar target gives)
    assert run_loss(getattr(F, name), inputs, target, reduction) == run_loss(
        getattr(F, name), inputs, 1, reduction
    )


@pytest.mark.torch
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("seed", SEEDS)
def test_cross_entropy_with_class_probabilities_matches_torch(
    torch: Any, seed: int, reduction: str
) -> None:
    rng = np.random.default_rng(seed)
    n, classes = int(rng.integers(1, 8)), int(rng.integers(2, 6))
    scores = (2.0 * rng.normal(size=(n, classes))).tolist()
    probabilities = rng.dirichlet(np.ones(classes), size=n).tolist()
    compare_loss(torch, "cross_entropy", scores, probabilities, reduction)
    # one sample: C scores and C probabilities
    compare_loss(torch, "cross_entropy", scores[0], probabilities[0], reduction)
    # one-hot probabilities are class indices
    target = rng.integers(0, classes, n)
    one_hot = np.eye(classes)[target]
    by_index = F.cross_entropy(scores, target, reduction="sum").data
    assert by_index == pytest.approx(
        F.cross_entropy(scores, one_hot, reduction="sum").data, rel=1e-14, abs=0
    )


@pytest.mark.torch
def test_class_probabilities_can_be_values_and_are_differentiated(torch: Any) -> None:
    p = [Value(0.2), Value(0.5), Value(0.3)]
    scores = [1.0, -0.5, 2.0]
    F.cross_entropy(scores, p).backward()
    x = torch.tensor(scores, dtype=torch.float64)
    t = torch.tensor([0.2, 0.5, 0.3], dtype=torch.float64, requires_grad=True)
    torch.nn.functional.cross_entropy(x, t).backward()
    assert_all_close("target grad", [v.grad for v in p], t.grad.tolist())  # -log_softmax


@pytest.mark.torch
def test_cross_entropy_takes_numpy_arrays_as_torch_takes_tensors(torch: Any) -> None:
    rng = np.random.default_rng(5)
    scores, target = rng.normal(size=(6, 3)), rng.integers(0, 3, 6)
    theirs = torch.nn.functional.cross_entropy(torch.from_numpy(scores), torch.from_numpy(target))
    assert math.isclose(F.cross_entropy(scores, target).data, theirs.item(), rel_tol=REL_TOL)
    one = torch.nn.functional.cross_entropy(torch.from_numpy(scores[0]), torch.tensor(target[0]))
    assert math.isclose(F.cross_entropy(scores[0], target[0]).data, one.item(), rel_tol=REL_TOL)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("seed", SEEDS)
def test_cross_entropy_is_nll_loss_of_log_softmax_to_the_last_bit(
    seed: int, reduction: str
) -> None:
    rng = np.random.default_rng(seed)
    n, classes = int(rng.integers(1, 10)), int(rng.integers(1, 6))
    scores = (3.0 * rng.normal(size=(n, classes))).tolist()
    target = rng.integers(0, classes, n).tolist()
    direct = run_loss(F.cross_entropy, scores, target, reduction)

    def composed(x: Any, t: Any, reduction: str) -> Any:
        return F.nll_loss(F.log_softmax(x), t, reduction=reduction)

    assert run_loss(composed, scores, target, reduction) == direct


@pytest.mark.torch
def test_cross_entropy_of_1000_0_minus_1000_one_sample(torch: Any) -> None:
    row = [Value(1000.0), Value(0.0), Value(-1000.0)]
    loss = F.cross_entropy(row, 2)
    assert loss.data == 2000.0
    loss.backward()
    assert [v.grad for v in row] == [1.0, 0.0, -1.0]
    x = torch.tensor([1000.0, 0.0, -1000.0], dtype=torch.float64)
    assert torch.nn.functional.cross_entropy(x, torch.tensor(2)).item() == 2000.0


def test_nll_loss_hand_values() -> None:
    logp = [[Value(-0.5), Value(-1.5)], [Value(-2.0), Value(-0.25)]]
    loss = F.nll_loss(logp, [1, 1])  # (1.5 + 0.25) / 2
    assert loss.data == 0.875
    loss.backward()
    assert [[v.grad for v in row] for row in logp] == [[0.0, -0.5], [0.0, -0.5]]
    terms = F.nll_loss(logp, [0, -100], reduction="none")
    assert [t.data for t in terms] == [0.5, 0.0]  # the ignored sample's term is 0
    assert F.nll_loss(logp, [0, -100]).data == 0.5  # the mean over the one kept sample
    assert F.nll_loss(logp, [-100, -100], reduction="sum").data == 0.0  # as torch


def test_gradcheck_nll_loss_and_cross_entropy() -> None:
    def nll(*z: Value) -> Value:
        return F.nll_loss(F.log_softmax([list(z[:3]), list(z[3:])]), [2, 0], reduction="sum")

    assert gradcheck(nll, [0.5, -1.0, 2.0, 3.0, 0.1, -0.3])

    def soft(*z: Value) -> Value:
        return F.cross_entropy([list(z[:3]), list(z[3:])], [[0.2, 0.3, 0.5], [1.0, 0.0, 0.0]])

    assert gradcheck(soft, [0.5, -1.0, 2.0, 3.0, 0.1, -0.3])
    # with respect to the class probabilities as well
    assert gradcheck(lambda a, b, c: F.cross_entropy([1.0, -0.5, 2.0], [a, b, c]), [0.2, 0.5, 0.3])


def test_a_model_with_three_outputs_trains_with_fit_and_cross_entropy() -> None:
    import nn

    X = np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0]] * 4)
    y = np.array([0, 1, 2] * 4)
    model = nn.Linear(2, 3, seed=0)
    history = nn.fit(
        model,
        X,
        y,
        loss=F.cross_entropy,
        optimizer=nn.optim.Adam(model.parameters(), lr=0.1),
        epochs=60,
        metrics=["accuracy"],
        verbose=0,
    )
    assert history["loss"][0] > 0.5 and history["loss"][-1] < 0.1
    assert history["accuracy"][-1] == 1.0
    assert model.predict(X).argmax(axis=1).tolist() == y.tolist()


# -- bad input: our message, and the same type of error as torch ----------------------------

BAD: list[tuple[str, Callable[[], object], type[BaseException], str]] = [
    (
        "softmax dim out of range (1-D)",
        lambda: F.softmax([1.0, 2.0], dim=1),
        IndexError,
        r"softmax: dimension out of range \(expected to be in range of \[-1, 0\], but got 1\)"
        r": the input is 1-D",
    ),
    (
        "softmax dim out of range (2-D)",
        lambda: F.softmax([[1.0, 2.0]], dim=-3),
        IndexError,
        r"softmax: dimension out of range \(expected to be in range of \[-2, 1\], but got -3\)",
    ),
    (
        "log_softmax dim out of range",
        lambda: F.log_softmax([[1.0, 2.0]], dim=2),
        IndexError,
        r"log_softmax: dimension out of range .* but got 2",
    ),
    (
        "softmax dim a float",
        lambda: F.softmax([1.0, 2.0], dim=0.5),  # type: ignore[call-overload]
        TypeError,
        r"softmax: dim must be an int, got float 0.5",
    ),
    (
        "softmax dim a bool",
        lambda: F.softmax([1.0, 2.0], dim=True),
        TypeError,
        r"softmax: dim must be an int, got bool True",
    ),
    (
        "softmax of one number",
        lambda: F.softmax(Value(1.0)),  # type: ignore[call-overload]
        TypeError,
        r"softmax: input must be a sequence .* got Value",
    ),
    (
        "softmax ragged rows",
        lambda: F.softmax([[1.0, 2.0], [3.0]]),
        ValueError,
        r"softmax: input\[1\] has 1 class scores but input\[0\] has 2",
    ),
    (
        "softmax rows and numbers",
        lambda: F.softmax([[1.0, 2.0], 3.0]),  # type: ignore[list-item]
        TypeError,
        r"softmax: input mixes rows and numbers: .* input\[1\] is float 3.0",
    ),
    (
        "softmax numbers and rows",
        lambda: F.softmax([1.0, [2.0]]),  # type: ignore[list-item]
        TypeError,
        r"softmax: input mixes numbers and rows: .* input\[1\] is list \[2.0\]",
    ),
    (
        "softmax three dimensions",
        lambda: F.softmax([[[1.0]]]),  # type: ignore[list-item]
        TypeError,
        r"softmax: input\[0\]\[0\].*list",
    ),
    (
        "softmax a string",
        lambda: F.softmax([1.0, "2"]),  # type: ignore[list-item]
        TypeError,
        r"softmax: input\[1\].*str '2'",
    ),
    (
        "nll_loss class index out of range",
        lambda: F.nll_loss([[-1.0, -2.0]], [2]),
        IndexError,
        r"nll_loss: target\[0\] = 2 is out of bounds: the class indices of 2 classes are 0 to 1",
    ),
    (
        "nll_loss negative class index",
        lambda: F.nll_loss([-1.0, -2.0], -1),
        IndexError,
        r"nll_loss: target = -1 is out of bounds",
    ),
    (
        "nll_loss float target",
        lambda: F.nll_loss([[-1.0, -2.0]], [1.0]),
        TypeError,
        r"nll_loss: target\[0\] must be an int class index, got float 1.0",
    ),
    (
        "nll_loss batch sizes differ",
        lambda: F.nll_loss([[-1.0, -2.0]] * 2, [0, 1, 1]),
        ValueError,
        r"nll_loss: input has 2 samples but target has 3; they must match",
    ),
    (
        "nll_loss one sample, several targets",
        lambda: F.nll_loss([-1.0, -2.0, -3.0], [0, 1]),
        ValueError,
        r"nll_loss: input is one sample's 3 class scores \(1-D\), so target must be one "
        r"class index, got 2 targets",
    ),
    (
        "nll_loss a batch and one target",
        lambda: F.nll_loss([[-1.0, -2.0]] * 2, 1),
        TypeError,
        r"nll_loss: input is a batch of 2 samples, so target must hold 2 class indices",
    ),
    (
        "nll_loss target rows",
        lambda: F.nll_loss([[-1.0, -2.0]], [[0.0, 1.0]]),
        TypeError,
        r"nll_loss: target\[0\] must be an int class index, got list",
    ),
    (
        "nll_loss raw scores",
        lambda: F.nll_loss([[Value(-1.0), Value(0.5, label="z1")]], [0]),
        ValueError,
        r"nll_loss: input\[0\]\[1\] = 0.5 \(label 'z1'\) is above 0, so it is not a "
        r"log-probability; .* for raw class scores use cross_entropy",
    ),
    (
        "nll_loss every target ignored",
        lambda: F.nll_loss([[-1.0, -2.0]] * 2, [-100, -100]),
        ValueError,
        r"nll_loss: every target is ignore_index \(-100\), so the mean is over no samples",
    ),
    (
        "nll_loss ignore_index a float",
        lambda: F.nll_loss([[-1.0, -2.0]], [0], ignore_index=0.5),  # type: ignore[call-overload]
        TypeError,
        r"nll_loss: ignore_index must be an int, got float 0.5",
    ),
    (
        "nll_loss unknown reduction",
        lambda: F.nll_loss([[-1.0]], [0], reduction="avg"),  # type: ignore[call-overload]
        ValueError,
        r"nll_loss: reduction must be 'mean', 'sum' or 'none', got 'avg'",
    ),
    (
        "nll_loss empty",
        lambda: F.nll_loss([], []),
        ValueError,
        r"nll_loss: input is empty",
    ),
    (
        "nll_loss no classes",
        lambda: F.nll_loss([[], []], [0, 0]),
        ValueError,
        r"nll_loss: input\[0\] has no class scores",
    ),
    (
        "cross_entropy one sample, a batch's targets",
        lambda: F.cross_entropy([0.5, 1.0, -1.0, 2.0], [0, 1]),
        ValueError,
        r"cross_entropy: input is one sample's 4 class scores \(1-D\), so target must be one "
        r"class index, got 2 targets; for a batch, input needs one row of class scores",
    ),
    (
        "cross_entropy one output per sample (integer target in the input's shape)",
        lambda: F.cross_entropy([Value(0.5), Value(1.0), Value(-1.0)], [0, 2, 1]),
        TypeError,
        r"cross_entropy: target has the input's shape \(3,\), so it is read as class "
        r"probabilities, which must be floats, but it holds whole numbers; .* a model with "
        r"C outputs",
    ),
    (
        "cross_entropy integer one-hot rows",
        lambda: F.cross_entropy([[0.5, 1.0]], [[0, 1]]),
        TypeError,
        r"cross_entropy: target has the input's shape \(1, 2\), so it is read as class "
        r"probabilities, which must be floats",
    ),
    (
        "cross_entropy probability rows of the wrong width",
        lambda: F.cross_entropy([[0.5, 1.0, 0.0]], [[0.5, 0.5]]),
        ValueError,
        r"cross_entropy: target\[0\] has 2 class probabilities but input has 3 class scores",
    ),
    (
        "cross_entropy probability rows for another batch size",
        lambda: F.cross_entropy([[0.5, 1.0]] * 2, [[0.5, 0.5]]),
        ValueError,
        r"cross_entropy: input has 2 samples but target has 1 rows of class probabilities",
    ),
    (
        "cross_entropy probability above 1",
        lambda: F.cross_entropy([[0.5, 1.0]], [[1.5, -0.5]]),
        ValueError,
        r"cross_entropy: target\[0\]\[0\] = 1.5 is outside \[0, 1\]",
    ),
    (
        "cross_entropy ignore_index with probabilities",
        lambda: F.cross_entropy([[0.5, 1.0]], [[0.5, 0.5]], ignore_index=1),
        ValueError,
        r"cross_entropy: ignore_index applies to class indices, not to class probabilities",
    ),
    (
        "cross_entropy one sample out of range",
        lambda: F.cross_entropy([0.5, 1.0], 2),
        IndexError,
        r"cross_entropy: target = 2 is out of bounds",
    ),
    (
        "cross_entropy every target ignored",
        lambda: F.cross_entropy([[0.5, 1.0]], [3], ignore_index=3),
        ValueError,
        r"cross_entropy: every target is ignore_index \(3\)",
    ),
]


@each_named_error(BAD)
def test_bad_input_raises_a_named_error(
    call: Callable[[], object], error: type[BaseException], message: str
) -> None:
    assert_named_error(call, error, message)


# Torch's own errors for the same calls, where torch raises one of Python's types.
SAME_AS_TORCH: list[tuple[str, Callable[[Any], object], Callable[[], object], type[Exception]]] = [
    (
        "dim out of range",
        lambda t: t.nn.functional.softmax(t.tensor([1.0, 2.0]), dim=1),
        lambda: F.softmax([1.0, 2.0], dim=1),
        IndexError,
    ),
    (
        "dim a float",
        lambda t: t.nn.functional.log_softmax(t.tensor([1.0, 2.0]), dim=0.5),
        lambda: F.log_softmax([1.0, 2.0], dim=0.5),  # type: ignore[call-overload]
        TypeError,
    ),
    (
        "class index out of range",
        lambda t: t.nn.functional.nll_loss(t.tensor([[-1.0, -2.0]]), t.tensor([2])),
        lambda: F.nll_loss([[-1.0, -2.0]], [2]),
        IndexError,
    ),
    (
        "negative class index",
        lambda t: t.nn.functional.cross_entropy(t.tensor([[1.0, 2.0]]), t.tensor([-1])),
        lambda: F.cross_entropy([[1.0, 2.0]], [-1]),
        IndexError,
    ),
    (
        "batch sizes differ",
        lambda t: t.nn.functional.cross_entropy(t.zeros(2, 3), t.tensor([0, 1, 2])),
        lambda: F.cross_entropy(np.zeros((2, 3)), [0, 1, 2]),
        ValueError,
    ),
    (
        "one sample, several targets",
        lambda t: t.nn.functional.cross_entropy(t.zeros(3), t.tensor([1, 0])),
        lambda: F.cross_entropy(np.zeros(3), [1, 0]),
        ValueError,
    ),
    (
        "unknown reduction",
        lambda t: t.nn.functional.nll_loss(t.zeros(1, 2), t.tensor([0]), reduction="avg"),
        lambda: F.nll_loss(np.zeros((1, 2)), [0], reduction="avg"),  # type: ignore[call-overload]
        ValueError,
    ),
    (
        "ignore_index a float",
        lambda t: t.nn.functional.nll_loss(t.zeros(1, 2), t.tensor([0]), ignore_index=0.5),
        lambda: F.nll_loss(np.zeros((1, 2)), [0], ignore_index=0.5),  # type: ignore[call-overload]
        TypeError,
    ),
]


@pytest.mark.torch
@pytest.mark.parametrize(
    ("theirs", "ours", "error"),
    [pytest.param(theirs, ours, error, id=name) for name, theirs, ours, error in SAME_AS_TORCH],
)
def test_bad_input_raises_the_error_torch_raises(
    torch: Any, theirs: Callable[[Any], object], ours: Callable[[], object], error: type[Exception]
) -> None:
    with pytest.raises(error):
        theirs(torch)
    with pytest.raises(error):
        ours()
