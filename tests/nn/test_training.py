"""nn.fit and nn.evaluate: the worked examples' figures, History, batches, validation, stopping."""

from __future__ import annotations

import io
import math
import re
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pytest

import autograd
import nn
from autograd import Value
from nn import functional as F
from tests.helpers import assert_named_error


def line_model() -> tuple[nn.Linear, nn.optim.SGD]:
    model = nn.Linear(1, 1, init="zeros")
    return model, nn.optim.SGD(model.parameters(), lr=0.05)


def weights(model: nn.Linear) -> tuple[float, float]:
    assert model.bias is not None
    return model.weight[0][0].data, model.bias[0].data


def test_first_document_figures_exactly() -> None:
    # the line example: full batch, w = b = 0, SGD lr 0.05, MSE, 1000 steps; the loss
    # is measured before each update and w, b after it.
    X, y = nn.data.line()
    model, optimizer = line_model()
    printed: list[str] = []

    def show(epoch: int, logs: Mapping[str, float]) -> None:
        if epoch in (0, 200, 999):
            w, b = weights(model)
            printed.append(f"step {epoch:4d} loss {logs['loss']:8.4f} w {w:.4f} b {b:.4f}")

    history = nn.fit(
        model, X, y, loss=F.mse_loss, optimizer=optimizer, epochs=1000, verbose=0, callbacks=[show]
    )
    assert printed == [
        "step    0 loss  33.0000 w 1.4000 b 0.5000",
        "step  200 loss   0.0000 w 2.0002 b 0.9994",
        "step  999 loss   0.0000 w 2.0000 b 1.0000",
    ]
    w, b = weights(model)
    assert (round(w, 3), round(b, 3)) == (2.0, 1.0)
    assert f"{model.predict(np.array([[10.0]]))[0]:.1f}" == "21.0"
    assert history["loss"][0] == 33.0  # mean((2x + 1)²) over x = 0..4, by hand: 165 / 5
    assert len(history["loss"]) == 1000 and history.epoch == list(range(1000))


def test_second_document_first_two_iterations() -> None:
    # the doubling example (x → 2x, lr 0.1): its document's row 1 is right, row 2 is not;
    # these figures were recomputed independently with numpy.
    X, y = nn.data.doubling()
    model = nn.Linear(1, 1, init="zeros")
    rows: list[tuple[float, float, float]] = []
    nn.fit(
        model,
        X,
        y,
        loss=F.mse_loss,
        optimizer=nn.optim.SGD(model.parameters(), lr=0.1),
        epochs=2,
        verbose=0,
        callbacks=[lambda epoch, logs: rows.append((*weights(model), logs["loss"]))],
    )
    assert [f"{w:.3f} {b:.3f} {loss:.2f}" for w, b, loss in rows[:1]] == ["1.867 0.800 18.67"]
    w, b, loss = rows[1]
    assert (f"{w:.4f}", f"{b:.4f}", f"{loss:.4f}") == ("1.6711", "0.6933", "0.2963")


def test_evaluate_builds_no_graph_and_reports_metrics() -> None:
    X, y = nn.data.line()
    model = nn.Linear(1, 1, init={"weight": [[2.0]], "bias": [1.0]})
    results = nn.evaluate(model, X, y, loss=F.mse_loss, metrics=["mse", "r2"])
    assert results == {"loss": 0.0, "mse": 0.0, "r2": 1.0}
    assert all(p.grad == 0.0 for p in model.parameters())


def test_metrics_and_validation_are_recorded_per_epoch() -> None:
    X, y = nn.data.make_moons(60, noise=0.1, seed=3, signed=True)
    model = nn.MLP(2, [8, 1], seed=0)
    history = nn.fit(
        model,
        X,
        y,
        loss=F.hinge_loss,
        optimizer=nn.optim.Adam(model.parameters(), lr=0.05),
        epochs=5,
        validation_split=0.25,
        metrics=["sign_accuracy"],
        verbose=0,
    )
    assert set(history.history) == {"loss", "sign_accuracy", "val_loss", "val_sign_accuracy"}
    assert all(len(v) == 5 for v in history.history.values())
    # validation_split holds out the last 25% (15 samples), as Keras does
    val = nn.evaluate(model, X[45:], y[45:], loss=F.hinge_loss, metrics=["sign_accuracy"])
    assert val["loss"] == history["val_loss"][-1]
    scores = model.predict(X[45:])
    by_hand = float(np.mean((scores > 0) == (y[45:] > 0)))
    assert val["sign_accuracy"] == history["val_sign_accuracy"][-1] == by_hand


