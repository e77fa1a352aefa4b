"""Tests of mlpabc.gradcheck: central differences, relative error, layer and model checks."""

import numpy as np
import pytest

from mlpabc.gradcheck import check_layer, check_model, numerical_gradient, relative_error
from mlpabc.layers import (
    BatchNormalization,
    Dense,
    Dropout,
    Input,
    Layer,
    LeakyReLU,
    PReLU,
    Residual,
)
from mlpabc.models import Sequential

# -- numerical_gradient ---------------------------------------------------------------------------


def test_numerical_gradient_of_a_quadratic_is_exact_up_to_rounding():
    # Central differences are exact for quadratics: (f(x+e) - f(x-e)) / 2e = 2x + 3.
    x = np.array([1.0, -2.0, 0.5])
    g = numerical_gradient(lambda v: np.sum(v**2 + 3 * v), x)
    np.testing.assert_allclose(g, 2 * x + 3, rtol=1e-9)


def test_numerical_gradient_of_a_2d_function():
    x = np.random.default_rng(0).normal(size=(3, 4))
    g = numerical_gradient(lambda v: np.sum(np.sin(v) * v[0]), x)
    expected = np.cos(x) * x[0]
    expected[0] += np.sum(np.sin(x), axis=0)  # the row v[0] appears twice
    np.testing.assert_allclose(g, expected, rtol=1e-8, atol=1e-10)


def test_central_differences_have_second_order_error():
    # error ~ f'''(x) eps^2 / 6: ten times smaller steps, a hundred times smaller error
    x = np.array([1.0])
    errors = [
        abs(numerical_gradient(lambda v: np.exp(v[0]), x, eps=e)[0] - np.e) for e in (1e-2, 1e-3)
    ]
    assert errors[0] == pytest.approx(np.e * 1e-4 / 6, rel=1e-3)
    assert 90 < errors[0] / errors[1] < 110


def test_numerical_gradient_restores_x_exactly():
    x = np.array([0.1, 0.2, 0.3])
    before = x.copy()
    numerical_gradient(lambda v: np.sum(v**3), x, eps=1e-3)
    np.testing.assert_array_equal(x, before)

    def explode(v):
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError, match="boom"):
        numerical_gradient(explode, x)
    np.testing.assert_array_equal(x, before)


def test_numerical_gradient_through_a_closure():
    # f may ignore its argument and read the perturbed array itself (how weights are checked).
    w = np.array([2.0, -1.0])
    g = numerical_gradient(lambda _: float(w @ np.array([3.0, 4.0])), w)
    np.testing.assert_allclose(g, [3.0, 4.0], rtol=1e-9)


def test_numerical_gradient_accepts_a_list():
    np.testing.assert_allclose(
        numerical_gradient(lambda v: np.sum(v**2), [1.0, 2.0]), [2.0, 4.0], rtol=1e-9
    )


@pytest.mark.parametrize(
    "f, x, eps, exc, match",
    [
        (np.sum, np.ones(2, dtype=np.float32), 1e-6, TypeError, "must be a float64 array"),
        (np.sum, np.ones(2, dtype=int), 1e-6, TypeError, "must be a float64 array"),
        (
            np.sum,
            np.ones(2),
            0.0,
            ValueError,
            "'eps' argument of numerical_gradient must be a float > 0",
        ),
        (np.sum, np.ones(2), "1e-6", TypeError, "'eps' argument of numerical_gradient"),
        (
            "sum",
            np.ones(2),
            1e-6,
            TypeError,
            "'f' argument of numerical_gradient must be a function",
        ),
    ],
)
def test_numerical_gradient_bad_arguments(f, x, eps, exc, match):
    with pytest.raises(exc, match=match):
        numerical_gradient(f, x, eps)


def test_numerical_gradient_refuses_a_read_only_array():
    x = np.ones(3)
    x.flags.writeable = False
    with pytest.raises(ValueError, match="writeable"):
        numerical_gradient(np.sum, x)


# -- relative_error -------------------------------------------------------------------------------


def test_relative_error_goldens():
    assert relative_error(np.array([1.0, 0.0]), np.array([1.0001, 0.0])) == pytest.approx(
        1e-4 / 2.0001
    )
    assert relative_error(np.array([[2.0, 3.0]]), np.array([[2.0, 3.0]])) == 0.0
    assert relative_error(np.zeros(3), np.zeros(3)) == 0.0  # 0 / tiny, not 0 / 0
    assert relative_error(np.array([1.0]), np.array([-1.0])) == 1.0  # opposite signs: the maximum
    assert relative_error(np.array([]), np.array([])) == 0.0
    assert relative_error([1e-3, 1.0], [1.1e-3, 1.0]) == pytest.approx(
        1e-4 / 2.1e-3
    )  # the worst entry


def test_relative_error_shape_mismatch():
    with pytest.raises(ValueError, match=r"same shape. Got \(2,\) and \(3,\)"):
        relative_error(np.zeros(2), np.zeros(3))


