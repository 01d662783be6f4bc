"""A linear model over several features, ``X @ weights + bias``, checked against numpy.

Synthetic data made with numpy and a fixed seed. Regression: ``Linear(3, 1)`` trained
with mean squared error and full-batch gradient descent, whose coefficients are compared
with the least-squares solution ``numpy.linalg.lstsq`` gives. Classification: the same
model's output as a logit, trained with ``binary_cross_entropy_with_logits``, compared
with logistic regression fitted by Newton's method in numpy. Both agree to 1e-3 (in
fact to about 1e-8). The loss curves are plotted to ``features.png``.

    python -m demos.features [--out FOLDER]
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import numpy.typing as npt

import nn
from demos import common
from nn import functional as F

Array = npt.NDArray[np.float64]
SEED = 0
SAMPLES = 200
TRUE_WEIGHTS = np.array([2.0, -3.0, 0.5])
TRUE_BIAS = 1.0
NOISE = 0.1
LOGIT_WEIGHTS = np.array([1.5, -2.0, 0.5])
LOGIT_BIAS = -0.5
TOLERANCE = 1e-3
NAMES = [f"weight[{j}]" for j in range(len(TRUE_WEIGHTS))] + ["bias"]


def make_data(seed: int = SEED) -> tuple[Array, Array, Array]:
    """Features X ~ N(0, 1) of shape (SAMPLES, 3); regression targets
    y = X @ TRUE_WEIGHTS + TRUE_BIAS + N(0, NOISE²); binary labels drawn as
    Bernoulli(sigmoid(X @ LOGIT_WEIGHTS + LOGIT_BIAS)), so the classes overlap."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(SAMPLES, len(TRUE_WEIGHTS)))
    y = X @ TRUE_WEIGHTS + TRUE_BIAS + rng.normal(scale=NOISE, size=SAMPLES)
    probability = 1.0 / (1.0 + np.exp(-(X @ LOGIT_WEIGHTS + LOGIT_BIAS)))
    labels = (rng.random(SAMPLES) < probability).astype(np.float64)
    return X, y, labels


def with_ones(X: Array) -> Array:
    """X with a column of ones appended, so that the last coefficient is the bias."""
    return np.hstack([X, np.ones((len(X), 1))])


def least_squares(X: Array, y: Array) -> Array:
    """The weights and bias minimising the mean squared error: ``numpy.linalg.lstsq``."""
    return np.asarray(np.linalg.lstsq(with_ones(X), y, rcond=None)[0], dtype=np.float64)


def logistic_regression(X: Array, labels: Array, steps: int = 25) -> Array:
    """The weights and bias minimising the mean binary cross-entropy of
    sigmoid(X @ w + b), by Newton's method: β ← β - H⁻¹ ∇, with ∇ = Aᵀ(p - y) and
    H = Aᵀ diag(p(1 - p)) A for A = [X, 1]."""
    A = with_ones(X)
    beta = np.zeros(A.shape[1])
    for _ in range(steps):
        p = 1.0 / (1.0 + np.exp(-(A @ beta)))
        hessian = A.T @ (A * (p * (1.0 - p))[:, None])
        beta -= np.linalg.solve(hessian, A.T @ (p - labels))
    return beta


def coefficients(model: nn.Linear) -> Array:
    """The model's weights followed by its bias, as one array."""
    state = model.state_dict()
    return np.concatenate([state["weight"][0], state["bias"]])


def train(
    X: Array, y: Array, loss: nn.training.LossFunction, lr: float, epochs: int
) -> tuple[Array, list[float], nn.Linear]:
    """Train ``Linear(3, 1)`` (seeded) with full-batch SGD; its coefficients, the loss
    per epoch, and the model."""
    model = nn.Linear(X.shape[1], 1, seed=SEED)
    optimizer = nn.optim.SGD(model.parameters(), lr=lr)
    history = nn.fit(model, X, y, loss=loss, optimizer=optimizer, epochs=epochs, verbose=0)
    return coefficients(model), history["loss"], model


