"""demos/debug_mlp.py: a default ``nn.MLP`` in pdb. Under a debugger ``backward()`` runs
the reference chain-rule loop, so a breakpoint on the neuron op's derivatives stops at
every neuron, and the README's walkthrough of it works as written."""

from __future__ import annotations

import re

from tests.demos.pdb_walkthrough import check_walkthrough, run_pdb
from tests.demos.running import run_demo


def test_the_walkthrough_works_as_written() -> None:
    check_walkthrough("demos/debug_mlp.py")


def test_a_breakpoint_in_the_neuron_op_stops_at_every_neuron() -> None:
    # MLP(2, [3, 1]) on one sample: 3 hidden neurons and 1 output neuron, each one node.
    commands = ["next", "next", "next", "break autograd.ops.Affine.local_derivatives"]
    commands += ["continue", "p ('stopped at', out.op, len(out.parents))"] * 4
    commands += ["continue", "quit"]
    output = run_pdb("demos/debug_mlp.py", commands).stdout
    stops = re.findall(r"\('stopped at', '(\w+)', (\d+)\)", output)
    # the output neuron reads 3 weights, 3 hidden neurons and a bias; each hidden one
    # reads 2 weights, the 2 inputs and a bias (its op is the relu neuron)
    assert stops == [("affine", "7")] + [("affine_relu", "5")] * 3, output
    # the stepped pass gives the weight the gradient the fast pass gives it
    assert "layers.1.weight[0, 0].grad = 0.314111" in output
    assert "layers.1.weight[0, 0].grad = 0.314111" in run_demo("debug_mlp")
