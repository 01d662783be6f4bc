"""The layer-wide forms of the activations in ``autograd.fast.layer`` pinned to the core
ops they optimise: values bit for bit, signed zeros included; δ = g·act' equal as
numbers (relu's written-out form gives +0.0 where g·0.0 gives -0.0)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from autograd import ops
from autograd.fast import layer

EDGES = [0.0, -0.0, 5e-324, -5e-324, 1e-300, -1e-300, 1.0, -1.0, 1e300, -1e300, 709.0, -745.0]
floats = st.floats(allow_nan=False, allow_infinity=False)


def bits(xs: list[float]) -> list[str]:
    return [x.hex() for x in xs]


@given(st.lists(floats, max_size=40))
def test_relu_values_are_relu_forward(z: list[float]) -> None:
    z = z + EDGES
    assert bits(layer._relu_values(z)) == bits([ops.RELU.forward(v) for v in z])


@given(st.lists(st.tuples(floats, floats), max_size=40))
def test_relu_deltas_are_upstream_times_relu_slope(pairs: list[tuple[float, float]]) -> None:
    pairs = pairs + [(g, y) for g in (1.0, -2.5, 0.0, -0.0) for y in EDGES]
    grads = [g for g, _ in pairs]
    ys = [ops.RELU.forward(y) for _, y in pairs]  # outputs of relu
    expected = [g * ops.RELU.slope(y) for g, y in zip(grads, ys, strict=True)]
    # relu' is 0 or 1, so g·relu' is g or a zero: the written-out form gives g bit for bit
    # where relu' = 1, and +0.0 where it is 0 (g·0.0 is -0.0 for a negative g).
    got = layer._relu_deltas(grads, ys)
    assert got == expected
    for a, b, y in zip(got, expected, ys, strict=True):
        assert a.hex() == (b.hex() if y > 0.0 else "0x0.0p+0")


@given(st.lists(st.floats(-50.0, 50.0), min_size=1, max_size=20))
def test_every_activation_over_a_layer_is_its_op(z: list[float]) -> None:
    for activation in (ops.RELU, ops.TANH, ops.SIGMOID):
        layer_values, layer_deltas = layer._layer_forms(activation)
        values = layer_values(z)
        assert values == [activation.forward(v) for v in z]
        grads = [0.5 * i - 3.0 for i in range(len(z))]
        deltas = layer_deltas(grads, values)
        assert deltas == [g * activation.slope(y) for g, y in zip(grads, values, strict=True)]
    assert layer._layer_forms(None)[0](z) == z
