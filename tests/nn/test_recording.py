"""``fit(..., record=True)``: every optimizer step's numbers are the engine's (checked against
re-runs of the same training), recording changes nothing about the training, the
predictions view and the sample's backward passes, and the size limit."""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np
import pytest

import nn
from autograd import Value
from nn import functional as F
from nn.recording import Record, Recording


def line_run(epochs: int, **kwargs: Any) -> tuple[nn.Linear, nn.History]:
    """The first document's training: x = 0..4, y = 2x + 1, w = b = 0, SGD lr 0.05, mse."""
    X, y = nn.data.line()
    model = nn.Linear(1, 1, init="zeros")
    optimizer = nn.optim.SGD(model.parameters(), lr=0.05)
    history = nn.fit(
        model, X, y, loss="mse", optimizer=optimizer, epochs=epochs, verbose=0, **kwargs
    )
    return model, history


def recording_of(history: nn.History) -> Recording:
    assert history.recording is not None
    return history.recording


def moons_run(record: bool | Record, **kwargs: Any) -> tuple[nn.MLP, nn.History]:
    X, y = nn.data.make_moons(40, noise=0.1, seed=0, signed=True)
    model = nn.MLP(2, [6, 1], seed=0)
    optimizer = nn.optim.Adam(model.parameters(), lr=0.05)
    history = nn.fit(
        model, X, y, loss="hinge", optimizer=optimizer, verbose=0, record=record, **kwargs
    )
    return model, history


def test_the_first_documents_first_step() -> None:
    _, history = line_run(3, record=True)
    recording = recording_of(history)
    assert recording.names == ["weight[0, 0]", "bias[0]"]
    first = recording.steps[0]
    assert (first.epoch, first.batch, first.label, first.loss) == (0, 0, "epoch 1", 33.0)
    assert first.before == [0.0, 0.0]
    assert first.grads == [pytest.approx(-28.0, abs=1e-12), pytest.approx(-10.0, abs=1e-12)]
    assert first.after == [pytest.approx(1.4, abs=1e-12), pytest.approx(0.5, abs=1e-12)]
    assert recording.arithmetic(0, 0) == ["g = ∂L/∂w = −28", "w ← 0 − 0.05 × (−28) = 1.4"]
    assert recording.arithmetic(0, 1) == ["g = ∂L/∂b = −10", "b ← 0 − 0.05 × (−10) = 0.5"]
    assert recording.formula(0, 0) == ["g = ∂L/∂w", "w ← w − lr·g"]


def test_step_k_is_a_rerun_of_the_same_training_to_step_k() -> None:
    epochs = 8
    _, history = line_run(epochs, record=True)
    recording = recording_of(history)
    assert len(recording.steps) == epochs
    # by hand: the same loop, forward, backward, step
    X, y = nn.data.line()
    model = nn.Linear(1, 1, init="zeros")
    optimizer = nn.optim.SGD(model.parameters(), lr=0.05)
    for step in recording.steps:
        assert step.before == [p.data for p in model.parameters()]
        loss = F.mse_loss([model(row) for row in X.tolist()], y.tolist())
        optimizer.zero_grad()
        loss.backward()
        assert step.loss == loss.data
        assert step.grads == [p.grad for p in model.parameters()]
        optimizer.step()
        assert step.after == [p.data for p in model.parameters()]
    assert recording.final == [p.data for p in model.parameters()]
    # and fit itself, stopped after k epochs, ends where step k begins
    for k in (1, 5):
        shorter, _ = line_run(k)
        assert [p.data for p in shorter.parameters()] == recording.steps[k].before


