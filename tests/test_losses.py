"""Tests of mlpabc.losses: goldens, finite differences, stability, checks, Keras parity, get()."""

import numpy as np
import pytest

from mlpabc import losses as L

EPS = 1e-7


def central_difference(f, x, h=1e-6):
    """Numerical gradient of the scalar function f at x (central differences, float64)."""
    x = np.array(x, dtype=np.float64)
    g = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        old = x[i]
        x[i] = old + h
        fp = f(x)
        x[i] = old - h
        fm = f(x)
        x[i] = old
        g[i] = (fp - fm) / (2 * h)
    return g


def one_hot(labels, k):
    return np.eye(k)[labels]


def make_data(kind, rng, n=6, k=3):
    """(y_true, y_pred) of the kind a loss expects, away from clipping bounds and kinks."""
    labels = np.arange(n) % k
    if kind == "regression":
        return rng.normal(size=(n, k)), rng.normal(size=(n, k))
    if kind == "positive":  # MAPE: targets away from 0
        return rng.uniform(0.5, 2.0, (n, k)) * rng.choice([-1, 1], (n, k)), rng.normal(size=(n, k))
    if kind == "hinge01":
        return (rng.uniform(size=(n, k)) < 0.5).astype(float), rng.normal(size=(n, k))
    if kind == "hinge":
        y = rng.choice([-1.0, 1.0], (n, k))
        p = rng.normal(size=(n, k))
        return y, np.where(np.abs(1 - y * p) < 0.05, p + 0.2, p)
    if kind == "binary":
        return (rng.uniform(size=(n, k)) < 0.5).astype(float), rng.uniform(0.02, 0.98, (n, k))
    if kind == "onehot":  # rows that do not sum to 1: exercises the renormalisation
        return one_hot(labels, k), rng.uniform(0.1, 1.0, (n, k))
    if kind == "sparse":
        return labels, rng.dirichlet(np.ones(k), n) * 0.9 + 0.01
    if kind == "logits":
        return None, rng.normal(scale=3, size=(n, k))
    raise ValueError(kind)


# name -> (factory of our loss, Keras class name, Keras kwargs, data kind)
CASES = {
    "mse": (L.MeanSquaredError, "MeanSquaredError", {}, "regression"),
    "mae": (L.MeanAbsoluteError, "MeanAbsoluteError", {}, "regression"),
    "mape": (L.MeanAbsolutePercentageError, "MeanAbsolutePercentageError", {}, "positive"),
    "hinge_pm1": (L.Hinge, "Hinge", {}, "hinge"),
    "hinge_01": (L.Hinge, "Hinge", {}, "hinge01"),
    "bce": (L.BinaryCrossentropy, "BinaryCrossentropy", {}, "binary"),
    "bce_smooth": (L.BinaryCrossentropy, "BinaryCrossentropy", {"label_smoothing": 0.1}, "binary"),
    "cce": (L.CategoricalCrossentropy, "CategoricalCrossentropy", {}, "onehot"),
    "cce_smooth": (
        L.CategoricalCrossentropy,
        "CategoricalCrossentropy",
        {"label_smoothing": 0.2},
        "onehot",
    ),
    "scce": (L.SparseCategoricalCrossentropy, "SparseCategoricalCrossentropy", {}, "sparse"),
}

LOGIT_CASES = {
    "bce": (L.BinaryCrossentropy, "BinaryCrossentropy", {}, "binary"),
    "bce_smooth": (L.BinaryCrossentropy, "BinaryCrossentropy", {"label_smoothing": 0.1}, "binary"),
    "cce": (L.CategoricalCrossentropy, "CategoricalCrossentropy", {}, "onehot"),
    "cce_smooth": (
        L.CategoricalCrossentropy,
        "CategoricalCrossentropy",
        {"label_smoothing": 0.2},
        "onehot",
    ),
    "scce": (L.SparseCategoricalCrossentropy, "SparseCategoricalCrossentropy", {}, "sparse"),
}


def logits_data(kind, rng, n=6, k=3):
    y, _ = make_data(kind, rng, n, k)
    return y, rng.normal(scale=3, size=(n, k))


# -- goldens --------------------------------------------------------------------------------

DOC_Y = [[1, 9, 2], [-5, -2, 6]]
DOC_P = [[4, 8, 12], [8, 1, 3]]


def test_golden_keras_docstring_mse():
    # squared errors 9, 1, 100 | 169, 9, 9  ->  (110 + 187) / 6 = 49.5
    assert L.MeanSquaredError()(DOC_Y, DOC_P) == 49.5
    np.testing.assert_allclose(L.mean_squared_error(DOC_Y, DOC_P), [110 / 3, 187 / 3], rtol=1e-15)


