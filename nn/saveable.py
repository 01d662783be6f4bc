"""``Saveable``, the base class that gives ``Module`` its ``save``, ``load`` and
``load_weights`` methods, and the registry of the classes that loading may build.

This module sits below ``nn.module`` and imports no model: a class joins the registry with
``register`` (``nn``'s modules register themselves, users their own), and a model becomes
an ``nn.model_file`` document through what every ``Module`` has: ``config()``,
``state_dict()`` and ``load_state_dict()``. Only registered classes are ever built, and
only by the exact class registered under the file's class name; a container
(``nn.Sequential``) describes its modules in its config with ``describe`` and builds them
with ``build``, which holds them to the same rule.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any, TypeVar

import numpy as np

from nn import model_file

SaveableType = TypeVar("SaveableType", bound="Saveable")

_CLASSES: dict[str, type[Saveable]] = {}


def register(cls: type[SaveableType]) -> type[SaveableType]:
    """Allow loading to build ``cls``: it must define ``config()`` returning the keyword
    arguments that rebuild it. Usable as a class decorator; returns ``cls``.

    TypeError unless ``cls`` is a ``Module`` subclass (``Module`` is stepgrad's one
    ``Saveable``); ValueError if another class is registered under its name.
    """
    if not (isinstance(cls, type) and issubclass(cls, Saveable)):
        raise TypeError(f"register: expected a Module subclass, got {cls!r}")
    if _CLASSES.get(cls.__name__, cls) is not cls:
        raise ValueError(f"register: another class is already registered as {cls.__name__!r}")
    _CLASSES[cls.__name__] = cls
    return cls


def to_json(model: Saveable) -> str:
    """The model's class name, config and weights as ``nn.model_file`` JSON text.

    TypeError if the model's exact class is not the one registered under its name.
    """
    _check_registered(model, type(model).__name__)
    return model_file.encode(type(model).__name__, model.config(), model.state_dict())


def _check_registered(model: Saveable, what: str) -> None:
    if _CLASSES.get(type(model).__name__) is not type(model):
        raise TypeError(
            f"save: {what} is not a registered model class "
            f"(register it with nn.serialization.register and give it a config() method)"
        )


def describe(module: Saveable, what: str) -> dict[str, Any]:
    """``{"class": name, "config": config}``: a submodule as a container's config holds it
    (``nn.Sequential``); ``what`` names it in the TypeError if its class is not registered."""
    _check_registered(module, what)
    return {"class": type(module).__name__, "config": module.config()}


def build(description: object, what: str) -> Saveable:
    """The module a ``describe`` result describes, built by the registered class of that
    name (``from_config``); ValueError naming ``what`` if it is not such a description."""
    if not isinstance(description, dict) or set(description) != {"class", "config"}:
        raise ValueError(f"{what} must be an object with 'class' and 'config', got {description!r}")
    name, config = description["class"], description["config"]
    if not isinstance(name, str) or name not in _CLASSES:
        raise ValueError(f"{what} is class {name!r}; expected one of {sorted(_CLASSES)}")
    if not isinstance(config, dict):
        raise ValueError(f"{what}: config is {config!r}; expected an object of arguments")
    return _CLASSES[name].from_config(config)


def from_json(text: str, expected: type[SaveableType]) -> SaveableType:
    """A new model built from ``to_json`` text, which is checked in full first.

    ValueError on any problem with the text (see ``nn.model_file``), if the config does not
    build the class, if the weights do not fit it, or if the model is not an ``expected``.
    """
    document = model_file.decode(text, known_classes=_CLASSES)
    cls = _CLASSES[document.class_name]
    try:
        model = cls.from_config(document.config)
    except (TypeError, ValueError) as error:
        raise ValueError(f"load: the config does not build a {cls.__name__}: {error}") from None
    model.load_state_dict(document.state)  # checks names and shapes
    if not isinstance(model, expected):
        raise ValueError(
            f"load: the file holds a {type(model).__name__}, not a {expected.__name__}"
        )
    return model


class Saveable:
    """Saving to and loading from JSON files, for the class this is a base of (``Module``).

    It needs ``config()`` (defined here to raise, for classes that cannot be saved) and
    ``state_dict()`` and ``load_state_dict()``, which ``Module`` defines.
    """

    def config(self) -> dict[str, Any]:
        """The constructor arguments that rebuild this architecture (for ``save``)."""
        raise NotImplementedError(f"{type(self).__name__} does not define config()")

    @classmethod
    def from_config(cls: type[SaveableType], config: Mapping[str, Any]) -> SaveableType:
        """A new model from what ``config()`` returned: ``cls(**config)`` (a container
        whose config describes its submodules builds them first, ``nn.Sequential``)."""
        return cls(**config)

    def state_dict(self) -> dict[str, np.ndarray]:
        """The weights by name (``Module`` defines it)."""
        raise NotImplementedError(f"{type(self).__name__} does not define state_dict()")

    def load_state_dict(self, state_dict: Mapping[str, object], strict: bool = True) -> object:
        """Copy weights in by name (``Module`` defines it)."""
        raise NotImplementedError(f"{type(self).__name__} does not define load_state_dict()")

    def save(self, path: str | os.PathLike[str]) -> None:
        """Write the architecture and weights to ``path`` as JSON (``nn.save``)."""
        model_file.write(path, to_json(self))

    @classmethod
    def load(cls: type[SaveableType], path: str | os.PathLike[str]) -> SaveableType:
        """A new model from a file written by ``save``; ValueError if it holds another class."""
        return from_json(model_file.read(path), cls)

    def load_weights(self, path: str | os.PathLike[str]) -> None:
        """Load a saved model's weights into this one; on any problem it is unchanged."""
        self.load_state_dict(from_json(model_file.read(path), Saveable).state_dict())