def test_mini_batches_are_steps_within_epochs_and_recording_changes_nothing() -> None:
    plain, plain_history = moons_run(False, epochs=3, batch_size=16, seed=4)
    recorded, history = moons_run(True, epochs=3, batch_size=16, seed=4)
    assert [p.data for p in recorded.parameters()] == [p.data for p in plain.parameters()]
    assert history.history == plain_history.history
    recording = recording_of(history)
    assert [s.label for s in recording.steps[:4]] == [
        "epoch 1, batch 1/3",
        "epoch 1, batch 2/3",
        "epoch 1, batch 3/3",
        "epoch 2, batch 1/3",
    ]
    assert [s.samples for s in recording.steps[:3]] == [16, 16, 8]
    for earlier, later in itertools.pairwise(recording.steps):
        assert later.before == earlier.after
        assert later.state_before == earlier.state_after  # Adam's m, v, t carry over
    # each epoch's loss is its batches' sample-weighted mean
    first = recording.steps[:3]
    assert history["loss"][0] == pytest.approx(sum(s.loss * s.samples for s in first) / 40)
    for k in (1, 2):  # fit stopped after k epochs ends where epoch k's first step begins
        shorter, _ = moons_run(False, epochs=k, batch_size=16, seed=4)
        assert [p.data for p in shorter.parameters()] == recording.steps[3 * k].before


def test_adams_arithmetic_uses_its_recorded_state() -> None:
    _, history = moons_run(True, epochs=3)
    recording = recording_of(history)
    step = recording.steps[2]
    lines = recording.arithmetic(2, 0)
    m, v = step.state_after[0]["exp_avg"], step.state_after[0]["exp_avg_sq"]
    assert step.state_after[0]["step"] == 3.0
    assert lines[1].endswith(f"= {nn.optim.arithmetic.number(m)}")
    assert lines[2].endswith(f"= {nn.optim.arithmetic.number(v)}")
    assert lines[-1].endswith(f"= {nn.optim.arithmetic.number(step.after[0])}")


def test_every_kth_epoch_and_the_last() -> None:
    _, history = line_run(10, record=Record(every=4))
    recording = recording_of(history)
    assert [s.epoch for s in recording.steps] == [0, 4, 8, 9]
    assert recording.pass_epochs == [0, 4, 8, 9]
    assert len(recording.passes) == 4


def test_each_step_has_the_predictions_after_its_own_update() -> None:
    _, history = line_run(10, record=Record(every=4))
    recording = recording_of(history)
    view = recording.view
    assert view is not None
    xs = view.axes[0]
    for step in recording.steps:  # epochs 1, 5, 9, 10: the next recorded step is 4 updates on
        w, b = step.after
        assert step.outputs_after == [pytest.approx(w * x + b, abs=1e-12) for x in xs]
        w, b = step.before
        assert step.outputs == [pytest.approx(w * x + b, abs=1e-12) for x in xs]
    assert recording.steps[0].outputs_after != recording.steps[1].outputs
    assert recording.steps[-1].outputs_after == view.final


def test_the_line_view_is_the_model_over_a_grid_of_x() -> None:
    _, history = line_run(4, record=True)
    recording = recording_of(history)
    view = recording.view
    assert view is not None and view.kind == "line"
    xs = view.axes[0]
    assert xs[0] < 0.0 and xs[-1] > 4.0 and len(xs) == 60
    for step in recording.steps:
        w, b = step.before
        assert step.outputs == [pytest.approx(w * x + b, abs=1e-12) for x in xs]
    w, b = recording.final
    assert view.final == [pytest.approx(w * x + b, abs=1e-12) for x in xs]


def test_the_boundary_view_is_the_model_over_the_plane() -> None:
    model, history = moons_run(Record(grid=7), epochs=2)
    recording = recording_of(history)
    view = recording.view
    assert view is not None and (view.kind, view.threshold, view.classes) == ("boundary", 0.0, 0)
    assert len(recording.steps[0].outputs) == 49
    model.load_state_dict(model.state_dict())  # the trained model: its outputs are the final
    assert view.final == model.predict(view.points()).tolist()
    # a probability output changes class at 0.5
    X, y = nn.data.make_moons(20, noise=0.1, seed=0)
    net = nn.Sequential(nn.Linear(2, 1, seed=0), nn.Sigmoid())
    sgd = nn.optim.SGD(net.parameters(), lr=0.1)
    fitted = nn.fit(net, X, y, loss="binary_crossentropy", optimizer=sgd, verbose=0, record=True)
    assert recording_of(fitted).view is not None
    assert recording_of(fitted).view.threshold == 0.5  # type: ignore[union-attr]


