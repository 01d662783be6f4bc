"""Saving and loading models as JSON: exact round trips, the file's layout, and every kind
of bad file refused with a ValueError that names the problem, leaving a model unchanged.
"""

from __future__ import annotations

import json
import math
import pickle
import re
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import nn
from autograd import Value
from nn import MLP, Layer, Linear, Module, Neuron
from nn.serialization import register

X = np.random.default_rng(0).normal(size=(7, 3))


@register
class Poly(Module):
    """A user model, micrograd style: y = c₀ + c₁x + … + c_d xᵈ."""

    def __init__(self, degree: int) -> None:
        super().__init__()
        self.degree = degree
        self.coeffs = [Value(0.1 * (k + 1)) for k in range(degree + 1)]

    def forward(self, x: Any) -> Value:
        x = x[0] if isinstance(x, list | tuple | np.ndarray) else x
        return sum((c * float(x) ** k for k, c in enumerate(self.coeffs)), Value(0.0))

    def config(self) -> dict[str, Any]:
        return {"degree": self.degree}


class Unregistered(Module):
    def __init__(self) -> None:
        super().__init__()
        self.w = [Value(1.0)]

    def forward(self, x: Any) -> Value:
        return self.w[0] * x

    def config(self) -> dict[str, Any]:
        return {}


# -- helpers ----------------------------------------------------------------------------


def snapshot(model: Module) -> list[tuple[Value, float]]:
    return [(p, p.data) for p in model.parameters()]


def assert_unchanged(model: Module, before: list[tuple[Value, float]]) -> None:
    after = snapshot(model)
    assert len(after) == len(before)
    for (p, data), (q, now) in zip(before, after, strict=True):
        assert p is q and now == data


def assert_same_state(a: Module, b: Module) -> None:
    sa, sb = a.state_dict(), b.state_dict()
    assert list(sa) == list(sb)
    for key in sa:
        assert sa[key].shape == sb[key].shape
        assert sa[key].tobytes() == sb[key].tobytes()  # bit for bit (-0.0 included)


SENTINEL = 7.25  # one weight of the base model, so a file's text can be edited around it


def base_model() -> MLP:
    model = MLP(3, [4, 2], activation="tanh", seed=3)
    state = model.state_dict()
    state["layers.1.bias"][0] = SENTINEL
    model.load_state_dict(state)
    return model


def base_document() -> dict[str, Any]:
    """The document the base model saves, as Python objects (read back with json)."""
    return {
        "format": "stepgrad.model",
        "version": 1,
        "class": "MLP",
        "config": {"nin": 3, "nouts": [4, 2], "activation": "tanh", "graph": "compact"},
        "state": {
            key: {"shape": list(array.shape), "values": array.ravel().tolist()}
            for key, array in base_model().state_dict().items()
        },
    }


def obj(pairs: list[tuple[str, str]]) -> str:
    """A JSON object from (key, JSON text of the value) pairs, repeats allowed."""
    return "{" + ", ".join(f"{json.dumps(k)}: {v}" for k, v in pairs) + "}"


def document_text(
    top: Callable[[list[tuple[str, str]]], list[tuple[str, str]]] = lambda p: p,
    state: Callable[[list[tuple[str, str]]], list[tuple[str, str]]] = lambda p: p,
) -> str:
    """The base document's text with its top-level and state pairs edited."""
    doc = base_document()
    state_pairs = [(k, json.dumps(v)) for k, v in doc["state"].items()]
    top_pairs = [(k, json.dumps(v)) for k, v in doc.items() if k != "state"]
    top_pairs.append(("state", obj(state(state_pairs))))
    return obj(top(top_pairs))


# -- round trips --------------------------------------------------------------------------


