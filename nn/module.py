"""``Module``: the base of every model, with PyTorch's names for finding and loading parameters.

A module's parameters are the leaf ``Value``s it holds in its attributes: a single Value
(shape ``()``), or a list of them (``(n,)``), or a list of equal-length lists (``(n, m)``).
Modules held in attributes, or in lists, are submodules, named with dots (``layers.0``).
``state_dict()`` groups each attribute's Values into one numpy array of that shape, so a
``Linear``'s ``weight`` is ``[out, in]`` exactly as in PyTorch; ``named_parameters()``
names each scalar, with its index: ``layers.0.weight[3, 1]``.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Mapping
from typing import Any, NamedTuple

import numpy as np

from autograd import Value, no_grad
from nn.saveable import Saveable

Shape = tuple[int, ...]


class IncompatibleKeys(NamedTuple):
    """What ``load_state_dict(..., strict=False)`` did not match (``torch``'s names)."""

    missing_keys: list[str]
    unexpected_keys: list[str]


def _array_of_values(obj: object) -> tuple[Shape, list[Value]] | None:
    """(shape, values in row-major order) if ``obj`` is a leaf Value or a rectangular
    nesting of lists/tuples of leaf Values; None for anything else."""
    if isinstance(obj, Value):
        return ((), [obj]) if obj.is_leaf else None
    if not isinstance(obj, list | tuple) or not obj:
        return None
    parts = [_array_of_values(item) for item in obj]
    if any(part is None for part in parts):
        return None
    shapes = {part[0] for part in parts if part is not None}
    if len(shapes) != 1:
        return None
    inner = shapes.pop()
    flat = [v for part in parts if part is not None for v in part[1]]
    return (len(obj), *inner), flat


def _index_text(index: Shape) -> str:
    return f"[{', '.join(str(i) for i in index)}]" if index else ""


def _modules_in(obj: object) -> list[Module] | None:
    """The modules of a non-empty list/tuple made only of modules, else None."""
    if isinstance(obj, list | tuple) and obj and all(isinstance(m, Module) for m in obj):
        return list(obj)
    return None


class Outputs(list[Value]):
    """The outputs of a module with several (a list of Values), which says what to do when
    asked for ``backward()``: differentiate one number, a loss or one output."""

    def backward(self, gradient: object = 1.0) -> None:
        """Raise: ``backward()`` starts from one scalar, as in PyTorch (``grad can be
        implicitly created only for scalar outputs``)."""
        raise RuntimeError(
            f"backward: the model returned {len(self)} outputs (a list of Values), and "
            f"backward() starts from one number: call it on a loss of them (for example "
            f"nn.functional.mse_loss(outputs, targets) or autograd.sum(outputs)) or on one "
            f"output (outputs[0].backward())"
        )


class Module(Saveable):
    """Base class of models: ``model(x)`` calls ``forward(x)``.

    Subclasses set parameters and submodules as attributes in ``__init__`` (after calling
    ``super().__init__()``) and define ``forward``. Unknown attribute names raise
    ``AttributeError`` as for any Python object: a typo is never silently ``None``.
    ``save(path)``, ``Model.load(path)`` and ``load_weights(path)`` come from
    ``nn.saveable.Saveable``; a class that defines ``config()`` and is registered with
    ``nn.serialization.register`` can be saved.
    """

    def __init__(self) -> None:
        self.training = True

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self.forward(*args, **kwargs)

    def forward(self, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError(f"{type(self).__name__} must define forward()")

    # -- finding parameters and submodules ------------------------------------------------

    def named_children(self) -> Iterator[tuple[str, Module]]:
        """Direct submodules with their names (``fc``, or ``layers.0`` for a list)."""
        for name, attr in vars(self).items():
            if isinstance(attr, Module):
                yield name, attr
            else:
                for i, module in enumerate(_modules_in(attr) or ()):
                    yield f"{name}.{i}", module

    def children(self) -> Iterator[Module]:
        for _, module in self.named_children():
            yield module

    def modules(self) -> Iterator[Module]:
        """This module and every submodule, depth first."""
        yield self
        for child in self.children():
            yield from child.modules()

    def named_tensors(self, prefix: str = "") -> Iterator[tuple[str, Shape, list[Value]]]:
        """Each parameter array: (dotted name, shape, its Values in row-major order)."""
        for name, attr in vars(self).items():
            array = _array_of_values(attr)
            if array is not None:
                yield prefix + name, array[0], array[1]
        for name, child in self.named_children():
            yield from child.named_tensors(f"{prefix}{name}.")

    def named_parameters(self, prefix: str = "") -> Iterator[tuple[str, Value]]:
        """Each parameter once, in order, named with its index: ``layers.0.weight[3, 1]``."""
        seen: set[int] = set()
        for name, shape, values in self.named_tensors(prefix):
            for index, value in zip(np.ndindex(*shape), values, strict=True):
                if id(value) not in seen:
                    seen.add(id(value))
                    yield name + _index_text(index), value

    def parameters(self) -> list[Value]:
        """Every parameter (a scalar leaf Value) once, in a fixed order."""
        return [value for _, value in self.named_parameters()]

    def zero_grad(self) -> None:
        """Set every parameter's ``.grad`` to 0.0."""
        for p in self.parameters():
            p.grad = 0.0

    def train(self, mode: bool = True) -> Module:
        """Set ``training`` on this module and every submodule; returns self."""
        for module in self.modules():
            module.training = mode
        return self

    def eval(self) -> Module:
        """``train(False)``."""
        return self.train(False)

    @contextlib.contextmanager
    def mode(self, training: bool) -> Iterator[Module]:
        """Within the block, this module and its submodules are in training mode
        (``training=True``) or evaluation mode; afterwards each is back in the mode it was
        in. ``predict`` and ``nn.evaluate`` evaluate this way, ``nn.fit`` trains this way
        and measures its validation figures in evaluation mode, as Keras does."""
        before = [(module, module.training) for module in self.modules()]
        self.train(training)
        try:
            yield self
        finally:
            for module, was in before:
                module.training = was

    # -- state --------------------------------------------------------------------------

    def state_dict(self) -> dict[str, np.ndarray]:
        """``{name: float64 array}`` with each parameter array's shape (a copy)."""
        return {
            name: np.array([v.data for v in values], dtype=np.float64).reshape(shape)
            for name, shape, values in self.named_tensors()
        }

    def load_state_dict(
        self, state_dict: Mapping[str, object], strict: bool = True
    ) -> IncompatibleKeys:
        """Copy arrays into the parameters, after checking all of them.

        Missing and unexpected names (with ``strict=True``), shape mismatches and values
        that are not finite real numbers raise ``ValueError`` listing every problem, in
        PyTorch's words; the model is then unchanged.
        """
        if not isinstance(state_dict, Mapping):
            raise TypeError(
                f"load_state_dict: expected a mapping of names to arrays, "
                f"got {type(state_dict).__name__}"
            )
        tensors = {name: (shape, values) for name, shape, values in self.named_tensors()}
        missing = [name for name in tensors if name not in state_dict]
        unexpected = [str(name) for name in state_dict if name not in tensors]
        problems: list[str] = []
        if strict and missing:
            problems.append(f"Missing key(s) in state_dict: {_quoted(missing)}.")
        if strict and unexpected:
            problems.append(f"Unexpected key(s) in state_dict: {_quoted(unexpected)}.")
        arrays: dict[str, np.ndarray] = {}
        for name, (shape, _) in tensors.items():
            if name not in state_dict:
                continue
            try:
                array = as_weight_array(state_dict[name], name)
            except (TypeError, ValueError) as error:
                problems.append(str(error))
                continue
            if array.shape != shape:
                problems.append(
                    f"size mismatch for {name}: copying a param with shape {array.shape} "
                    f"from checkpoint, the shape in current model is {shape}."
                )
                continue
            arrays[name] = array
        if problems:
            raise ValueError(
                f"Error(s) in loading state_dict for {type(self).__name__}:\n\t"
                + "\n\t".join(problems)
            )
        with no_grad():
            for name, array in arrays.items():
                for value, number in zip(tensors[name][1], array.ravel().tolist(), strict=True):
                    value.data = number
        return IncompatibleKeys(missing, unexpected)

    # -- inference and display ------------------------------------------------------------

    def predict(self, X: object) -> np.ndarray:
        """The model on each row of a 2-D array, as a numpy array, in evaluation mode
        (dropout off); builds no graph.

        One output per row gives shape ``(n,)``; k outputs give ``(n, k)``.
        """
        rows = np.asarray(X)
        if rows.ndim != 2:
            raise ValueError(
                f"predict: expected a 2-D array (one row per sample), got shape {rows.shape}"
            )
        with no_grad(), self.mode(training=False):
            if len(rows) == 0:  # no rows: one run on zeros finds the output's width
                width = np.array(_floats(self(np.zeros(rows.shape[1])))).shape
                return np.empty((0, *width), dtype=np.float64)
            outputs = [self(row) for row in rows]
        return np.array([_floats(out) for out in outputs], dtype=np.float64)

    def extra_repr(self) -> str:
        """The text inside the parentheses of this module's ``repr`` (its settings)."""
        return ""

    def __repr__(self) -> str:
        lines = [
            f"({name}): " + repr(child).replace("\n", "\n  ")
            for name, child in self.named_children()
        ]
        text = f"{type(self).__name__}({self.extra_repr()}"
        if lines:
            text += "\n  " + "\n  ".join(lines) + "\n"
        return text + ")"


def _quoted(names: list[str]) -> str:
    return ", ".join(f'"{name}"' for name in names)


def _floats(output: object) -> float | list[float]:
    if isinstance(output, Value):
        return output.data
    if isinstance(output, list | tuple):
        return [v.data if isinstance(v, Value) else float(v) for v in output]
    return float(output)  # type: ignore[arg-type]


def as_weight_array(obj: object, name: str) -> np.ndarray:
    """``obj`` as a float64 array of finite real numbers, or a TypeError/ValueError naming
    ``name``. Booleans, strings, objects and complex numbers are refused, not converted."""
    if isinstance(obj, list | tuple):
        _refuse_non_numbers(obj, name)
    try:
        array = np.asarray(obj) if not isinstance(obj, np.ndarray) else obj
    except ValueError:
        raise ValueError(f"{name}: rows of different lengths (not a rectangular array)") from None
    if array.dtype == np.bool_ or array.dtype.kind not in "iuf":
        raise TypeError(
            f"{name}: expected real numbers, got an array of {array.dtype} "
            f"(from {type(obj).__name__})"
        )
    array = array.astype(np.float64)
    if not np.all(np.isfinite(array)):
        bad = array[~np.isfinite(array)].ravel()[0]
        raise ValueError(f"{name}: values must be finite, found {bad!r}")
    return array


def _refuse_non_numbers(obj: list[object] | tuple[object, ...], name: str) -> None:
    for item in obj:
        if isinstance(item, list | tuple):
            _refuse_non_numbers(item, name)
        elif isinstance(item, bool) or not isinstance(item, int | float | np.integer | np.floating):
            raise TypeError(f"{name}: expected real numbers, got {type(item).__name__} {item!r}")