# -- check_layer ----------------------------------------------------------------------------------


class _ForgetsTheDerivative(Dense):
    """A classic bug: back-propagating through Dense as if the activation were linear."""

    def backward(self, dy):
        return self.backward_from_logits(dy)


def test_check_layer_passes_a_correct_layer_and_catches_a_bug():
    x = np.random.default_rng(1).normal(size=(5, 3))
    good = check_layer(Dense(4, activation="tanh"), x)
    assert list(good) == ["x", "kernel", "bias"] and max(good.values()) < 1e-7, good
    bad = check_layer(_ForgetsTheDerivative(4, activation="tanh"), x)
    assert min(bad.values()) > 1e-2, bad


def test_check_layer_includes_the_regularization_gradient():
    class _ForgetsThePenalty(Dense):
        def backward_from_logits(self, dz, input_gradient=True):
            dx = super().backward_from_logits(dz, input_gradient)
            self.grads["kernel"] = self.grads["kernel"] - self.kernel_regularizer.gradient(
                self.params["kernel"]
            )
            return dx

    x = np.random.default_rng(2).normal(size=(4, 3))
    errors = check_layer(_ForgetsThePenalty(2, kernel_regularizer="l2"), x)
    assert errors["x"] < 1e-7 and errors["bias"] < 1e-7 and errors["kernel"] > 1e-4, errors


def test_check_layer_is_deterministic_and_builds_with_the_seed():
    x = np.random.default_rng(3).normal(size=(4, 3))
    a, b = Dense(2), Dense(2)
    assert check_layer(a, x, seed=5) == check_layer(b, x, seed=5)
    np.testing.assert_array_equal(a.params["kernel"], b.params["kernel"])
    assert a.built and a.input_shape == (3,)


def test_check_layer_leaves_the_layer_and_x_unchanged():
    rng = np.random.default_rng(4)
    x = rng.normal(size=(6, 3))
    x_before = x.copy()
    bn = BatchNormalization()
    bn.build((3,), rng)
    bn.set_weights([rng.normal(size=3), rng.normal(size=3), rng.normal(size=3), np.full(3, 2.0)])
    weights = bn.get_weights()
    check_layer(bn, x)  # training mode: 2 forward passes per entry, each updating the moving stats
    for a, b in zip(bn.get_weights(), weights):
        np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(x, x_before)

    drop = Dropout(0.5, seed=0)
    drop.build((3,), rng)
    state = drop.rng.bit_generator.state
    check_layer(drop, x)
    assert drop.rng.bit_generator.state == state


def test_check_layer_freezes_dropout_masks():
    # Without rewinding the generator, f(x + eps) and f(x - eps) would use different masks and
    # the "gradient" would be noise of size 1 / eps.
    x = np.random.default_rng(5).normal(size=(8, 5))
    drop = Dropout(0.5)
    errors = check_layer(drop, x)
    assert errors["x"] < 1e-7
    assert drop.mask is not None and 0 < drop.mask.mean() < 1


def test_check_layer_in_inference_mode():
    x = np.random.default_rng(6).normal(size=(4, 3))
    assert check_layer(Dropout(0.5), x, training=False)["x"] < 1e-7


@pytest.mark.parametrize(
    "layer, x, kwargs, exc, match",
    [
        (
            "dense",
            np.ones((2, 3)),
            {},
            TypeError,
            "'layer' argument of check_layer must be an mlpabc layer",
        ),
        (None, np.ones(3), {}, ValueError, r"must be a batch.*reshape\(1, -1\)"),
        (
            None,
            np.ones((2, 3)),
            {"training": "yes"},
            TypeError,
            "'training' argument of check_layer",
        ),
        (None, np.ones((2, 3)), {"eps": -1.0}, ValueError, "'eps' argument"),
    ],
)
def test_check_layer_bad_arguments(layer, x, kwargs, exc, match):
    with pytest.raises(exc, match=match):
        check_layer(Dense(2) if layer is None else layer, x, **kwargs)


def test_check_layer_refuses_float32_layers():
    layer = Dense(2)
    layer.build((3,), np.random.default_rng(0), np.float32)
    with pytest.raises(ValueError, match="float64"):
        check_layer(layer, np.ones((2, 3)))


# -- check_model ----------------------------------------------------------------------------------