def test_validation_data_and_split_are_exclusive() -> None:
    X, y = nn.data.line()
    model, optimizer = line_model()
    with pytest.raises(ValueError, match="validation_data or validation_split"):
        nn.fit(
            model,
            X,
            y,
            loss=F.mse_loss,
            optimizer=optimizer,
            validation_data=(X, y),
            validation_split=0.2,
            verbose=0,
        )


def test_mini_batches_are_reproducible_with_a_seed() -> None:
    X, y = nn.data.make_moons(40, noise=0.1, seed=1, signed=True)

    def run(seed: int) -> list[float]:
        model = nn.MLP(2, [4, 1], seed=0)
        optimizer = nn.optim.SGD(model.parameters(), lr=0.1)
        fitted = nn.fit(
            model, X, y, loss=F.hinge_loss, optimizer=optimizer, epochs=3, batch_size=8,
            seed=seed, verbose=0,
        )  # fmt: skip
        return fitted["loss"]

    assert run(7) == run(7)
    assert run(7) != run(8)


def test_full_batch_loss_is_the_loss_itself() -> None:
    X, y = nn.data.line()
    model, optimizer = line_model()
    history = nn.fit(model, X, y, loss=F.mse_loss, optimizer=optimizer, epochs=2, verbose=0)
    # after one step from zeros: w = 1.4, b = 0.5; loss by hand with numpy
    expected = float(np.mean((1.4 * X[:, 0] + 0.5 - y) ** 2))
    assert history["loss"][1] == pytest.approx(expected, rel=1e-15, abs=0)


def diverging_line(
    epochs: int, stopping: nn.EarlyStopping, verbose: int = 2
) -> tuple[nn.History, list[tuple[float, float]], nn.Linear, list[str]]:
    """Fit the line at lr 0.2, where plain gradient descent oscillates and grows, so that
    its best epoch is early; the history, w and b after each epoch, the model, and the
    lines printed (to a file, not a terminal)."""
    X, y = nn.data.line()
    model = nn.Linear(1, 1, init="zeros")
    optimizer = nn.optim.SGD(model.parameters(), lr=0.2)
    seen: list[tuple[float, float]] = []
    stream = io.StringIO()
    history = nn.fit(
        model,
        X,
        y,
        loss=F.mse_loss,
        optimizer=optimizer,
        epochs=epochs,
        early_stopping=stopping,
        callbacks=[lambda epoch, logs: seen.append(weights(model))],
        verbose=verbose,
        stream=stream,
    )
    return history, seen, model, stream.getvalue().splitlines()


def test_early_stopping_restores_the_best_weights_and_says_so_counting_from_1() -> None:
    history, seen, model, lines = diverging_line(50, nn.EarlyStopping(patience=3))
    stopped, best = history.stopped_epoch, history.best_epoch
    assert stopped is not None and best is not None and stopped < 49
    assert best == int(np.argmin(history["loss"])) and stopped == best + 3
    # as in Keras, the weights restored are those at the end of the best epoch
    assert weights(model) == seen[best] != seen[-1]
    assert history.restored
    # the last progress line and the message count the same way: the first epoch is 1
    assert lines[-2].startswith(f"epoch {stopped + 1}/50  ")
    assert lines[-1] == (
        f"early stopping at epoch {stopped + 1}: loss has not improved for 3 epochs; "
        f"best loss {history['loss'][best]:.4f} at epoch {best + 1}; "
        f"restored the weights from the end of epoch {best + 1}"
    )


def test_early_stopping_without_restoring_says_which_weights_the_model_keeps() -> None:
    history, seen, model, lines = diverging_line(
        50, nn.EarlyStopping(patience=3, restore_best=False)
    )
    stopped = history.stopped_epoch
    assert stopped is not None and weights(model) == seen[-1] and not history.restored
    assert lines[-1].endswith(
        f"; kept the weights of epoch {stopped + 1}, the last (restore_best=False)"
    )


def test_the_best_weights_are_restored_when_training_runs_every_epoch() -> None:
    # patience 100 never runs out in 8 epochs: training ends, and the best is restored
    history, seen, model, lines = diverging_line(8, nn.EarlyStopping(patience=100))
    best = history.best_epoch
    assert history.stopped_epoch is None and best is not None and best < 7
    assert weights(model) == seen[best] != seen[-1]
    assert lines[-2].startswith("epoch 8/8  ")
    assert lines[-1] == (
        f"training ran all 8 epochs; best loss {history['loss'][best]:.4f} at epoch "
        f"{best + 1}; restored the weights from the end of epoch {best + 1}"
    )