def test_golden_regression_losses():
    # absolute errors 3, 1, 10 | 13, 3, 3  ->  33 / 6
    assert L.MeanAbsoluteError()(DOC_Y, DOC_P) == 5.5
    np.testing.assert_allclose(L.mean_absolute_error(DOC_Y, DOC_P), [14 / 3, 19 / 3], rtol=1e-15)
    # 100 * (|2-1|/2 + |4-5|/4) / 2 = 37.5
    assert L.MeanAbsolutePercentageError()([[2.0, 4.0]], [[1.0, 5.0]]) == 37.5
    # labels (1, 0) -> (+1, -1): (max(1 - 0.5, 0) + max(1 + 0.5, 0)) / 2 = 1
    assert L.Hinge()([[1.0, 0.0]], [[0.5, 0.5]]) == 1.0


def test_golden_crossentropies():
    ln2 = np.log(2.0)
    assert L.BinaryCrossentropy()([[0.0, 1.0]], [[0.5, 0.5]]) == pytest.approx(ln2, rel=1e-15)
    assert L.CategoricalCrossentropy()([[0, 1, 0]], [[0.25, 0.5, 0.25]]) == pytest.approx(ln2)
    # unnormalised row [0.1, 0.2, 0.1] is renormalised to [1/4, 1/2, 1/4]
    assert L.CategoricalCrossentropy()([[0, 1, 0]], [[0.1, 0.2, 0.1]]) == pytest.approx(ln2)
    assert L.SparseCategoricalCrossentropy()([1], [[0.25, 0.5, 0.25]]) == pytest.approx(ln2)
    # logits [0, 0] -> softmax [1/2, 1/2]; sigmoid(0) = 1/2
    assert L.CategoricalCrossentropy(from_logits=True)([[0, 1]], [[0.0, 0.0]]) == pytest.approx(ln2)
    assert L.BinaryCrossentropy(from_logits=True)([[1.0]], [[0.0]]) == pytest.approx(ln2)
    # label smoothing 0.5 of the target 1 gives 0.75; at p = 1/2 the loss is still log 2
    assert L.BinaryCrossentropy(label_smoothing=0.5)([[1.0]], [[0.5]]) == pytest.approx(ln2)


def test_golden_gradients():
    # MSE: 2 (p - y) / (N d)
    np.testing.assert_array_equal(
        L.MeanSquaredError().gradient(np.array([[1.0, 2.0]]), np.array([[2.0, 2.0]])), [[1.0, 0.0]]
    )
    # BCE at p = 1/2, y = 1: (p - y) / (p (1 - p)) = -2
    np.testing.assert_allclose(
        L.BinaryCrossentropy().gradient(np.array([[1.0]]), np.array([[0.5]])), [[-2.0]]
    )
    # softmax - onehot at z = 0: [1/2, 1/2] - [0, 1]
    np.testing.assert_allclose(
        L.CategoricalCrossentropy().gradient_from_logits(np.array([[0.0, 1.0]]), np.zeros((1, 2))),
        [[0.5, -0.5]],
    )
    np.testing.assert_allclose(
        L.SparseCategoricalCrossentropy().gradient_from_logits(np.array([1]), np.zeros((1, 2))),
        [[0.5, -0.5]],
    )


def test_functions_return_per_sample_values(rng):
    y, p = make_data("regression", rng)
    for fn, cls in [
        (L.mean_squared_error, L.MeanSquaredError),
        (L.mean_absolute_error, L.MeanAbsoluteError),
        (L.hinge, L.Hinge),
    ]:
        per_sample = fn(y, p)
        assert per_sample.shape == (6,)
        assert cls()(y, p) == pytest.approx(per_sample.mean(), rel=1e-15)
    y, p = make_data("onehot", rng)
    assert L.categorical_crossentropy(y, p).shape == (6,)
    assert L.sparse_categorical_crossentropy(np.arange(6) % 3, p / 3).shape == (6,)
    assert L.binary_crossentropy(y, p / 2).shape == (6,)


def test_mape_at_zero_target_is_huge_but_finite():
    # |0 - 1| / max(0, 1e-7) = 1e7, times 100, averaged with 100 * 1/2
    value = L.MeanAbsolutePercentageError()([[0.0, 2.0]], [[1.0, 3.0]])
    assert value == pytest.approx((1e9 + 50) / 2, rel=1e-15)
    assert np.isfinite(
        L.MeanAbsolutePercentageError().gradient(np.array([[0.0, 2.0]]), np.array([[1.0, 3.0]]))
    ).all()


def test_hinge_label_mapping(rng):
    p = rng.normal(size=(5, 2))
    y01 = (rng.uniform(size=(5, 2)) < 0.5).astype(float)
    assert L.Hinge()(y01, p) == L.Hinge()(2 * y01 - 1, p)
    # labels that are not all 0/1 are used as they are (0 stays 0)
    mixed = np.array([[0.0, 1.0], [-1.0, 1.0]])
    expected = np.mean(np.maximum(1 - mixed * p[:2], 0))
    assert L.Hinge()(mixed, p[:2]) == pytest.approx(expected, rel=1e-15)


# -- finite differences ---------------------------------------------------------------------


