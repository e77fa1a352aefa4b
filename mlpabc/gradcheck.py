r"""Gradient checking: compare back-propagation with finite differences.

A back-propagation bug rarely crashes; it gives gradients that are a little
wrong and a network that trains a little worse. The cure is to compare the
analytic gradient with a numerical one, entry by entry.

**Central differences.** For a scalar function :math:`f` and a small step
:math:`\epsilon`,

.. math::
    \frac{\partial f}{\partial x_i} \approx
    \frac{f(x + \epsilon e_i) - f(x - \epsilon e_i)}{2\epsilon},

whose truncation error is :math:`O(\epsilon^2)` (the one-sided
:math:`(f(x + \epsilon e_i) - f(x))/\epsilon` is only :math:`O(\epsilon)`).

**Why float64.** Each value of :math:`f` carries a rounding error of about
:math:`u\,|f|` (unit roundoff :math:`u = 1.1 \cdot 10^{-16}` in float64,
:math:`6 \cdot 10^{-8}` in float32), which the division by :math:`2\epsilon`
amplifies. The total error :math:`\approx \epsilon^2 |f'''| + u|f|/\epsilon`
is smallest near :math:`\epsilon = u^{1/3}`: about :math:`10^{-5}` in float64,
giving gradients good to about :math:`10^{-10}`. In float32 the best one can
get is about :math:`10^{-5}`, too coarse to tell a small bug from noise. So
every check here runs in float64 and refuses float32 arrays.

**Relative error.** :func:`relative_error` divides the difference by the size
of the two gradients, so one threshold serves large and small gradients. A
correct gradient gives :math:`10^{-10}` to about :math:`10^{-6}` (the upper end
when some entries are tiny: the numerical gradient carries an absolute noise
of about :math:`u|f|/\epsilon \approx 10^{-10}|f|`, large next to an entry of
:math:`10^{-5}`); a wrong one gives :math:`10^{-3}` or more, usually
:math:`10^{-2}` to 1.

Introduced in the chapter *Back-propagation, worked by hand*.
"""

from __future__ import annotations

import numpy as np

from ._random import as_generator, spawn
from ._validation import check_array, check_bool, check_float, describe
from .layers.base import Layer

__all__ = ["check_layer", "check_model", "numerical_gradient", "relative_error"]


def numerical_gradient(f, x, eps=1e-6):
    r"""The gradient of a scalar function by central differences.

    Parameters
    ----------
    f : callable
        ``f(x) -> float``. It is called with ``x`` itself, perturbed in
        place one entry at a time, so ``f`` may also ignore its argument and
        read ``x`` through a closure (that is how a layer's weights are
        checked: perturb ``layer.params["kernel"]``, run the layer).
    x : ndarray of float64
        The point; a float64 array is perturbed **in place** and restored
        exactly (also if ``f`` raises). A list is converted to a new array.
    eps : float, default=1e-6
        The step :math:`\epsilon`.

    Returns
    -------
    ndarray of the shape of ``x``
        :math:`(f(x + \epsilon e_i) - f(x - \epsilon e_i)) / (2\epsilon)` for each entry ``i``.

    Examples
    --------
    >>> import numpy as np
    >>> x = np.array([1.0, -2.0])
    >>> np.round(numerical_gradient(lambda v: np.sum(v ** 2), x), 6)   # d/dv sum(v^2) = 2v
    array([ 2., -4.])
    >>> x                                                              # restored
    array([ 1., -2.])

    Introduced in the chapter *Back-propagation, worked by hand*.
    """
    if not callable(f):
        raise TypeError(
            f"The 'f' argument of numerical_gradient must be a function f(x) -> float. "
            f"Got {describe(f)} instead."
        )
    eps = check_float(eps, "eps", "numerical_gradient", low=0, closed="neither")
    if isinstance(x, np.ndarray):
        if x.dtype != np.float64:
            raise TypeError(
                "The 'x' argument of numerical_gradient must be a float64 array (finite "
                f"differences in {x.dtype} are too inexact to check anything). Got {describe(x)} "
                "instead. Use x.astype(np.float64)."
            )
        if not x.flags.writeable:
            raise ValueError(
                "The 'x' argument of numerical_gradient must be a writeable array: it is "
                "perturbed in place. Got a read-only array; pass a copy."
            )
    else:
        x = check_array(x, "x", "numerical_gradient", copy=True)
    grad = np.empty_like(x)
    for i in np.ndindex(x.shape):
        old = x[i]
        try:
            x[i] = old + eps
            f_plus = float(f(x))
            x[i] = old - eps
            f_minus = float(f(x))
        finally:
            x[i] = old
        grad[i] = (f_plus - f_minus) / (2.0 * eps)
    return grad


