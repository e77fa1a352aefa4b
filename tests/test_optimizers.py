"""Tests of mlpabc.optimizers: hand-checked steps, the protocol, Keras parity, bad input."""

import math

import numpy as np
import pytest

from mlpabc import optimizers
from mlpabc.optimizers import SGD, Adagrad, Adam, Nadam, Optimizer, RMSprop
from mlpabc.optimizers.schedules import ExponentialDecay

# Every optimizer agrees with Keras to 0 (bit-identical) in float64 on this machine; the
# assertion allows 1e-12 relative, which still catches each known pitfall (an unrounded
# momentum: 1e-7; Adagrad's unrounded 0.1: 3e-10; textbook Adam: 1e-6).
PARITY = dict(rtol=1e-12, atol=1e-15)

SHAPES = [(3, 2), (4,), (2, 3, 2), ()]
N_STEPS = 12

# name -> a factory taking the module (mlpabc.optimizers or keras.optimizers): same arguments
CASES = {
    "sgd": lambda O: O.SGD(0.1),
    "sgd_momentum": lambda O: O.SGD(0.1, momentum=0.9),
    "sgd_nesterov": lambda O: O.SGD(0.1, momentum=0.9, nesterov=True),
    "adagrad": lambda O: O.Adagrad(0.1),
    "adagrad_args": lambda O: O.Adagrad(0.05, initial_accumulator_value=0.3, epsilon=1e-3),
    "rmsprop": lambda O: O.RMSprop(0.1),
    "rmsprop_centered_momentum": lambda O: O.RMSprop(0.1, rho=0.8, momentum=0.5, centered=True),
    "rmsprop_momentum": lambda O: O.RMSprop(0.01, momentum=0.3, epsilon=1e-4),
    "adam": lambda O: O.Adam(0.1),
    "adam_args": lambda O: O.Adam(0.02, beta_1=0.8, beta_2=0.95, epsilon=0.1),
    "adam_amsgrad": lambda O: O.Adam(0.1, amsgrad=True),
    "nadam": lambda O: O.Nadam(0.1),
    "nadam_args": lambda O: O.Nadam(0.02, beta_1=0.7, beta_2=0.9, epsilon=1e-3),
}
WITH_STATE = ["sgd_nesterov", "adagrad", "rmsprop_centered_momentum", "adam_amsgrad", "nadam"]


def _problem(seed=0):
    """Start weights and a fixed sequence of gradients of several shapes and scales."""
    rng = np.random.default_rng(seed)
    init = [rng.normal(size=s) for s in SHAPES]
    grads = [
        [rng.normal(size=s) * 10.0 ** rng.uniform(-3, 1) for s in SHAPES] for _ in range(N_STEPS)
    ]
    return init, grads


def _run_mlpabc(opt, init, grads):
    ws = [w.copy() for w in init]
    for gs in grads:
        opt.apply_gradients(list(zip(gs, ws)))
    return ws


def _run_keras(keras, opt, init, grads, dtype="float64"):
    vs = [keras.Variable(w.astype(dtype), dtype=dtype) for w in init]
    for gs in grads:
        gs = [keras.ops.convert_to_tensor(g.astype(dtype)) for g in gs]
        opt.apply_gradients(list(zip(gs, vs)))
    return [v.numpy() for v in vs]


# -- hand-checked steps ------------------------------------------------------------------------


def test_sgd_plain_step_by_hand():
    w = np.array([1.0, -2.0])
    SGD(0.5).apply_gradients([(np.array([0.2, 0.4]), w)])
    np.testing.assert_array_equal(w, [0.9, -2.2])


def test_sgd_momentum_by_hand():
    # v1 = -eta g = -0.1; v2 = mu v1 - eta g = -0.05 - 0.1; w = 1 - 0.1 - 0.15
    w = np.array([1.0])
    opt = SGD(0.1, momentum=0.5)
    for _ in range(2):
        opt.apply_gradients([(np.array([1.0]), w)])
    np.testing.assert_allclose(w, [0.75], rtol=1e-15)
    np.testing.assert_allclose(opt.get_slots(w)["momentum"], [-0.15], rtol=1e-15)


