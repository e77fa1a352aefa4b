"""Tests of mlpabc.layers.Dropout (KERAS_PARITY §6)."""

import numpy as np
import pytest

from mlpabc.gradcheck import check_layer
from mlpabc.layers import Dense, Dropout, Residual


def _built(layer, input_shape, seed=0):
    layer.build(input_shape, np.random.default_rng(seed))
    return layer


class _MaskGenerator:
    """Stands in for a numpy Generator so that ``u >= rate`` reproduces a given 0/1 mask."""

    def __init__(self, mask):
        self.mask = mask

    def random(self, shape, dtype=np.float64):
        assert tuple(shape) == self.mask.shape
        return np.where(self.mask, 0.999, 0.0).astype(dtype)  # kept: u = 0.999 >= rate; dropped: 0


# -- inference and training behaviour -------------------------------------------------------------


def test_identity_at_inference():
    layer = _built(Dropout(0.5), (4,))
    x = np.random.default_rng(0).normal(size=(3, 4))
    np.testing.assert_array_equal(layer.forward(x), x)
    assert layer.mask is None
    dy = np.ones((3, 4))
    np.testing.assert_array_equal(layer.backward(dy), dy)


def test_rate_zero_is_the_identity_in_training():
    layer = _built(Dropout(0.0), (4,))
    x = np.ones((3, 4))
    np.testing.assert_array_equal(layer.forward(x, training=True), x)
    assert layer.mask is None


@pytest.mark.parametrize("rate", [0.1, 0.3, 0.5, 0.8])
def test_training_drops_the_rate_and_scales_by_keras_factor(rate):
    layer = _built(Dropout(rate, seed=0), (50,))
    x = np.ones((2000, 50))
    h = layer.forward(x, training=True)
    scale = float(1 / (1 - rate))  # Keras: the Python float 1 / (1 - rate)
    assert set(np.unique(h)) <= {0.0, scale}
    np.testing.assert_array_equal(h, layer.mask * scale)
    dropped = 1 - layer.mask.mean()
    sd = np.sqrt(rate * (1 - rate) / x.size)  # binomial standard deviation of the fraction
    assert abs(dropped - rate) < 5 * sd
    assert abs(h.mean() - 1.0) < 5 * sd / (1 - rate)  # inverted dropout keeps the mean


def test_mask_is_kept_and_backward_uses_it():
    layer = _built(Dropout(0.4, seed=3), (6,))
    rng = np.random.default_rng(1)
    x, dy = rng.normal(size=(5, 6)), rng.normal(size=(5, 6))
    h = layer.forward(x, training=True)
    mask = layer.mask.copy()
    assert set(np.unique(mask)) == {0.0, 1.0} and mask.dtype == np.float64
    np.testing.assert_array_equal(h, x * (1 / 0.6) * mask)
    np.testing.assert_array_equal(layer.backward(dy), dy * (1 / 0.6) * mask)


def test_seeded_layers_repeat_their_masks_and_calls_differ():
    a, b = _built(Dropout(0.5, seed=42), (20,)), _built(Dropout(0.5, seed=42), (20,), seed=99)
    x = np.ones((10, 20))
    a.forward(x, training=True)
    b.forward(x, training=True)
    np.testing.assert_array_equal(a.mask, b.mask)  # the seed wins over the build generator
    first = a.mask.copy()
    a.forward(x, training=True)
    assert not np.array_equal(first, a.mask)  # each training call draws a new mask


def test_unseeded_layer_draws_from_the_build_generator():
    a, b = _built(Dropout(0.5), (20,), seed=5), _built(Dropout(0.5), (20,), seed=5)
    x = np.ones((10, 20))
    a.forward(x, training=True)
    b.forward(x, training=True)
    np.testing.assert_array_equal(a.mask, b.mask)
    c = _built(Dropout(0.5), (20,), seed=6)
    c.forward(x, training=True)
    assert not np.array_equal(a.mask, c.mask)


def test_seed_may_be_a_generator():
    gen = np.random.default_rng(8)
    layer = _built(Dropout(0.5, seed=gen), (4,))
    assert layer.rng is gen


@pytest.mark.parametrize(
    "noise_shape, mask_shape", [((None, 1), (30, 1)), ((1, None), (1, 8)), ((None, None), (30, 8))]
)
def test_noise_shape_broadcasts_the_mask(noise_shape, mask_shape):
    layer = _built(Dropout(0.5, noise_shape=noise_shape, seed=0), (8,))
    x = np.ones((30, 8))
    h = layer.forward(x, training=True)
    assert layer.mask.shape == mask_shape
    np.testing.assert_array_equal(h, np.broadcast_to(layer.mask * 2.0, x.shape))
    np.testing.assert_array_equal(layer.backward(x), h)


def test_float32_masks_and_outputs():
    layer = Dropout(0.5, seed=0)
    layer.build((4,), np.random.default_rng(0), np.float32)
    h = layer.forward(np.ones((3, 4), dtype=np.float32), training=True)
    assert h.dtype == np.float32 and layer.mask.dtype == np.float32


def test_no_weights_like_keras():
    layer = _built(Dropout(0.5), (4,))
    assert layer.get_weights() == [] and layer.count_params() == 0 and layer.params == {}


# -- finite differences: masks frozen across the evaluations --------------------------------------