def test_no_view_for_other_data_says_why() -> None:
    X = np.random.default_rng(0).normal(size=(6, 3))
    model = nn.Linear(3, 1, seed=0)
    sgd = nn.optim.SGD(model.parameters(), lr=0.1)
    history = nn.fit(model, X, X[:, 0], loss="mse", optimizer=sgd, verbose=0, record=True)
    recording = recording_of(history)
    assert recording.view is None
    assert "X has 3 columns" in recording.view_note
    with pytest.raises(ValueError, match=r"Record\(view='line'\) needs X of 1 column"):
        nn.fit(model, X, X[:, 0], loss="mse", optimizer=sgd, verbose=0, record=Record(view="line"))


def test_the_samples_backward_pass_is_recorded_each_epoch() -> None:
    epochs = 4
    _, history = line_run(epochs, record=Record(sample=3))
    recording = recording_of(history)
    assert recording.sample == 3 and recording.pass_epochs == list(range(epochs))
    assert recording.graph is not None and len(recording.passes) == epochs
    names = [node["name"] for node in recording.graph["nodes"]]
    w_node, b_node = names.index("weight[0, 0]"), names.index("bias[0]")
    for step, pass_ in zip(recording.steps, recording.passes, strict=True):
        # the sample's own loss at the parameters its epoch starts from, by hand
        w, b = (Value(x) for x in step.before)
        loss = (w * 3.0 + b - 7.0) ** 2
        loss.backward()
        assert pass_["final"][w_node] == pytest.approx(w.grad, rel=1e-12)
        assert pass_["final"][b_node] == pytest.approx(b.grad, rel=1e-12)
        assert pass_["data"][0] == pytest.approx(loss.data, rel=1e-12)
    # recording the pass leaves the gradients fit computed alone
    assert recording.steps[0].grads == [pytest.approx(-28.0), pytest.approx(-10.0)]


def test_no_backward_pass_with_sample_none() -> None:
    _, history = line_run(2, record=Record(sample=None))
    recording = recording_of(history)
    assert (recording.graph, recording.passes, recording.sample) == (None, [], None)
    assert "Record(sample=None)" in recording.backward_note


def test_dropout_models_train_the_same_recorded_or_not() -> None:
    X, y = nn.data.make_moons(24, noise=0.1, seed=1, signed=True)

    def run(record: bool) -> list[float]:
        net = nn.Sequential(
            nn.Linear(2, 8, seed=0), nn.Tanh(), nn.Dropout(0.3, seed=2), nn.Linear(8, 1, seed=1)
        )
        sgd = nn.optim.SGD(net.parameters(), lr=0.1, momentum=0.9)
        nn.fit(net, X, y, loss="hinge", optimizer=sgd, epochs=3, verbose=0, record=record)
        return [p.data for p in net.parameters()]

    assert run(True) == run(False)


def test_a_recording_past_the_limit_is_refused_before_training() -> None:
    X, y = nn.data.line()
    model = nn.Linear(1, 1, init="zeros")
    optimizer = nn.optim.SGD(model.parameters(), lr=0.05)
    with pytest.raises(ValueError) as error:
        nn.fit(
            model, X, y, loss="mse", optimizer=optimizer, epochs=500, verbose=0,
            record=Record(max_bytes=50_000),
        )  # fmt: skip
    message = str(error.value)
    assert message.startswith("fit: recording this training would take about ")
    assert "500 steps of 2 parameters" in message
    assert "nn.Record(every=10)" in message and "nn.Record(sample=None)" in message
    assert [p.data for p in model.parameters()] == [0.0, 0.0]  # no step was taken


