r"""The loss classes: :class:`Loss` and the seven losses, each with its value and gradient.

See :mod:`mlpabc.losses`. Introduced in the chapter *Loss functions*.
"""

from __future__ import annotations

import numpy as np

from .._config import Configurable
from .._registry import Registry
from .._validation import check_bool
from ..activations import Softmax
from .functions import (
    _CCE_HINT,
    EPSILON,
    _at_labels,
    _bce,
    _bce_logits,
    _cce,
    _cce_logits,
    _check_labels,
    _check_pair,
    _check_probabilities,
    _check_row_sums,
    _check_smoothing,
    _float_array,
    _hinge,
    _hinge_labels,
    _mae,
    _mape,
    _mean_all,
    _mean_of_means,
    _mse,
    _n_samples,
    _pick,
    _scce,
    _scce_logits,
    _shape_error,
)

_SOFTMAX = Softmax()  # the one softmax, on the last axis

#: The name -> class table behind :func:`mlpabc.losses.get`.
LOSSES = Registry("loss")


# -- classes --------------------------------------------------------------------------------


class Loss(Configurable):
    r"""Base class: a loss reduced to one number, with its gradient.

    :meth:`__call__` is the boundary: it checks its inputs (finite numbers,
    matching shapes, label ranges), raises a ``ValueError`` or ``TypeError``
    that says what is wrong, and returns :meth:`value`. The other public
    methods hold the math alone and expect what the checks produce: ``y_true``
    and ``y_pred`` (or the logits ``z``) as float arrays of the same shape
    (integer labels of shape ``y_pred.shape[:-1]`` for the sparse loss), as
    :meth:`check_targets` returns them. A model checks its targets once, in
    ``fit``, and then calls :meth:`value` and :meth:`gradient` (or
    :meth:`value_from_logits` and :meth:`gradient_from_logits`) every step.

    Attributes
    ----------
    name : str
        Keras's name of the loss function (``"mean_squared_error"``, ...).
    logits_activation : str or None
        ``"sigmoid"`` or ``"softmax"`` for the cross-entropies: the output
        activation after which a model may use the logits form.
    from_logits : bool
        Whether ``y_pred`` holds logits.

    Notes
    -----
    Introduced in the chapter *Loss functions*.
    """

    name: str = ""
    logits_activation: str | None = None
    from_logits: bool = False

    def __call__(self, y_true, y_pred) -> float:
        """The reduced loss, inputs checked: the mean of the per-sample values."""
        y_true, y_pred = self._check(y_true, y_pred, type(self).__name__, self.from_logits)
        return self.value(y_true, y_pred)

    def check_targets(self, y_true, y_pred_shape, dtype=np.float64) -> np.ndarray:
        """Check targets once for predictions of shape ``y_pred_shape``.

        Returns ``y_true`` in the form :meth:`value` and :meth:`gradient`
        expect: an array of ``dtype`` and exactly ``y_pred_shape``
        (a missing or extra trailing axis of length 1 is fixed), or for
        :class:`SparseCategoricalCrossentropy` integer labels of shape
        ``y_pred_shape[:-1]``. Slices along the first axis stay valid.
        """
        owner = f"{type(self).__name__}.check_targets"
        y = _float_array(y_true, "y_true", owner, dtype=np.dtype(dtype))
        shape = tuple(y_pred_shape)
        if y.shape != shape:
            fixable = (y.shape[:-1] == shape and y.shape[-1:] == (1,)) or (
                shape[:-1] == y.shape and shape[-1:] == (1,)
            )
            if not fixable:
                raise _shape_error(owner, y.shape, shape, self._shape_hint())
            y = y.reshape(shape)
        return y

    # -- the math (no checks; subclasses provide it) ----------------------------------------
    def _per_sample(self, y_true, y_pred) -> np.ndarray:
        raise NotImplementedError

    def value(self, y_true, y_pred) -> float:
        r"""The reduced loss :math:`L`: the mean of the per-sample values (arrays as checked)."""
        return _mean_all(self._per_sample(y_true, y_pred))

    def gradient(self, y_true, y_pred) -> np.ndarray:
        r"""The gradient :math:`\partial L / \partial \hat y`, shape of ``y_pred``."""
        raise NotImplementedError

    def value_from_logits(self, y_true, z) -> float:
        r"""The reduced loss of :math:`\hat y = G(z)` computed from the logits :math:`z`."""
        raise self._no_logits_form("value_from_logits")

    def gradient_from_logits(self, y_true, z) -> np.ndarray:
        r"""The gradient :math:`\partial L / \partial z` for the logits, shape of ``z``."""
        raise self._no_logits_form("gradient_from_logits")

    def _no_logits_form(self, method):
        return TypeError(
            f"{type(self).__name__}.{method} is not available: {type(self).__name__} has no "
            "logits form (only the cross-entropies do, after a sigmoid or softmax output)."
        )

    def _shape_hint(self) -> str:
        return ""

    def _check(self, y_true, y_pred, owner, logits):
        y_true, y_pred = _check_pair(y_true, y_pred, owner, self._shape_hint())
        if self.logits_activation is not None and not logits:
            _check_probabilities(y_pred, owner)
        return y_true, y_pred


