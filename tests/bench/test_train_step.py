"""tests/bench/train_step.py, the bench's training step: the same computation in every engine
(no timing is asserted)."""

from __future__ import annotations

import math

import pytest

pytestmark = pytest.mark.micrograd  # one of the engines is micrograd


def test_the_training_step_is_the_same_computation_in_all_engines() -> None:
    from tests.bench.train_step import (
        data,
        floats_trainer,
        initial_state,
        micrograd_trainer,
        stepgrad_trainer,
    )

    X, y = data(30)
    state = initial_state()
    trainers = {
        "compact": stepgrad_trainer(X, y, state),
        "fine": stepgrad_trainer(X, y, state, graph="fine"),
        "micrograd": micrograd_trainer(X, y, state),
        "floats": floats_trainer(X, y, state),
    }
    for _ in range(4):  # the losses agree step after step, so the updates agree too
        losses = {name: step()[0] for name, step in trainers.items()}
        for name, loss in losses.items():
            assert math.isclose(loss, losses["floats"], rel_tol=1e-9), (name, losses)
