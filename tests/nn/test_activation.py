"""nn.ReLU, nn.Tanh, nn.Sigmoid: element-wise, one node per element, values and gradients
as the Value methods give them and as PyTorch's modules do; what they accept."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import autograd
import nn
from autograd import Value
from tests.helpers import assert_named_error

MODULES: dict[str, tuple[type[nn.Module], Callable[[Value], Value]]] = {
    "ReLU": (nn.ReLU, Value.relu),
    "Tanh": (nn.Tanh, Value.tanh),
    "Sigmoid": (nn.Sigmoid, Value.sigmoid),
}
POINTS = [-3.0, -0.5, 0.0, 0.25, 1.0, 4.0]


@pytest.mark.parametrize("name", MODULES)
def test_each_element_is_the_value_method(name: str) -> None:
    module_class, method = MODULES[name]
    xs = [Value(v) for v in POINTS]
    ys = module_class()(xs)
    assert isinstance(ys, list) and len(ys) == len(xs)
    for x, y in zip(xs, ys, strict=True):
        assert y.data == method(Value(x.data)).data
        assert y.parents == (x,)


@pytest.mark.parametrize("name", MODULES)
def test_a_value_a_number_and_a_numpy_row(name: str) -> None:
    module_class, method = MODULES[name]
    module = module_class()
    one = module(Value(0.5))
    assert isinstance(one, Value) and one.data == method(Value(0.5)).data
    assert isinstance(module(0.5), Value)
    row = module(np.array([0.5, -0.5]))
    assert isinstance(row, list) and [v.data for v in row] == [
        method(Value(0.5)).data,
        method(Value(-0.5)).data,
    ]


@pytest.mark.parametrize("name", MODULES)
def test_bad_input_names_the_module(name: str) -> None:
    module = MODULES[name][0]()
    assert_named_error(lambda: module("x"), TypeError, rf"^{name}: .*got str 'x'")
    assert_named_error(lambda: module([0.0, None]), TypeError, rf"^{name}: .*NoneType")
    assert_named_error(lambda: module([math.inf]), ValueError, rf"^{name}: input 0: ")


@pytest.mark.parametrize("name", MODULES)
def test_no_parameters_and_torchs_repr(name: str) -> None:
    module = MODULES[name][0]()
    assert module.parameters() == []
    assert repr(module) == f"{name}()"


@pytest.mark.torch
@pytest.mark.parametrize("name", MODULES)
def test_values_and_gradients_match_torch(torch: Any, name: str) -> None:
    xs = [Value(v) for v in POINTS]
    weights = [0.5, -1.0, 2.0, 0.75, -0.25, 1.5]
    ys = MODULES[name][0]()(xs)
    autograd.sum([y * w for y, w in zip(ys, weights, strict=True)]).backward()
    x = torch.tensor(POINTS, dtype=torch.float64, requires_grad=True)
    theirs = getattr(torch.nn, name)()(x)
    (theirs * torch.tensor(weights, dtype=torch.float64)).sum().backward()
    assert [y.data for y in ys] == pytest.approx(theirs.tolist(), rel=1e-15, abs=1e-300)
    # 1 - tanh²x loses digits where tanh x is near ±1, in both engines
    assert [v.grad for v in xs] == pytest.approx(x.grad.tolist(), rel=1e-12, abs=1e-300)


def test_several_outputs_of_an_activation_say_what_to_do_on_backward() -> None:
    model = nn.Sequential(nn.Linear(2, 3, seed=0), nn.ReLU())
    outputs = model([1.0, 2.0])
    with pytest.raises(RuntimeError, match=r"returned 3 outputs(.|\n)*call it on a loss"):
        outputs.backward()