@pytest.mark.parametrize("name", CASES)
def test_gradient_matches_finite_differences(name, rng):
    make, _, kw, kind = CASES[name]
    loss = make(**kw)
    y, p = make_data(kind, rng)
    numeric = central_difference(lambda t: loss(y, t), p)
    np.testing.assert_allclose(loss.gradient(y, p), numeric, rtol=1e-6, atol=1e-9)


@pytest.mark.parametrize("name", LOGIT_CASES)
def test_logits_gradient_matches_finite_differences(name, rng):
    make, _, kw, kind = LOGIT_CASES[name]
    loss = make(**kw)
    y, z = logits_data(kind, rng)
    numeric = central_difference(lambda t: loss.value_from_logits(y, t), z)
    np.testing.assert_allclose(loss.gradient_from_logits(y, z), numeric, rtol=1e-6, atol=1e-10)
    # from_logits=True routes __call__ and gradient to the same formulas
    wrapped = make(from_logits=True, **kw)
    assert wrapped(y, z) == loss.value_from_logits(y, z)
    np.testing.assert_array_equal(wrapped.gradient(y, z), loss.gradient_from_logits(y, z))


def test_cce_logits_gradient_is_exact_for_soft_targets(rng):
    # targets that do not sum to 1: the gradient is that of the value (not TF's softmax - y)
    y = rng.uniform(size=(4, 3))
    z = rng.normal(size=(4, 3))
    loss = L.CategoricalCrossentropy()
    numeric = central_difference(lambda t: loss.value_from_logits(y, t), z)
    np.testing.assert_allclose(loss.gradient_from_logits(y, z), numeric, rtol=1e-6, atol=1e-10)


def test_logits_form_equals_probability_form_inside_the_clip(rng):
    from mlpabc.activations import sigmoid, softmax

    y, z = logits_data("binary", rng)
    bce = L.BinaryCrossentropy()
    assert bce.value_from_logits(y, z) == pytest.approx(bce(y, sigmoid(z)), rel=1e-12)
    y, z = logits_data("onehot", rng)
    cce = L.CategoricalCrossentropy()
    assert cce.value_from_logits(y, z) == pytest.approx(cce(y, softmax(z)), rel=1e-12)
    # chain rule: dL/dz = dL/dp * sigmoid'(z) (elementwise)
    y, z = logits_data("binary", rng)
    s = sigmoid(z)
    np.testing.assert_allclose(
        bce.gradient_from_logits(y, z), bce.gradient(y, s) * s * (1 - s), rtol=1e-12
    )


def test_clipping_cuts_the_gradient():
    y = np.array([[1.0, 0.0, 1.0, 0.0]])
    p = np.array([[0.0, 1.0, 1e-9, 1 - 1e-9]])
    np.testing.assert_array_equal(L.BinaryCrossentropy().gradient(y, p), 0.0)
    # at the bounds themselves the gradient still flows (as in TensorFlow)
    g = L.BinaryCrossentropy().gradient(np.array([[1.0, 0.0]]), np.array([[EPS, 1 - EPS]]))
    assert np.all(g != 0)
    g = L.SparseCategoricalCrossentropy().gradient(np.array([0]), np.array([[0.0, 1.0]]))
    assert g[0, 0] == 0.0  # the true class is clipped: no gradient there


# -- stability ------------------------------------------------------------------------------

RAISE = dict(over="raise", invalid="raise", divide="raise", under="ignore")


@pytest.mark.parametrize(
    "loss, y, p",
    [
        (L.BinaryCrossentropy(), [[1.0, 0.0, 1.0, 0.0]], [[0.0, 1.0, 1.0, 0.0]]),
        (L.BinaryCrossentropy(label_smoothing=0.1), [[1.0, 0.0]], [[0.0, 1.0]]),
        (L.CategoricalCrossentropy(), [[0, 1, 0], [1, 0, 0]], [[1.0, 0.0, 0.0], [1.0, 0.0, 0.0]]),
        (L.CategoricalCrossentropy(label_smoothing=0.1), [[0, 1, 0]], [[1.0, 0.0, 0.0]]),
        (L.SparseCategoricalCrossentropy(), [1, 0], [[1.0, 0.0, 0.0], [1.0, 0.0, 0.0]]),
        (L.MeanAbsolutePercentageError(), [[0.0, 0.0]], [[1000.0, -1000.0]]),
    ],
)
def test_stable_at_probabilities_zero_and_one(loss, y, p):
    with np.errstate(**RAISE):
        value = loss(y, p)
        p = np.asarray(p, dtype=float)
        grad = loss.gradient(loss.check_targets(y, p.shape), p)
    assert np.isfinite(value) and np.all(np.isfinite(grad))


def test_saturated_probability_values():
    # clipping: a confident wrong answer costs -log(1e-7) per entry
    assert L.BinaryCrossentropy()([[1.0]], [[0.0]]) == pytest.approx(-np.log(EPS), rel=1e-12)
    assert L.CategoricalCrossentropy()([[0, 1]], [[1.0, 0.0]]) == pytest.approx(
        -np.log(EPS), rel=1e-12
    )