def test_sgd_nesterov_by_hand():
    # v1 = -0.1; step = mu v1 - eta g = -0.05 - 0.1 = -0.15
    w = np.array([1.0])
    SGD(0.1, momentum=0.5, nesterov=True).apply_gradients([(np.array([1.0]), w)])
    np.testing.assert_allclose(w, [0.85], rtol=1e-15)


def test_momentum_is_rounded_to_float32_as_in_keras():
    assert SGD(momentum=0.9)._mu == 0.8999999761581421
    assert SGD(momentum=0.9).momentum == 0.9  # the argument is kept as given


def test_adagrad_by_hand():
    # r0 = f32(0.1) + 4; w = 1 - 0.1 * 2 / sqrt(r + eps)
    w = np.array([1.0])
    Adagrad(0.1).apply_gradients([(np.array([2.0]), w)])
    r = float(np.float32(0.1)) + 4.0
    assert w[0] == 1.0 - (0.1 * 2.0) / math.sqrt(r + 1e-7)


def test_rmsprop_by_hand():
    w = np.array([1.0])
    opt = RMSprop(0.1, rho=0.75, epsilon=0.0)
    opt.apply_gradients([(np.array([2.0]), w)])  # v = 0.25 * 4 = 1
    np.testing.assert_allclose(w, [0.8], rtol=1e-15)
    opt.apply_gradients([(np.array([2.0]), w)])  # v = 0.75 + 1 = 1.75
    np.testing.assert_allclose(w, [0.8 - 0.2 / math.sqrt(1.75)], rtol=1e-15)


def test_adam_first_step_is_about_eta_whatever_the_gradient():
    w = np.array([1.0, 1.0, 1.0])
    Adam(0.01, epsilon=0.0).apply_gradients([(np.array([1e3, -1.0, 1e-3]), w)])
    # m1/sqrt(v1) = sign(g) (1 - b1)/sqrt(1 - b2); the folded rate multiplies by
    # sqrt(1 - b2')/(1 - b1') with Keras's float32-rounded b1', b2': a step of eta (1 + 7e-6)
    b1, b2 = float(np.float32(0.9)), float(np.float32(0.999))
    step = 0.01 * math.sqrt(1 - b2) / (1 - b1) * (1 - 0.9) / math.sqrt(1 - 0.999)
    assert abs(step / 0.01 - 1) < 1e-5
    np.testing.assert_allclose(w, [1 - step, 1 + step, 1 - step], rtol=1e-13)


def test_adam_keras_equals_textbook_when_epsilon_is_zero():
    # with betas exact in float32 (no rounding) and eps = 0 the two forms are the same algebra
    init, grads = _problem()
    kw = dict(learning_rate=0.05, beta_1=0.5, beta_2=0.75, epsilon=0.0)
    a = _run_mlpabc(Adam(**kw), init, grads)
    b = _run_mlpabc(Adam(**kw, formulation="textbook"), init, grads)
    for x, y in zip(a, b):
        np.testing.assert_allclose(x, y, rtol=1e-13)


def test_adam_keras_is_textbook_with_a_rescaled_epsilon():
    # one step: Keras's eps equals the textbook's eps / sqrt(1 - beta_2^t) (betas exact in f32)
    g = np.array([0.3, -2.0, 1e-3])
    a, b = np.ones(3), np.ones(3)
    Adam(0.1, beta_1=0.5, beta_2=0.75, epsilon=0.2).apply_gradients([(g, a)])
    eps = 0.2 / math.sqrt(1 - 0.75)
    textbook = Adam(0.1, beta_1=0.5, beta_2=0.75, epsilon=eps, formulation="textbook")
    textbook.apply_gradients([(g, b)])
    np.testing.assert_allclose(a, b, rtol=1e-15)


def test_adam_textbook_differs_from_keras_through_epsilon():
    init, grads = _problem()
    a = _run_mlpabc(Adam(0.05, epsilon=0.1), init, grads)
    b = _run_mlpabc(Adam(0.05, epsilon=0.1, formulation="textbook"), init, grads)
    assert max(np.max(np.abs(x - y)) for x, y in zip(a, b)) > 1e-3


