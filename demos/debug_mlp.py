"""A default nn.MLP to step through in a debugger: see "Stepping through in pdb" in README.md.

.venv/bin/python -m pdb demos/debug_mlp.py
"""

import autograd  # so that pdb can name autograd.ops in a breakpoint
import nn

model = nn.MLP(2, [3, 1], seed=0)  # the default graph: one node per neuron
score = model([1.0, -2.0])
loss = (score - 1.0) ** 2
loss.backward()
first = model.layers[1].weight[0][0]  # a weight of the output neuron
print(f"layers.1.{first.label}.grad = {first.grad:.6f}")
print(autograd.__name__, "done")