def test_a_best_value_of_zero_shows_its_digits() -> None:
    X, y = nn.data.line()
    model = nn.Linear(1, 1, init={"weight": [[2.0]], "bias": [1.0]})  # the exact answer
    stream = io.StringIO()
    nn.fit(
        model, X, y, loss=F.mse_loss, optimizer=nn.optim.SGD(model.parameters(), lr=0.05),
        epochs=10, early_stopping=2, verbose=2, stream=stream,
    )  # fmt: skip
    # the loss is 0 from the start and cannot improve: it stops after 1 + 2 epochs
    assert stream.getvalue().splitlines()[-1] == (
        "early stopping at epoch 3: loss has not improved for 2 epochs; best loss 0.0000 "
        "at epoch 1; restored the weights from the end of epoch 1"
    )


def test_callbacks_get_the_epochs_index_as_in_keras() -> None:
    X, y = nn.data.line()
    model, optimizer = line_model()
    seen: list[int] = []
    history = nn.fit(
        model, X, y, loss=F.mse_loss, optimizer=optimizer, epochs=3, verbose=0,
        callbacks=[lambda epoch, logs: seen.append(epoch)],
    )  # fmt: skip
    assert seen == history.epoch == [0, 1, 2]


def test_a_diverging_run_stops_naming_epoch_and_step_and_keeps_finite_weights() -> None:
    X, y = nn.data.line()
    model = nn.Linear(1, 1, init="zeros")
    optimizer = nn.optim.SGD(model.parameters(), lr=5.0)
    before: list[tuple[float, float]] = []
    with pytest.raises(
        (OverflowError, ValueError), match=r"fit: epoch \d+, step 1: training stopped"
    ) as info:
        nn.fit(
            model,
            X,
            y,
            loss=F.mse_loss,
            optimizer=optimizer,
            epochs=10_000,
            callbacks=[lambda epoch, logs: before.append(weights(model))],
            verbose=0,
        )
    w, b = weights(model)
    assert math.isfinite(w) and math.isfinite(b)
    assert (w, b) == before[-1]  # the parameters from before the failing step
    # len(before) epochs ended; the one that failed is the next, counted from 1
    assert str(info.value).startswith(f"fit: epoch {len(before) + 1}, step 1: ")


def test_a_failing_mini_batch_is_named_by_epoch_and_step_counting_from_1() -> None:
    X, y = nn.data.make_moons(24, noise=0.1, seed=1, signed=True)
    model = nn.MLP(2, [4, 1], seed=0)
    calls = 0

    def fails_on_the_eighth_batch(predictions: Sequence[Any], targets: Sequence[Any]) -> Value:
        nonlocal calls
        calls += 1
        if calls == 8:  # three batches of 8 per epoch: the third epoch's second batch
            raise ValueError("boom")
        return F.hinge_loss(predictions, targets)

    stream = Terminal()
    with pytest.raises(ValueError) as info:
        nn.fit(
            model, X, y, loss=fails_on_the_eighth_batch,
            optimizer=nn.optim.SGD(model.parameters(), lr=0.1), epochs=5, batch_size=8,
            stream=stream,
        )  # fmt: skip
    assert str(info.value) == "fit: epoch 3, step 2: training stopped: boom"
    # on a terminal the message ends the progress line (of epoch 2) and follows it
    assert stream.getvalue().endswith("\x1b[K\nfit: epoch 3, step 2: training stopped: boom\n")
    assert "\repoch 2/5 " in stream.getvalue() and "epoch 3/5" not in stream.getvalue()


def test_progress_lines_when_not_a_terminal() -> None:
    X, y = nn.data.line()
    model, optimizer = line_model()
    stream = io.StringIO()
    nn.fit(model, X, y, loss=F.mse_loss, optimizer=optimizer, epochs=3, verbose=2, stream=stream)
    lines = stream.getvalue().splitlines()
    assert [line.split()[:2] for line in lines] == [
        ["epoch", "1/3"],
        ["epoch", "2/3"],
        ["epoch", "3/3"],
    ]
    assert "loss 33" in lines[0]


