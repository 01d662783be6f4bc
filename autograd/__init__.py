"""stepgrad's engine: scalar ``Value``s that build a graph, and ``backward()`` over it."""

from autograd.backprop import backward, topological_order
from autograd.grad_mode import enable_grad, is_grad_enabled, no_grad
from autograd.gradcheck import gradcheck, numerical_gradient
from autograd.reductions import dot, mean, sum
from autograd.value import Value

__all__ = [
    "Value",
    "backward",
    "dot",
    "enable_grad",
    "gradcheck",
    "is_grad_enabled",
    "mean",
    "no_grad",
    "numerical_gradient",
    "sum",
    "topological_order",
]