def test_adam_textbook_by_hand():
    w = np.array([1.0])
    opt = Adam(0.1, beta_1=0.5, beta_2=0.5, epsilon=1.0, formulation="textbook")
    opt.apply_gradients([(np.array([3.0]), w)])  # m_hat = 3, v_hat = 9: step 0.1 * 3 / (3 + 1)
    np.testing.assert_allclose(w, [0.925], rtol=1e-15)


def test_nadam_first_step_by_hand():
    b1, b2 = float(np.float32(0.9)), float(np.float32(0.999))
    d = float(np.float32(0.96))
    u1, u2 = b1 * (1 - 0.5 * d), b1 * (1 - 0.5 * d**2)
    U1 = 0.9 * (1 - 0.5 * 0.96)
    g = 5.0
    m, v = (1 - b1) * g, (1 - b2) * g * g
    m_hat = u2 * m / (1 - U1 * u2) + (1 - u1) * g / (1 - U1)
    expected = 1.0 - 0.1 * m_hat / (math.sqrt(v / (1 - b2)) + 1e-7)
    w = np.array([1.0])
    Nadam(0.1).apply_gradients([(np.array([g]), w)])
    np.testing.assert_allclose(w, [expected], rtol=1e-14)


def test_nadam_updates_its_momentum_product_once_per_step():
    init, grads = _problem()
    together = _run_mlpabc(Nadam(0.05), init, grads)
    apart = [
        _run_mlpabc(Nadam(0.05), [w], [[gs[i]] for gs in grads])[0] for i, w in enumerate(init)
    ]
    for x, y in zip(together, apart):
        np.testing.assert_array_equal(x, y)


# -- the protocol -------------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(CASES))
def test_updates_in_place_and_leaves_gradients_alone(name):
    opt = CASES[name](optimizers)
    init, grads = _problem()
    ws = [w.copy() for w in init]
    ids = [id(w) for w in ws]
    g_copies = [g.copy() for g in grads[0]]
    opt.apply_gradients(list(zip(grads[0], ws)))
    assert [id(w) for w in ws] == ids
    assert all(not np.array_equal(w, w0) for w, w0 in zip(ws[:3], init[:3]))
    for g, g0 in zip(grads[0], g_copies):
        np.testing.assert_array_equal(g, g0)
    assert opt.iterations == 1


@pytest.mark.parametrize("name", sorted(CASES))
def test_same_shaped_parameters_keep_separate_state(name):
    # two parameters of one shape share work arrays but not state
    make = CASES[name]
    rng = np.random.default_rng(1)
    a0, b0 = rng.normal(size=(2, 3)), rng.normal(size=(2, 3))
    ga = [rng.normal(size=(2, 3)) for _ in range(4)]
    gb = [rng.normal(size=(2, 3)) for _ in range(4)]
    a, b = a0.copy(), b0.copy()
    opt = make(optimizers)
    for x, y in zip(ga, gb):
        opt.apply_gradients([(x, a), (y, b)])
    a_alone = _run_mlpabc(make(optimizers), [a0], [[x] for x in ga])[0]
    b_alone = _run_mlpabc(make(optimizers), [b0], [[y] for y in gb])[0]
    np.testing.assert_array_equal(a, a_alone)
    np.testing.assert_array_equal(b, b_alone)


def test_iterations_and_empty_calls():
    opt = Adam()
    w = np.ones(2)
    opt.apply_gradients([])  # a no-op, as in Keras: iterations does not advance
    assert opt.iterations == 0
    opt.apply_gradients(iter([(np.ones(2), w)]))  # any iterable
    opt.apply_gradients(((np.ones(2), w),))
    assert opt.iterations == 2


def test_float32_parameters_stay_float32():
    w = np.ones(3, dtype=np.float32)
    opt = Adam(0.1)
    opt.apply_gradients([(np.array([1.0, 2.0, 3.0]), w)])
    assert w.dtype == np.float32
    assert opt.get_slots(w)["velocity"].dtype == np.float32