def test_long_runs_are_thinned_and_verbose_0_is_silent() -> None:
    X, y = nn.data.line()
    for verbose, expected in ((1, 21), (0, 0)):
        model, optimizer = line_model()
        stream = io.StringIO()
        nn.fit(
            model, X, y, loss=F.mse_loss, optimizer=optimizer, epochs=200, verbose=verbose,
            stream=stream,
        )  # fmt: skip
        assert len(stream.getvalue().splitlines()) == expected  # epoch 1, then every 10th


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_a_terminal_gets_one_line_updated_in_place() -> None:
    X, y = nn.data.line()
    model, optimizer = line_model()
    stream = Terminal()
    nn.fit(model, X, y, loss=F.mse_loss, optimizer=optimizer, epochs=5, verbose=1, stream=stream)
    text = stream.getvalue()
    assert text.count("\r") == 5 and text.endswith("\n") and text.count("\n") == 1
    assert "\repoch 4/5 [" in text and "ETA" in text and "\repoch 5/5 [" in text


def test_scheduler_steps_once_per_epoch() -> None:
    X, y = nn.data.line()
    model, optimizer = line_model()
    scheduler = nn.optim.lr_scheduler.StepLR(optimizer, step_size=2, gamma=0.5)
    nn.fit(
        model, X, y, loss=F.mse_loss, optimizer=optimizer, epochs=4, scheduler=scheduler,
        verbose=0,
    )  # fmt: skip
    assert optimizer.param_groups[0]["lr"] == 0.05 * 0.5 * 0.5


@pytest.mark.parametrize(
    ("kwargs", "error", "pattern"),
    [
        ({"epochs": 0}, ValueError, "epochs must be a positive int"),
        ({"epochs": True}, ValueError, "epochs must be a positive int"),
        ({"batch_size": 0}, ValueError, "batch_size must be a positive int"),
        ({"verbose": 3}, ValueError, "verbose must be 0, 1 or 2"),
        ({"validation_split": 1.5}, ValueError, r"validation_split must be in \(0, 1\)"),
        ({"metrics": ["precision"]}, ValueError, "fit: unknown metric 'precision'"),
        ({"metrics": [3]}, TypeError, "fit: a metric must be a name or a function, got 3"),
        ({"early_stopping": nn.EarlyStopping(monitor="val_loss")}, ValueError, "no validation"),
    ],
)
def test_bad_arguments(kwargs: dict[str, object], error: type[Exception], pattern: str) -> None:
    X, y = nn.data.line()
    model, optimizer = line_model()
    with pytest.raises(error, match=pattern):
        nn.fit(model, X, y, loss=F.mse_loss, optimizer=optimizer, **kwargs)  # type: ignore[arg-type]


def test_bad_data() -> None:
    model, optimizer = line_model()
    with pytest.raises(ValueError, match=r"X must be 2-D"):
        nn.fit(model, np.zeros(5), np.zeros(5), loss=F.mse_loss, optimizer=optimizer)
    with pytest.raises(ValueError, match="X has 5 rows but y has 4 targets"):
        nn.fit(model, np.zeros((5, 1)), np.zeros(4), loss=F.mse_loss, optimizer=optimizer)
    with pytest.raises(ValueError, match="not finite"):
        nn.fit(model, np.full((5, 1), np.nan), np.zeros(5), loss=F.mse_loss, optimizer=optimizer)


# -- losses by name, as Keras takes them ---------------------------------------------------


@pytest.mark.parametrize(
    ("name", "function"),
    [
        ("mse", F.mse_loss),
        ("mean_squared_error", F.mse_loss),
        ("mae", F.l1_loss),
        ("mean_absolute_error", F.l1_loss),
        ("binary_crossentropy", F.binary_cross_entropy),
        ("categorical_crossentropy", F.cross_entropy),
        ("sparse_categorical_crossentropy", F.cross_entropy),
        ("hinge", F.hinge_loss),
        ("mse_loss", F.mse_loss),
        ("binary_cross_entropy_with_logits", F.binary_cross_entropy_with_logits),
    ],
)
def test_a_loss_by_name_is_that_function(name: str, function: object) -> None:
    assert nn.training.LOSSES[name] is function


@pytest.mark.parametrize(("name", "function"), [("mse", F.mse_loss), ("mae", F.l1_loss)])
def test_fit_with_a_loss_name_trains_as_with_the_function(name: str, function: Any) -> None:
    X, y = nn.data.line()
    runs = []
    for loss in (name, function):
        model, optimizer = line_model()
        history = nn.fit(model, X, y, loss=loss, optimizer=optimizer, epochs=20, verbose=0)
        runs.append((history["loss"], model.state_dict()["weight"].tolist()))
    assert runs[0] == runs[1]
    assert runs[0][0][0] == (33.0 if name == "mse" else 5.0)  # by hand: mean |2x + 1|


