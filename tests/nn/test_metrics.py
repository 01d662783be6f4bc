"""nn.metrics: hand-computed values, the three kinds of accuracy, no graph, bad input."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest

from autograd import Value
from nn.metrics import accuracy, mean_squared_error, r2_score
from tests.helpers import assert_named_error, each_named_error

# -- accuracy ------------------------------------------------------------------------------


def test_accuracy_of_class_scores_takes_the_argmax() -> None:
    scores = [[0.1, 2.0, -1.0], [3.0, 0.0, 0.5], [0.0, 0.0, 0.2], [1.0, 1.0, 0.0]]
    # argmaxes 1, 0, 2, and 0 on the tie (the first, as numpy and torch)
    assert accuracy(scores, [1, 0, 2, 0]) == 1.0
    assert accuracy(scores, [1, 2, 2, 1]) == 0.5
    assert accuracy(np.array(scores), np.array([0, 0, 0, 0])) == 0.5


def test_accuracy_of_class_scores_reads_values() -> None:
    scores = [[Value(0.2), Value(-0.3)], [Value(-1.0), Value(4.0)], [Value(0.0), Value(1e-9)]]
    assert accuracy(scores, [0, 1, 0]) == 2 / 3


def test_accuracy_with_a_threshold_for_plus_minus_one_labels() -> None:
    # micrograd's demo: y = ±1, a sample is right when score > 0 matches y > 0
    scores = [Value(0.3), Value(-2.0), Value(0.0), Value(1.5), Value(-0.1)]
    y = [1, -1, 1, -1, -1]
    # 0.3 > 0 ✓, -2 ✓, 0.0 is not > 0 so negative ✗, 1.5 ✗, -0.1 ✓
    assert accuracy(scores, y, threshold=0.0) == 3 / 5


def test_accuracy_with_a_threshold_for_probabilities_and_0_1_labels() -> None:
    probs = np.array([0.9, 0.2, 0.5, 0.51, 0.49])
    y = np.array([1, 0, 1, 1, 0])
    # 0.5 is not > 0.5: predicted 0, target 1 -> wrong; the rest right
    assert accuracy(probs, y, threshold=0.5) == 4 / 5
    # a column of single scores, as a model with one output returns them
    assert accuracy(probs.reshape(5, 1), y, threshold=0.5) == 4 / 5


def test_accuracy_of_labels_compares_exactly() -> None:
    assert accuracy([1, 0, 2, 2], [1, 1, 2, 0]) == 0.5
    assert accuracy([1.0, -1.0, -1.0], np.array([1, -1, 1])) == 2 / 3


def test_accuracy_returns_a_python_float() -> None:
    result = accuracy(np.array([1, 0]), np.array([1, 0]))
    assert type(result) is float and result == 1.0


def test_metrics_build_no_graph() -> None:
    p = [Value(1.0), Value(2.0)]
    for v in p:
        v.grad = 0.5
    assert type(mean_squared_error(p, [0.0, 0.0])) is float
    assert type(r2_score(p, [0.0, 3.0])) is float
    assert type(accuracy(p, [1, 2])) is float
    # the inputs are untouched and still leaves
    assert [(v.data, v.grad, v.is_leaf) for v in p] == [(1.0, 0.5, True), (2.0, 0.5, True)]


# -- mean squared error and R² -------------------------------------------------------------


def test_mean_squared_error_hand_values() -> None:
    assert mean_squared_error([1.0, 2.0, 4.0], [0.0, 2.0, 2.0]) == 5.0 / 3.0
    assert mean_squared_error([Value(3.0)], [1]) == 4.0
    # rows of outputs are flattened: errors 1, 1, 0, 2 -> (1 + 1 + 0 + 4) / 4
    assert mean_squared_error([[1.0, 1.0], [0.0, 2.0]], np.array([[0.0, 2.0], [0.0, 0.0]])) == 1.5


def test_r2_score_hand_values() -> None:
    y = [1.0, 2.0, 3.0, 4.0]  # mean 2.5, SS_tot = 2.25 + 0.25 + 0.25 + 2.25 = 5
    assert r2_score(y, y) == 1.0
    assert r2_score([2.5] * 4, y) == 0.0  # predicting the mean
    # residuals 0.5, -0.5, 0, 1: SS_res = 1.5 -> 1 - 1.5/5 = 0.7
    assert r2_score([0.5, 2.5, 3.0, 3.0], y) == pytest.approx(0.7, rel=1e-15, abs=0)
    # worse than the mean: reversed, SS_res = 9 + 1 + 1 + 9 = 20 -> 1 - 4 = -3
    assert r2_score([4.0, 3.0, 2.0, 1.0], y) == -3.0


def test_r2_score_order_is_predictions_then_targets() -> None:
    # swapping changes SS_tot: targets [0, 0, 3] (mean 1, SS_tot 6), SS_res = 1 + 1 + 1 = 3
    assert r2_score([1.0, 1.0, 2.0], [0.0, 0.0, 3.0]) == 0.5
    # targets [1, 1, 2] (mean 4/3, SS_tot 2/3), SS_res = 3 -> 1 - 4.5
    assert r2_score([0.0, 0.0, 3.0], [1.0, 1.0, 2.0]) == pytest.approx(-3.5, rel=1e-14, abs=0)


def test_r2_score_of_constant_targets_follows_scikit_learn() -> None:
    # SS_tot = 0: 1.0 for a perfect prediction, else 0.0 (sklearn's force_finite=True)
    assert r2_score([2.0, 2.0, 2.0], [2.0, 2.0, 2.0]) == 1.0
    assert r2_score([2.0, 1.0, 2.0], [2.0, 2.0, 2.0]) == 0.0


# -- bad input -----------------------------------------------------------------------------

BAD: list[tuple[str, Callable[[], object], type[BaseException], str]] = [
    ("empty", lambda: accuracy([], []), ValueError, r"accuracy: predictions is empty"),
    (
        "lengths differ",
        lambda: mean_squared_error([1.0, 2.0], [1.0]),
        ValueError,
        r"mean_squared_error: predictions has 2 values but targets has 1",
    ),
    (
        "scores without a threshold",
        lambda: accuracy([0.7, 0.2], [1, 0]),
        ValueError,
        r"accuracy: predictions\[0\] = 0.7 is not a class label",
    ),
    (
        "one score per row without a threshold",
        lambda: accuracy([[0.7], [0.2]], [1, 0]),
        ValueError,
        r"accuracy: .*one score per sample; pass threshold=",
    ),
    (
        "threshold with class scores",
        lambda: accuracy([[0.7, 0.1]], [0], threshold=0.5),
        ValueError,
        r"accuracy: threshold applies to one score per sample",
    ),
    (
        "non-binary targets with a threshold",
        lambda: accuracy([0.7, 0.2], [1, 2], threshold=0.5),
        ValueError,
        r"accuracy: .*got targets\[1\] = 2.0",
    ),
    (
        "0 and -1 both as negatives",
        lambda: accuracy([0.7, 0.2, 0.1], [1, 0, -1], threshold=0.0),
        ValueError,
        r"accuracy: targets mix 0 and -1",
    ),
    (
        "class index out of range",
        lambda: accuracy([[0.7, 0.2]], [2]),
        ValueError,
        r"accuracy: targets\[0\] = 2 is not a class index for 2 classes",
    ),
    (
        "ragged rows",
        lambda: accuracy([[0.7, 0.2], [0.1]], [0, 0]),
        ValueError,
        r"accuracy: predictions\[1\] has 1 scores but predictions\[0\] has 2",
    ),
    (
        "rows mixed with values",
        lambda: accuracy([[0.7, 0.2], 0.1], [0, 0]),  # type: ignore[arg-type]
        TypeError,
        r"accuracy: predictions mixes rows and single values",
    ),
    (
        "a string",
        lambda: mean_squared_error([1.0, "x"], [1.0, 2.0]),  # type: ignore[arg-type]
        TypeError,
        r"mean_squared_error: predictions\[1\].*str 'x'",
    ),
    (
        "nan",
        lambda: r2_score([1.0, 2.0], [float("nan"), 1.0]),
        ValueError,
        r"r2_score: targets\[0\].*nan",
    ),
    (
        "a bool threshold",
        lambda: accuracy([0.7], [1], threshold=True),
        TypeError,
        r"accuracy: threshold.*bool",
    ),
    ("one sample", lambda: r2_score([1.0], [1.0]), ValueError, r"r2_score: needs at least two"),
    (
        "not a sequence",
        lambda: mean_squared_error(3.0, [3.0]),  # type: ignore[arg-type]
        TypeError,
        r"mean_squared_error: predictions must be a sequence",
    ),
]


@each_named_error(BAD)
def test_bad_input_raises_a_named_error(
    call: Callable[[], object], error: type[BaseException], message: str
) -> None:
    assert_named_error(call, error, message)
