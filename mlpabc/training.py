r"""How a :class:`~mlpabc.models.Sequential` model trains: the step, the epochs, the evaluation.

One **training step** on a batch :math:`(X, Y)` (the function
:func:`make_train_step` returns, once per ``fit``) is

1. the forward pass in training mode, layer by layer, :math:`\hat Y = f(X)`;
2. the loss :math:`L = \ell(Y, \hat Y)` and its gradient :math:`\partial L/\partial \hat Y`
   (from the logits :math:`z` of the last layer when Keras does so: sigmoid
   with binary cross-entropy, softmax with categorical cross-entropy);
3. the backward pass through every layer in reverse order, which fills each
   layer's ``grads``;
4. the penalties :math:`\sum \Omega(\theta)` of the regularized weights, added
   to the loss and to their gradients;
5. the optimizer's update of every trainable parameter, in place.

Every call here is a public method a chapter shows: ``Layer.forward``,
``Loss.value``/``Loss.gradient`` (or ``value_from_logits``/
``gradient_from_logits``), ``Layer.backward`` (or ``Dense.backward_from_logits``),
``Layer.regularization_loss``/``add_regularization_gradients`` and
``Optimizer.apply_gradients``, which calls ``Optimizer.update_step``. The data
were checked once, where they entered ``fit``.

Introduced in the chapter *Gradient descent and optimizers*.
"""

from __future__ import annotations

import math
import numbers
import sys
import warnings

import numpy as np

from ._summary import shape_text
from ._validation import check_array, check_same_length, describe
from .callbacks import CallbackList, History, ProgbarLogger

__all__ = [
    "check_x", "check_xy", "fit_loop", "forward", "evaluate_loop", "make_train_step", "uses_logits",
]  # fmt: skip

#: The divergence guard warns when a step's loss exceeds the first step's loss by this factor.
GROWTH_WARNING = 1e6
_LARGEST = sys.float_info.max


# -- data at the boundary of fit, evaluate and predict: checked once --------------------------


def check_x(model, x, owner, name="x"):
    """``x`` as a C-contiguous array of the model's dtype; builds the model on first data."""
    if (x.dtype if isinstance(x, np.ndarray) else np.asarray(x).dtype).kind in "USO":
        raw = np.asarray(x)
        if raw.dtype.kind in "US" or any(isinstance(v, (str, bytes)) for v in raw.flat):
            raise TypeError(
                f"The {name!r} argument of {owner} must be an array of numbers. "
                f"Got {describe(raw)} instead: convert text to numbers first, e.g. "
                "x.astype(float), if it holds numbers written as text."
            )
    arr = check_array(x, name, owner, dtype=model._dtype)
    if arr.ndim < 2:
        raise ValueError(
            f"The {name!r} argument of {owner} must be a 2-D array of shape (n_samples, "
            f"n_features). Got {describe(arr)} instead. Use x.reshape(-1, 1) for a single "
            "feature or x.reshape(1, -1) for a single sample."
        )
    if not model._layers:
        raise ValueError(
            f"Model {model.name!r} has no layers yet; add some with model.add(...) before {owner}."
        )
    if model._input_shape is None:
        model._build(arr.shape[1:])
    elif arr.shape[1:] != model._input_shape:
        raise ValueError(
            f"The {name!r} argument of {owner} must have shape (n_samples, "
            f"{', '.join(map(str, model._input_shape))}) to match the model's input. Got an "
            f"array of shape {arr.shape} instead."
        )
    elif not model.built:
        model._build(model._input_shape)
    return np.ascontiguousarray(arr)


def check_xy(model, x, y, owner, names=("x", "y")):
    """Check and convert a pair of inputs and targets (once per call)."""
    x = check_x(model, x, owner, names[0])
    y_raw = check_array(y, names[1], owner, dtype=None)
    if y_raw.dtype.kind not in "biuf":
        raise TypeError(
            f"The {names[1]!r} argument of {owner} must be an array of numbers. "
            f"Got {describe(y_raw)} instead."
        )
    if y_raw.ndim == 0:
        raise ValueError(
            f"The {names[1]!r} argument of {owner} must hold one target per sample. "
            f"Got the scalar {y_raw.item()!r} instead."
        )
    check_same_length(x, y_raw, owner, names)
    shape = (len(x), *model._shapes[-1])
    try:
        y = model.loss.check_targets(y_raw, shape, dtype=model._dtype)
    except (ValueError, TypeError) as err:
        raise type(err)(
            f"The {names[1]!r} argument of {owner} does not fit the model's output of shape "
            f"{shape_text(model._shapes[-1])} and the loss {model.loss.name!r}: {err}"
        ) from None
    return x, np.ascontiguousarray(y)