@pytest.mark.parametrize(
    ("record", "error", "words"),
    [
        (Record(sample=5), ValueError, r"Record\(sample=5\) is not a training sample's index"),
        (Record(every=0), ValueError, r"Record\(every=0\) must be a positive int"),
        (Record(grid=1), ValueError, r"Record\(grid=1\) must be an int >= 2"),
        (Record(view="moons"), ValueError, r"Record\(view='moons'\) must be"),
        ("yes", TypeError, r"fit: record must be True, False or an nn.Record"),
    ],
)
def test_bad_record_settings(record: object, error: type[Exception], words: str) -> None:
    X, y = nn.data.line()
    model = nn.Linear(1, 1, init="zeros")
    optimizer = nn.optim.SGD(model.parameters(), lr=0.05)
    with pytest.raises(error, match=words):
        nn.fit(model, X, y, loss="mse", optimizer=optimizer, verbose=0, record=record)  # type: ignore[arg-type]


def test_explore_needs_a_recording() -> None:
    _, history = line_run(2)
    assert history.recording is None
    with pytest.raises(ValueError, match=r"not recorded; train with nn.fit\(\.\.\., record=True\)"):
        history.explore()


def test_the_summary_says_how_big_the_recording_is() -> None:
    _, history = line_run(5, record=True)
    summary = recording_of(history).summary()
    assert summary.startswith("5 steps × 2 parameters, the backward pass of sample 0 in 5 epochs")
    assert summary.endswith(" kB")


def test_a_sample_graph_too_big_to_draw_is_shown_by_neuron() -> None:
    X, y = nn.data.make_moons(8, noise=0.1, seed=0, signed=True)
    model = nn.MLP(2, [24, 24, 1], seed=0)  # 697 parameters: more values than build draws
    sgd = nn.optim.SGD(model.parameters(), lr=0.05)
    record = Record(backward_view="value")
    history = nn.fit(model, X, y, loss="hinge", optimizer=sgd, epochs=2, verbose=0, record=record)
    recording = recording_of(history)
    assert recording.graph is not None and recording.graph["view"] == "neuron"
    assert len(recording.passes) == 2
    names = [node["name"] for node in recording.graph["nodes"]]
    weight = names.index("layers.0.weight[0, 0]")
    assert recording.graph["nodes"][weight]["folded_into"] is not None


def test_the_sample_graph_is_drawn_by_value_for_small_models_else_by_neuron() -> None:
    _, line = line_run(2, record=True)
    assert recording_of(line).graph["view"] == "value"  # type: ignore[index]
    _, moons = moons_run(True, epochs=1)  # 25 parameters
    assert recording_of(moons).graph["view"] == "value"  # type: ignore[index]
    X, y = nn.data.make_moons(8, noise=0.1, seed=0, signed=True)
    model = nn.MLP(2, [8, 1], seed=0)  # 33 parameters
    sgd = nn.optim.SGD(model.parameters(), lr=0.05)
    history = nn.fit(model, X, y, loss="hinge", optimizer=sgd, verbose=0, record=True)
    assert recording_of(history).graph["view"] == "neuron"  # type: ignore[index]
    with pytest.raises(ValueError, match=r"Record\(backward_view='tree'\) must be"):
        nn.fit(
            model, X, y, loss="hinge", optimizer=sgd, verbose=0, record=Record(backward_view="tree")
        )


def test_an_optimizer_of_ones_own_is_recorded_with_before_and_after() -> None:
    X, y = nn.data.line()
    model = nn.Linear(1, 1, init="zeros")

    class Descent:  # what fit needs: zero_grad() and step()
        def zero_grad(self) -> None:
            model.zero_grad()

        def step(self) -> None:
            for p in model.parameters():
                p.data -= 0.05 * p.grad

    history = nn.fit(model, X, y, loss="mse", optimizer=Descent(), epochs=2, verbose=0, record=True)
    recording = recording_of(history)
    assert recording.group_of == [None, None]
    assert recording.arithmetic(0, 0) == ["w: 0 → 1.4 (Descent is not an nn.optim optimizer)"]
    assert recording.formula(0, 0) == []
    assert recording.steps[0].state_before == []
    assert recording.steps[1].before == recording.steps[0].after
    assert "w: 0 → 1.4" in history.explore().html()