MODELS: list[tuple[str, Callable[[], Module]]] = [
    ("MLP", lambda: MLP(3, [5, 4, 2], activation="tanh", seed=1)),
    ("MLP fine sigmoid", lambda: MLP(3, [4, 1], activation="sigmoid", seed=2, graph="fine")),
    ("MLP linear", lambda: MLP(3, [2, 2], activation=None, seed=2)),
    ("Linear", lambda: Linear(3, 2, seed=4)),
    ("Linear no bias", lambda: Linear(3, 4, bias=False, seed=4, graph="fine")),
    ("Neuron", lambda: Neuron(3, activation="tanh", seed=5)),
    ("Layer", lambda: Layer(3, 2, activation="sigmoid", seed=6)),
]


@pytest.mark.parametrize("build", [b for _, b in MODELS], ids=[n for n, _ in MODELS])
def test_save_then_load_is_bit_identical(tmp_path: Path, build: Callable[[], Module]) -> None:
    model = build()
    path = tmp_path / "model.json"
    model.save(path)
    for loaded in (type(model).load(path), nn.load(path), nn.load(str(path)), Module.load(path)):
        assert type(loaded) is type(model)
        assert loaded is not model
        assert loaded.config() == model.config()
        assert_same_state(model, loaded)
        assert np.array_equal(loaded.predict(X), model.predict(X))
        assert all(p is not q for p, q in zip(model.parameters(), loaded.parameters(), strict=True))


def test_awkward_floats_round_trip_exactly(tmp_path: Path) -> None:
    model = Linear(3, 2, init={
        "weight": [[0.1, 1 / 3, -0.0], [5e-324, 1.7976931348623157e308, -2.2250738585072014e-308]],
        "bias": [math.pi, -1e-300],
    })  # fmt: skip
    path = tmp_path / "m.json"
    nn.save(model, path)
    loaded = nn.load(path)
    assert_same_state(model, loaded)
    assert math.copysign(1.0, loaded.state_dict()["weight"][0, 2]) == -1.0


def test_the_file_is_json_holding_the_architecture_and_weights(tmp_path: Path) -> None:
    model = base_model()
    path = tmp_path / "m.json"
    model.save(path)
    raw = path.read_bytes()
    assert raw[:1] == b"{"  # JSON text, not a pickle (which starts with b"\x80")
    doc = json.loads(raw.decode("utf-8"))
    assert doc == base_document()
    assert list(doc) == ["format", "version", "class", "config", "state"]
    state = model.state_dict()
    assert list(doc["state"]) == list(state)
    for key, entry in doc["state"].items():
        assert entry["shape"] == list(state[key].shape)
        assert entry["values"] == state[key].ravel().tolist()


def test_save_to_an_existing_file_replaces_it(tmp_path: Path) -> None:
    path = tmp_path / "m.json"
    Linear(2, 2, seed=0).save(path)
    MLP(3, [4, 2], seed=0).save(path)
    assert isinstance(nn.load(path), MLP)


def test_load_weights_into_an_existing_model(tmp_path: Path) -> None:
    source = MLP(3, [4, 2], seed=1)
    target = MLP(3, [4, 2], seed=2)
    path = tmp_path / "m.json"
    source.save(path)
    params = target.parameters()
    assert target.load_weights(path) is None  # type: ignore[func-returns-value]
    assert_same_state(source, target)
    assert all(p is q for p, q in zip(params, target.parameters(), strict=True))  # in place
    assert np.array_equal(target.predict(X), source.predict(X))


def test_load_weights_refuses_another_architecture(tmp_path: Path) -> None:
    path = tmp_path / "m.json"
    MLP(3, [5, 2], seed=1).save(path)
    target = MLP(3, [4, 2], seed=2)
    before = snapshot(target)
    with pytest.raises(ValueError, match=r"layers\.0\.weight"):
        target.load_weights(path)
    assert_unchanged(target, before)
    Linear(3, 4, seed=0).save(path)
    with pytest.raises(ValueError, match="weight"):
        target.load_weights(path)
    assert_unchanged(target, before)


