"""The backprop explorer: a backward pass, and training, to step through in a page.

``data`` turns a graph and a backward pass over it into plain data (what the page shows
is the engine's numbers), ``formulas`` reads each op's math from its docstring, and
``views`` narrows a big graph (one sample's part, parameters inside their neurons).
"""

from autograd.explorer.data import build, frame_gradients

__all__ = ["build", "frame_gradients"]