def test_gradient_may_be_a_list():
    w = np.array([1.0, 2.0])
    SGD(0.5).apply_gradients([([1.0, 1.0], w)])
    np.testing.assert_array_equal(w, [0.5, 1.5])


def test_get_slots():
    w = np.ones(2)
    opt = RMSprop(momentum=0.5, centered=True)
    assert opt.get_slots(w) == {}
    opt.apply_gradients([(np.ones(2), w)])
    slots = opt.get_slots(w)
    assert sorted(slots) == ["average_gradient", "momentum", "velocity"]
    slots["velocity"][:] = 99.0  # copies: the optimizer's state is untouched
    assert opt.get_slots(w)["velocity"][0] != 99.0


def test_current_learning_rate_float_schedule_and_callable():
    assert SGD(0.3).current_learning_rate() == 0.3
    assert SGD(2).current_learning_rate() == 2.0
    sched = ExponentialDecay(0.1, 2, 0.5)
    opt = SGD(sched)
    w = np.ones(1)
    seen = []
    for _ in range(4):
        seen.append(opt.current_learning_rate())
        opt.apply_gradients([(np.ones(1), w)])
    assert seen == [sched(k) for k in range(4)]
    opt = SGD(lambda step: 0.1 / (step + 1))
    for _ in range(3):
        opt.apply_gradients([(np.ones(1), w)])
    assert opt.current_learning_rate() == 0.1 / 4


def test_learning_rate_property_is_the_current_rate_and_settable():
    opt = SGD(ExponentialDecay(1.0, 1, 0.5))
    w = np.zeros(1)
    opt.apply_gradients([(np.ones(1), w)])
    assert opt.learning_rate == 0.5  # as Keras: the schedule's value at `iterations`
    opt.learning_rate = 0.25  # e.g. from a callback
    opt.apply_gradients([(np.ones(1), w)])
    np.testing.assert_array_equal(w, [-1.25])
    assert opt.get_config()["learning_rate"] == 0.25
    with pytest.raises(ValueError, match="'learning_rate' argument of SGD"):
        opt.learning_rate = 0.0


def test_a_callable_learning_rate_is_used_at_each_step():
    w = np.zeros(1)
    opt = SGD(lambda step: [1.0, 10.0][step])
    opt.apply_gradients([(np.ones(1), w)])
    opt.apply_gradients([(np.ones(1), w)])
    np.testing.assert_array_equal(w, [-11.0])


def test_repr_and_config():
    assert repr(SGD()) == "SGD(learning_rate=0.01, momentum=0.0, nesterov=False)"
    assert repr(Adam(name="mine")).startswith("Adam(name='mine', learning_rate=0.001")
    cfg = RMSprop(0.01, centered=True).get_config()
    assert cfg == dict(
        name="rmsprop", learning_rate=0.01, rho=0.9, momentum=0.0, epsilon=1e-7, centered=True
    )
    assert Adagrad().name == "adagrad"
    for name in sorted(CASES):
        opt = CASES[name](optimizers)
        assert type(opt)(**opt.get_config()).get_config() == opt.get_config()


# -- get() ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name, cls",
    [
        ("sgd", SGD),
        ("SGD", SGD),
        ("adagrad", Adagrad),
        ("RMSprop", RMSprop),
        ("adam", Adam),
        ("Nadam", Nadam),
    ],
)
def test_get_by_name(name, cls):
    a, b = optimizers.get(name), optimizers.get(name)
    assert type(a) is cls and a is not b  # a fresh optimizer (fresh state) each time


def test_get_passes_instances_and_instantiates_classes():
    opt = Adam(0.1)
    assert optimizers.get(opt) is opt
    assert type(optimizers.get(Nadam)) is Nadam
    assert optimizers.names() == ["adagrad", "adam", "nadam", "rmsprop", "sgd"]


