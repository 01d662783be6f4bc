"""The ``stepgrad.model`` file format: JSON text ↔ a class name, its config and its weights.

The format is plain JSON (never pickle, which runs code when loaded)::

    {"format": "stepgrad.model", "version": 1, "class": "MLP",
     "config": {"nin": 2, "nouts": [16, 1], ...},
     "state": {"layers.0.weight": {"shape": [16, 2], "values": [...]}, ...}}

``decode`` checks everything before anything is built: the format name and version, the
class (one of the names it is given: nothing is imported or called by name), duplicate
keys, NaN/Infinity and numbers too large for a float (``1e400``), booleans or strings
where numbers belong, shapes and value counts. Any problem is a ``ValueError`` naming it.
Floats are written with ``repr``, so a round trip is exact. This module knows nothing of
models: ``nn.saveable`` turns a model into a document and back.
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Callable, Collection, Mapping
from typing import Any, NamedTuple

import numpy as np

FORMAT = "stepgrad.model"
VERSION = 1


class Document(NamedTuple):
    """What a model file holds: the class name, its constructor arguments, its weights."""

    class_name: str
    config: dict[str, Any]
    state: dict[str, np.ndarray]


def encode(class_name: str, config: Mapping[str, Any], state: Mapping[str, np.ndarray]) -> str:
    """The JSON text of a model file; ValueError if it would hold NaN or Infinity."""
    document = {
        "format": FORMAT,
        "version": VERSION,
        "class": class_name,
        "config": dict(config),
        "state": {
            name: {"shape": list(array.shape), "values": array.ravel().tolist()}
            for name, array in state.items()
        },
    }
    return json.dumps(document, indent=1, allow_nan=False)


def decode(text: str, known_classes: Collection[str]) -> Document:
    """The document in ``text``, checked in full (see the module docstring); its class
    must be one of ``known_classes``."""
    document = _parse(text, known_classes)
    return Document(document["class"], document["config"], _state(document["state"]))


def write(path: str | os.PathLike[str], text: str) -> None:
    """Write ``text`` to ``path`` as UTF-8."""
    with open(path, "w", encoding="utf-8") as file:
        file.write(text)


def read(path: str | os.PathLike[str]) -> str:
    """The UTF-8 text of ``path``; ValueError if it cannot be read or is not UTF-8."""
    try:
        with open(path, "rb") as file:
            raw = file.read()
    except OSError as error:
        raise ValueError(f"load: cannot read {os.fspath(path)!r}: {error.strerror}") from None
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        raise ValueError(f"load: {os.fspath(path)!r} is not UTF-8 text") from None


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


def _parse(text: str, known_classes: Collection[str]) -> dict[str, Any]:
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
        (
            "class",
            lambda v: isinstance(v, str) and v in known_classes,
            f"one of {sorted(known_classes)}",
        ),
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
