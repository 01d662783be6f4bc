"""A small graph to step through in a debugger: see "Stepping through in pdb" in README.md.

.venv/bin/python -m pdb demos/debug_backprop.py
"""

import autograd
from autograd import Value

a = Value(2.0, label="a")
b = Value(-3.0, label="b")
c = Value(10.0, label="c")
e = a * b
e.label = "e"
d = e + c
d.label = "d"
loss = d.tanh()
loss.label = "loss"
loss.backward()
print("a.grad =", round(a.grad, 6), "b.grad =", round(b.grad, 6))
print(autograd.__name__, "done")
