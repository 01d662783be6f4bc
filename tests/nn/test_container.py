"""nn.Sequential: chaining, PyTorch's names (``0.weight``) and repr, train()/eval()
reaching every module, indexing, errors, and saving and loading with the modules in it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import autograd
import nn
from autograd import Value
from nn import Module
from tests.helpers import assert_named_error


def network() -> nn.Sequential:
    return nn.Sequential(
        nn.Linear(2, 3, seed=0),
        nn.ReLU(),
        nn.Dropout(0.5, seed=1),
        nn.Linear(3, 2, seed=2),
        nn.Tanh(),
    )


class Doubler(Module):
    """A user's module with no parameters and no config: it cannot be saved."""

    def forward(self, x: Any) -> Any:
        return [v * 2.0 for v in x]


# -- forward -------------------------------------------------------------------------------


def test_forward_chains_the_modules_in_order() -> None:
    first, second, third = nn.Linear(2, 3, seed=0), nn.Sigmoid(), nn.Linear(3, 1, seed=1)
    x = [0.5, -1.5]
    ours = nn.Sequential(first, second, third)(x)
    assert isinstance(ours, Value)
    assert ours.data == third(second(first(x))).data


def test_an_empty_sequential_returns_its_input() -> None:
    x = [Value(1.0)]
    assert nn.Sequential()(x) is x


def test_predict_and_backward_through_a_sequential() -> None:
    model = network().eval()
    X = np.array([[0.5, -1.0], [2.0, 0.25]])
    assert model.predict(X).shape == (2, 2)
    out = model([0.5, -1.0])
    autograd.sum(out).backward()
    assert any(p.grad != 0.0 for p in model.parameters())


# -- names, modes, repr ----------------------------------------------------------------------


def test_parameters_are_named_by_position() -> None:
    model = network()
    assert list(model.state_dict()) == ["0.weight", "0.bias", "3.weight", "3.bias"]
    names = [name for name, _ in model.named_parameters()]
    assert names[:3] == ["0.weight[0, 0]", "0.weight[0, 1]", "0.weight[1, 0]"]
    assert names[-1] == "3.bias[1]"
    assert len(model.parameters()) == 3 * 2 + 3 + 2 * 3 + 2
    assert [name for name, _ in model.named_children()] == ["0", "1", "2", "3", "4"]


def test_train_and_eval_reach_every_module_nested_too() -> None:
    inner = nn.Sequential(nn.Linear(2, 2, seed=0), nn.Dropout(0.5, seed=0))
    model = nn.Sequential(inner, nn.Dropout(0.3, seed=1), nn.Linear(2, 1, seed=1))
    assert model.eval() is model
    assert [m.training for m in model.modules()] == [False] * 6
    model.train()
    assert [m.training for m in model.modules()] == [True] * 6
    inner.eval()  # a submodule alone, as in PyTorch
    assert [m.training for m in model.modules()] == [True, False, False, False, True, True]


def test_dropout_in_a_sequential_is_random_in_training_and_fixed_in_eval() -> None:
    model = nn.Sequential(nn.Linear(1, 50, seed=0), nn.Dropout(0.5, seed=0), nn.Linear(50, 1))
    x = [0.7]
    training = {model(x).data for _ in range(5)}
    assert len(training) == 5
    model.eval()
    assert len({model(x).data for _ in range(5)}) == 1


def test_indexing_slicing_length_and_iteration() -> None:
    model = network()
    assert len(model) == 5
    assert isinstance(model[1], nn.ReLU) and isinstance(model[-1], nn.Tanh)
    assert list(model) == [model[i] for i in range(5)]
    head = model[:2]
    assert isinstance(head, nn.Sequential) and list(head) == [model[0], model[1]]
    assert list(head.state_dict()) == ["0.weight", "0.bias"]
    assert head[0] is model[0]  # the same modules, as in PyTorch


def test_errors() -> None:
    model = network()
    assert_named_error(lambda: model[5], IndexError, r"^Sequential: index 5 is out of range for 5")
    assert_named_error(lambda: model[-6], IndexError, r"^Sequential: index -6")
    assert_named_error(lambda: model["0"], TypeError, r"^Sequential: an index must be an int")  # type: ignore[call-overload]
    assert_named_error(
        lambda: nn.Sequential(nn.ReLU(), 3),  # type: ignore[arg-type]
        TypeError,
        r"^Sequential: module 1 is int 3, not an nn.Module",
    )


# -- saving and loading -------------------------------------------------------------------------


def test_save_and_load_round_trip(tmp_path: Path) -> None:
    model = network()
    path = tmp_path / "seq.json"
    model.save(path)
    again = nn.Sequential.load(path)
    assert repr(again) == repr(model)
    assert again is not model and all(a is not b for a, b in zip(again, model, strict=True))
    for name, array in model.state_dict().items():
        assert np.array_equal(again.state_dict()[name], array)
    X = np.random.default_rng(0).normal(size=(5, 2))
    assert np.array_equal(again.eval().predict(X), model.eval().predict(X))
    assert again[2].training is False and nn.load(path)[2].training is True
    document = json.loads(path.read_text())
    assert document["class"] == "Sequential"
    assert [m["class"] for m in document["config"]["modules"]] == [
        "Linear",
        "ReLU",
        "Dropout",
        "Linear",
        "Tanh",
    ]
    assert document["config"]["modules"][2]["config"] == {"p": 0.5}


