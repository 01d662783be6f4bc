"""Seeded, reproducible initial values for parameters, drawn with numpy's ``Generator``.

Every module draws from its own ``numpy.random.Generator`` when given ``seed=``, and
otherwise from the global one that ``manual_seed`` resets (``torch.manual_seed``).
"""

from __future__ import annotations

import math

import numpy as np

_GLOBAL = [np.random.default_rng()]


def manual_seed(seed: int) -> None:
    """Reset the global generator: later modules created without ``seed=`` repeat exactly."""
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer):
        raise TypeError(f"manual_seed: seed must be an int, got {type(seed).__name__} {seed!r}")
    _GLOBAL[0] = np.random.default_rng(int(seed))


def generator(seed: int | None) -> np.random.Generator:
    """A generator of its own for ``seed``, or the global one for ``seed=None``."""
    if seed is None:
        return _GLOBAL[0]
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer):
        raise TypeError(f"seed must be an int or None, got {type(seed).__name__} {seed!r}")
    return np.random.default_rng(int(seed))


def uniform(shape: tuple[int, ...], bound: float, rng: np.random.Generator) -> np.ndarray:
    """Independent draws from U(-bound, bound)."""
    return rng.uniform(-bound, bound, size=shape)


def linear_bound(fan_in: int) -> float:
    """PyTorch's default for ``nn.Linear``: U(-1/√fan_in, 1/√fan_in) for weight and bias.

    (``kaiming_uniform_(a=√5)`` gives gain √(2/(1+5)) and bound gain·√(3/fan_in) = 1/√fan_in.)
    """
    return 1.0 / math.sqrt(fan_in)