def relative_error(a, n, tiny=1e-12):
    r"""The largest entrywise relative difference between two gradients.

    .. math::
        \max_i \frac{|a_i - n_i|}{\max(|a_i| + |n_i|,\ \text{tiny})}

    Parameters
    ----------
    a, n : array_like
        The analytic and the numerical gradient, of the same shape.
    tiny : float, default=1e-12
        Floor of the denominator, so that two zeros compare as equal (0)
        instead of 0/0. Entries where both gradients are much smaller than
        the rounding noise of the numerical gradient (about
        :math:`10^{-10}\,|f|`) cannot be compared relatively.

    Returns
    -------
    float
        0 for identical arrays, at most 1.

    Examples
    --------
    >>> import numpy as np
    >>> round(relative_error(np.array([1.0, 0.0]), np.array([1.0001, 0.0])), 10)   # 0.0001 / 2.0001
    4.99975e-05

    Introduced in the chapter *Back-propagation, worked by hand*.
    """
    a = check_array(a, "a", "relative_error", allow_empty=True, finite=False)
    n = check_array(n, "n", "relative_error", allow_empty=True, finite=False)
    if a.shape != n.shape:
        raise ValueError(
            "The 'a' and 'n' arguments of relative_error must have the same shape. "
            f"Got {a.shape} and {n.shape}."
        )
    if a.size == 0:
        return 0.0
    return float(np.max(np.abs(a - n) / np.maximum(np.abs(a) + np.abs(n), tiny)))


# -- freezing randomness --------------------------------------------------------------------------


def _generators(obj, found=None):
    """Every numpy Generator reachable from ``obj`` through its attributes and inner layers."""
    found = {} if found is None else found
    for value in vars(obj).values():
        items = value if isinstance(value, (list, tuple)) else (value,)
        for item in items:
            if isinstance(item, np.random.Generator):
                found[id(item)] = item
            elif isinstance(item, Layer) and id(item) not in found:
                found[id(item)] = None  # visited marker
                _generators(item, found)
    return found


class _FrozenRandomness:
    r"""Snapshot the generators of a layer or model; ``restore()`` before every evaluation.

    Finite differences compare :math:`f(x + \epsilon)` with :math:`f(x - \epsilon)`: both
    must use the same dropout masks, or the difference measures the noise.
    """

    def __init__(self, obj):
        gens = [g for g in _generators(obj).values() if g is not None]
        self._states = [(g, g.bit_generator.state) for g in gens]

    def restore(self):
        for g, state in self._states:
            g.bit_generator.state = state


def _check_float64(arrays, what, owner):
    for w in arrays:
        if np.asarray(w).dtype != np.float64:
            raise ValueError(
                f"{owner} needs {what} in float64 (finite differences in float32 are too "
                f"inexact to check anything). Got {np.asarray(w).dtype}."
            )


# -- layers and models ----------------------------------------------------------------------------


def check_layer(layer, x, seed=0, eps=1e-6, *, training=True):
    r"""Compare a layer's ``backward`` with finite differences.

    The layer is wrapped in the scalar loss :math:`L = \sum_{ij} u_{ij}\,y_{ij}
    + \Omega` with :math:`y` the layer's output, :math:`u` a fixed random
    "upstream gradient" (so :math:`\partial L/\partial y = u`) and
    :math:`\Omega` the layer's regularisation penalty. ``backward(u)`` must
    then agree with :func:`numerical_gradient` of :math:`L` with respect to
    the input and to every parameter.

    Parameters
    ----------
    layer : Layer
        Built for float64, or not built yet (then it is built for ``x``).
    x : array_like of shape (n_samples, ...)
        The point of the check. For ReLU-like layers keep the entries away
        from 0, where the derivative jumps.
    seed : int or numpy.random.Generator, default=0
        Seeds :math:`u` (and the build, if the layer is not built).
    eps : float, default=1e-6
        Finite-difference step.
    training : bool, default=True
        The mode of every forward pass: ``True`` checks the gradients that
        training uses (dropout masks, batch statistics); the random
        generators are rewound before each evaluation, so every one uses the
        same dropout mask.

    Returns
    -------
    dict
        ``{"x": error of dL/dx, "<param>": error of its gradient, ...}``, each
        the :func:`relative_error`: about ``1e-6`` or less for a correct
        gradient, ``1e-3`` or more for a wrong one.

    Notes
    -----
    The layer is left as it was: its weights and state (batch-norm moving
    statistics, which every training forward pass updates) and its random
    generators are restored at the end. ``x`` is copied, never changed.

    Examples
    --------
    >>> import numpy as np
    >>> from mlpabc.layers import Dense
    >>> x = np.random.default_rng(0).normal(size=(4, 3))
    >>> errors = check_layer(Dense(2, activation="tanh"), x)
    >>> sorted(errors), max(errors.values()) < 1e-6
    (['bias', 'kernel', 'x'], True)

    Introduced in the chapter *Back-propagation, worked by hand*.
    """
    if not isinstance(layer, Layer):
        raise TypeError(
            f"The 'layer' argument of check_layer must be an mlpabc layer. Got {describe(layer)} "
            "instead."
        )
    training = check_bool(training, "training", "check_layer")
    x = check_array(x, "x", "check_layer", copy=True)  # our own copy: perturbed in place
    if x.ndim < 2:
        raise ValueError(
            f"The 'x' argument of check_layer must be a batch of shape (n_samples, ...). Got "
            f"{describe(x)} instead. Use x.reshape(1, -1) for a single sample."
        )
    build_rng, upstream_rng = spawn(as_generator(seed, owner="check_layer"), 2)
    if not layer.built:
        layer.build(x.shape[1:], build_rng, np.float64)
    _check_float64(layer.weights, "a layer built", "check_layer")

    saved = layer.get_weights()
    frozen = _FrozenRandomness(layer)

    def forward():
        frozen.restore()  # the same dropout mask every time
        return layer.forward(x, training=training)

    u = upstream_rng.standard_normal(forward().shape)

    def loss(_):
        return float(np.sum(u * forward())) + layer.regularization_loss()

    try:
        forward()
        dx = layer.backward(u.copy())
        layer.add_regularization_gradients()  # the penalties' gradients, as a training step adds
        grads = {k: np.array(layer.grads[k], copy=True) for k in layer.params}
        errors = {"x": relative_error(dx, numerical_gradient(loss, x, eps))}
        for name, p in layer.params.items():
            errors[name] = relative_error(grads[name], numerical_gradient(loss, p, eps))
    finally:
        layer.set_weights(saved)
        frozen.restore()
    return errors