@LOSSES.register("mean_squared_error", "mse")
class MeanSquaredError(Loss):
    r"""Mean squared error, :math:`L = \frac{1}{Nd} \sum_{n,j} (y_{nj} - \hat y_{nj})^2`.

    No factor :math:`\tfrac12` (Keras's definition), so the gradient is

    .. math::
        \frac{\partial L}{\partial \hat y_{nj}} = \frac{2}{Nd} (\hat y_{nj} - y_{nj}).

    Introduced in the chapter *Loss functions*.

    Examples
    --------
    The example of Keras's documentation, :math:`(110 + 187)/6 = 49.5`:

    >>> mse = MeanSquaredError()
    >>> mse([[1, 9, 2], [-5, -2, 6]], [[4, 8, 12], [8, 1, 3]])
    49.5
    >>> mse.gradient(np.array([[1.0, 2.0]]), np.array([[2.0, 2.0]]))
    array([[1., 0.]])
    """

    name = "mean_squared_error"

    def _per_sample(self, y_true, y_pred):
        return _mse(y_true, y_pred)

    def value(self, y_true, y_pred):
        e = y_true - y_pred
        return _mean_of_means(e * e)  # (1/N) sum_n (1/d) sum_j (y - y_hat)^2

    def gradient(self, y_true, y_pred):
        return (2.0 / y_pred.size) * (y_pred - y_true)  # 2 (y_hat - y) / (N d)


@LOSSES.register("mean_absolute_error", "mae")
class MeanAbsoluteError(Loss):
    r"""Mean absolute error, :math:`L = \frac{1}{Nd} \sum_{n,j} |y_{nj} - \hat y_{nj}|`.

    Gradient :math:`\operatorname{sign}(\hat y - y) / (Nd)`, taken as 0 where
    :math:`\hat y = y` (as TensorFlow does).

    Introduced in the chapter *Loss functions*.

    Examples
    --------
    >>> mae = MeanAbsoluteError()
    >>> mae([[1.0, 2.0]], [[2.0, 2.0]])
    0.5
    >>> mae.gradient(np.array([[1.0, 2.0]]), np.array([[2.0, 2.0]]))
    array([[0.5, 0. ]])
    """

    name = "mean_absolute_error"

    def _per_sample(self, y_true, y_pred):
        return _mae(y_true, y_pred)

    def gradient(self, y_true, y_pred):
        return np.sign(y_pred - y_true) / y_pred.size


