"""nn.fit and nn.evaluate: the documents' figures, History, batches, validation, stopping."""

from __future__ import annotations

import io
import math
from collections.abc import Mapping

import numpy as np
import pytest

import nn
from nn import functional as F


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


def test_early_stopping_restores_the_best_weights() -> None:
    X, y = nn.data.line()
    model = nn.Linear(1, 1, init="zeros")
    # lr 0.2 makes plain gradient descent on this problem oscillate and grow
    optimizer = nn.optim.SGD(model.parameters(), lr=0.2)
    seen: list[tuple[float, float]] = []
    history = nn.fit(
        model,
        X,
        y,
        loss=F.mse_loss,
        optimizer=optimizer,
        epochs=50,
        early_stopping=nn.EarlyStopping(patience=3),
        callbacks=[lambda epoch, logs: seen.append(weights(model))],
        verbose=0,
    )
    assert history.stopped_epoch is not None and history.stopped_epoch < 49
    assert history.best_epoch is not None
    best = int(np.argmin(history["loss"]))
    assert history.best_epoch == best
    # as in Keras, the weights restored are those at the end of the best epoch
    assert weights(model) == seen[best]
    assert weights(model) != seen[-1]


def test_a_diverging_run_stops_naming_epoch_and_step_and_keeps_finite_weights() -> None:
    X, y = nn.data.line()
    model = nn.Linear(1, 1, init="zeros")
    optimizer = nn.optim.SGD(model.parameters(), lr=5.0)
    before: list[tuple[float, float]] = []
    with pytest.raises(
        (OverflowError, ValueError), match=r"fit: epoch \d+, step 0: training stopped"
    ):
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
    assert "epoch 5/5 [" in text and "ETA" in text


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
        ({"metrics": ["precision"]}, ValueError, "unknown metric 'precision'"),
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
