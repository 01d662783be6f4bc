"""Random weights for an MLP as a state dict, for the tests that build models from known
numbers (``init=``)."""

from __future__ import annotations

import numpy as np


def random_mlp_init(rng: np.random.Generator, sizes: list[int]) -> dict[str, np.ndarray]:
    state = {}
    for i in range(len(sizes) - 1):
        state[f"layers.{i}.weight"] = rng.normal(size=(sizes[i + 1], sizes[i]))
        state[f"layers.{i}.bias"] = rng.normal(size=sizes[i + 1])
    return state