@LOSSES.register("mean_absolute_percentage_error", "mape")
class MeanAbsolutePercentageError(Loss):
    r"""Mean absolute percentage error.

    .. math::
        L = \frac{100}{Nd} \sum_{n,j} \frac{|y_{nj} - \hat y_{nj}|}{\max(|y_{nj}|, \epsilon)}.

    Gradient :math:`100 \operatorname{sign}(\hat y - y) / (\max(|y|, \epsilon)\, N d)`.

    Introduced in the chapter *Loss functions*.

    Examples
    --------
    >>> MeanAbsolutePercentageError()([[2.0, 4.0]], [[1.0, 5.0]])
    37.5
    """

    name = "mean_absolute_percentage_error"

    def _per_sample(self, y_true, y_pred):
        return _mape(y_true, y_pred)

    def gradient(self, y_true, y_pred):
        scale = 100.0 / y_pred.size
        return scale * np.sign(y_pred - y_true) / np.maximum(np.abs(y_true), EPSILON)


@LOSSES.register("hinge")
class Hinge(Loss):
    r"""Hinge loss, :math:`L = \frac{1}{Nd} \sum \max(1 - y \hat y, 0)`, labels :math:`\pm 1`.

    Labels that are all 0 or 1 are mapped to :math:`2y - 1` (Keras decides
    this for each call). Gradient :math:`-y/(Nd)` where
    :math:`1 - y\hat y \ge 0`, else 0.

    Introduced in the chapter *Loss functions*.

    Examples
    --------
    >>> h = Hinge()
    >>> h([[1.0, 0.0]], [[0.5, 0.5]])
    1.0
    >>> h.gradient(np.array([[1.0, 0.0]]), np.array([[0.5, 0.5]]))
    array([[-0.5,  0.5]])
    """

    name = "hinge"

    def _per_sample(self, y_true, y_pred):
        return _hinge(y_true, y_pred)

    def gradient(self, y_true, y_pred):
        y = _hinge_labels(y_true)
        return np.where(1.0 - y * y_pred >= 0, -y, 0.0) / y_pred.size


class _Crossentropy(Loss):
    """Shared parts of the three cross-entropies: ``from_logits`` and dispatching on it."""

    def value(self, y_true, y_pred):
        if self.from_logits:
            return self.value_from_logits(y_true, y_pred)
        return _mean_all(self._per_sample(y_true, y_pred))

    def gradient(self, y_true, y_pred):
        if self.from_logits:
            return self.gradient_from_logits(y_true, y_pred)
        return self._gradient_of_probabilities(y_true, y_pred)


@LOSSES.register("binary_crossentropy")
class BinaryCrossentropy(_Crossentropy):
    r"""Binary cross-entropy; see :func:`binary_crossentropy`.

    Parameters
    ----------
    from_logits : bool, default=False
        Whether ``y_pred`` holds logits :math:`z` rather than probabilities.
    label_smoothing : float in [0, 1], default=0.0
        Targets become :math:`y(1 - s) + s/2`.

    Notes
    -----
    With :math:`\tilde p = \operatorname{clip}(\hat y, \epsilon, 1 - \epsilon)`,
    the gradient of the reduced loss is

    .. math::
        \frac{\partial L}{\partial \hat y} = \frac{1}{Nd}\,
        \frac{\tilde p - y}{\tilde p (1 - \tilde p)}
        \quad\text{where } \epsilon \le \hat y \le 1 - \epsilon, \text{ else } 0

    (clipping cuts the gradient). From the logits the sigmoid's derivative
    cancels the denominator:

    .. math::
        \frac{\partial L}{\partial z} = \frac{\sigma(z) - y}{Nd}.

    Introduced in the chapter *Loss functions*.

    Examples
    --------
    >>> bce = BinaryCrossentropy()
    >>> bce.gradient(np.array([[1.0]]), np.array([[0.5]]))
    array([[-2.]])
    >>> bce.gradient_from_logits(np.array([[1.0]]), np.array([[0.0]]))
    array([[-0.5]])
    """

    name = "binary_crossentropy"
    logits_activation = "sigmoid"

    def __init__(self, from_logits=False, label_smoothing=0.0):
        self.from_logits = check_bool(from_logits, "from_logits", "BinaryCrossentropy")
        self.label_smoothing = _check_smoothing(label_smoothing, "BinaryCrossentropy")

    def _smooth(self, y):
        s = self.label_smoothing
        return y * (1.0 - s) + 0.5 * s if s else y

    def _per_sample(self, y_true, y_pred):
        y = self._smooth(y_true)
        return _bce_logits(y, y_pred) if self.from_logits else _bce(y, y_pred)

    def _gradient_of_probabilities(self, y_true, y_pred):
        y = self._smooth(y_true)
        p = np.clip(y_pred, EPSILON, 1.0 - EPSILON)
        inside = (y_pred >= EPSILON) & (y_pred <= 1.0 - EPSILON)
        return np.where(inside, (p - y) / (p * (1.0 - p)), 0.0) / y_pred.size

    def value_from_logits(self, y_true, z):
        return _mean_all(_bce_logits(self._smooth(y_true), z))

    def gradient_from_logits(self, y_true, z):
        # sigma(z) - y, written so that nothing cancels for 0/1 targets: with t = sigma(-|z|),
        # sigma(z) = 1 - t for z >= 0 and t for z < 0.
        y = self._smooth(y_true)
        e = np.exp(-np.abs(z))
        t = e / (1.0 + e)
        return np.where(z >= 0, (1.0 - y) - t, t - y) / z.size

    def get_config(self):
        return {"from_logits": self.from_logits, "label_smoothing": self.label_smoothing}