@pytest.mark.parametrize("name", LOGIT_CASES)
def test_stable_at_extreme_logits(name, rng):
    make, _, kw, kind = LOGIT_CASES[name]
    loss = make(**kw)
    y, _ = make_data(kind, rng, n=4, k=2)
    z = np.array([[1000.0, -1000.0], [-1000.0, 1000.0], [1000.0, 1000.0], [-1000.0, 0.0]])
    with np.errstate(**RAISE):
        value = loss.value_from_logits(y, z)
        grad = loss.gradient_from_logits(y, z)
        value2 = make(from_logits=True, **kw)(y, z)
    assert np.isfinite(value) and value == value2 and np.all(np.isfinite(grad))


def test_extreme_logit_values():
    # a wrong logit of 1000 costs 1000; a right one costs 0
    assert (
        L.BinaryCrossentropy().value_from_logits(
            np.array([[0.0, 1.0]]), np.array([[1000.0, 1000.0]])
        )
        == 500.0
    )
    assert (
        L.CategoricalCrossentropy().value_from_logits(
            np.array([[0, 1]]), np.array([[1000.0, -1000.0]])
        )
        == 2000.0
    )
    assert (
        L.SparseCategoricalCrossentropy().value_from_logits(
            np.array([0]), np.array([[1000.0, -1000.0]])
        )
        == 0.0
    )


# -- shapes, dtypes, checks -----------------------------------------------------------------


@pytest.mark.parametrize("name", [n for n in CASES if CASES[n][3] not in ("onehot", "sparse")])
def test_column_against_vector(name, rng):
    make, _, kw, kind = CASES[name]
    loss = make(**kw)
    y, p = make_data(kind, rng, k=1)
    ref = loss(y, p)
    for yy, pp in [(y[:, 0], p), (y, p[:, 0]), (y[:, 0], p[:, 0])]:
        assert loss(yy, pp) == pytest.approx(ref, rel=1e-15)
        # the math takes targets as the boundary (check_targets) shapes them
        g = loss.gradient(loss.check_targets(yy, pp.shape), pp)
        assert g.shape == pp.shape
        np.testing.assert_allclose(g.reshape(-1), loss.gradient(y, p).reshape(-1), rtol=1e-15)


def test_per_sample_shapes_follow_keras_alignment():
    # (n,) vs (n, 1): a trailing axis is added to the 1-D side, one value per sample
    assert L.mean_squared_error([1.0, 2.0], [[1.0], [3.0]]).shape == (2,)
    assert L.mean_squared_error([[1.0], [2.0]], [1.0, 3.0]).shape == (2,)
    assert L.binary_crossentropy([1.0, 0.0], [[0.5], [0.5]]).shape == (2,)


@pytest.mark.parametrize(
    "loss, y, p, message",
    [
        (
            L.MeanSquaredError(),
            np.zeros((4, 2)),
            np.zeros((4, 3)),
            r"'y_true' and 'y_pred' arguments of MeanSquaredError must have the same shape .* "
            r"Got y_true of shape \(4, 2\) and y_pred of shape \(4, 3\)\.",
        ),
        (
            L.MeanSquaredError(),
            np.zeros(4),
            np.zeros((4, 2)),
            r"y_true of shape \(4,\) and y_pred of shape \(4, 2\)",
        ),
        (
            L.CategoricalCrossentropy(),
            [0, 2, 1],
            np.full((3, 3), 1 / 3),
            r"Got y_true of shape \(3,\).*use 'sparse_categorical_crossentropy'",
        ),
        (
            L.MeanSquaredError(),
            [[np.nan, 1.0]],
            [[1.0, 1.0]],
            r"'y_true' argument of MeanSquaredError must be an array of finite numbers.*NaN",
        ),
        (
            L.MeanSquaredError(),
            [[1.0, 1.0]],
            [[np.inf, 1.0]],
            r"'y_pred' argument of MeanSquaredError must be an array of finite numbers.*infinity",
        ),
        (
            L.MeanSquaredError(),
            1.0,
            1.0,
            r"'y_pred' argument of MeanSquaredError must be an array with at least one dimension",
        ),
        (L.MeanSquaredError(), np.zeros((0, 2)), np.zeros((0, 2)), r"must be a non-empty array"),
        (
            L.BinaryCrossentropy(),
            [[1.0]],
            [[1.5]],
            r"must hold probabilities in \[0, 1\]\. Got values from 1\.5 to 1\.5 instead\. "
            r".*from_logits=True",
        ),
        (
            L.CategoricalCrossentropy(),
            [[1, 0]],
            [[-0.5, 0.5]],
            r"'y_pred' argument of CategoricalCrossentropy must hold probabilities",
        ),
        (L.CategoricalCrossentropy(), [[1, 0]], [[0.0, 0.0]], r"positive sum\. Got a row of zeros"),
        (
            L.SparseCategoricalCrossentropy(),
            [0, 1, 3],
            np.full((3, 3), 1 / 3),
            r"'y_true' argument of SparseCategoricalCrossentropy must hold integer class labels "
            r"in \[0, 3\)\. Got 3 \(at index 2\) instead\.",
        ),
        (
            L.SparseCategoricalCrossentropy(),
            [[0], [-1]],
            np.full((2, 3), 1 / 3),
            r"labels in \[0, 3\)\. Got -1 \(at index \(1, 0\)\)",
        ),
        (
            L.SparseCategoricalCrossentropy(),
            [0.0, 1.5],
            np.full((2, 3), 1 / 3),
            r"Got 1\.5 \(at index 1\)",
        ),
        (
            L.SparseCategoricalCrossentropy(),
            np.eye(3),
            np.full((3, 3), 1 / 3),
            r"one integer class label per sample, an array of shape \(3,\) \(or \(3, 1\)\)"
            r".*use 'categorical_crossentropy'",
        ),
        (
            L.SparseCategoricalCrossentropy(),
            [0, 1],
            np.full((3, 3), 1 / 3),
            r"Got an array of shape \(2,\) instead",
        ),
        (L.SparseCategoricalCrossentropy(), [0, np.nan], np.full((2, 3), 1 / 3), r"finite numbers"),
    ],
)
def test_bad_values(loss, y, p, message):
    # __call__ is the boundary that checks; gradient is the math on checked arrays
    with pytest.raises(ValueError, match=message):
        loss(y, p)


