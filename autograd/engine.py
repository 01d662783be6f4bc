"""Which engine builds graphs: the compiled one where it was built, else the reference.

Both make the same graph of the same nodes (``data grad label parents op``), give the
same gradients, bit for bit, and raise the same errors; the compiled one
(``autograd.fast.native``, written in C) is several times faster and smaller. The
reference, ``autograd.value``, is the Python a learner reads and steps through.

``STEPGRAD_ENGINE=python`` in the environment forces the reference (set it to step
through the building of nodes in a debugger too: the backward pass steps through the
reference loop in either engine). ``STEPGRAD_ENGINE=native`` requires the compiled one,
and fails to import where it was not built. Without it, the compiled engine is used
where it was built (``pip install`` builds it where a C compiler is found).

The rest of the package builds nodes through this module's names, never through one
engine's: ``Value``, ``node``, ``nary``, ``constant``, ``unrecorded``, ``AffineLayer``.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from autograd import backprop

CHOICES = ("python", "native")
_asked = os.environ.get("STEPGRAD_ENGINE", "").strip().lower()
if _asked and _asked not in CHOICES:
    raise ImportError(f"STEPGRAD_ENGINE must be 'python' or 'native' (or unset), got {_asked!r}")

if TYPE_CHECKING:  # both engines implement the reference's interface
    from autograd.fast.layer import AffineLayer
    from autograd.value import MANY_INPUTS, UNRECORDED, Value
    from autograd.value import _constant as constant
    from autograd.value import _nary as nary
    from autograd.value import _node as node
    from autograd.value import _unrecorded as unrecorded

    NAME: str
else:
    from autograd.value import MANY_INPUTS, UNRECORDED

    native = None
    if _asked != "python":
        try:
            from autograd.fast import native
        except ModuleNotFoundError as error:
            if error.name != "autograd.fast._native":
                raise  # a module of ours is missing: a bug, not an extension not built
            if _asked == "native":
                raise ImportError(
                    "STEPGRAD_ENGINE=native, but the compiled engine is not built "
                    f"(autograd/fast/_native.c): {error}"
                ) from error
    if native is not None:
        from autograd.fast.native import AffineLayer, Value, constant, nary, node, unrecorded

        NAME = "native"
        backprop.accelerate(native.backward)
    else:
        from autograd.fast import backward as _python_fast_path
        from autograd.fast.layer import AffineLayer
        from autograd.value import Value
        from autograd.value import _constant as constant
        from autograd.value import _nary as nary
        from autograd.value import _node as node
        from autograd.value import _unrecorded as unrecorded

        NAME = "python"
        backprop.accelerate(_python_fast_path.backward)

__all__ = [
    "MANY_INPUTS",
    "NAME",
    "UNRECORDED",
    "AffineLayer",
    "Value",
    "constant",
    "nary",
    "node",
    "unrecorded",
]
