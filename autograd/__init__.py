"""stepgrad's engine: scalar ``Value``s that build a graph, and ``backward()`` over it."""

from autograd.affine import AffineLayer
from autograd.anomaly import detect_anomaly, is_anomaly_enabled
from autograd.backprop import Step, backward, backward_steps, topological_order
from autograd.drawing import Graph, draw, write_frames
from autograd.grad_mode import enable_grad, is_grad_enabled, no_grad
from autograd.gradcheck import gradcheck, numerical_gradient
from autograd.hooks import RemovableHandle
from autograd.reductions import dot, mean, sum
from autograd.trace import trace
from autograd.value import Value

__all__ = [
    "AffineLayer",
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