def test_sparse_label_range_message_of_the_brief():
    labels = [0, 1, 2, 0, 1, 2, 0, 3]
    with pytest.raises(ValueError, match=r"labels in \[0, 3\)\. Got 3 \(at index 7\)"):
        L.sparse_categorical_crossentropy(labels, np.full((8, 3), 1 / 3))


@pytest.mark.parametrize(
    "call, exc, message",
    [
        (
            lambda: L.MeanSquaredError()("abc", [1.0]),
            TypeError,
            r"'y_true' argument of MeanSquaredError must be an array of numbers",
        ),
        (
            lambda: L.MeanSquaredError()([1.0], None),
            TypeError,
            r"'y_pred' argument of MeanSquaredError must be an array",
        ),
        (lambda: L.mean_absolute_error([[1, 2], [3]], [1.0]), TypeError, r"'y_pred'|'y_true'"),
        (
            lambda: L.SparseCategoricalCrossentropy()(["a"], [[1.0]]),
            TypeError,
            r"integer class labels",
        ),
        (
            lambda: L.BinaryCrossentropy(from_logits="yes"),
            TypeError,
            r"'from_logits' argument of BinaryCrossentropy must be True or False",
        ),
        (
            lambda: L.BinaryCrossentropy(label_smoothing=1.5),
            ValueError,
            r"'label_smoothing' argument of BinaryCrossentropy must be a float in \[0, 1\]\. "
            r"Got 1\.5",
        ),
        (
            lambda: L.CategoricalCrossentropy(label_smoothing=-0.1),
            ValueError,
            r"'label_smoothing' argument of CategoricalCrossentropy",
        ),
        (
            lambda: L.binary_crossentropy([1.0], [0.5], label_smoothing="a"),
            TypeError,
            r"'label_smoothing' argument of binary_crossentropy must be a number",
        ),
        (
            lambda: L.SparseCategoricalCrossentropy(label_smoothing=0.1),
            TypeError,
            r"unexpected keyword argument 'label_smoothing'",
        ),
        (
            lambda: L.MeanSquaredError().value_from_logits([1.0], [1.0]),
            TypeError,
            r"MeanSquaredError\.value_from_logits is not available: "
            r"MeanSquaredError has no logits form",
        ),
        (
            lambda: L.Hinge().gradient_from_logits([1.0], [1.0]),
            TypeError,
            r"Hinge has no logits form",
        ),
    ],
)
def test_bad_arguments(call, exc, message):
    with pytest.raises(exc, match=message):
        call()


def test_float32_predictions_keep_float32(rng):
    y, p = make_data("binary", rng)
    y = np.asarray(y, dtype=np.float32)  # as the boundary (fit, check_targets) converts them
    g = L.BinaryCrossentropy().gradient(y, p.astype(np.float32))
    assert g.dtype == np.float32
    g = L.MeanSquaredError().gradient(y, p.astype(np.float32))
    assert g.dtype == np.float32
    labels, p = make_data("sparse", rng)
    assert (
        L.SparseCategoricalCrossentropy().gradient(labels, p.astype(np.float32)).dtype == np.float32
    )


@pytest.mark.parametrize("name", CASES)
def test_does_not_modify_inputs(name, rng):
    make, _, kw, kind = CASES[name]
    y, p = make_data(kind, rng)
    y0, p0 = np.copy(y), np.copy(p)
    loss = make(**kw)
    loss(y, p)
    loss.gradient(y, p)
    np.testing.assert_array_equal(y, y0)
    np.testing.assert_array_equal(p, p0)


