"""nn.Dropout: the identity in eval mode; in training, each element kept with probability
1 - p and scaled by exactly 1/(1 - p), or zeroed, with gradients mask/(1 - p); seeded.

PyTorch draws its masks from another generator, so no test can ask for the same mask.
The torch tests compare what does not depend on the draw: the value and gradient of an
element that both engines kept (and of one both dropped), p = 0 and p = 1, and the errors.
"""

from __future__ import annotations

import math
import re
from typing import Any

import numpy as np
import pytest

import autograd
import nn
from autograd import Value, gradcheck
from tests.helpers import assert_named_error


def inputs(n: int, seed: int = 0) -> list[Value]:
    """n leaf Values, none of them zero (so that an output of 0 means dropped)."""
    rng = np.random.default_rng(seed)
    return [Value(float(v)) for v in rng.uniform(0.5, 2.0, n) * rng.choice([-1.0, 1.0], n)]


def kept_mask(outputs: list[Value]) -> np.ndarray:
    return np.array([v.data != 0.0 for v in outputs])


# -- eval mode, p = 0 ---------------------------------------------------------------------


def test_eval_mode_is_the_identity() -> None:
    dropout = nn.Dropout(0.5, seed=0).eval()
    xs = inputs(100)
    assert dropout(xs) is xs
    assert dropout(xs[0]) is xs[0]
    assert dropout.train()(xs) is not xs  # back in training mode it drops again


def test_p_zero_is_the_identity_in_training() -> None:
    xs = inputs(100)
    dropout = nn.Dropout(0.0, seed=0)
    assert dropout.training
    assert dropout(xs) is xs


def test_a_new_module_is_in_training_mode_as_in_torch() -> None:
    assert nn.Dropout().training
    assert nn.Dropout().p == 0.5


# -- training mode -------------------------------------------------------------------------


@pytest.mark.parametrize("p", [0.1, 0.5, 0.9])
def test_training_zeroes_a_fraction_p_of_many_elements(p: float) -> None:
    n = 20_000
    outputs = nn.Dropout(p, seed=1)(inputs(n))
    dropped = 1.0 - kept_mask(outputs).mean()
    # The number dropped is Binomial(n, p): within 5 standard deviations of n·p.
    assert abs(dropped - p) < 5 * math.sqrt(p * (1 - p) / n)


@pytest.mark.parametrize("p", [0.1, 0.3, 0.5, 0.75])
def test_survivors_are_scaled_by_exactly_one_over_one_minus_p(p: float) -> None:
    xs = inputs(1_000)
    outputs = nn.Dropout(p, seed=2)(xs)
    kept = kept_mask(outputs)
    assert 0 < kept.sum() < len(xs)
    scale = 1.0 / (1.0 - p)
    for x, y, keep in zip(xs, outputs, kept, strict=True):
        assert y.data == (x.data * scale if keep else 0.0)
        assert y.parents == (x,)  # one node per element, x * c, dropped ones included


@pytest.mark.parametrize("p", [0.2, 0.6])
def test_the_gradient_is_the_mask_over_one_minus_p(p: float) -> None:
    xs = inputs(200)
    weights = np.random.default_rng(3).normal(size=200)
    outputs = nn.Dropout(p, seed=4)(xs)
    autograd.sum([y * float(w) for y, w in zip(outputs, weights, strict=True)]).backward()
    kept = kept_mask(outputs)
    for x, w, keep in zip(xs, weights, kept, strict=True):
        assert x.grad == pytest.approx(float(w) * keep / (1.0 - p), rel=1e-15, abs=0.0)


def test_gradcheck_with_the_mask_fixed() -> None:
    # A module made anew with the same seed draws the same mask on every call, so the
    # function that gradcheck perturbs is one fixed mask times the inputs.
    weights = [0.7, -1.3, 2.0, 0.4, -0.9, 1.1]

    def f(*xs: Value) -> Value:
        ys = nn.Dropout(0.4, seed=5)(list(xs))
        return autograd.sum([(y * w).tanh() for y, w in zip(ys, weights, strict=True)])

    xs = [Value(v) for v in (0.3, -0.8, 1.2, 0.5, -0.1, 0.9)]
    kept = kept_mask(nn.Dropout(0.4, seed=5)(list(xs)))
    assert 0 < kept.sum() < len(xs)  # both kinds of element are checked
    assert gradcheck(f, xs)


def test_p_one_gives_zeros_and_zero_gradients() -> None:
    xs = inputs(50)
    outputs = nn.Dropout(1.0, seed=0)(xs)
    assert [y.data for y in outputs] == [0.0] * 50
    autograd.sum(outputs).backward()
    assert [x.grad for x in xs] == [0.0] * 50


def test_a_value_gives_a_value_and_a_list_a_list() -> None:
    dropout = nn.Dropout(0.5, seed=6)
    x = Value(2.0)
    results = [dropout(x) for _ in range(20)]
    assert all(isinstance(r, Value) for r in results)
    assert {r.data for r in results} == {0.0, 4.0}
    assert isinstance(dropout([x]), list)
    assert isinstance(dropout((x, x)), list)


def test_numbers_and_numpy_rows_become_values() -> None:
    out = nn.Dropout(0.5, seed=7)(np.array([1.0, 2.0, 3.0, 4.0]))
    assert isinstance(out, list) and all(isinstance(v, Value) for v in out)
    assert all(v.data in (0.0, 2.0 * x) for v, x in zip(out, [1, 2, 3, 4], strict=True))
    assert isinstance(nn.Dropout(0.5, seed=7)(3.0), Value)