def test_class_indices_with_a_keras_cross_entropy_name() -> None:
    X, y = nn.data.make_moons(30, noise=0.1, seed=2)  # labels 0 and 1: class indices
    runs = []
    for loss in ("sparse_categorical_crossentropy", F.cross_entropy):
        model = nn.MLP(2, [4, 2], seed=0)
        optimizer = nn.optim.Adam(model.parameters(), lr=0.05)
        runs.append(nn.fit(model, X, y, loss=loss, optimizer=optimizer, epochs=5, verbose=0))
    assert runs[0]["loss"] == runs[1]["loss"]
    assert runs[0]["loss"][0] == pytest.approx(
        nn.evaluate(nn.MLP(2, [4, 2], seed=0), X, y, loss="categorical_crossentropy")["loss"]
    )
    one_hot = np.eye(2)[y]
    model = nn.MLP(2, [4, 2], seed=0)
    optimizer = nn.optim.SGD(model.parameters(), lr=0.1)
    assert_named_error(
        lambda: nn.fit(model, X, one_hot, loss="categorical_crossentropy", optimizer=optimizer),
        TypeError,
        r"fit: this cross-entropy \(nn.functional.cross_entropy\) takes one class index per "
        r"sample \(0 to C - 1\), not one-hot rows such as "
        + re.escape(f"{one_hot[0].tolist()}; pass y.argmax(axis=1)"),
    )


def test_evaluate_takes_a_loss_name() -> None:
    X, y = nn.data.make_moons(20, noise=0.1, seed=3, signed=True)
    model = nn.MLP(2, [4, 1], seed=0)
    assert nn.evaluate(model, X, y, loss="hinge") == nn.evaluate(model, X, y, loss=F.hinge_loss)


def test_an_unknown_loss_name_lists_the_names_and_suggests_one() -> None:
    X, y = nn.data.line()
    model, optimizer = line_model()
    for call in (
        lambda: nn.fit(model, X, y, loss="mean_square_error", optimizer=optimizer),
        lambda: nn.evaluate(model, X, y, loss="mean_square_error"),
    ):
        with pytest.raises(ValueError) as info:
            call()
        message = str(info.value)
        assert message.startswith(
            ("fit: unknown loss 'mean_square_error' (did you mean 'mean_squared_error'?)",
             "evaluate: unknown loss 'mean_square_error' (did you mean 'mean_squared_error'?)")
        )  # fmt: skip
        assert all(repr(name) in message for name in nn.training.LOSSES)
        assert message.endswith(
            "or pass a function loss(predictions, targets) -> Value such as F.mse_loss"
        )


def test_a_loss_that_is_neither_a_name_nor_a_function() -> None:
    X, y = nn.data.line()
    model, optimizer = line_model()
    assert_named_error(
        lambda: nn.fit(model, X, y, loss=3, optimizer=optimizer),  # type: ignore[arg-type]
        TypeError,
        r"^fit: loss must be a function loss\(predictions, targets\) -> Value \(such as "
        r"F.mse_loss\) or one of the names 'mse', .*'hinge_loss'; got 3$",
    )
    assert_named_error(
        lambda: nn.evaluate(model, X, y, loss=["mse"]),  # type: ignore[arg-type]
        TypeError,
        r"^evaluate: loss must be a function .*; got \['mse'\]$",
    )


def test_a_loss_must_return_one_value() -> None:
    X, y = nn.data.line()
    model, optimizer = line_model()
    assert_named_error(
        lambda: nn.fit(
            model,
            X,
            y,
            loss=lambda p, t: F.mse_loss(p, t, reduction="none"),
            optimizer=optimizer,
            verbose=0,
        ),
        TypeError,
        r"^fit: the loss must return one Value \(the batch's mean or sum\), got list \[Value",
    )


# -- what early stopping watches: up or down, as Keras's mode -------------------------------


def test_early_stopping_on_an_accuracy_keeps_the_highest() -> None:
    X, y = nn.data.make_moons(60, noise=0.1, seed=3, signed=True)
    model = nn.MLP(2, [8, 1], seed=0)
    history = nn.fit(
        model, X, y, loss="hinge", optimizer=nn.optim.Adam(model.parameters(), lr=0.05),
        epochs=200, validation_split=0.25, metrics=["sign_accuracy"], verbose=0,
        early_stopping=nn.EarlyStopping(patience=5, monitor="val_sign_accuracy"),
    )  # fmt: skip
    accuracies = history["val_sign_accuracy"]
    assert history.best_epoch == accuracies.index(max(accuracies))  # the first of the highest
    assert history.stopped_epoch == history.best_epoch + 5
    assert nn.evaluate(model, X[45:], y[45:], metrics=["sign_accuracy"]) == {
        "sign_accuracy": max(accuracies)
    }