def test_integer_inputs_are_accepted():
    assert L.MeanSquaredError()([[1, 2]], [[1, 4]]) == 2.0
    assert L.SparseCategoricalCrossentropy()(
        np.array([1.0, 0.0]), [[0.5, 0.5], [0.5, 0.5]]
    ) == pytest.approx(np.log(2))
    assert L.SparseCategoricalCrossentropy()(
        np.array([True, False]), [[0.5, 0.5], [0.5, 0.5]]
    ) == pytest.approx(np.log(2))


# -- the fast path a model uses ---------------------------------------------------------------


@pytest.mark.parametrize("name", CASES)
def test_check_targets_and_internal_methods(name, rng):
    make, _, kw, kind = CASES[name]
    loss = make(**kw)
    y, p = make_data(kind, rng)
    yc = loss.check_targets(y, p.shape)
    assert loss.value(yc, p) == loss(y, p)
    # batches are slices of the checked targets
    assert loss.value(yc[2:5], p[2:5]) == loss(np.asarray(y)[2:5], p[2:5])


def test_check_targets_fixes_trailing_axis_and_checks():
    y = L.MeanSquaredError().check_targets([1, 2, 3], (3, 1))
    assert y.shape == (3, 1) and y.dtype == np.float64
    assert L.MeanSquaredError().check_targets([[1], [2]], (2,)).shape == (2,)
    assert L.MeanSquaredError().check_targets([1, 2], (2, 1), dtype=np.float32).dtype == np.float32
    labels = L.SparseCategoricalCrossentropy().check_targets([[2], [0]], (2, 3))
    assert labels.shape == (2,) and labels.dtype.kind == "i"
    with pytest.raises(ValueError, match=r"check_targets must have the same shape"):
        L.MeanSquaredError().check_targets(np.zeros((3, 2)), (3, 1))
    with pytest.raises(ValueError, match=r"labels in \[0, 3\)\. Got 5 \(at index 1\)"):
        L.SparseCategoricalCrossentropy().check_targets([0, 5], (2, 3))


@pytest.mark.parametrize("name", LOGIT_CASES)
def test_internal_logits_methods(name, rng):
    make, _, kw, kind = LOGIT_CASES[name]
    loss = make(**kw)
    y, z = logits_data(kind, rng)
    yc = loss.check_targets(y, z.shape)
    assert loss.value_from_logits(yc, z) == make(from_logits=True, **kw)(y, z)
    np.testing.assert_array_equal(
        loss.gradient_from_logits(yc, z), make(from_logits=True, **kw).gradient(yc, z)
    )


# -- attributes and get() ---------------------------------------------------------------------


def test_attributes():
    assert L.MeanSquaredError().name == "mean_squared_error"
    assert L.MeanSquaredError().logits_activation is None
    assert L.MeanSquaredError().from_logits is False
    assert L.BinaryCrossentropy().logits_activation == "sigmoid"
    assert L.CategoricalCrossentropy().logits_activation == "softmax"
    assert L.SparseCategoricalCrossentropy().logits_activation == "softmax"
    assert L.BinaryCrossentropy(from_logits=True).from_logits is True


@pytest.mark.parametrize(
    "identifier, cls",
    [
        ("mse", L.MeanSquaredError),
        ("MSE", L.MeanSquaredError),
        ("mean_squared_error", L.MeanSquaredError),
        ("mae", L.MeanAbsoluteError),
        ("mean_absolute_error", L.MeanAbsoluteError),
        ("mape", L.MeanAbsolutePercentageError),
        ("mean_absolute_percentage_error", L.MeanAbsolutePercentageError),
        ("binary_crossentropy", L.BinaryCrossentropy),
        ("categorical_crossentropy", L.CategoricalCrossentropy),
        ("sparse_categorical_crossentropy", L.SparseCategoricalCrossentropy),
        ("hinge", L.Hinge),
        (L.mean_squared_error, L.MeanSquaredError),
        (L.sparse_categorical_crossentropy, L.SparseCategoricalCrossentropy),
        (L.Hinge, L.Hinge),
    ],
)
def test_get(identifier, cls):
    loss = L.get(identifier)
    assert type(loss) is cls and loss == cls()


def test_get_passes_instances_through():
    loss = L.BinaryCrossentropy(from_logits=True)
    assert L.get(loss) is loss


def test_get_unknown_name():
    with pytest.raises(
        ValueError,
        match=r"Unknown loss 'binary_crossentropie'.*Did you mean 'binary_crossentropy'\?",
    ):
        L.get("binary_crossentropie")


@pytest.mark.parametrize(
    "bad, got", [(None, "None: a loss is required"), (3, "3"), (np.mean, "the callable")]
)
def test_get_rejects(bad, got):
    with pytest.raises(
        TypeError,
        match=r"'loss' argument must be a name \(one of 'binary_crossentropy'.*Got " + got,
    ):
        L.get(bad)


