"""stepgrad's engine: scalar ``Value``s that build a graph, and ``backward()`` over it.

The reference engine, the code a learner reads and steps through, is ``value`` (the
node), ``ops`` (each op's value and local derivatives), ``backprop`` (the topological
order and the chain-rule loop) and the modules they use (``protocol``, ``hooks``,
``anomaly``, ``grad_mode``, ``scalars``). It names no optimisation. ``autograd.fast``
holds the optimisations, which implement the reference's protocol from outside it: the
Python engine's, and the compiled engine (``fast/_native.c``). ``autograd.engine`` picks
the engine and installs its ``backward()`` (``backprop.accelerate``); ``autograd.Value``
is that engine's node. This package gathers the public names.
"""

from autograd.anomaly import detect_anomaly, is_anomaly_enabled
from autograd.backprop import Step, backward, backward_steps, topological_order
from autograd.drawing import Graph, draw, write_frames
from autograd.engine import AffineLayer, Value
from autograd.explorer import Explorer, explore
from autograd.function import Function
from autograd.grad_mode import enable_grad, is_grad_enabled, no_grad
from autograd.gradcheck import gradcheck, numerical_gradient
from autograd.hooks import RemovableHandle
from autograd.reductions import dot, mean, sum
from autograd.trace import trace

__all__ = [
    "AffineLayer",
    "Explorer",
    "Function",
    "Graph",
    "RemovableHandle",
    "Step",
    "Value",
    "backward",
    "backward_steps",
    "detect_anomaly",
    "dot",
    "draw",
    "enable_grad",
    "explore",
    "gradcheck",
    "is_anomaly_enabled",
    "is_grad_enabled",
    "mean",
    "no_grad",
    "numerical_gradient",
    "sum",
    "topological_order",
    "trace",
    "write_frames",
]