@pytest.mark.parametrize(
    "identifier, exc, match",
    [
        ("adma", ValueError, r"Unknown optimizer 'adma'.*Did you mean 'adam'\?"),
        ("sgdm", ValueError, r"Valid names are: 'adagrad', 'adam', 'nadam', 'rmsprop', 'sgd'"),
        (None, TypeError, r"must be a name .* Got None"),
        (3, TypeError, r"Got 3 instead"),
        (Optimizer, TypeError, r"Optimizer"),
    ],
)
def test_get_errors(identifier, exc, match):
    with pytest.raises(exc, match=match):
        optimizers.get(identifier)


# -- bad input -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "make, exc, match",
    [
        (
            lambda: SGD(learning_rate=0),
            ValueError,
            r"'learning_rate' argument of SGD must be a float > 0\. Got 0",
        ),
        (lambda: SGD(learning_rate=-1), ValueError, r"'learning_rate' argument of SGD"),
        (lambda: Adam(learning_rate=float("nan")), ValueError, r"'learning_rate' argument of Adam"),
        (
            lambda: SGD(learning_rate="fast"),
            TypeError,
            r"'learning_rate' argument of SGD .* Got 'fast'",
        ),
        (lambda: SGD(learning_rate=None), TypeError, r"'learning_rate' argument of SGD"),
        (lambda: SGD(learning_rate=True), TypeError, r"'learning_rate'"),
        (
            lambda: SGD(momentum=1.0),
            ValueError,
            r"'momentum' argument of SGD must be a float in \[0, 1\)\. Got 1\.0",
        ),
        (lambda: SGD(momentum=-0.1), ValueError, r"'momentum' argument of SGD"),
        (lambda: SGD(momentum="0.9"), TypeError, r"'momentum' argument of SGD"),
        (
            lambda: SGD(nesterov="yes"),
            TypeError,
            r"'nesterov' argument of SGD must be True or False",
        ),
        (
            lambda: RMSprop(rho=1.5),
            ValueError,
            r"'rho' argument of RMSprop must be a float in \[0, 1\)\. Got 1\.5",
        ),
        (lambda: RMSprop(momentum=1.0), ValueError, r"'momentum' argument of RMSprop"),
        (
            lambda: RMSprop(epsilon=-1e-7),
            ValueError,
            r"'epsilon' argument of RMSprop must be a float >= 0",
        ),
        (lambda: RMSprop(centered=1), TypeError, r"'centered' argument of RMSprop"),
        (
            lambda: Adam(beta_1=1.0),
            ValueError,
            r"'beta_1' argument of Adam must be a float in \[0, 1\)",
        ),
        (lambda: Adam(beta_2=-0.5), ValueError, r"'beta_2' argument of Adam"),
        (lambda: Adam(amsgrad="no"), TypeError, r"'amsgrad' argument of Adam"),
        (
            lambda: Adam(formulation="paper"),
            ValueError,
            r"'formulation' argument of Adam must be one of 'keras', 'textbook'",
        ),
        (lambda: Nadam(beta_1=1.2), ValueError, r"'beta_1' argument of Nadam"),
        (lambda: Nadam(epsilon="small"), TypeError, r"'epsilon' argument of Nadam"),
        (
            lambda: Adagrad(initial_accumulator_value=-0.1),
            ValueError,
            r"'initial_accumulator_value' argument of Adagrad",
        ),
        (
            lambda: SGD(momentm=0.9),
            TypeError,
            r"Unrecognized keyword argument\(s\) for SGD: 'momentm' \(did you mean 'momentum'\?\)",
        ),
        (
            lambda: Adam(lr=0.01),
            TypeError,
            r"Unrecognized keyword argument 'lr' for Adam: use 'learning_rate'",
        ),
        (lambda: Adam(name=""), TypeError, r"'name' argument of Adam"),
    ],
)
def test_bad_constructor_arguments(make, exc, match):
    with pytest.raises(exc, match=match):
        make()