def test_repr_and_equality():
    assert repr(L.MeanSquaredError()) == "MeanSquaredError()"
    assert (
        repr(L.SparseCategoricalCrossentropy())
        == "SparseCategoricalCrossentropy(from_logits=False)"
    )
    assert L.BinaryCrossentropy(label_smoothing=0.1) != L.BinaryCrossentropy()
    assert len({L.Hinge(), L.Hinge(), L.MeanSquaredError()}) == 2


# -- Keras parity (float64) -------------------------------------------------------------------


def keras_value_and_grad(keras_loss, y, p):
    import tensorflow as tf

    pt = tf.constant(p)
    with tf.GradientTape() as tape:
        tape.watch(pt)
        value = keras_loss(tf.constant(y), pt)
    return float(value), tape.gradient(value, pt).numpy()


def saturated_data(kind, rng):
    y, p = make_data(kind, rng)
    if kind == "binary":
        p[0] = [0.0, 1.0, 1e-9]
        p[1] = [1 - 1e-9, 1e-7, 1 - 1e-7]
        y[0], y[1] = [1.0, 0.0, 1.0], [0.0, 1.0, 0.0]
    elif kind == "onehot":
        p[0] = [1.0, 0.0, 0.0]  # true class 0: no loss
        p[1] = [1.0, 0.0, 0.0]  # true class 1 has probability 0
        p[2] = [1e-9, 1e-9, 1.0]
    elif kind == "sparse":
        p[0] = [1.0, 0.0, 0.0]
        p[1] = [1.0, 0.0, 0.0]
        p[2] = [0.0, 0.0, 1.0]
    return y, p


PROBABILITY_CASES = [n for n in CASES if CASES[n][3] in ("binary", "onehot", "sparse")]


@pytest.mark.keras
@pytest.mark.parametrize(
    "name, saturated", [(n, False) for n in CASES] + [(n, True) for n in PROBABILITY_CASES]
)
def test_value_and_gradient_match_keras(name, saturated, keras64, rng):
    make, keras_name, kw, kind = CASES[name]
    y, p = saturated_data(kind, rng) if saturated else make_data(kind, rng)
    value, grad = keras_value_and_grad(getattr(keras64.losses, keras_name)(**kw), y, p)
    loss = make(**kw)
    # measured worst over seeds: value 3.7e-16 relative, gradient 1.4e-15 relative (smoothed CCE)
    assert loss(y, p) == pytest.approx(value, rel=2e-15, abs=0)
    np.testing.assert_allclose(loss.gradient(y, p), grad, rtol=5e-15, atol=0)


@pytest.mark.keras
@pytest.mark.parametrize("name", LOGIT_CASES)
def test_logits_forms_match_keras_from_logits(name, keras64, rng):
    make, keras_name, kw, kind = LOGIT_CASES[name]
    y, z = logits_data(kind, rng)
    z[0, :2] = [1000.0, -1000.0]  # saturated logits too
    value, grad = keras_value_and_grad(
        getattr(keras64.losses, keras_name)(from_logits=True, **kw), y, z
    )
    loss = make(**kw)
    # measured worst over seeds: value 2.5e-16 relative, gradient 1.7e-15 relative
    assert loss.value_from_logits(y, z) == pytest.approx(value, rel=2e-15, abs=0)
    np.testing.assert_allclose(loss.gradient_from_logits(y, z), grad, rtol=5e-15, atol=0)
    assert make(from_logits=True, **kw)(y, z) == pytest.approx(value, rel=2e-15, abs=0)


@pytest.mark.keras
@pytest.mark.parametrize(
    "fn, keras_name, y, p",
    [
        (L.mean_squared_error, "mean_squared_error", [1.0, 2.0, 3.0], [[1.5], [2.0], [0.0]]),
        (L.mean_absolute_error, "mean_absolute_error", [[1.0], [2.0]], [1.5, 2.5]),
        (L.mean_absolute_percentage_error, "mean_absolute_percentage_error", DOC_Y, DOC_P),
        (L.hinge, "hinge", [[1.0, 0.0], [0.0, 0.0]], [[0.3, -2.0], [0.5, 1.5]]),
        (L.binary_crossentropy, "binary_crossentropy", [[1.0, 0.0]], [[0.3, 0.6]]),
        (
            L.categorical_crossentropy,
            "categorical_crossentropy",
            [[0, 1, 0], [1, 0, 0]],
            [[0.2, 0.3, 0.5], [0.6, 0.2, 0.2]],
        ),
        (
            L.sparse_categorical_crossentropy,
            "sparse_categorical_crossentropy",
            [1, 0],
            [[0.2, 0.3, 0.5], [0.6, 0.2, 0.2]],
        ),
    ],
)
def test_functions_match_keras_functions(fn, keras_name, y, p, keras64):
    expected = np.asarray(
        getattr(keras64.losses, keras_name)(np.asarray(y, float), np.asarray(p, float))
    )
    out = fn(y, p)
    assert out.shape == expected.shape
    np.testing.assert_allclose(out, expected, rtol=1e-15, atol=0)


