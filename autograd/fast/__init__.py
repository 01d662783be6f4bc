"""Optimisations of the reference engine, outside it: the same graph and gradients, faster.

- ``traversal``: ``topological_order`` with marks in the nodes instead of a set;
- ``backward``: the chain-rule loop without step records, and through layers a whole
  layer call at a time; installed by ``autograd.engine`` (``backprop.accelerate``);
- ``layer``: ``AffineLayer``, a layer of neurons whose backward pass the loop above
  shortens, and whose hidden neurons become Values only when someone looks;
- ``_native.c`` and ``native``: the compiled engine, the reference's ``Value`` and its
  ``backward()`` in C (the same nodes, ops and gradients, bit for bit), which
  ``autograd.engine`` uses where it was built. The three above are the Python engine's.

Each sits beside the reference it speeds up and is pinned to it by tests. The reference
(``autograd.backprop``) runs instead under a debugger or tracer, in anomaly mode, when
a hooked Value is in the graph, and when stepping (``backward_steps``).
"""
