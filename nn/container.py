"""``Sequential``: PyTorch's ``nn.Sequential``, modules applied one after another.

``Sequential(m₀, m₁, …, mₖ)(x) = mₖ(… m₁(m₀(x)) …)``. Its submodules are named by
position, ``0``, ``1``, …, so its parameters are ``0.weight[i, j]``, ``2.bias[i]`` and its
state dict ``{"0.weight": ..., "0.bias": ..., "2.weight": ...}``, as in PyTorch.
``train()`` and ``eval()`` reach every module in it (a ``Dropout`` among them).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any, overload

from nn.module import Module
from nn.saveable import build, describe, register


@register
class Sequential(Module):
    """``Sequential(*modules)``: ``forward(x)`` passes x through each module in order and
    returns the last one's output (x itself when there are none).

    ``len(seq)``, ``seq[i]`` (a module) and ``seq[i:j]`` (a ``Sequential`` of the same
    modules) and iteration work as in PyTorch. It can be saved when every module in it can
    (``nn``'s modules can; a class of your own once registered).
    """

    def __init__(self, *modules: Module) -> None:
        super().__init__()
        for position, module in enumerate(modules):
            if not isinstance(module, Module):
                raise TypeError(
                    f"Sequential: module {position} is {type(module).__name__} "
                    f"{module!r}, not an nn.Module"
                )
        self._modules = list(modules)

    def forward(self, x: Any) -> Any:
        for module in self._modules:
            x = module(x)
        return x

    def named_children(self) -> Iterator[tuple[str, Module]]:
        """Each module with its position as its name: ``("0", Linear(...))``, ..."""
        for position, module in enumerate(self._modules):
            yield str(position), module

    def __len__(self) -> int:
        return len(self._modules)

    def __iter__(self) -> Iterator[Module]:
        return iter(self._modules)

    @overload
    def __getitem__(self, index: int) -> Module: ...

    @overload
    def __getitem__(self, index: slice) -> Sequential: ...

    def __getitem__(self, index: int | slice) -> Module | Sequential:
        if isinstance(index, slice):
            return Sequential(*self._modules[index])
        if isinstance(index, bool) or not isinstance(index, int):
            raise TypeError(
                f"Sequential: an index must be an int or a slice, got {type(index).__name__}"
            )
        if not -len(self._modules) <= index < len(self._modules):
            raise IndexError(
                f"Sequential: index {index} is out of range for {len(self._modules)} modules"
            )
        return self._modules[index]

    def config(self) -> dict[str, Any]:
        """``{"modules": [{"class": "Linear", "config": {...}}, ...]}``; TypeError if a
        module's class is not registered for saving."""
        return {
            "modules": [
                describe(module, f"Sequential's module {position} ({type(module).__name__})")
                for position, module in enumerate(self._modules)
            ]
        }

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> Sequential:
        """The modules described by ``config()``, each built by its registered class."""
        if set(config) != {"modules"} or not isinstance(config["modules"], list):
            raise ValueError(f"expected {{'modules': [...]}}, got {dict(config)!r}")
        modules: list[Module] = []
        for position, description in enumerate(config["modules"]):
            module = build(description, f"Sequential's module {position}")
            if not isinstance(module, Module):
                raise ValueError(f"Sequential's module {position} is not an nn.Module")
            modules.append(module)
        return cls(*modules)