def test_bad_inputs_name_dropout() -> None:
    dropout = nn.Dropout(0.5, seed=0)
    assert_named_error(lambda: dropout("abc"), TypeError, r"^Dropout: .*got str 'abc'")
    assert_named_error(
        lambda: dropout([1.0, True]), TypeError, r"^Dropout: .*bool True at position 1"
    )
    assert_named_error(lambda: dropout([1.0, math.nan]), ValueError, r"^Dropout: input 1: .*nan")
    assert_named_error(lambda: dropout(np.ones((2, 2))), ValueError, r"^Dropout: .*shape \(2, 2\)")


# -- seeds -----------------------------------------------------------------------------------


def test_the_same_seed_gives_the_same_masks_call_after_call() -> None:
    xs = inputs(64)
    first, second = nn.Dropout(0.5, seed=8), nn.Dropout(0.5, seed=8)
    masks = [kept_mask(first(xs)) for _ in range(3)]
    assert all(np.array_equal(m, kept_mask(second(xs))) for m in masks)
    assert not np.array_equal(masks[0], masks[1])  # a new draw each call


def test_unseeded_modules_follow_manual_seed() -> None:
    xs = inputs(64)
    nn.manual_seed(9)
    first = kept_mask(nn.Dropout(0.5)(xs))
    nn.manual_seed(9)
    assert np.array_equal(first, kept_mask(nn.Dropout(0.5)(xs)))


# -- errors, repr, state -------------------------------------------------------------------


@pytest.mark.parametrize("p", [1.5, -0.1, math.nan, math.inf])
def test_p_outside_zero_one_is_pytorchs_error(p: float) -> None:
    assert_named_error(
        lambda: nn.Dropout(p),
        ValueError,
        rf"^dropout probability has to be between 0 and 1, but got {re.escape(str(p))}$",
    )


@pytest.mark.parametrize("p", ["0.5", True, None])
def test_p_must_be_a_number(p: Any) -> None:
    assert_named_error(lambda: nn.Dropout(p), TypeError, r"^Dropout: p must be a number")


def test_repr_and_no_parameters() -> None:
    dropout = nn.Dropout(0.25, seed=0)
    assert repr(dropout) == "Dropout(p=0.25)"
    assert dropout.parameters() == []
    assert dropout.state_dict() == {}


# -- against PyTorch ---------------------------------------------------------------------------


@pytest.mark.torch
@pytest.mark.parametrize("p", [0.2, 0.5, 0.8])
def test_kept_and_dropped_elements_match_torch(torch: Any, p: float) -> None:
    n = 5_000
    xs = inputs(n)
    weights = np.random.default_rng(10).normal(size=n)
    ours = nn.Dropout(p, seed=11)(xs)
    autograd.sum([y * float(w) for y, w in zip(ours, weights, strict=True)]).backward()

    torch.manual_seed(0)
    x = torch.tensor([v.data for v in xs], dtype=torch.float64, requires_grad=True)
    theirs = torch.nn.Dropout(p)(x)
    (theirs * torch.from_numpy(weights)).sum().backward()

    our_kept = kept_mask(ours)
    their_kept = (theirs != 0).numpy()
    both, neither = our_kept & their_kept, ~our_kept & ~their_kept
    assert both.sum() > 0 and neither.sum() > 0
    our_values = np.array([y.data for y in ours])
    our_grads = np.array([v.grad for v in xs])
    their_values, their_grads = theirs.detach().numpy(), x.grad.numpy()
    assert np.array_equal(our_values[both], their_values[both])  # bit for bit
    assert np.array_equal(our_grads[both], their_grads[both])
    assert np.all(our_values[neither] == 0) and np.all(their_values[neither] == 0)
    assert np.all(our_grads[neither] == 0) and np.all(their_grads[neither] == 0)
    # the fraction dropped: the same Binomial(n, p) in both
    bound = 5 * math.sqrt(p * (1 - p) / n)
    assert abs((1 - our_kept.mean()) - p) < bound and abs((1 - their_kept.mean()) - p) < bound


@pytest.mark.torch
def test_eval_p_zero_and_p_one_match_torch(torch: Any) -> None:
    xs = inputs(100)
    x = torch.tensor([v.data for v in xs], dtype=torch.float64)
    for p in (0.0, 0.5, 1.0):
        assert torch.equal(torch.nn.Dropout(p).eval()(x), x)
        assert [v.data for v in nn.Dropout(p, seed=0).eval()(xs)] == x.tolist()
    assert torch.equal(torch.nn.Dropout(0.0)(x), x)
    assert [v.data for v in nn.Dropout(0.0, seed=0)(xs)] == x.tolist()
    assert torch.equal(torch.nn.Dropout(1.0)(x), torch.zeros(100, dtype=torch.float64))
    assert [v.data for v in nn.Dropout(1.0, seed=0)(xs)] == [0.0] * 100


@pytest.mark.torch
@pytest.mark.parametrize("p", [1.5, -0.1])
def test_the_error_is_torchs_own(torch: Any, p: float) -> None:
    with pytest.raises(ValueError) as theirs:
        torch.nn.Dropout(p)
    with pytest.raises(ValueError) as ours:
        nn.Dropout(p)
    assert str(ours.value) == str(theirs.value)