def test_load_as_the_wrong_class(tmp_path: Path) -> None:
    path = tmp_path / "m.json"
    MLP(3, [4, 2], seed=1).save(path)
    with pytest.raises(ValueError, match="MLP"):
        Linear.load(path)
    with pytest.raises(ValueError, match="MLP"):
        Neuron.load(path)
    Linear(3, 2, seed=0).save(path)
    with pytest.raises(ValueError, match="Linear"):
        MLP.load(path)


# -- custom classes ---------------------------------------------------------------------


def test_unregistered_class_cannot_be_saved(tmp_path: Path) -> None:
    path = tmp_path / "m.json"
    with pytest.raises(TypeError, match="Unregistered"):
        Unregistered().save(path)
    assert not path.exists()

    class Wider(MLP):
        pass

    with pytest.raises(TypeError, match="Wider"):
        nn.save(Wider(2, [3, 1], seed=0), path)
    assert not path.exists()


def test_unregistered_subclass_sharing_a_registered_name_cannot_be_saved(
    tmp_path: Path,
) -> None:
    """Looking classes up by name alone would save this as an nn.MLP and load it back as
    one, silently dropping the subclass's own forward."""

    class MLP(nn.MLP):  # the same name as nn.MLP, on purpose
        def forward(self, x: object) -> Value | list[Value]:
            out = super().forward(x)
            return [v * 2.0 for v in out] if isinstance(out, list) else out * 2.0

    path = tmp_path / "m.json"
    with pytest.raises(TypeError):
        MLP(2, [3, 1], seed=0).save(path)


def test_registered_custom_class_round_trips(tmp_path: Path) -> None:
    model = Poly(3)
    model.load_state_dict({"coeffs": [1.0, -2.0, 0.5, 0.25]})
    path = tmp_path / "poly.json"
    model.save(path)
    doc = json.loads(path.read_text(encoding="utf-8"))
    assert doc["class"] == "Poly" and doc["config"] == {"degree": 3}
    assert doc["state"] == {"coeffs": {"shape": [4], "values": [1.0, -2.0, 0.5, 0.25]}}
    for loaded in (Poly.load(path), nn.load(path)):
        assert isinstance(loaded, Poly) and loaded.degree == 3
        assert_same_state(model, loaded)
        assert loaded(2.0).data == 1.0 - 4.0 + 2.0 + 2.0


def test_register_refuses_non_modules() -> None:
    with pytest.raises(TypeError):
        register(int)  # type: ignore[type-var]
    with pytest.raises(TypeError):
        register(Linear(2, 2, seed=0))  # type: ignore[type-var]


# -- bad files ----------------------------------------------------------------------------


Make = Callable[[], "str | bytes"]
W0, B0, B1 = "layers.0.weight", "layers.0.bias", "layers.1.bias"


def text() -> str:
    return json.dumps(base_document())


def edit(fn: Callable[[dict[str, Any]], object]) -> str:
    doc = base_document()
    fn(doc)
    return json.dumps(doc)


def put(*path: str, value: Any) -> Make:
    """The base document with the item at ``path`` set to ``value``."""

    def change(doc: dict[str, Any]) -> None:
        for key in path[:-1]:
            doc = doc[key]
        doc[path[-1]] = value

    return lambda: edit(change)


def drop(*path: str) -> Make:
    """The base document without the item at ``path``."""

    def change(doc: dict[str, Any]) -> None:
        for key in path[:-1]:
            doc = doc[key]
        del doc[path[-1]]

    return lambda: edit(change)


def resize(key: str, extra: int) -> Make:
    """Weight ``key`` with ``extra`` more (or fewer) values than its shape holds."""

    def change(doc: dict[str, Any]) -> None:
        values = doc["state"][key]["values"]
        doc["state"][key]["values"] = values[:extra] if extra < 0 else values + [0.5] * extra

    return lambda: edit(change)


