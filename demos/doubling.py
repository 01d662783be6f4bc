"""Learn x → 2x from (1, 2), (2, 4), (3, 6), next to a worked example's table of the same run.

``Linear(1, 1)`` from w = b = 0, mean squared error, plain gradient descent (SGD) with
η = 0.1, one full-batch step per iteration; the loss is measured before each update,
w and b after it. The worked example's table (its iterations 1 and 2, rounded as it
goes) is printed beside ours, with each figure marked where it differs; then the first
iteration's backward pass is printed as a trace and written as one picture per
chain-rule step.

    python -m demos.doubling [--out FOLDER]
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import autograd
import nn
from demos import common
from nn import functional as F

LR = 0.1
ITERATIONS = 5
# The document's figures, as printed (strings keep how many decimals it shows).
DOCUMENT_ROWS = {1: ("1.867", "0.800", "18.67"), 2: ("1.681", "0.627", "0.34")}
DOCUMENT_PREDICTIONS = ("2.667", "4.534", "6.401")  # iteration 2, for x = 1, 2, 3


@dataclass
class Iteration:
    """One iteration: the predictions and loss before its update, the gradients, and w
    and b after it."""

    number: int
    predictions: list[float]
    loss: float
    grad_w: float
    grad_b: float
    w: float
    b: float


def weight_and_bias(model: nn.Linear) -> tuple[autograd.Value, autograd.Value]:
    """The model's two parameters, w and b."""
    (w,), (b,) = model.weight[0], model.bias or ()  # one input, one bias
    return w, b


def iterate(count: int = ITERATIONS, lr: float = LR) -> list[Iteration]:
    """Run ``count`` iterations of the document's loop: forward, loss, backward, update."""
    X, y = nn.data.doubling()
    model = nn.Linear(1, 1, init="zeros")
    w, b = weight_and_bias(model)
    optimizer = nn.optim.SGD(model.parameters(), lr=lr)
    iterations = []
    for number in range(1, count + 1):
        predictions = [model(row) for row in X.tolist()]
        loss = F.mse_loss(predictions, y.tolist())
        optimizer.zero_grad()
        loss.backward()
        grad_w, grad_b = w.grad, b.grad
        optimizer.step()
        iterations.append(
            Iteration(
                number, [p.data for p in predictions], loss.data, grad_w, grad_b, w.data, b.data
            )
        )
    return iterations


def agrees(document: str, ours: float) -> bool:
    """Whether the document's figure is ours to within one unit of its last printed digit
    (it rounds as it goes: 4.534 is 2 × 1.867 + 0.8, where the exact figure is 4.5333)."""
    unit = 10.0 ** -len(document.partition(".")[2])
    return abs(float(document) - ours) <= unit * (1 + 1e-9)


def compare(document: tuple[str, str, str], ours: tuple[float, float, float]) -> str:
    """``agrees``, or ``<- differs:`` and the names of the figures (w, b, loss) that do not."""
    wrong = [
        name
        for name, doc, our in zip(("w", "b", "loss"), document, ours, strict=True)
        if not agrees(doc, our)
    ]
    return f"  <- differs: {', '.join(wrong)}" if wrong else "  agrees"


def print_table(iterations: list[Iteration]) -> None:
    """The document's table (iteration, w, b, loss) beside ours, marking what differs."""
    print("Learning x → 2x from (1, 2), (2, 4), (3, 6): Linear(1, 1) from w = b = 0, mean")
    print(f"squared error, full-batch gradient descent with η = {LR}. A worked example's table")
    print("of the same run (two iterations, rounded as it goes) next to stepgrad's: the loss")
    print("is measured before each update, w and b after it. A figure of the example agrees")
    print("when it is within one unit in its last digit of ours.\n")
    print(
        f"{'iteration':>9} | {'example w':>10} {'b':>6} {'loss':>6} | "
        f"{'stepgrad w':>10} {'b':>7} {'loss':>8}"
    )
    for it in iterations:
        document = DOCUMENT_ROWS.get(it.number, ("", "", ""))
        mark = compare(document, (it.w, it.b, it.loss)) if it.number in DOCUMENT_ROWS else ""
        print(
            f"{it.number:>9} | {document[0]:>10} {document[1]:>6} {document[2]:>6} | "
            f"{it.w:>10.4f} {it.b:>7.4f} {it.loss:>8.4f}{mark}"
        )


def print_iteration_two(second: Iteration) -> None:
    """The document's predictions for iteration 2 beside ours, and what they imply for its
    loss and its update."""
    X, y = nn.data.doubling()
    print("\nIteration 2, from w = 1.8667, b = 0.8 (the end of iteration 1):")
    print("  x  y   example ŷ  stepgrad ŷ")
    for x, target, doc, ours in zip(
        X[:, 0], y, DOCUMENT_PREDICTIONS, second.predictions, strict=True
    ):
        mark = "agrees" if agrees(doc, ours) else "<- differs"
        print(f"  {x:.0f}  {target:.0f}  {doc:>10}  {ours:10.4f}  {mark}")
    new_w, new_b = second.w, second.b
    print(
        f"The example's predictions are right, but their loss is mean((ŷ - y)²) = "
        f"{second.loss:.4f},\n"
        f"not {DOCUMENT_ROWS[2][2]}; with ∂L/∂w = {second.grad_w:.4f} and ∂L/∂b = "
        f"{second.grad_b:.4f} the update gives\n"
        f"w = 1.8667 - {LR} × {second.grad_w:.4f} = {new_w:.4f} and b = 0.8 - {LR} × "
        f"{second.grad_b:.4f} = {new_b:.4f},\n"
        f"not {DOCUMENT_ROWS[2][0]} and {DOCUMENT_ROWS[2][1]}."
    )


def first_loss() -> tuple[autograd.Value, dict[str, autograd.Value]]:
    """The first iteration's loss (w = b = 0) with labelled inputs, and the parameters
    by name, for tracing and drawing."""
    X, y = nn.data.doubling()
    model = nn.Linear(1, 1, init="zeros")
    rows = [[autograd.Value(x, label=f"x{i}")] for i, (x,) in enumerate(X.tolist())]
    loss = F.mse_loss([model(row) for row in rows], y.tolist())
    loss.label = "loss"
    return loss, dict(model.named_parameters())


def step_through_first(out: Path) -> list[Path]:
    """Print the first backward pass as a trace and write one frame per chain-rule step."""
    loss, params = first_loss()
    print("\nThe first iteration's backward pass (w = b = 0), one chain-rule step a row:")
    autograd.trace(loss, params)
    return autograd.write_frames(loss, out / "doubling_frames", params)


def main() -> None:
    args = common.arguments(__doc__)
    iterations = iterate()
    print_table(iterations)
    print_iteration_two(iterations[1])
    frames = step_through_first(args.out)
    print(f"\nStepping through it: {len(frames)} pictures, the root seeded, then one per row.")
    common.report_written([common.frames(frames)])


if __name__ == "__main__":
    main()
