"""nn.Module: calling, finding parameters, names, modes, repr, and state dicts.

Parameters are found from a module's attributes (a leaf Value, lists and lists of lists
of them, submodules, lists of submodules); the expected names, orders and shapes are
written out by hand here, and the state-dict shapes and error wording are checked against
PyTorch's own ``nn.Linear`` and ``nn.Sequential``.
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import pytest

import nn
from autograd import Value
from nn import IncompatibleKeys, Module

# -- helpers ----------------------------------------------------------------------------


def snapshot(model: Module) -> list[tuple[Value, float]]:
    """Every parameter with its current value, to check a model is unchanged."""
    return [(p, p.data) for p in model.parameters()]


def assert_unchanged(model: Module, before: list[tuple[Value, float]]) -> None:
    after = snapshot(model)
    assert len(after) == len(before)
    for (p, data), (q, now) in zip(before, after, strict=True):
        assert p is q
        assert now == data


class Micro(Module):
    """A micrograd-style user module: parameters as a plain list of Values and a Value."""

    def __init__(self) -> None:
        super().__init__()
        self.w = [Value(0.5), Value(-1.0)]
        self.b = Value(0.25)

    def forward(self, x: list[float]) -> Value:
        return sum((wi * xi for wi, xi in zip(self.w, x, strict=True)), self.b)


class Zoo(Module):
    """Every kind of attribute the parameter search must (or must not) pick up."""

    def __init__(self) -> None:
        super().__init__()
        self.scale = Value(2.0)  # a leaf: shape ()
        self.derived = self.scale * 3.0  # not a leaf: not a parameter
        self.vector = [Value(1.0), Value(2.0), Value(3.0)]  # shape (3,)
        self.numbers = [1.0, 2.0]  # plain data
        self.text = "hello"
        self.array = np.ones(3)
        self.empty: list[Value] = []
        self.matrix = [[Value(float(3 * i + j)) for j in range(3)] for i in range(2)]  # (2, 3)
        self.head = nn.Linear(2, 1, seed=0)  # a submodule
        self.layers = [nn.Linear(1, 2, seed=1), nn.Linear(2, 1, seed=2)]  # a list of them

    def forward(self, x: Any) -> Any:
        return x


# -- calling ----------------------------------------------------------------------------


def test_call_runs_forward_with_all_arguments() -> None:
    class Echo(Module):
        def forward(self, a: Any, b: Any = None, *, c: Any = None) -> Any:
            return (a, b, c)

    assert Echo()(1, 2, c=3) == (1, 2, 3)
    assert Echo()("x") == ("x", None, None)


def test_module_without_forward_raises_not_implemented() -> None:
    with pytest.raises(NotImplementedError, match="forward"):
        Module()(1.0)


# -- finding parameters -----------------------------------------------------------------


def test_parameters_are_found_in_attributes_in_order() -> None:
    zoo = Zoo()
    expected = (
        [zoo.scale]
        + zoo.vector
        + [v for row in zoo.matrix for v in row]
        + [v for row in zoo.head.weight for v in row]
        + list(zoo.head.bias or [])
        + [v for layer in zoo.layers for v in [*(w for r in layer.weight for w in r), *layer.bias]]
    )
    params = zoo.parameters()
    assert len(params) == 1 + 3 + 6 + 3 + (2 + 2 + 2 + 1)
    assert len(params) == len(expected)
    assert all(p is q for p, q in zip(params, expected, strict=True))


def test_named_parameters_names_every_scalar_with_its_index() -> None:
    names = [name for name, _ in Zoo().named_parameters()]
    assert names == [
        "scale",
        "vector[0]",
        "vector[1]",
        "vector[2]",
        "matrix[0, 0]",
        "matrix[0, 1]",
        "matrix[0, 2]",
        "matrix[1, 0]",
        "matrix[1, 1]",
        "matrix[1, 2]",
        "head.weight[0, 0]",
        "head.weight[0, 1]",
        "head.bias[0]",
        "layers.0.weight[0, 0]",
        "layers.0.weight[1, 0]",
        "layers.0.bias[0]",
        "layers.0.bias[1]",
        "layers.1.weight[0, 0]",
        "layers.1.weight[0, 1]",
        "layers.1.bias[0]",
    ]


def test_non_leaf_values_and_plain_data_are_not_parameters() -> None:
    zoo = Zoo()
    params = zoo.parameters()
    assert not any(p is zoo.derived for p in params)
    assert all(p.is_leaf for p in params)
    names = {name.split("[")[0] for name, _ in zoo.named_parameters()}
    assert not names & {"derived", "numbers", "text", "array", "empty", "training"}
    assert set(zoo.state_dict()) == {
        "scale",
        "vector",
        "matrix",
        "head.weight",
        "head.bias",
        "layers.0.weight",
        "layers.0.bias",
        "layers.1.weight",
        "layers.1.bias",
    }


def test_tuples_count_like_lists_and_ragged_or_mixed_lists_do_not() -> None:
    class Odd(Module):
        def __init__(self) -> None:
            super().__init__()
            self.pair = (Value(1.0), Value(2.0))
            self.ragged = [[Value(1.0)], [Value(2.0), Value(3.0)]]
            self.mixed = [Value(1.0), self.pair[0] * 2.0]

    odd = Odd()
    assert odd.parameters() == list(odd.pair)
    assert list(odd.state_dict()) == ["pair"]


def test_named_parameters_point_at_the_right_values_in_an_mlp() -> None:
    model = nn.MLP(2, [4, 3], seed=0)
    named = dict(model.named_parameters())
    assert named["layers.0.weight[3, 1]"] is model.layers[0].weight[3][1]
    assert named["layers.1.weight[2, 3]"] is model.layers[1].weight[2][3]
    assert model.layers[1].bias is not None
    assert named["layers.1.bias[2]"] is model.layers[1].bias[2]
    assert len(named) == 4 * 2 + 4 + 3 * 4 + 3
    assert list(named.values()) == model.parameters()


def test_neuron_parameters_are_named_w_and_b() -> None:
    neuron = nn.Neuron(3, seed=0)
    named = dict(neuron.named_parameters())
    assert list(named) == ["w[0]", "w[1]", "w[2]", "b"]
    assert named["b"] is neuron.b
    assert named["w[2]"] is neuron.w[2]


def test_a_shared_value_is_one_parameter() -> None:
    class Tied(Module):
        def __init__(self) -> None:
            super().__init__()
            self.shared = Value(1.0)
            self.other = Value(2.0)
            self.pair = [self.shared, self.other]
            self.again = self.shared

    tied = Tied()
    params = tied.parameters()
    assert len(params) == 2
    assert params[0] is tied.shared and params[1] is tied.other
    assert [name for name, _ in tied.named_parameters()] == ["shared", "other"]


def test_a_shared_submodule_is_counted_once() -> None:
    class TwoHeads(Module):
        def __init__(self) -> None:
            super().__init__()
            self.first = nn.Linear(3, 2, seed=0)
            self.second = self.first

    model = TwoHeads()
    assert len(model.parameters()) == 3 * 2 + 2
    assert len({id(p) for p in model.parameters()}) == 8


def test_children_and_modules() -> None:
    zoo = Zoo()
    assert [name for name, _ in zoo.named_children()] == ["head", "layers.0", "layers.1"]
    modules = list(zoo.modules())
    assert modules[0] is zoo
    assert modules[1:] == [zoo.head, *zoo.layers]


# -- zero_grad, train/eval, repr, attributes ----------------------------------------------


def test_zero_grad_zeroes_every_parameter_including_submodules() -> None:
    zoo = Zoo()
    for i, p in enumerate(zoo.parameters()):
        p.grad = float(i + 1)
    zoo.zero_grad()
    assert all(p.grad == 0.0 for p in zoo.parameters())
    assert zoo.layers[1].weight[0][1].grad == 0.0


def test_zero_grad_after_backward() -> None:
    model = nn.MLP(2, [3, 1], seed=0)
    out = model([0.5, -1.5])
    assert isinstance(out, Value)
    (out * out + 1.0).backward()
    assert any(p.grad != 0.0 for p in model.parameters())
    model.zero_grad()
    assert all(p.grad == 0.0 for p in model.parameters())


def test_train_and_eval_are_recursive_and_return_self() -> None:
    zoo = Zoo()
    assert all(m.training for m in zoo.modules())
    assert zoo.eval() is zoo
    assert all(m.training is False for m in [zoo, zoo.head, *zoo.layers])
    assert zoo.train() is zoo
    assert all(m.training is True for m in [zoo, zoo.head, *zoo.layers])
    assert zoo.train(False) is zoo
    assert not any(m.training for m in zoo.modules())
    layer = nn.Layer(2, 3, seed=0)
    layer.eval()
    assert not any(neuron.training for neuron in layer.neurons)


def test_repr_shows_the_structure() -> None:
    text = repr(nn.MLP(2, [4, 1], seed=0))
    assert "object at 0x" not in text
    assert text.startswith("MLP(")
    assert "(layers.0): Linear(in_features=2, out_features=4, bias=True)" in text
    assert "(layers.1): Linear(in_features=4, out_features=1, bias=True)" in text
    assert text.index("layers.0") < text.index("layers.1")
    assert repr(nn.Linear(3, 2, bias=False, seed=0)) == (
        "Linear(in_features=3, out_features=2, bias=False)"
    )
    assert "object at 0x" not in repr(Micro())
    assert repr(Micro()).startswith("Micro(")


def test_unknown_attributes_raise_attribute_error() -> None:
    model = nn.Linear(2, 1, seed=0)
    with pytest.raises(AttributeError):
        _ = model.wieght  # type: ignore[attr-defined]
    assert getattr(model, "no_such_thing", "absent") == "absent"
    assert not hasattr(Micro(), "bais")


# -- state_dict -------------------------------------------------------------------------


@pytest.mark.torch
def test_state_dict_shapes_match_torch_linear(torch: Any) -> None:
    for bias in (True, False):
        ours = nn.Linear(5, 3, bias=bias, seed=0).state_dict()
        theirs = torch.nn.Linear(5, 3, bias=bias).state_dict()
        assert list(ours) == list(theirs)
        for key, array in ours.items():
            assert isinstance(array, np.ndarray)
            assert array.dtype == np.float64
            assert array.shape == tuple(theirs[key].shape)


@pytest.mark.torch
def test_state_dict_shapes_match_torch_sequential(torch: Any) -> None:
    ours = nn.MLP(3, [5, 4, 2], seed=0).state_dict()
    theirs = torch.nn.Sequential(
        torch.nn.Linear(3, 5),
        torch.nn.ReLU(),
        torch.nn.Linear(5, 4),
        torch.nn.ReLU(),
        torch.nn.Linear(4, 2),
    ).state_dict()
    renamed = {
        re.sub(r"^layers\.(\d+)\.", lambda m: f"{2 * int(m[1])}.", k): v.shape
        for k, v in ours.items()
    }
    assert renamed == {k: tuple(v.shape) for k, v in theirs.items()}
    assert list(renamed) == list(theirs)


def test_state_dict_holds_the_parameter_values() -> None:
    model = nn.Linear(3, 2, seed=0)
    state = model.state_dict()
    assert model.bias is not None
    for i in range(2):
        assert state["bias"][i] == model.bias[i].data
        for j in range(3):
            assert state["weight"][i, j] == model.weight[i][j].data
    neuron = nn.Neuron(2, seed=0)
    assert neuron.state_dict()["b"].shape == ()
    assert neuron.state_dict()["w"].tolist() == [neuron.w[0].data, neuron.w[1].data]


def test_state_dict_is_a_copy() -> None:
    model = nn.Linear(3, 2, seed=0)
    before = snapshot(model)
    state = model.state_dict()
    state["weight"][:] = 99.0
    state["bias"] += 1.0
    assert_unchanged(model, before)
    assert not np.any(model.state_dict()["weight"] == 99.0)


def test_load_state_dict_round_trip() -> None:
    source = nn.MLP(3, [4, 2], seed=1)
    target = nn.MLP(3, [4, 2], seed=2)
    state = source.state_dict()
    assert not np.array_equal(state["layers.0.weight"], target.state_dict()["layers.0.weight"])
    params_before = target.parameters()
    result = target.load_state_dict(state)
    assert result == IncompatibleKeys([], [])
    assert result.missing_keys == [] and result.unexpected_keys == []
    loaded = target.state_dict()
    assert list(loaded) == list(state)
    for key in state:
        assert np.array_equal(loaded[key], state[key])
    # the same Value objects were updated in place (an optimizer holding them still works)
    assert all(p is q for p, q in zip(target.parameters(), params_before, strict=True))
    x = [0.3, -0.7, 1.1]
    ours, theirs = source(x), target(x)
    assert isinstance(ours, list) and isinstance(theirs, list)
    assert [v.data for v in ours] == [v.data for v in theirs]
    # the model holds copies: changing the arrays afterwards changes nothing
    state["layers.0.weight"][:] = 0.0
    assert np.array_equal(
        target.state_dict()["layers.0.weight"], source.state_dict()["layers.0.weight"]
    )


def test_load_state_dict_accepts_lists_and_ints() -> None:
    model = nn.Linear(2, 2, seed=0)
    model.load_state_dict({"weight": [[1, 2], [3, 4]], "bias": (0.5, -0.5)})
    assert model.state_dict()["weight"].tolist() == [[1.0, 2.0], [3.0, 4.0]]
    assert model.state_dict()["bias"].tolist() == [0.5, -0.5]


@pytest.mark.torch
def test_load_state_dict_accepts_torch_tensors(torch: Any) -> None:
    theirs = torch.nn.Linear(3, 2).double()
    ours = nn.Linear(3, 2, seed=0)
    ours.load_state_dict(theirs.state_dict())
    assert np.array_equal(ours.state_dict()["weight"], theirs.weight.detach().numpy())
    assert np.array_equal(ours.state_dict()["bias"], theirs.bias.detach().numpy())


def test_load_state_dict_rejects_a_non_mapping() -> None:
    model = nn.Linear(2, 1, seed=0)
    before = snapshot(model)
    with pytest.raises(TypeError, match="mapping"):
        model.load_state_dict([("weight", [[1.0, 2.0]]), ("bias", [0.0])])  # type: ignore[arg-type]
    assert_unchanged(model, before)


# -- load_state_dict errors ---------------------------------------------------------------


def torch_message(error: BaseException) -> str:
    """torch's load_state_dict message, with its shapes written as tuples and its trailing
    spaces dropped, to compare with ours."""
    text = re.sub(r"torch\.Size\(\[([^\]]*)\]\)", r"(\1)", str(error))
    return "\n".join(line.rstrip() for line in text.split("\n"))


@pytest.mark.torch
def test_strict_errors_list_every_problem_in_torchs_words(torch: Any) -> None:
    bad = {"weight": np.zeros((3, 2)), "extra": np.zeros(1)}  # bias missing, weight transposed
    with pytest.raises(RuntimeError) as theirs:
        torch.nn.Linear(3, 2).double().load_state_dict({k: torch.tensor(v) for k, v in bad.items()})
    model = nn.Linear(3, 2, seed=0)
    before = snapshot(model)
    with pytest.raises(ValueError) as ours:
        model.load_state_dict(bad)
    assert str(ours.value) == torch_message(theirs.value)
    assert_unchanged(model, before)


def test_strict_missing_keys_only() -> None:
    model = nn.MLP(2, [3, 1], seed=0)
    state = model.state_dict()
    del state["layers.0.bias"], state["layers.1.weight"]
    for key in state:
        state[key] = state[key] + 1.0  # valid values that must not be loaded either
    before = snapshot(model)
    with pytest.raises(ValueError) as error:
        model.load_state_dict(state)
    message = str(error.value)
    assert message.startswith("Error(s) in loading state_dict for MLP:")
    assert 'Missing key(s) in state_dict: "layers.0.bias", "layers.1.weight".' in message
    assert "Unexpected" not in message
    assert_unchanged(model, before)


def test_strict_unexpected_keys_only() -> None:
    model = nn.Linear(2, 1, seed=0)
    state = {k: v * 2.0 for k, v in model.state_dict().items()}
    state["running_mean"] = np.zeros(1)
    state["layers.0.weight"] = np.zeros((1, 2))
    before = snapshot(model)
    with pytest.raises(ValueError) as error:
        model.load_state_dict(state)
    message = str(error.value)
    assert 'Unexpected key(s) in state_dict: "running_mean", "layers.0.weight".' in message
    assert "Missing" not in message
    assert_unchanged(model, before)


def test_every_shape_mismatch_is_listed_and_nothing_is_loaded() -> None:
    model = nn.MLP(2, [3, 2], seed=0)
    state = model.state_dict()
    state["layers.0.weight"] = np.zeros((2, 3))
    state["layers.1.bias"] = np.zeros(3)
    state["layers.0.bias"] = state["layers.0.bias"] + 5.0  # fine, but must not be loaded
    before = snapshot(model)
    with pytest.raises(ValueError) as error:
        model.load_state_dict(state)
    message = str(error.value)
    assert (
        "size mismatch for layers.0.weight: copying a param with shape (2, 3) from checkpoint, "
        "the shape in current model is (3, 2)." in message
    )
    assert (
        "size mismatch for layers.1.bias: copying a param with shape (3,) from checkpoint, "
        "the shape in current model is (2,)." in message
    )
    assert_unchanged(model, before)


def test_non_strict_returns_incompatible_keys_and_loads_the_rest() -> None:
    model = nn.Linear(2, 2, seed=0)
    assert model.bias is not None
    bias_before = [b.data for b in model.bias]
    result = model.load_state_dict(
        {"weight": [[1.0, 2.0], [3.0, 4.0]], "scale": 1.0, "other": [0.0]}, strict=False
    )
    assert isinstance(result, IncompatibleKeys)
    assert result.missing_keys == ["bias"]
    assert result.unexpected_keys == ["scale", "other"]
    assert model.state_dict()["weight"].tolist() == [[1.0, 2.0], [3.0, 4.0]]
    assert [b.data for b in model.bias] == bias_before


def test_non_strict_still_refuses_shape_mismatches() -> None:
    model = nn.Linear(3, 2, seed=0)
    before = snapshot(model)
    with pytest.raises(ValueError, match=r"size mismatch for weight"):
        model.load_state_dict({"weight": np.zeros((3, 2)), "bias": [7.0, 8.0]}, strict=False)
    assert_unchanged(model, before)


BAD_WEIGHTS: list[tuple[str, object]] = [
    ("bools", [True, False]),
    ("numpy bools", np.array([True, False])),
    ("strings", ["0.5", "1.5"]),
    ("one string", "0.5"),
    ("None", None),
    ("None inside", [0.5, None]),
    ("complex", [1 + 2j, 0.5]),
    ("complex array", np.array([1.0, 2.0], dtype=np.complex128)),
    ("nan", [float("nan"), 0.5]),
    ("nan array", np.array([0.5, np.nan])),
    ("inf", [float("inf"), 0.5]),
    ("-inf", np.array([0.5, -np.inf])),
    ("object array", np.array([0.5, 1.5], dtype=object)),
    ("Values", [Value(0.5), Value(1.5)]),
    ("dict", {"a": 1.0}),
]


@pytest.mark.parametrize(("label", "bad"), BAD_WEIGHTS, ids=[label for label, _ in BAD_WEIGHTS])
@pytest.mark.parametrize("strict", [True, False])
def test_bad_weight_values_are_refused_naming_the_key(
    label: str, bad: object, strict: bool
) -> None:
    model = nn.MLP(2, [3, 2], seed=0)
    state: dict[str, object] = dict(model.state_dict())
    state["layers.1.bias"] = bad
    before = snapshot(model)
    with pytest.raises((TypeError, ValueError), match=re.escape("layers.1.bias")):
        model.load_state_dict(state, strict=strict)
    assert_unchanged(model, before)


@pytest.mark.parametrize(
    "ragged",
    [[[1.0, 2.0], [3.0]], [[1.0, 2.0], 3.0], [[1.0, 2.0], [3.0, [4.0]]]],
    ids=["short row", "number row", "nested row"],
)
def test_ragged_weights_are_refused_naming_the_key(ragged: object) -> None:
    model = nn.Linear(2, 2, seed=0)
    before = snapshot(model)
    with pytest.raises((TypeError, ValueError), match="weight"):
        model.load_state_dict({"weight": ragged, "bias": [0.0, 0.0]})
    assert_unchanged(model, before)


def test_bad_values_are_all_listed_with_the_other_problems() -> None:
    model = nn.MLP(2, [3, 2], seed=0)
    state: dict[str, object] = dict(model.state_dict())
    state["layers.0.bias"] = [1.0, float("nan"), 2.0]
    state["layers.1.bias"] = ["a", "b"]
    del state["layers.0.weight"]
    state["bogus"] = 1.0
    before = snapshot(model)
    with pytest.raises(ValueError) as error:
        model.load_state_dict(state)
    message = str(error.value)
    for part in ("layers.0.bias", "layers.1.bias", '"layers.0.weight"', '"bogus"'):
        assert part in message
    assert_unchanged(model, before)


# -- a user-defined module ----------------------------------------------------------------


def test_micrograd_style_user_module() -> None:
    model = Micro()
    assert model.parameters() == [model.w[0], model.w[1], model.b]
    assert [name for name, _ in model.named_parameters()] == ["w[0]", "w[1]", "b"]
    state = model.state_dict()
    assert list(state) == ["w", "b"]
    assert state["w"].shape == (2,) and state["w"].tolist() == [0.5, -1.0]
    assert state["b"].shape == () and float(state["b"]) == 0.25

    out = model([2.0, 3.0])  # 0.25 + 0.5 * 2 - 1 * 3
    assert out.data == -1.75
    out.backward()
    assert [p.grad for p in model.parameters()] == [2.0, 3.0, 1.0]
    model.zero_grad()
    assert [p.grad for p in model.parameters()] == [0.0, 0.0, 0.0]

    model.load_state_dict({"w": [1.0, 2.0], "b": 0.5})
    assert model([2.0, 3.0]).data == 0.5 + 2.0 + 6.0
    with pytest.raises(ValueError, match=r"size mismatch for b"):
        model.load_state_dict({"w": [1.0, 2.0], "b": [0.5]})
