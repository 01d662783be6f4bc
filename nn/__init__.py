"""stepgrad's neural-net library, built on ``autograd.Value``, with PyTorch's names."""

from nn.init import manual_seed
from nn.layers import MLP, Layer, Linear, Neuron
from nn.module import IncompatibleKeys, Module
from nn.serialization import load, save

__all__ = [
    "MLP",
    "IncompatibleKeys",
    "Layer",
    "Linear",
    "Module",
    "Neuron",
    "load",
    "manual_seed",
    "save",
]