def test_a_nested_sequential_and_an_mlp_inside_round_trip(tmp_path: Path) -> None:
    model = nn.Sequential(nn.Sequential(nn.MLP(2, [4, 3], seed=0), nn.Sigmoid()), nn.Linear(3, 1))
    path = tmp_path / "nested.json"
    nn.save(model, path)
    again = nn.load(path)
    assert isinstance(again, nn.Sequential)
    assert list(again.state_dict()) == [
        "0.0.layers.0.weight",
        "0.0.layers.0.bias",
        "0.0.layers.1.weight",
        "0.0.layers.1.bias",
        "1.weight",
        "1.bias",
    ]
    X = np.random.default_rng(1).normal(size=(4, 2))
    assert np.array_equal(again.predict(X), model.predict(X))


def test_a_module_that_cannot_be_saved_is_named(tmp_path: Path) -> None:
    model = nn.Sequential(nn.Linear(1, 2), Doubler())
    path = tmp_path / "no.json"
    assert_named_error(
        lambda: model.save(path),
        TypeError,
        r"^save: Sequential's module 1 \(Doubler\) is not a registered model class",
    )
    assert not path.exists()


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda c: c["modules"][1].update({"class": "Doubler"}), r"module 1 is class 'Doubler'"),
        (
            lambda c: c["modules"][1].update({"class": "os.system"}),
            r"module 1 is class 'os.system'",
        ),
        (lambda c: c["modules"][0].pop("config"), r"module 0 must be an object with 'class'"),
        (lambda c: c["modules"].append(3), r"module 2 must be an object with 'class'"),
        (lambda c: c["modules"][0].update({"config": [1]}), r"module 0: config is \[1\]"),
        (lambda c: c.update({"modules": {}}), r"expected \{'modules': \[...\]\}"),
        (lambda c: c.update({"extra": 1}), r"expected \{'modules': \[...\]\}"),
        (lambda c: c["modules"][0]["config"].update({"in_features": 0}), r"in_features"),
    ],
)
def test_a_bad_config_is_a_value_error(tmp_path: Path, edit: Any, message: str) -> None:
    path = tmp_path / "seq.json"
    nn.Sequential(nn.Linear(1, 2, seed=0), nn.ReLU()).save(path)
    document = json.loads(path.read_text())
    edit(document["config"])
    path.write_text(json.dumps(document))
    assert_named_error(
        lambda: nn.load(path),
        ValueError,
        r"^load: the config does not build a Sequential: .*" + message,
    )


# -- against PyTorch ------------------------------------------------------------------------


def torch_network(torch: Any) -> Any:
    return torch.nn.Sequential(
        torch.nn.Linear(2, 3),
        torch.nn.ReLU(),
        torch.nn.Dropout(0.5),
        torch.nn.Linear(3, 2),
        torch.nn.Tanh(),
    ).double()


@pytest.mark.torch
def test_names_shapes_and_modes_match_torch(torch: Any) -> None:
    ours, theirs = network(), torch_network(torch)
    assert {k: v.shape for k, v in ours.state_dict().items()} == {
        k: tuple(v.shape) for k, v in theirs.state_dict().items()
    }
    assert list(ours.state_dict()) == list(theirs.state_dict())
    assert [name for name, _ in ours.named_children()] == [n for n, _ in theirs.named_children()]
    for mode in (False, True):
        ours.train(mode)
        theirs.train(mode)
        assert [m.training for m in ours.modules()] == [m.training for m in theirs.modules()]


@pytest.mark.torch
def test_repr_matches_torch(torch: Any) -> None:
    ours = nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Sigmoid(), nn.Linear(3, 1, bias=False))
    theirs = torch.nn.Sequential(
        torch.nn.Linear(2, 3),
        torch.nn.ReLU(),
        torch.nn.Sigmoid(),
        torch.nn.Linear(3, 1, bias=False),
    )
    assert repr(ours) == repr(theirs)


@pytest.mark.torch
def test_a_state_dict_moves_to_torch_and_gives_the_same_outputs_and_gradients(torch: Any) -> None:
    ours, theirs = network().eval(), torch_network(torch).eval()
    theirs.load_state_dict({k: torch.from_numpy(v) for k, v in ours.state_dict().items()})
    x = [0.3, -1.2]
    out = ours(x)
    autograd.sum([y * w for y, w in zip(out, [1.5, -0.5], strict=True)]).backward()
    result = theirs(torch.tensor(x, dtype=torch.float64))
    (result * torch.tensor([1.5, -0.5], dtype=torch.float64)).sum().backward()
    assert [y.data for y in out] == pytest.approx(result.tolist(), rel=1e-14)
    for (name, shape, values), (their_name, q) in zip(
        ours.named_tensors(), theirs.named_parameters(), strict=True
    ):
        assert name == their_name
        grads = np.array([v.grad for v in values]).reshape(shape)
        assert grads == pytest.approx(q.grad.numpy(), rel=1e-13, abs=1e-15)