def check_model(model, x, y, eps=1e-6):
    r"""Compare a model's back-propagated gradients with finite differences.

    The function checked is the model's training loss (the compiled loss plus
    the regularisation penalties), as returned by
    ``model.compute_gradients(x, y, training=True)``, which also returns the
    analytic gradients in the order of ``model.trainable_weights``.

    Parameters
    ----------
    model : Sequential
        A built and compiled float64 model.
    x, y : array_like
        A (small) batch.
    eps : float, default=1e-6

    Returns
    -------
    dict
        ``{"<layer name>/<param>": relative error, ...}`` for every trainable
        weight.

    Notes
    -----
    This costs two loss evaluations per scalar weight: use a small model and
    a small batch. Dropout masks are frozen across evaluations and the
    layers' weights and state are restored at the end.

    A correct gradient usually gives ``1e-7`` or less, a wrong one ``1e-3``
    or more. In between, look at the size of the entries: the finite
    difference carries a rounding noise of about :math:`10^{-10}\,|L|`, so
    an entry whose gradient is itself near ``1e-6`` can show a relative
    error near ``1e-5`` although it is right (about 3% of random
    initialisations of a 3-4-2 tanh/softmax network do). Checking again
    with ``eps=1e-5`` tells the two cases apart: rounding noise shrinks
    with a larger step (there, 3.5e-5 became 7e-6), a wrong gradient's
    error does not.

    Examples
    --------
    >>> import numpy as np
    >>> from mlpabc.models import Sequential
    >>> from mlpabc.layers import Dense, Input
    >>> model = Sequential([Input((3,)), Dense(4, activation="tanh"), Dense(1)], seed=0)
    >>> model.compile(optimizer="sgd", loss="mse")
    >>> rng = np.random.default_rng(0)
    >>> errors = check_model(model, rng.normal(size=(5, 3)), rng.normal(size=(5, 1)))
    >>> len(errors), max(errors.values()) < 1e-6
    (4, True)

    Introduced in the chapter *Back-propagation, worked by hand*.
    """
    for method in ("compute_gradients", "trainable_weights"):
        if not hasattr(model, method):
            raise TypeError(
                f"The 'model' argument of check_model must be a model with {method!r} "
                f"(an mlpabc Sequential). Got {describe(model)} instead."
            )
    from .models import Sequential  # stand-ins with the same contract are fine (tests use them)

    if isinstance(model, Sequential) and (model.optimizer is None or model.loss is None):
        raise ValueError(
            "The 'model' argument of check_model must be compiled (the loss it checks is the "
            "compiled one): call model.compile(optimizer=..., loss=...) first. Got an "
            "uncompiled model instead."
        )
    if isinstance(model, Sequential) and not model.built:
        raise ValueError(
            "The 'model' argument of check_model must be built, so that its weights exist "
            "before the check: start it with Input((n_features,)) or call "
            "model.build((None, n_features)). Got an unbuilt model instead."
        )
    weights = list(model.trainable_weights)
    _check_float64(weights, "a model built", "check_model")
    layers = list(getattr(model, "layers", []))
    names = {}
    for layer in layers:
        for key, w in layer.params.items():
            names.setdefault(id(w), f"{layer.name}/{key}")
    saved = [layer.get_weights() for layer in layers]
    frozen = _FrozenRandomness(model)

    def loss(_):
        frozen.restore()
        return float(model.compute_gradients(x, y, training=True)[0])

    try:
        frozen.restore()
        _, grads = model.compute_gradients(x, y, training=True)
        grads = [np.array(g, copy=True) for g in grads]
        errors = {}
        for i, (w, g) in enumerate(zip(weights, grads)):
            name = names.get(id(w), f"weight_{i}")
            errors[name] = relative_error(g, numerical_gradient(loss, w, eps))
    finally:
        for layer, w in zip(layers, saved):
            layer.set_weights(w)
        frozen.restore()
    return errors