@pytest.mark.parametrize("training", [True, False])
@pytest.mark.parametrize("seed", [None, 1])
def test_gradients_by_finite_differences(training, seed):
    x = np.random.default_rng(2).normal(size=(6, 5))
    errors = check_layer(Dropout(0.4, seed=seed), x, training=training)
    assert list(errors) == ["x"] and errors["x"] < 1e-6, errors


def test_gradients_with_noise_shape_and_inside_a_block():
    x = np.random.default_rng(3).normal(size=(6, 5))
    assert check_layer(Dropout(0.5, noise_shape=(1, None)), x)["x"] < 1e-6
    block = Residual([Dense(5, activation="tanh"), Dropout(0.5), Dense(5)])
    errors = check_layer(block, x)
    assert max(errors.values()) < 1e-6, errors


# -- errors ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "kwargs, exc, match",
    [
        (
            {"rate": 1.0},
            ValueError,
            r"The 'rate' argument of Dropout must be a float in \[0, 1\)\. Got 1\.0",
        ),
        ({"rate": 1.5}, ValueError, r"'rate' argument of Dropout must be a float in \[0, 1\)"),
        ({"rate": -0.1}, ValueError, "'rate' argument of Dropout"),
        ({"rate": "0.5"}, TypeError, "'rate' argument of Dropout"),
        ({"rate": None}, TypeError, "'rate' argument of Dropout"),
        ({"rate": 0.5, "noise_shape": "1"}, TypeError, "'noise_shape' argument of Dropout"),
        ({"rate": 0.5, "noise_shape": (None, 0)}, ValueError, "positive integers"),
        ({"rate": 0.5, "seed": -1}, ValueError, "'seed' argument of Dropout"),
        ({"rate": 0.5, "seed": "a"}, TypeError, "'seed' argument of Dropout"),
        ({"rate": 0.5, "name": 3}, TypeError, "'name' argument of Dropout"),
        ({"rat": 0.5}, TypeError, "'rat'"),
    ],
)
def test_bad_arguments(kwargs, exc, match):
    with pytest.raises(exc, match=match):
        Dropout(**kwargs)


@pytest.mark.parametrize(
    "noise_shape, match", [((None,), "one entry per input axis"), ((None, 3), "broadcast")]
)
def test_bad_noise_shape_at_build(noise_shape, match):
    with pytest.raises(ValueError, match=match):
        _built(Dropout(0.5, noise_shape=noise_shape), (8,))


def test_noise_shape_batch_entry_must_broadcast():
    layer = _built(Dropout(0.5, noise_shape=(4, None)), (8,))
    with pytest.raises(ValueError, match="batch of 30 samples"):
        layer.forward(np.ones((30, 8)), training=True)


# -- Keras parity ---------------------------------------------------------------------------------


@pytest.mark.keras
def test_inference_is_the_identity_in_keras_too(keras64):
    x = np.random.default_rng(4).normal(size=(5, 6))
    theirs = keras64.layers.Dropout(0.5, seed=1)(x, training=False)
    np.testing.assert_array_equal(_built(Dropout(0.5), (6,)).forward(x), np.asarray(theirs))


@pytest.mark.keras
@pytest.mark.parametrize("rate", [0.2, 0.5, 0.7])
def test_same_mask_gives_keras_output_and_gradient_exactly(keras64, rate):
    # Keras's masks come from TensorFlow's Philox generator, which numpy cannot reproduce.
    # Recover Keras's mask from the output ratio h / x (0 or the scale; x has no zeros), inject
    # it into our layer, and compare the output and dL/dx of L = sum(u * h): they must agree
    # bit for bit (measured: identical).
    tf = pytest.importorskip("tensorflow")
    rng = np.random.default_rng(5)
    x = rng.choice([-1.0, 1.0], size=(8, 6)) * rng.uniform(0.5, 2.0, size=(8, 6))
    u = rng.normal(size=(8, 6))
    xt = tf.constant(x)
    with tf.GradientTape() as tape:
        tape.watch(xt)
        h_keras = keras64.layers.Dropout(rate, seed=7)(xt, training=True)
        loss = tf.reduce_sum(tf.constant(u) * h_keras)
    dx_keras = tape.gradient(loss, xt).numpy()
    h_keras = h_keras.numpy()
    mask = np.abs(h_keras / x) > 0.5  # the ratio is 0 or about 1 / (1 - rate)
    np.testing.assert_array_equal(h_keras[mask], x[mask] * float(1 / (1 - rate)))  # same scale
    np.testing.assert_array_equal(h_keras[~mask], 0.0)

    layer = _built(Dropout(rate), (6,))
    layer.rng = _MaskGenerator(mask)  # inject Keras's mask
    h = layer.forward(x, training=True)
    np.testing.assert_array_equal(layer.mask, mask)
    np.testing.assert_array_equal(h, h_keras)
    np.testing.assert_array_equal(layer.backward(u), dx_keras)


@pytest.mark.keras
def test_keras_drops_at_the_same_rate(keras64):
    x = np.ones((400, 50))
    h = np.asarray(keras64.layers.Dropout(0.3, seed=3)(x, training=True))
    ours = _built(Dropout(0.3, seed=3), (50,)).forward(x, training=True)
    sd = np.sqrt(0.3 * 0.7 / x.size)
    assert abs((h == 0).mean() - 0.3) < 5 * sd and abs((ours == 0).mean() - 0.3) < 5 * sd
    assert h.max() == ours.max() == float(1 / 0.7)