@pytest.mark.parametrize(
    "pairs, exc, match",
    [
        (
            [(np.ones(3), np.ones((2, 3)))],
            ValueError,
            r"shape \(3,\), but its parameter has shape \(2, 3\)",
        ),
        (
            [(np.ones(2), [1.0, 2.0])],
            TypeError,
            r"writeable float numpy array .* Got \[1\.0, 2\.0\]",
        ),
        ([(np.ones(2), np.ones(2, dtype=int))], TypeError, r"writeable float numpy array"),
        ([np.ones(2)], TypeError, r"must be a pair \(gradient, parameter\)"),
        ([(np.ones(2),)], TypeError, r"must be a pair"),
        ([(None, np.ones(2))], TypeError, r"grads_and_vars\[0\]\[0\]"),
        ([("a", np.ones(2))], TypeError, r"grads_and_vars\[0\]\[0\]"),
    ],
)
def test_bad_gradients_and_parameters(pairs, exc, match):
    with pytest.raises(exc, match=match):
        Adam().apply_gradients(pairs)


def test_read_only_parameter_is_refused():
    w = np.ones(2)
    w.flags.writeable = False
    with pytest.raises(TypeError, match="writeable"):
        SGD().apply_gradients([(np.ones(2), w)])


def test_all_pairs_are_checked_before_any_update():
    a, b = np.ones(2), np.ones(3)
    opt = SGD(0.1)
    with pytest.raises(ValueError, match=r"grads_and_vars\[1\]"):
        opt.apply_gradients([(np.ones(2), a), (np.ones(2), b)])
    np.testing.assert_array_equal(a, [1.0, 1.0])
    assert opt.iterations == 0


def test_callable_learning_rate_must_return_a_rate():
    opt = SGD(lambda step: -1.0)
    with pytest.raises(ValueError, match="learning_rate"):
        opt.apply_gradients([(np.ones(1), np.ones(1))])


# -- numerical stability ---------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(CASES))
def test_large_and_zero_gradients_are_stable(name):
    opt = CASES[name](optimizers)
    w = np.array([0.0, 1000.0, -1000.0, 1.0])
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        for g in ([0.0, 0.0, 0.0, 0.0], [1000.0, -1000.0, 1e-3, 0.0], [-1e150, 1e150, 0.0, 1e-150]):
            opt.apply_gradients([(np.array(g), w)])
    assert np.all(np.isfinite(w))


# -- Keras parity ----------------------------------------------------------------------------------


@pytest.mark.keras
def test_every_optimizer_matches_keras_in_float64(keras64):
    init, grads = _problem()
    for name, make in CASES.items():
        ours = _run_mlpabc(make(optimizers), init, grads)
        theirs = _run_keras(keras64, make(keras64.optimizers), init, grads)
        for x, y in zip(ours, theirs):
            np.testing.assert_allclose(x, y, **PARITY, err_msg=name)


@pytest.mark.keras
@pytest.mark.parametrize("name", WITH_STATE)
def test_float32_parameters_match_keras_float32_variables(keras64, name):
    # float32 arithmetic on both sides: agreement to float32 rounding, not to the bit
    make = CASES[name]
    init, grads = _problem()
    init32 = [w.astype(np.float32) for w in init]
    grads32 = [[g.astype(np.float32) for g in gs] for gs in grads]
    ours = _run_mlpabc(make(optimizers), init32, grads32)
    theirs = _run_keras(keras64, make(keras64.optimizers), init, grads, dtype="float32")
    for x, y in zip(ours, theirs):
        assert x.dtype == np.float32
        np.testing.assert_allclose(x, y, rtol=1e-6, atol=1e-6)


@pytest.mark.keras
def test_textbook_adam_does_not_match_keras(keras64):
    init, grads = _problem()
    ours = _run_mlpabc(Adam(0.1, formulation="textbook"), init, grads)
    theirs = _run_keras(keras64, keras64.optimizers.Adam(0.1), init, grads)
    assert max(np.max(np.abs(x - y)) for x, y in zip(ours, theirs)) > 1e-9


@pytest.mark.keras
@pytest.mark.parametrize("name", ["sgd", "adagrad", "rmsprop", "adam", "nadam"])
def test_defaults_match_keras(keras64, name):
    ours = optimizers.get(name).get_config()
    theirs = keras64.optimizers.get(name).get_config()
    for key, value in ours.items():
        if key in ("name", "formulation"):
            continue
        assert theirs[key] == pytest.approx(value, rel=1e-7), key  # Keras reports its lr as float32
