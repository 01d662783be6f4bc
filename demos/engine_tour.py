"""A first look at the engine: one expression, its gradients, and a line learned from data.

Run with ``make demo`` (or ``python -m demos.engine_tour``).
"""

from __future__ import annotations

from autograd import Value, gradcheck


def expression_example() -> None:
    """Build L = tanh(a·b + c) · c, call backward(), and read each ∂L/∂input."""
    a, b, c = Value(2.0, label="a"), Value(-3.0, label="b"), Value(10.0, label="c")
    loss = (a * b + c).tanh() * c
    loss.backward()
    print("L = tanh(a*b + c) * c =", round(loss.data, 6))
    for leaf in (a, b, c):
        print(f"  dL/d{leaf.label} = {leaf.grad:+.6f}")
    gradcheck(lambda a, b, c: (a * b + c).tanh() * c, [a, b, c])
    print("  gradcheck: the gradients agree with central differences")


def learn_a_line(steps: int = 1000, lr: float = 0.05) -> tuple[float, float]:
    """The line example: learn y = 2x + 1 from X = 0..4 by gradient descent.

    The model is pred = w·x + b from w = b = 0; the loss is the mean squared error.
    Each step: forward, loss, backward (which fills w.grad and b.grad), update.
    """
    xs = [0.0, 1.0, 2.0, 3.0, 4.0]
    ys = [2.0 * x + 1.0 for x in xs]
    w, b = Value(0.0, label="w"), Value(0.0, label="b")
    for step in range(steps):
        total = Value(0.0)
        for x, y in zip(xs, ys, strict=True):
            total = total + (w * x + b - y) ** 2
        loss = total / len(xs)
        w.grad = b.grad = 0.0
        loss.backward()
        w.data -= lr * w.grad  # plain floats: the update records no graph
        b.data -= lr * b.grad
        if step in (0, 200, steps - 1):
            print(f"step {step:4d} loss {loss.data:8.4f} w {w.data:.4f} b {b.data:.4f}")
    print("learned:", round(w.data, 3), round(b.data, 3))
    print("prediction:", round(w.data * 10.0 + b.data, 4))
    return w.data, b.data


def main() -> None:
    expression_example()
    print()
    learn_a_line()


if __name__ == "__main__":
    main()
