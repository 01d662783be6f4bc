"""Backprop one chain-rule step at a time: an expression, then one training step of an MLP.

1. L = tanh(a·b + c) with a = 2, b = -3, c = 10 (the graph of ``demos/debug_backprop.py``):
   its backward pass as a table (``autograd.trace``) and as one picture per step
   (``autograd.write_frames``).
2. One training step of a tiny ``MLP(2, [2, 1])`` on 3 samples (mean squared error):
   the trace, the frames, and the SGD update each gradient makes.
3. The commands that walk through the same expression's backward pass in pdb (README,
   "Stepping through in pdb"); they are printed, not run.

    python -m demos.step_through [--out FOLDER]
"""

from __future__ import annotations

from pathlib import Path

import autograd
import nn
from autograd import Value
from demos import common
from nn import functional as F

SAMPLES = ([0.5, -1.0], [1.0, 0.0], [-0.5, 0.5])
TARGETS = (1.0, -1.0, 1.0)
LR = 0.1
# README's "Stepping through in pdb": each command and what it shows.
PDB_COMMANDS = (
    ("next", "past the script's docstring"),
    ("next", "run 'import autograd', so the breakpoint's module exists"),
    ("break autograd.ops.Mul.local_derivatives", "stop where the chain rule takes ∂(a·b)"),
    ("continue", "run until backward() reaches the multiplication"),
    ("p out", "the op's output e = a·b, its grad the upstream ∂L/∂e"),
    ("p out.parents", "its inputs a and b"),
    ("return", "finish the method: the local derivatives (∂e/∂a, ∂e/∂b) = (b, a)"),
    ("step", "back in the chain-rule loop that called it (autograd/backprop.py)"),
    ("next", "to the chain rule: contribution = upstream * derivative"),
    ("next", "take it"),
    ("p upstream, derivative, contribution", "∂L/∂e × ∂e/∂a, what a receives"),
    ("continue", "finish the backward pass"),
    ("quit", ""),
)


def expression() -> Value:
    """L = tanh(a·b + c) with every node labelled, as in ``demos/debug_backprop.py``."""
    a, b, c = Value(2.0, label="a"), Value(-3.0, label="b"), Value(10.0, label="c")
    e = a * b
    e.label = "e"
    d = e + c
    d.label = "d"
    loss = d.tanh()
    loss.label = "L"
    return loss


def step_through_expression(out: Path) -> list[Path]:
    """Trace the expression's backward pass, print its leaves' gradients, write frames."""
    loss = expression()
    print(f"1. L = tanh(a·b + c) with a = 2, b = -3, c = 10: L = {loss.data:.6f}\n")
    autograd.trace(loss)
    a, b = loss.parents[0].parents[0].parents
    print(f"\n∂L/∂a = {a.grad:.6f}, ∂L/∂b = {b.grad:.6f}: the rows for 'e = mul' show each as")
    print("upstream (∂L/∂e) × local (∂e/∂a = b, ∂e/∂b = a).")
    return autograd.write_frames(loss, out / "step_through_expression")


def training_loss(model: nn.MLP) -> Value:
    """The mean squared error of ``model`` on the samples, inputs labelled x0[0], ...;
    the loss is labelled ``loss``."""
    rows = [[Value(v, label=f"x{i}[{j}]") for j, v in enumerate(r)] for i, r in enumerate(SAMPLES)]
    loss = F.mse_loss([model(row) for row in rows], list(TARGETS))
    loss.label = "loss"
    return loss


def print_update(model: nn.MLP, lr: float) -> None:
    """Apply one SGD step, printing each parameter before, its gradient, and after."""
    print(f"\nThe SGD step, p ← p - {lr} × ∂loss/∂p:")
    print(f"{'parameter':<22} {'before':>9} {'gradient':>9} {'after':>9}")
    named = list(model.named_parameters())
    before = [p.data for _, p in named]
    nn.optim.SGD(model.parameters(), lr=lr).step()
    for (name, p), old in zip(named, before, strict=True):
        print(f"{name:<22} {old:9.4f} {p.grad:9.4f} {p.data:9.4f}")


def step_through_training(out: Path) -> list[Path]:
    """One training step of a tiny MLP: the loss's trace, its frames, and the update."""
    model = nn.MLP(2, [2, 1], seed=0)
    loss = training_loss(model)
    params = dict(model.named_parameters())
    print(
        f"\n2. One training step: MLP(2, [2, 1]) (seeded), {len(SAMPLES)} samples, targets "
        f"{list(TARGETS)}, loss = mean squared error = {loss.data:.6f}\n"
    )
    autograd.trace(loss, params)
    print("\nEach weight is used once per sample, so its gradient is the running sum in the")
    print("'input grad' column; a ReLU whose input was negative passes back 0 (local 0).")
    frames = autograd.write_frames(loss, out / "step_through_training", params)
    print_update(model, LR)
    print(f"loss before the step {loss.data:.6f}, after it {training_loss(model).data:.6f}")
    return frames


def print_pdb_commands() -> None:
    """The README's pdb walkthrough, one command a line, with what each shows."""
    print("\n3. The same expression in a debugger (README, 'Stepping through in pdb'):")
    print("$ .venv/bin/python -m pdb demos/debug_backprop.py")
    for command, meaning in PDB_COMMANDS:
        print(f"(Pdb) {command:<42}{'# ' + meaning if meaning else ''}".rstrip())


def main() -> None:
    args = common.arguments(__doc__)
    frames = [step_through_expression(args.out), step_through_training(args.out)]
    print_pdb_commands()
    print("\nFlip through the frames in order: step_start (the root's gradient seeded with 1),")
    print("then step_000, step_001, ...: one chain-rule step each, its edge in red.")
    common.report_written([common.frames(paths) for paths in frames])


if __name__ == "__main__":
    main()
