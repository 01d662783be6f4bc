"""Saving and loading models as JSON: the architecture and the weights, never code.

``save(model, path)`` and ``load(path)`` are ``model.save(path)`` and ``Module.load(path)``
as functions; ``register`` lets ``load`` build a model class of your own. The file format,
and everything loading checks before it builds or touches a model, is in
``nn.model_file``; the registry and the methods are in ``nn.saveable``, which sits below
``nn.module`` so that ``Module`` can inherit them. Importing this module imports
``nn``'s model modules, whose classes register themselves, so ``load`` always knows them.
"""

from __future__ import annotations

import os

import numpy as np

from nn import activation as _activations  # noqa: F401  (registers ReLU, Tanh, Sigmoid)
from nn import container as _containers  # noqa: F401  (registers Sequential)
from nn import dropout as _dropout  # noqa: F401  (registers Dropout)
from nn import layers as _builtin_models  # noqa: F401  (registers Neuron, Layer, Linear, MLP)
from nn import model_file, saveable
from nn.model_file import FORMAT, VERSION
from nn.module import Module
from nn.saveable import register, to_json

__all__ = ["FORMAT", "VERSION", "from_json", "load", "load_state", "register", "save", "to_json"]


def save(model: Module, path: str | os.PathLike[str]) -> None:
    """Write ``to_json(model)`` to ``path`` (nothing is written if that fails)."""
    model_file.write(path, to_json(model))


def from_json(text: str) -> Module:
    """A new model from ``to_json`` text, checked in full first (see ``nn.model_file``)."""
    return saveable.from_json(text, Module)


def load(path: str | os.PathLike[str]) -> Module:
    """A new model from a file written by ``save``."""
    return from_json(model_file.read(path))


def load_state(path: str | os.PathLike[str]) -> dict[str, np.ndarray]:
    """Only the weights of a saved model, as a state dict (for ``load_state_dict``)."""
    return load(path).state_dict()