def literal(text: str) -> Make:
    """The base document's text with the sentinel weight written as ``text``."""

    def make() -> str:
        original = json.dumps(base_document())
        assert original.count(repr(SENTINEL)) == 1
        return original.replace(repr(SENTINEL), text)

    return make


def pairs(
    top: Callable[[list[tuple[str, str]]], list[tuple[str, str]]] = lambda p: p,
    state: Callable[[list[tuple[str, str]]], list[tuple[str, str]]] = lambda p: p,
) -> Make:
    return lambda: document_text(top, state)


def raw(make: Callable[[], bytes]) -> Make:
    return make


TWO_SHAPES = '{"shape": [2], "shape": [2], "values": [0.5, 0.5]}'
BIAS_ENTRY = '{"shape": [2], "values": [0.5, 0.5]}'

BAD_FILES: list[tuple[str, Make, str]] = [
    # weights
    ("missing weight", drop("state", B1), B1),
    ("extra weight", put("state", "layers.2.bias", value={"shape": [1], "values": [0.0]}),
     "layers.2.bias"),
    ("wrong shape", put("state", W0, "shape", value=[3, 4]), W0),
    ("too few values", resize(B0, -1), B0),
    ("too many values", resize(B0, 1), B0),
    ("entry not an object", put("state", B1, value=[0.5, 0.5]), B1),
    ("entry without shape", drop("state", B1, "shape"), B1),
    ("entry with more", put("state", B1, "dtype", value="float64"), B1),
    ("negative shape", put("state", B1, "shape", value=[-2]), B1),
    ("boolean shape", put("state", B1, "shape", value=[True, 2]), B1),
    ("string shape", put("state", B1, "shape", value="2"), B1),
    ("nested values", put("state", B1, "values", value=[[0.5, 0.5]]), B1),
    ("NaN", literal("NaN"), "NaN"),
    ("Infinity", literal("Infinity"), "Infinity"),
    ("-Infinity", literal("-Infinity"), "Infinity"),
    ("1e400", literal("1e400"), "1e400"),
    ("-1e400", literal("-1e400"), "1e400"),
    ("huge integer", literal("1" + "0" * 400), f"{B1}|too large"),
    ("true", literal("true"), "bool"),
    ("false", literal("false"), "bool"),
    ("string", literal('"7.25"'), "str"),
    ("null", literal("null"), B1),
    ("object", literal("{}"), B1),
    # duplicate keys
    ("duplicate top-level key", pairs(top=lambda p: [*p[:2], p[1], *p[2:]]), "duplicate"),
    ("duplicate state key", pairs(state=lambda p: [*p, (B1, BIAS_ENTRY)]), "duplicate"),
    ("same entry twice", pairs(state=lambda p: [*p, p[-1]]), "duplicate"),
    ("duplicate inside an entry", pairs(state=lambda p: [*p[:-1], (B1, TWO_SHAPES)]), "duplicate"),
    ("duplicate config key",
     pairs(top=lambda p: [(k, v.replace('"nin": 3', '"nin": 3, "nin": 3')) for k, v in p]),
     "duplicate"),
    # not a document
    ("truncated", lambda: text()[: len(text()) // 2], "JSON"),
    ("cut after the object", lambda: text()[:-1], "JSON"),
    ("not JSON", raw(lambda: b"hello, world"), "JSON"),
    ("empty file", raw(lambda: b""), "JSON"),
    ("two documents", lambda: text() * 2, "JSON"),
    ("a JSON list", lambda: f"[{text()}]", "object"),
    ("a pickle", raw(lambda: pickle.dumps(base_document())), "UTF-8"),
    ("not UTF-8", raw(lambda: b"\xff\xfe" + text().encode()), "UTF-8"),
    ("UTF-16", raw(lambda: text().encode("utf-16")), "UTF-8"),
    ("latin-1 byte", raw(lambda: text().replace("compact", "compact\xe9").encode("latin-1")),
     "UTF-8"),
    # format and version
    ("wrong format", put("format", value="stepgrad.modle"), "format"),
    ("format null", put("format", value=None), "format"),
    ("version 2", put("version", value=2), "version"),
    ("version '1'", put("version", value="1"), "version"),
    ("version true", put("version", value=True), "version"),
    ("version 0", put("version", value=0), "version"),
    # class
    ("class os.system", put("class", value="os.system"), "class"),
    ("class builtins.eval", put("class", value="builtins.eval"), "class"),
    ("class __import__", put("class", value="__import__"), "class"),
    ("class Module", put("class", value="Module"), "class"),
    ("class nn.MLP", put("class", value="nn.MLP"), "class"),
    ("class mlp", put("class", value="mlp"), "class"),
    ("class a list", put("class", value=["MLP"]), "class"),
    # config
    ("config missing nouts", drop("config", "nouts"), "config"),
    ("config unknown argument", put("config", "bogus", value=1), "config"),
    ("config bad size", put("config", "nin", value="three"), "config"),
    ("config bad activation", put("config", "activation", value="os.system"), "config"),
    ("config not an object", put("config", value=[3, [4, 2]]), "config"),
    ("config of another size", put("config", "nin", value=2), W0),
    # top-level keys
    ("no format", drop("format"), "format"),
    ("no version", drop("version"), "version"),
    ("no class", drop("class"), "class"),
    ("no config", drop("config"), "config"),
    ("no state", drop("state"), "state"),
    ("state not an object", put("state", value=[]), "state"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("make", "words"), [(m, w) for _, m, w in BAD_FILES], ids=[n for n, _, _ in BAD_FILES]
)
def test_bad_files_raise_value_error_and_leave_the_model_unchanged(
    tmp_path: Path, make: Callable[[], str | bytes], words: str
) -> None:
    content = make()
    pattern = "|".join(re.escape(word) for word in words.split("|"))  # any of the words
    path = tmp_path / "bad.json"
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    with pytest.raises(ValueError, match=pattern):
        nn.load(path)
    with pytest.raises(ValueError, match=pattern):
        MLP.load(path)
    model = base_model()
    state = model.state_dict()
    for key in state:
        state[key] = state[key] * 0.5 + 1.0  # other values, so a partial load would show
    model.load_state_dict(state)
    before = snapshot(model)
    with pytest.raises(ValueError, match=pattern):
        model.load_weights(path)
    assert_unchanged(model, before)


def test_the_unedited_base_document_loads(tmp_path: Path) -> None:
    """The control for the bad files above: without the edit, the same text loads."""
    path = tmp_path / "good.json"
    path.write_text(document_text(), encoding="utf-8")
    assert_same_state(nn.load(path), base_model())
    path.write_text(literal(repr(SENTINEL))(), encoding="utf-8")
    assert_same_state(nn.load(path), base_model())
    path.write_text(edit(lambda d: None), encoding="utf-8")
    assert_same_state(MLP.load(path), base_model())


def test_integer_weights_in_the_file_are_accepted(tmp_path: Path) -> None:
    path = tmp_path / "m.json"
    path.write_text(literal("7")(), encoding="utf-8")
    assert nn.load(path).state_dict()["layers.1.bias"][0] == 7.0


def test_loading_imports_and_calls_nothing_by_name(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import importlib

    def forbidden(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError(f"load tried to import {args}")

    monkeypatch.setattr(importlib, "import_module", forbidden)
    already = "this" in sys.modules
    path = tmp_path / "m.json"
    for name in ("this.Zen", "this", "os.system", "subprocess.run"):
        path.write_text(put("class", value=name)(), encoding="utf-8")
        with pytest.raises(ValueError, match="class"):
            nn.load(path)
    assert ("this" in sys.modules) == already


def test_unreadable_path_raises(tmp_path: Path) -> None:
    with pytest.raises((ValueError, OSError)):
        nn.load(tmp_path / "does-not-exist.json")
    with pytest.raises((ValueError, OSError)):
        nn.load(tmp_path)  # a directory