def check_validation_data(model, validation_data, owner):
    if not isinstance(validation_data, (tuple, list)):
        raise TypeError(
            f"The 'validation_data' argument of {owner} must be a pair (x_val, y_val). "
            f"Got {describe(validation_data)} instead."
        )
    if len(validation_data) != 2:
        raise ValueError(
            f"The 'validation_data' argument of {owner} must be a pair (x_val, y_val). "
            f"Got a {type(validation_data).__name__} of {len(validation_data)} items instead."
        )
    return check_xy(
        model, *validation_data, owner, names=("validation_data[0]", "validation_data[1]")
    )


def check_verbose(verbose, owner):
    if verbose == "auto":
        return 1
    if isinstance(verbose, (bool, np.bool_)) or not isinstance(verbose, numbers.Integral):
        raise TypeError(
            f"The 'verbose' argument of {owner} must be 'auto', 0, 1 or 2. "
            f"Got {describe(verbose)} instead."
        )
    if verbose not in (0, 1, 2):
        raise ValueError(
            f"The 'verbose' argument of {owner} must be 'auto', 0, 1 or 2. Got {verbose!r} instead."
        )
    return int(verbose)


# -- the step and the loops -----------------------------------------------------------------


def uses_logits(model) -> bool:
    """Whether the loss is computed from the last layer's logits, exactly when Keras does.

    That is when the last layer's activation is the one the loss pairs with
    (``loss.logits_activation``) and the loss does not already take logits.
    """
    loss, last = model.loss, model.layers[-1]
    act = getattr(last, "output_activation", None)
    return (
        loss.logits_activation is not None
        and not loss.from_logits
        and act == loss.logits_activation
    )


def forward(layers, x, training):
    """The forward pass of ``layers``: :math:`\\hat y = f_L(\\dots f_1(x))`."""
    h = x
    for layer in layers:
        h = layer.forward(h, training)
    return h


def make_train_step(model):
    """The training step of ``model``, with what a fit keeps fixed looked up once.

    Returns ``train_step(x, y, training=True, update=True)``, which runs one step on
    the checked batch ``(x, y)`` and returns the loss **before** the update. With
    ``update=False`` only the gradients are computed (``compute_gradients``). When
    the loss is not finite nothing is updated and the batch-normalisation
    statistics this forward pass moved are put back. Keras prepares its step the
    same way, once per ``fit`` (``Model.make_train_function``).
    """
    layers, loss, optimizer = model.layers, model.loss, model.optimizer
    metrics, first, last = model.compiled_metrics, model.layers[0], model.layers[-1]
    from_logits = uses_logits(model)  # the loss and the first delta come from z
    backward_order = layers[-2::-1] if from_logits else layers[::-1]
    regularized = [layer for layer in layers if layer.regularizers]
    state = [w for layer in layers for w in layer.state.values()]  # moving statistics
    trainable = [  # (where backward puts the gradient, its key, the weight)
        (layer.grads, key, w)
        for layer in layers
        if layer.trainable
        for key, w in layer.params.items()
    ]

    def train_step(x, y, training=True, update=True):
        saved = [w.copy() for w in state] if state else []  # put back if the loss is not finite
        y_hat = forward(layers, x, training)  # 1. forward
        if from_logits:  # 2. loss, from z; its gradient is delta = dL/dz
            z = last.logits
            value, delta = loss.value_from_logits(y, z), loss.gradient_from_logits(y, z)
            d = last.backward_from_logits(delta, input_gradient=last is not first)  # 3. backward
        else:  # 2. loss, from y_hat
            value, d = loss.value(y, y_hat), loss.gradient(y, y_hat)
        for layer in backward_order:  # 3. backward (no dL/dx for the first layer: x is the data)
            d = layer.backward(d, input_gradient=layer is not first)
        for layer in regularized:  # 4. penalties
            value += layer.regularization_loss()
            layer.add_regularization_gradients()
        if not math.isfinite(value):
            for w, w0 in zip(state, saved):
                w[...] = w0
            return value
        if update:
            for metric in metrics:
                metric.update(y, y_hat)
            optimizer.apply_gradients([(grads[key], w) for grads, key, w in trainable])  # 5. update
        return value

    return train_step


def gradients_and_weights(model) -> list:
    """``(gradient, weight)`` for every trainable weight, in ``trainable_weights`` order."""
    return [
        (layer.grads[key], param)
        for layer in model.layers
        if layer.trainable
        for key, param in layer.params.items()
    ]