def test_early_stopping_records_the_epochs_that_ran() -> None:
    X, y = nn.data.line()
    model = nn.Linear(1, 1, init="zeros")
    optimizer = nn.optim.SGD(model.parameters(), lr=0.2)  # too large: the loss grows
    history = nn.fit(
        model, X, y, loss="mse", optimizer=optimizer, epochs=50, early_stopping=3, verbose=0,
        record=True,
    )  # fmt: skip
    recording = recording_of(history)
    assert history.stopped_epoch == 3 and history.restored
    assert [s.epoch for s in recording.steps] == [0, 1, 2, 3]
    assert recording.final == recording.steps[3].after  # after the last step, not restored
    assert [p.data for p in model.parameters()] == recording.steps[0].after  # the best epoch's
    assert len(history.explore().data()["steps"]) == 4


def test_early_stopping_off_the_schedule_records_the_epoch_it_stopped_after() -> None:
    X, y = nn.data.line()
    model = nn.Linear(1, 1, init="zeros")
    optimizer = nn.optim.SGD(model.parameters(), lr=0.2)  # too large: the loss grows
    history = nn.fit(
        model, X, y, loss="mse", optimizer=optimizer, epochs=20, early_stopping=3, verbose=0,
        record=Record(every=5),
    )  # fmt: skip
    recording = recording_of(history)
    assert history.stopped_epoch == 3 and history.restored
    assert [s.epoch for s in recording.steps] == [0, 3]  # epochs 1 and 4, the last that ran
    assert recording.pass_epochs == [0, 3] and len(recording.passes) == 2
    last = recording.steps[-1]
    assert recording.final == last.after
    # its numbers are those of the same training run by hand to epoch 4
    again = nn.Linear(1, 1, init="zeros")
    sgd = nn.optim.SGD(again.parameters(), lr=0.2)
    for _ in range(3):
        loss = F.mse_loss([again(row) for row in X.tolist()], y.tolist())
        sgd.zero_grad()
        loss.backward()
        sgd.step()
    assert last.before == [p.data for p in again.parameters()]
    assert last.state_before == [{}, {}]
    view = recording.view
    assert view is not None
    xs = view.axes[0]
    w, b = last.before
    assert last.outputs == [pytest.approx(w * x + b, abs=1e-12) for x in xs]
    w, b = last.after
    assert last.outputs_after == [pytest.approx(w * x + b, abs=1e-12) for x in xs]
    # the sample's pass is at the parameters epoch 4 started from
    graph = recording.graph
    assert graph is not None
    names = [node["name"] for node in graph["nodes"]]
    w_value, b_value = (Value(v) for v in last.before)
    sample_loss = (w_value * 0.0 + b_value - 1.0) ** 2
    sample_loss.backward()
    assert recording.passes[1]["data"][0] == pytest.approx(sample_loss.data, rel=1e-12)
    assert recording.passes[1]["final"][names.index("bias[0]")] == pytest.approx(b_value.grad)
    # and the model ends with the best epoch's weights, which fit restored after
    assert [p.data for p in model.parameters()] == recording.steps[0].after


@pytest.mark.parametrize(
    ("labels", "loss", "threshold"),
    [
        ((0.0, 1.0), "mse", 0.5),
        ((-1.0, 1.0), "mse", 0.0),
        ((-1.0, 1.0), "hinge", 0.0),
        ((1.0, 2.0), "mae", 1.5),
        ((0.0, 1.0), "binary_cross_entropy_with_logits", 0.0),  # a logit: 0 is p = 0.5
    ],
)
def test_the_boundary_is_halfway_between_the_two_labels(
    labels: tuple[float, float], loss: str, threshold: float
) -> None:
    X, y = nn.data.make_moons(20, noise=0.1, seed=0)  # y is 0/1
    targets = np.where(y == 1, labels[1], labels[0])
    model = nn.Linear(2, 1, seed=0)
    sgd = nn.optim.SGD(model.parameters(), lr=0.05)
    history = nn.fit(model, X, targets, loss=loss, optimizer=sgd, epochs=1, verbose=0, record=True)
    view = recording_of(history).view
    assert view is not None and view.kind == "boundary"
    assert view.threshold == threshold