@LOSSES.register("categorical_crossentropy")
class CategoricalCrossentropy(_Crossentropy):
    r"""Categorical cross-entropy with one-hot targets; see :func:`categorical_crossentropy`.

    Parameters
    ----------
    from_logits : bool, default=False
        Whether ``y_pred`` holds logits :math:`z` rather than probabilities.
    label_smoothing : float in [0, 1], default=0.0
        Targets become :math:`y(1 - s) + s/C`.

    Notes
    -----
    With :math:`S = \sum_c \hat y_c`, :math:`q = \hat y / S`, :math:`\tilde q`
    the clipped :math:`q` and :math:`g_c = -y_c/\tilde q_c` where
    :math:`\epsilon \le q_c \le 1 - \epsilon` (else 0), the chain rule through
    the renormalisation gives, for each of the :math:`N` samples,

    .. math::
        \frac{\partial L}{\partial \hat y_j} = \frac{1}{N S}\Big(g_j - \sum_c g_c q_c\Big).

    From the logits it is the famous

    .. math::
        \frac{\partial L}{\partial z} = \frac{\operatorname{softmax}(z) - y}{N}

    for targets that sum to 1 (in general
    :math:`(\operatorname{softmax}(z) \sum_c y_c - y)/N`, the derivative of
    the value; TensorFlow uses :math:`\operatorname{softmax}(z) - y` even
    when the targets do not sum to 1).

    Introduced in the chapter *Loss functions*.

    Examples
    --------
    >>> cce = CategoricalCrossentropy()
    >>> cce.gradient_from_logits(np.array([[0.0, 1.0]]), np.array([[0.0, 0.0]]))
    array([[ 0.5, -0.5]])
    """

    name = "categorical_crossentropy"
    logits_activation = "softmax"

    def __init__(self, from_logits=False, label_smoothing=0.0):
        self.from_logits = check_bool(from_logits, "from_logits", "CategoricalCrossentropy")
        self.label_smoothing = _check_smoothing(label_smoothing, "CategoricalCrossentropy")

    def _smooth(self, y):
        s = self.label_smoothing
        return y * (1.0 - s) + s / y.shape[-1] if s else y

    def _per_sample(self, y_true, y_pred):
        y = self._smooth(y_true)
        return _cce_logits(y, y_pred) if self.from_logits else _cce(y, y_pred)

    def _gradient_of_probabilities(self, y_true, y_pred):
        y = self._smooth(y_true)
        S = np.sum(y_pred, axis=-1, keepdims=True)
        q = y_pred / S
        inside = (q >= EPSILON) & (q <= 1.0 - EPSILON)
        g = np.where(inside, -y / np.clip(q, EPSILON, 1.0 - EPSILON), 0.0)
        dq = g - np.sum(g * q, axis=-1, keepdims=True)
        return dq / (S * _n_samples(y_pred))

    def value_from_logits(self, y_true, z):
        return _mean_all(_cce_logits(self._smooth(y_true), z))

    def gradient_from_logits(self, y_true, z):
        y = self._smooth(y_true)
        return (_SOFTMAX.forward(z) * y.sum(axis=-1, keepdims=True) - y) / _n_samples(z)

    def _shape_hint(self):
        return _CCE_HINT

    def _check(self, y_true, y_pred, owner, logits):
        y_true, y_pred = super()._check(y_true, y_pred, owner, logits)
        if not logits:
            _check_row_sums(y_pred, owner)
        return y_true, y_pred

    def get_config(self):
        return {"from_logits": self.from_logits, "label_smoothing": self.label_smoothing}