@pytest.mark.keras
def test_mape_zero_target_matches_keras(keras64):
    y, p = np.array([[0.0, 2.0], [0.0, -1.0]]), np.array([[1.0, 3.0], [-0.5, 0.0]])
    value, grad = keras_value_and_grad(keras64.losses.MeanAbsolutePercentageError(), y, p)
    assert L.MeanAbsolutePercentageError()(y, p) == pytest.approx(value, rel=1e-15)
    np.testing.assert_allclose(L.MeanAbsolutePercentageError().gradient(y, p), grad, rtol=1e-15)


@pytest.mark.keras
def test_golden_matches_keras(keras64):
    assert (
        float(keras64.losses.MeanSquaredError()(np.array(DOC_Y, float), np.array(DOC_P, float)))
        == 49.5
    )


@pytest.mark.keras
@pytest.mark.parametrize(
    "activation, loss_name, k",
    [
        ("sigmoid", "binary_crossentropy", 3),
        ("sigmoid", "binary_crossentropy", 1),
        ("softmax", "categorical_crossentropy", 3),
        ("softmax", "sparse_categorical_crossentropy", 3),
    ],
)
def test_model_uses_the_logits_formula(activation, loss_name, k, keras64, rng):
    # KERAS_PARITY 0.4: Dense(k, activation=sigmoid/softmax) + cross-entropy is evaluated from the
    # Dense's pre-activation. Large weights saturate the outputs, so the clipped formula differs.
    keras = keras64
    n = 8
    x = rng.normal(size=(n, 4))
    W, b = rng.normal(scale=30, size=(4, k)), rng.normal(size=k)
    labels = np.arange(n) % max(k, 2)
    if loss_name == "binary_crossentropy":
        y = (rng.uniform(size=(n, k)) < 0.5).astype(float)
        if k == 1:
            y = y[:, 0]  # (n,) targets against (n, 1) outputs
    elif loss_name == "categorical_crossentropy":
        y = one_hot(labels, k)
    else:
        y = labels
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(k, activation=activation)])
    model.set_weights([W, b])
    model.compile(loss=loss_name)
    evaluated = model.evaluate(x, y, batch_size=n, verbose=0)
    loss = L.get(loss_name)
    z = x @ W + b
    y_checked = loss.check_targets(y, z.shape)  # the math takes targets as fit checks them
    assert loss.value_from_logits(y_checked, z) == pytest.approx(evaluated, rel=2e-15)
    probabilities = model.predict(x, verbose=0)
    assert abs(loss(y, probabilities) - evaluated) > 1e-3  # the clipped formula is something else
    keras_class = {
        "binary_crossentropy": "BinaryCrossentropy",
        "categorical_crossentropy": "CategoricalCrossentropy",
    }
    keras_loss = getattr(
        keras.losses, keras_class.get(loss_name, "SparseCategoricalCrossentropy")
    )()
    assert loss(y, probabilities) == pytest.approx(float(keras_loss(y, probabilities)), rel=2e-15)


@pytest.mark.keras
@pytest.mark.parametrize("name", ["mse", "bce", "cce", "scce"])
def test_higher_rank_inputs_match_keras(name, keras64, rng):
    # (batch, time, classes): Keras reduces the last axis, then averages over all the rest
    make, keras_name, kw, kind = CASES[name]
    labels = rng.integers(0, 3, (2, 4))
    y, p = {
        "regression": lambda: (rng.normal(size=(2, 4, 3)), rng.normal(size=(2, 4, 3))),
        "binary": lambda: ((rng.uniform(size=(2, 4, 3)) < 0.5) * 1.0, rng.uniform(size=(2, 4, 3))),
        "onehot": lambda: (one_hot(labels, 3), rng.uniform(0.1, 1, (2, 4, 3))),
        "sparse": lambda: (labels, rng.dirichlet(np.ones(3), (2, 4))),
    }[kind]()
    value, grad = keras_value_and_grad(getattr(keras64.losses, keras_name)(**kw), y, p)
    loss = make(**kw)
    assert loss(y, p) == pytest.approx(value, rel=2e-15, abs=0)
    np.testing.assert_allclose(loss.gradient(y, p), grad, rtol=5e-15, atol=0)


def test_single_sample_vectors():
    # 1-D arrays are one sample: categorical cross-entropy sums over the classes
    assert L.CategoricalCrossentropy()([0, 1], [0.5, 0.5]) == pytest.approx(np.log(2), rel=1e-15)
    g = L.CategoricalCrossentropy().gradient_from_logits(np.array([0.0, 1.0]), np.zeros(2))
    np.testing.assert_allclose(g, [0.5, -0.5])
    assert L.SparseCategoricalCrossentropy()(1, [0.25, 0.75]) == pytest.approx(-np.log(0.75))