def print_comparison(ours: Array, reference: Array, reference_name: str, truth: Array) -> float:
    """stepgrad's coefficients, the reference's, their difference and the true ones, a
    row each; returns the largest difference."""
    print(f"{'':10}  {'stepgrad':>10}  {reference_name:>14}  {'difference':>10}  {'true':>5}")
    for name, a, b, t in zip(NAMES, ours, reference, truth, strict=True):
        print(f"{name:10}  {a:10.6f}  {b:14.6f}  {abs(a - b):10.1e}  {t:5g}")
    largest = float(np.abs(ours - reference).max())
    verdict = "agree" if largest <= TOLERANCE else "DO NOT AGREE"
    print(f"max |stepgrad - {reference_name}| = {largest:.1e}: {verdict} to {TOLERANCE:g}")
    return largest


def regression(X: Array, y: Array) -> tuple[list[float], float]:
    """Fit by gradient descent and compare with least squares; the loss curve and the
    least-squares solution's loss."""
    lr, epochs = 0.1, 150
    print(f"\nRegression: Linear(3, 1), mse_loss, full-batch SGD lr {lr}, {epochs} epochs")
    ours, losses, _ = train(X, y, F.mse_loss, lr, epochs)
    print(f"loss {losses[0]:.4f} -> {losses[-1]:.6f} (the noise alone gives about {NOISE**2:g})")
    truth = np.append(TRUE_WEIGHTS, TRUE_BIAS)
    best = least_squares(X, y)
    print_comparison(ours, best, "numpy lstsq", truth)
    return losses, float(np.mean((with_ones(X) @ best - y) ** 2))


def classification(X: Array, labels: Array) -> tuple[list[float], float]:
    """Fit a logistic regression by gradient descent and compare with Newton's method;
    the loss curve and the Newton solution's loss."""
    lr, epochs = 2.0, 200
    print(
        f"\nClassification: Linear(3, 1) as a logit, binary_cross_entropy_with_logits, "
        f"full-batch SGD lr {lr}, {epochs} epochs"
    )
    ours, losses, model = train(X, labels, F.binary_cross_entropy_with_logits, lr, epochs)
    accuracy = nn.evaluate(model, X, labels, metrics=["sign_accuracy"])["sign_accuracy"]
    print(f"loss {losses[0]:.4f} -> {losses[-1]:.6f}, training accuracy {accuracy:.2f}")
    truth = np.append(LOGIT_WEIGHTS, LOGIT_BIAS)
    best = logistic_regression(X, labels)
    print_comparison(ours, best, "Newton (numpy)", truth)
    z = with_ones(X) @ best
    return losses, float(np.mean(np.logaddexp(0.0, z) - labels * z))


def plot(
    regression: tuple[list[float], float], classification: tuple[list[float], float], path: Path
) -> Path | None:
    """The two loss curves side by side, each with the loss of numpy's solution dashed;
    None without matplotlib."""
    fig = common.figure(9, 3.5)
    if fig is None:
        return None
    axes = fig.subplots(1, 2)
    panels = (
        (regression, "MSE (log scale)", "Regression: SGD vs lstsq", "log"),
        (classification, "binary cross-entropy", "Classification: SGD vs Newton", "linear"),
    )
    for ax, ((losses, best), ylabel, title, scale) in zip(axes, panels, strict=True):
        ax.plot(losses, label="stepgrad, per epoch")
        ax.axhline(best, color="grey", linestyle="--", label="numpy's solution")
        ax.set(yscale=scale, xlabel="epoch", ylabel=ylabel, title=title)
        ax.legend()
    return common.save(fig, path)


def main() -> None:
    args = common.arguments(__doc__)
    X, y, labels = make_data()
    print(f"Synthetic data made with numpy (numpy.random.default_rng({SEED})): {SAMPLES} samples,")
    weights = TRUE_WEIGHTS.tolist()
    print(f"3 features X ~ N(0, 1); y = X @ {weights} + {TRUE_BIAS} + N(0, {NOISE}²);")
    print(f"labels ~ Bernoulli(sigmoid(X @ {LOGIT_WEIGHTS.tolist()} - {-LOGIT_BIAS})).")
    print("('true' below: the coefficients the data were made with; the best fit to this")
    print("sample differs from them by the noise, so stepgrad is compared with numpy's fit.)")
    curves = regression(X, y), classification(X, labels)
    path = plot(*curves, args.out / "features.png")
    common.report_written([path] if path else [], plots_missing=path is None)


if __name__ == "__main__":
    main()
