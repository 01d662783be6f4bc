"""Saving and loading models as JSON: the architecture and the weights, never code.

The format is plain JSON (never pickle, which runs code when loaded)::

    {"format": "stepgrad.model", "version": 1, "class": "MLP",
     "config": {"nin": 2, "nouts": [16, 1], ...},
     "state": {"layers.0.weight": {"shape": [16, 2], "values": [...]}, ...}}

Loading checks everything before building or touching a model: the format name and
version, the class (only known model classes: nothing is imported or called by name),
duplicate keys, NaN/Infinity and numbers too large for a float (``1e400``), booleans or
strings where numbers belong, shapes, and missing or extra weights. Any problem is a
``ValueError`` naming it. Floats are written with ``repr``, so a round trip is exact.
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Callable
from typing import Any, TypeVar

import numpy as np

from nn.layers import MLP, Layer, Linear, Neuron
from nn.module import Module

FORMAT = "stepgrad.model"
VERSION = 1

ModuleType = TypeVar("ModuleType", bound=Module)

_CLASSES: dict[str, type[Module]] = {}


def register(cls: type[ModuleType]) -> type[ModuleType]:
    """Allow ``load`` to build ``cls``: it must define ``config()`` returning the keyword
    arguments that rebuild it. Usable as a class decorator."""
    if not (isinstance(cls, type) and issubclass(cls, Module)):
        raise TypeError(f"register: expected a Module subclass, got {cls!r}")
    if _CLASSES.get(cls.__name__, cls) is not cls:
        raise ValueError(f"register: another class is already registered as {cls.__name__!r}")
    _CLASSES[cls.__name__] = cls
    return cls


for _cls in (Linear, MLP, Neuron, Layer):
    register(_cls)


def to_json(model: Module) -> str:
    """The model's architecture and weights as JSON text."""
    if _CLASSES.get(type(model).__name__) is not type(model):
        raise TypeError(
            f"save: {type(model).__name__} is not a registered model class "
            f"(register it with nn.serialization.register and give it a config() method)"
        )
    document = {
        "format": FORMAT,
        "version": VERSION,
        "class": type(model).__name__,
        "config": model.config(),
        "state": {
            name: {"shape": list(array.shape), "values": array.ravel().tolist()}
            for name, array in model.state_dict().items()
        },
    }
    return json.dumps(document, indent=1, allow_nan=False)


def save(model: Module, path: str | os.PathLike[str]) -> None:
    """Write ``to_json(model)`` to ``path``."""
    text = to_json(model)
    with open(path, "w", encoding="utf-8") as file:
        file.write(text)


def from_json(text: str) -> Module:
    """A new model from ``to_json`` text, checked in full first (see the module docstring)."""
    document = _parse(text)
    cls = _CLASSES[document["class"]]
    state = _state(document["state"])
    try:
        model = cls(**document["config"])
    except (TypeError, ValueError) as error:
        raise ValueError(f"load: the config does not build a {cls.__name__}: {error}") from None
    model.load_state_dict(state)  # checks names and shapes; the new model is discarded on error
    return model


def load(path: str | os.PathLike[str]) -> Module:
    """A new model from a file written by ``save``."""
    try:
        with open(path, "rb") as file:
            raw = file.read()
    except OSError as error:
        raise ValueError(f"load: cannot read {os.fspath(path)!r}: {error.strerror}") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise ValueError(f"load: {os.fspath(path)!r} is not UTF-8 text") from None
    return from_json(text)


def load_state(path: str | os.PathLike[str]) -> dict[str, np.ndarray]:
    """Only the weights of a saved model, as a state dict (for ``load_state_dict``)."""
    return load(path).state_dict()


def _reject_constant(name: str) -> float:
    raise ValueError(f"load: {name} is not a number a weight can hold")


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"load: {text} is too large for a float")
    return value


def _float_sized_int(text: str) -> int:
    try:
        value = int(text)
        float(value)
    except (ValueError, OverflowError):
        raise ValueError(f"load: the integer {text[:20]}... is too large for a float") from None
    return value


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise ValueError(f"load: duplicate key {key!r}")
        result[key] = value
    return result


def _parse(text: str) -> dict[str, Any]:
    try:
        document = json.loads(
            text,
            object_pairs_hook=_no_duplicates,
            parse_constant=_reject_constant,
            parse_float=_finite_float,
            parse_int=_float_sized_int,
        )
    except json.JSONDecodeError as error:
        raise ValueError(f"load: not valid JSON (a truncated file?): {error}") from None
    if not isinstance(document, dict):
        raise ValueError(f"load: expected a JSON object, got {type(document).__name__}")
    checks: list[tuple[str, Callable[[Any], bool], str]] = [
        ("format", lambda v: v == FORMAT, f"'{FORMAT}'"),
        ("version", lambda v: type(v) is int and v == VERSION, f"{VERSION}"),
        ("class", lambda v: isinstance(v, str) and v in _CLASSES, f"one of {sorted(_CLASSES)}"),
        ("config", lambda v: isinstance(v, dict), "an object of constructor arguments"),
        ("state", lambda v: isinstance(v, dict), "an object of weights"),
    ]
    for key, valid, expected in checks:
        if key not in document:
            raise ValueError(f"load: the file has no {key!r}")
        if not valid(document[key]):
            raise ValueError(f"load: {key} is {document[key]!r}; expected {expected}")
    unexpected = sorted(set(document) - {key for key, _, _ in checks})
    if unexpected:
        raise ValueError(f"load: unexpected top-level keys {unexpected}")
    return document


def _state(state: dict[str, Any]) -> dict[str, np.ndarray]:
    arrays = {}
    for name, entry in state.items():
        if not isinstance(entry, dict) or set(entry) != {"shape", "values"}:
            raise ValueError(f"load: weight {name!r} must be an object with 'shape' and 'values'")
        shape, values = entry["shape"], entry["values"]
        if not isinstance(shape, list) or not all(
            isinstance(n, int) and not isinstance(n, bool) and n >= 0 for n in shape
        ):
            raise ValueError(f"load: weight {name!r} has a bad shape {shape!r}")
        if not isinstance(values, list):
            raise ValueError(f"load: weight {name!r} values must be a list")
        for value in values:
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise ValueError(
                    f"load: weight {name!r} holds {type(value).__name__} {value!r}, not a number"
                )
        if len(values) != math.prod(shape):
            raise ValueError(
                f"load: weight {name!r} has {len(values)} values for shape {tuple(shape)}"
            )
        arrays[name] = np.array(values, dtype=np.float64).reshape(shape)
    return arrays