@LOSSES.register("sparse_categorical_crossentropy")
class SparseCategoricalCrossentropy(_Crossentropy):
    r"""Categorical cross-entropy with integer labels; see :func:`sparse_categorical_crossentropy`.

    Parameters
    ----------
    from_logits : bool, default=False
        Whether ``y_pred`` holds logits :math:`z` rather than probabilities.

    Notes
    -----
    With :math:`\tilde p` the clipped probabilities and :math:`y` the label
    of a sample, the per-sample loss :math:`-\log \tilde p_y + \log \sum_c \tilde p_c`
    has the gradient (divided by the :math:`N` samples)

    .. math::
        \frac{\partial L}{\partial \hat y_j} = \frac1N \Big(\frac{1}{\sum_c \tilde p_c}
        - \frac{[j = y]}{\tilde p_y}\Big)
        \quad\text{where } \epsilon \le \hat y_j \le 1 - \epsilon, \text{ else } 0,

    and from the logits :math:`(\operatorname{softmax}(z) - \operatorname{onehot}(y))/N`.

    Introduced in the chapter *Loss functions*.

    Examples
    --------
    >>> scce = SparseCategoricalCrossentropy()
    >>> scce([1], [[0.25, 0.5, 0.25]])  # log 2
    0.6931471805599453
    >>> scce.gradient_from_logits(np.array([1]), np.array([[0.0, 0.0]]))
    array([[ 0.5, -0.5]])
    """

    name = "sparse_categorical_crossentropy"
    logits_activation = "softmax"

    def __init__(self, from_logits=False):
        self.from_logits = check_bool(from_logits, "from_logits", "SparseCategoricalCrossentropy")

    def _per_sample(self, y_true, y_pred):
        return _scce_logits(y_true, y_pred) if self.from_logits else _scce(y_true, y_pred)

    def _gradient_of_probabilities(self, y_true, y_pred):
        q = np.clip(y_pred, EPSILON, 1.0 - EPSILON)
        inside = (y_pred >= EPSILON) & (y_pred <= 1.0 - EPSILON)
        g = np.broadcast_to(1.0 / np.sum(q, axis=-1, keepdims=True), q.shape).copy()
        g[_at_labels(y_true)] -= 1.0 / _pick(q, y_true)
        return np.where(inside, g, 0.0) / _n_samples(y_pred)

    def value_from_logits(self, y_true, z):
        return _mean_all(_scce_logits(y_true, z))

    def gradient_from_logits(self, y_true, z):
        g = _SOFTMAX.forward(z)
        g[_at_labels(y_true)] -= 1.0  # softmax(z) - onehot(y)
        return g / _n_samples(z)

    def _check(self, y_true, y_pred, owner, logits):
        y_pred = _float_array(y_pred, "y_pred", owner)
        labels = _check_labels(y_true, y_pred.shape, owner)
        if not logits:
            _check_probabilities(y_pred, owner)
        return labels, y_pred

    def check_targets(self, y_true, y_pred_shape, dtype=np.float64):
        owner = f"{type(self).__name__}.check_targets"
        return _check_labels(y_true, tuple(y_pred_shape), owner)

    def get_config(self):
        return {"from_logits": self.from_logits}
