"""stepgrad's neural-net library, built on ``autograd.Value``, with PyTorch's names.

``nn.functional`` (losses), ``nn.optim`` (optimizers and schedules), ``nn.metrics`` and
``nn.data`` are submodules; models, ``fit``, ``evaluate`` and ``save``/``load`` are here.
"""

from nn import data, functional, metrics, optim
from nn.activation import ReLU, Sigmoid, Tanh
from nn.container import Sequential
from nn.drawing import draw_model
from nn.dropout import Dropout
from nn.init import manual_seed
from nn.layers import MLP, Layer, Linear, Neuron
from nn.module import IncompatibleKeys, Module
from nn.serialization import load, save
from nn.training import EarlyStopping, History, Record, evaluate, fit

__all__ = [
    "MLP",
    "Dropout",
    "EarlyStopping",
    "History",
    "IncompatibleKeys",
    "Layer",
    "Linear",
    "Module",
    "Neuron",
    "ReLU",
    "Record",
    "Sequential",
    "Sigmoid",
    "Tanh",
    "data",
    "draw_model",
    "evaluate",
    "fit",
    "functional",
    "load",
    "manual_seed",
    "metrics",
    "optim",
    "save",
]