def evaluate_loop(model, x, y, batch_size):
    """Batch-size-weighted loss (penalties included) and metrics, in inference mode."""
    logits, loss, last = uses_logits(model), model.loss, model.layers[-1]
    penalty = 0.0
    for layer in model.layers:
        penalty += layer.regularization_loss()
    metrics = model.compiled_metrics
    for metric in metrics:
        metric.reset()
    total, count = 0.0, 0
    for start in range(0, len(x), batch_size):
        xb, yb = x[start : start + batch_size], y[start : start + batch_size]
        with model._lock:
            y_hat = forward(model.layers, xb, False)
            value = loss.value_from_logits(yb, last.logits) if logits else loss.value(yb, y_hat)
        value += penalty
        total += value * len(xb)
        count += len(xb)
        for metric in metrics:
            metric.update(yb, y_hat)
    return total / count, [float(metric.result()) for metric in metrics]


def fit_loop(model, x, y, x_val, y_val, batch_size, epochs, verbose, callbacks, shuffle,
             initial_epoch):  # fmt: skip
    """The epochs of ``Sequential.fit`` on checked data: shuffle, steps, logs, callbacks."""
    n = len(x)
    batches = [slice(start, start + batch_size) for start in range(0, n, batch_size)]
    history = History()
    default = [ProgbarLogger(verbose), history] if verbose else [history]
    cbs = CallbackList(
        default[:-1] + callbacks + default[-1:],
        model,
        {"verbose": verbose, "epochs": epochs, "steps": len(batches)},
    )
    epoch_begin = cbs.has("on_epoch_begin")
    batch_begin, batch_end = cbs.has("on_train_batch_begin"), cbs.has("on_train_batch_end")
    metrics, lock = model.compiled_metrics, model._lock
    weights = model.weights  # the live arrays: updates and set_weights write into them
    guard = _FiniteGuard(weights)
    order = np.arange(n)
    first = None  # the loss of the first step: the scale the growth warning compares with
    limit = _LARGEST  # above it a loss is infinite, or GROWTH_WARNING times the first one
    train_step = make_train_step(model)
    model.stop_training = False
    model.history = history
    cbs.on_train_begin({})
    # A diverging step overflows: numpy's warnings would only precede the one fit gives.
    # An explicit np.errstate(..., "raise") of the caller is kept.
    quiet = {key: "ignore" if mode == "warn" else mode for key, mode in np.geterr().items()}
    with np.errstate(**quiet):
        for epoch in range(initial_epoch, epochs):
            for metric in metrics:
                metric.reset()
            if epoch_begin:
                cbs.on_epoch_begin(epoch, {})
            if shuffle:
                order = model._rng.permutation(n)
                xs, ys = x[order], y[order]  # one gather per epoch; batches are views
            else:
                xs, ys = x, y
            total, count, value = 0.0, 0, 0.0
            for i, batch in enumerate(batches):
                if batch_begin:
                    cbs.on_train_batch_begin(i, {})
                xb = xs[batch]
                with lock:
                    value = train_step(xb, ys[batch])
                if not -_LARGEST <= value <= limit:  # nan fails every comparison
                    if not math.isfinite(value):
                        restored = guard.recover(weights)
                        _warn_divergence(model, value, epoch, epochs, i, len(batches), restored)
                        break
                    _warn_growth(model, value, first, epoch, epochs, i, len(batches))
                    limit = _LARGEST  # once per fit
                if first is None:
                    first = value
                    limit = min(GROWTH_WARNING * first, _LARGEST) if first > 0 else _LARGEST
                size = len(xb)
                total += value * size
                count += size
                if batch_end:
                    logs = {"loss": total / count}
                    for metric in metrics:
                        logs[metric.name] = float(metric.result())
                    cbs.on_train_batch_end(i, dict(sorted(logs.items())))
                if model.stop_training:
                    break
            if not math.isfinite(value):
                break
            if not guard.check(weights):
                _warn_overflow(epoch, epochs)
                break
            logs = {"loss": total / count}
            for metric in metrics:
                logs[metric.name] = float(metric.result())
            if x_val is not None:
                val_loss, val_metrics = evaluate_loop(model, x_val, y_val, batch_size)
                logs["val_loss"] = val_loss
                for metric, val in zip(metrics, val_metrics):
                    logs["val_" + metric.name] = val
            if len(logs) > 1:
                logs = dict(sorted(logs.items()))
            history.batch_order.append(order)
            cbs.on_epoch_end(epoch, logs)
            if model.stop_training:
                break
    cbs.on_train_end({})
    return history