class _TinyModel:
    """A minimal stand-in with the contract check_model relies on.

    ``layers``, ``trainable_weights`` (the layers' params in order) and
    ``compute_gradients(x, y, training)`` returning the MSE loss plus penalties and the gradients
    in ``trainable_weights`` order, as ``mlpabc.models.Sequential`` provides.
    """

    def __init__(self, layers, input_dim, seed=0, scale_grads=1.0):
        self.layers = layers
        self.scale_grads = scale_grads
        shape = (input_dim,)
        for layer, rng in zip(layers, np.random.default_rng(seed).spawn(len(layers))):
            layer.build(shape, rng)
            shape = layer.compute_output_shape(shape)

    @property
    def trainable_weights(self):
        return [w for layer in self.layers for w in layer.params.values()]

    def compute_gradients(self, x, y, training=True):
        h = x
        for layer in self.layers:
            h = layer.forward(h, training=training)
        loss = np.mean((h - y) ** 2) + sum(layer.regularization_loss() for layer in self.layers)
        d = 2 * (h - y) / h.size
        for layer in reversed(self.layers):
            d = layer.backward(d)
        for layer in self.layers:  # the penalties' gradients, added once after backward
            layer.add_regularization_gradients()
        return loss, [
            self.scale_grads * layer.grads[k] for layer in self.layers for k in layer.params
        ]


def _data(n=6, d=3, k=2, seed=7):
    rng = np.random.default_rng(seed)
    return rng.normal(size=(n, d)), rng.normal(size=(n, k))


def test_check_model_with_a_stand_in_model():
    model = _TinyModel(
        [
            Dense(4, activation="tanh", kernel_regularizer="l2"),
            BatchNormalization(),
            Dropout(0.3),
            Dense(2, name="out"),
        ],
        input_dim=3,
    )
    x, y = _data()
    before = [layer.get_weights() for layer in model.layers]
    errors = check_model(model, x, y)
    d1, bn = model.layers[0], model.layers[1]
    assert list(errors) == [
        f"{d1.name}/kernel",
        f"{d1.name}/bias",
        f"{bn.name}/gamma",
        f"{bn.name}/beta",
        "out/kernel",
        "out/bias",
    ]
    assert max(errors.values()) < 1e-6, errors
    for layer, weights in zip(model.layers, before):  # weights and moving statistics restored
        for a, b in zip(layer.get_weights(), weights):
            np.testing.assert_array_equal(a, b)


def test_check_model_catches_wrong_gradients():
    model = _TinyModel([Dense(3, activation="sigmoid"), Dense(2)], input_dim=3, scale_grads=1.01)
    errors = check_model(model, *_data())
    assert min(errors.values()) > 1e-3, errors  # 1% off: relative error 0.01 / 2.01


def test_check_model_needs_the_model_contract():
    with pytest.raises(TypeError, match="'model' argument of check_model"):
        check_model(object(), np.ones((2, 3)), np.ones((2, 1)))


def test_check_model_with_sequential():
    # Seeded: about 3% of random initialisations put some gradient entry near 1e-6, where the
    # rounding noise of the finite difference (~1e-10 absolute) alone gives relative errors
    # ~1e-5 (measured over 300 seeds); the check itself is what is tested here.
    model = Sequential(
        [Input((3,)), Dense(4, activation="tanh"), Dense(2, activation="softmax")], seed=0
    )
    model.compile(optimizer="sgd", loss="categorical_crossentropy")
    x = np.random.default_rng(8).normal(size=(5, 3))
    y = np.eye(2)[[0, 1, 1, 0, 1]]
    errors = check_model(model, x, y)
    assert list(errors) == [
        f"{layer.name}/{k}" for layer in model.layers for k in ("kernel", "bias")
    ]
    assert max(errors.values()) < 1e-6, errors


def test_check_model_with_every_layer_inside_sequential():
    model = Sequential(
        [
            Input((3,)),
            Dense(4, activation="relu", kernel_regularizer="l2"),
            Residual([Dense(6, activation="tanh"), BatchNormalization(), Dropout(0.3), Dense(4)]),
            PReLU(alpha_initializer="ones"),
            LeakyReLU(),
            Dense(2, activation="softmax"),
        ],
        seed=0,
    )
    model.compile(optimizer="adam", loss="categorical_crossentropy")
    rng = np.random.default_rng(0)
    x = rng.normal(size=(6, 3))
    y = np.eye(2)[(x[:, 0] > 0).astype(int)]
    before = model.get_weights()
    # eps=1e-5, near the float64 optimum: some gradient entries here are ~1e-5, where the
    # rounding noise of eps=1e-6 (about 1e-10 absolute) alone gives relative errors ~1e-6.
    errors = check_model(model, x, y, eps=1e-5)
    assert len(errors) == 11 and max(errors.values()) < 1e-6, errors
    for a, b in zip(model.get_weights(), before):
        np.testing.assert_array_equal(a, b)


def test_generators_inside_custom_layers_are_frozen_too():
    class NoisyScale(Layer):
        """Multiplies by fresh random numbers on every training pass."""

        def build(self, input_shape, rng, dtype=np.float64):
            super().build(input_shape, rng, dtype)
            self.gen = np.random.default_rng(0)

        def forward(self, x, training=False):
            self.noise = self.gen.uniform(0.5, 1.5, size=x.shape) if training else np.ones_like(x)
            return x * self.noise

        def backward(self, dy):
            return dy * self.noise

    assert check_layer(NoisyScale(), np.random.default_rng(9).normal(size=(3, 2)))["x"] < 1e-7