@pytest.mark.parametrize(
    ("stopping", "pattern"),
    [
        (
            nn.EarlyStopping(monitor="score"),
            r"^fit: early stopping cannot tell whether 'score' should go up or down; pass "
            r"EarlyStopping\(monitor='score', mode='max'\) or mode='min'$",
        ),
        (
            nn.EarlyStopping(mode="up"),
            r"^fit: EarlyStopping mode must be 'auto', 'min' or 'max', got 'up'$",
        ),
    ],
)
def test_early_stopping_asks_which_way_is_better(stopping: nn.EarlyStopping, pattern: str) -> None:
    X, y = nn.data.line()
    model, optimizer = line_model()
    assert_named_error(
        lambda: nn.fit(
            model, X, y, loss="mse", optimizer=optimizer, metrics=[score], early_stopping=stopping
        ),
        ValueError,
        pattern,
    )


def score(predictions: Sequence[Any], targets: Sequence[Any]) -> float:
    return float("nan")


def test_a_figure_that_never_improves_is_said_so() -> None:
    X, y = nn.data.line()
    model, optimizer = line_model()
    stream = io.StringIO()
    history = nn.fit(
        model, X, y, loss="mse", optimizer=optimizer, epochs=10, metrics=[score], verbose=2,
        early_stopping=nn.EarlyStopping(patience=2, monitor="score", mode="min"), stream=stream,
    )  # fmt: skip
    assert history.best_epoch is None and history.stopped_epoch == 1
    assert stream.getvalue().splitlines()[-1] == (
        "early stopping at epoch 2: score never improved (it is nan); the model has the "
        "weights of epoch 2, the last"
    )


def test_a_thinned_progress_shows_the_epoch_the_message_names() -> None:
    # 100 epochs print the first and every 5th; stopping after epoch 4 still shows its line
    history, _, _, lines = diverging_line(100, nn.EarlyStopping(patience=3), verbose=1)
    assert history.stopped_epoch == 3
    assert [line.split()[1] for line in lines[:-1]] == ["1/100", "4/100"]
    assert lines[-1].startswith("early stopping at epoch 4: ")


class _ModeSpy(nn.Module):
    """The identity, recording the mode it was called in (and whether a graph was built)."""

    def __init__(self) -> None:
        super().__init__()
        self.calls: list[tuple[bool, bool]] = []

    def forward(self, x: Any) -> Any:
        self.calls.append((self.training, autograd.is_grad_enabled()))
        return x


def test_fit_trains_in_training_mode_and_validates_in_evaluation_mode() -> None:
    spy = _ModeSpy()
    model = nn.Sequential(nn.Linear(1, 1, init="zeros"), spy)
    model.eval()  # fit sets the modes itself and puts them back
    X, y = nn.data.line()
    nn.fit(
        model,
        X,
        y,
        loss=F.mse_loss,
        optimizer=nn.optim.SGD(model.parameters(), lr=0.01),
        epochs=2,
        validation_data=(X, y),
        verbose=0,
    )
    training_calls = [mode for mode, recording in spy.calls if recording]
    validation_calls = [mode for mode, recording in spy.calls if not recording]
    assert training_calls == [True] * 10  # 5 samples, 2 epochs
    assert validation_calls == [False] * 10
    assert not model.training and not spy.training  # back as it was


def test_predict_and_evaluate_switch_dropout_off_and_restore_the_mode() -> None:
    model = nn.Sequential(nn.Linear(2, 4, seed=0), nn.Dropout(0.5, seed=1), nn.Linear(4, 1, seed=2))
    X = np.array([[0.5, -1.0], [2.0, 1.0]])
    model.train()
    first, second = model.predict(X), model.predict(X)
    assert (first == second).all()  # no dropout: the same each time
    model.eval()
    assert (model.predict(X) == first).all()
    model.train()
    assert nn.evaluate(model, X, [0.0, 1.0], loss=F.mse_loss) == nn.evaluate(
        model, X, [0.0, 1.0], loss=F.mse_loss
    )
    assert model.training and all(m.training for m in model.modules())