def result_of(model, loss, metric_values, return_dict, verbose=0):
    """What ``evaluate`` and ``train_on_batch`` return: the loss, ``[loss, *metrics]`` or a dict."""
    logs = {"loss": loss}
    for metric, value in zip(model.compiled_metrics, metric_values):
        logs[metric.name] = value
    logs = dict(sorted(logs.items()))
    if verbose:
        from .callbacks import _format_logs

        print(_format_logs(logs))
    if return_dict:
        return logs
    return loss if not metric_values else [loss, *metric_values]


def _learning_rate_text(model) -> str:
    try:
        return f" (it is {model.optimizer.current_learning_rate():g} now)"
    except Exception:  # noqa: BLE001 - the warning must not fail
        return ""


def _warn_divergence(model, value, epoch, epochs, step, steps, restored=False):
    if restored:  # the last update had made the weights themselves infinite
        kept = "those at the start of that epoch (the update before had overflowed)"
    else:
        kept = "those after the last step with a finite loss"
    warnings.warn(
        f"Training diverged: the loss became {value} at epoch {epoch + 1}/{epochs}, batch "
        f"{step + 1}/{steps}. Training stopped there; the weights are {kept}, and the "
        f"history holds the complete epochs only. Try a smaller learning rate"
        f"{_learning_rate_text(model)}.",
        RuntimeWarning,
        stacklevel=4,
    )


def _warn_growth(model, value, first, epoch, epochs, step, steps):
    warnings.warn(
        f"Training is diverging: the loss grew from {first:.4g} (first step) to {value:.4g} at "
        f"epoch {epoch + 1}/{epochs}, batch {step + 1}/{steps}, more than "
        f"{GROWTH_WARNING:.0e} times. Training goes on (the history keeps every epoch); try a "
        f"smaller learning rate{_learning_rate_text(model)}.",
        RuntimeWarning,
        stacklevel=4,
    )


def _warn_overflow(epoch, epochs):
    warnings.warn(
        f"Training diverged: the weights stopped being finite numbers during epoch "
        f"{epoch + 1}/{epochs} (a gradient overflowed). Training stopped; the weights are "
        "those at the start of that epoch. Try a smaller learning rate.",
        RuntimeWarning,
        stacklevel=4,
    )


class _FiniteGuard:
    """The last weights known to be finite, to fall back on when training diverges.

    One copy of all weights in a flat buffer, refreshed at the end of every
    epoch whose weights are finite: the check is one pass of ``np.isfinite`` over
    the buffer, cheap enough for once per epoch even when an epoch is one step.
    """

    def __init__(self, weights):
        size = sum(w.size for w in weights)
        dtype = weights[0].dtype if weights else np.float64
        self._good, self._views = self._buffer(weights, size, dtype)
        self._spare, self._spare_views = self._buffer(weights, size, dtype)
        self._weights = weights
        # views of the live arrays, for one np.concatenate (a copy if an array is not contiguous)
        self._flat = (
            [w.reshape(-1) for w in weights] if all(w.flags.c_contiguous for w in weights) else None
        )
        self._copy(self._views, weights)

    @staticmethod
    def _buffer(weights, size, dtype):
        flat = np.empty(size, dtype=dtype)
        views, at = [], 0
        for w in weights:
            views.append(flat[at : at + w.size].reshape(w.shape))
            at += w.size
        return flat, views

    @staticmethod
    def _copy(targets, sources):
        for target, source in zip(targets, sources):
            target[...] = source

    def _gather(self, weights) -> None:
        """Copy the live ``weights`` into the spare buffer (in one call when they allow it)."""
        if weights is self._weights and self._flat:
            np.concatenate(self._flat, out=self._spare)
        else:
            self._copy(self._spare_views, weights)

    @staticmethod
    def _finite(flat) -> bool:
        # A sum of finite numbers is finite unless it overflows; only then look at each.
        # (Not flat.dot(flat): BLAS may start threads for it, milliseconds on a busy machine.)
        return math.isfinite(np.add.reduce(flat)) or bool(np.isfinite(flat).all())

    def check(self, weights) -> bool:
        """Whether ``weights`` are finite: if so they become the fallback, else are restored."""
        self._gather(weights)
        if self._finite(self._spare):
            self._good, self._spare = self._spare, self._good
            self._views, self._spare_views = self._spare_views, self._views
            return True
        self.restore(weights)
        return False

    def recover(self, weights) -> bool:
        """After a non-finite loss: keep the weights if finite, else restore the fallback.

        Returns whether the fallback (the weights at the start of the epoch) was restored.
        """
        self._gather(weights)
        if self._finite(self._spare):
            return False
        self.restore(weights)
        return True

    def restore(self, weights) -> None:
        self._copy(weights, self._views)
