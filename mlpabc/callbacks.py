r"""Callbacks: code that runs at fixed points of :meth:`mlpabc.Sequential.fit`.

``fit`` calls every callback's hooks in this order::

    on_train_begin
        on_epoch_begin(epoch)
            on_train_batch_begin(batch) / on_train_batch_end(batch, logs)   # every step
        on_epoch_end(epoch, logs)          # logs: "loss", metrics, "val_..." of the epoch
    on_train_end

``epoch`` and ``batch`` count from 0, as in Keras. A callback stops training by
setting ``self.model.stop_training = True``; the epoch in progress is still
finished and recorded. The module holds Keras's callbacks that the course
uses: :class:`History` (returned by ``fit``), :class:`EarlyStopping`,
:class:`LambdaCallback` and :class:`ProgbarLogger` (what ``verbose=1`` and
``verbose=2`` print).

Introduced in the chapter *Evaluating training*.
"""

from __future__ import annotations

import difflib
import sys
import warnings

import numpy as np

from ._validation import check_bool, check_float, check_int, check_one_of, describe

__all__ = [
    "Callback",
    "CallbackList",
    "EarlyStopping",
    "History",
    "LambdaCallback",
    "ProgbarLogger",
]

_HOOKS = (
    "on_train_begin",
    "on_train_end",
    "on_epoch_begin",
    "on_epoch_end",
    "on_train_batch_begin",
    "on_train_batch_end",
)


class Callback:
    """Base class: every hook does nothing until a subclass overrides it.

    Attributes
    ----------
    model : Sequential or None
        The model being trained (set by ``fit`` through :meth:`set_model`).
    params : dict
        ``{"verbose": ..., "epochs": ..., "steps": ...}`` of the current ``fit``
        (``steps`` = batches per epoch), set through :meth:`set_params`.

    Examples
    --------
    A callback that records the learning rate at the start of every epoch:

    >>> class LearningRateLog(Callback):
    ...     def on_train_begin(self, logs=None):
    ...         self.rates = []
    ...     def on_epoch_begin(self, epoch, logs=None):
    ...         self.rates.append(self.model.optimizer.current_learning_rate())

    Introduced in the chapter *Evaluating training*.
    """

    def __init__(self):
        self.model = None
        self.params = {}

    def set_model(self, model) -> None:
        """Remember the model the hooks act on."""
        self.model = model

    def set_params(self, params) -> None:
        """Remember ``fit``'s parameters (``verbose``, ``epochs``, ``steps``)."""
        self.params = dict(params)

    def on_train_begin(self, logs=None):
        """Called once, before the first epoch."""

    def on_train_end(self, logs=None):
        """Called once, after the last epoch (also after an early stop or a divergence)."""

    def on_epoch_begin(self, epoch, logs=None):
        """Called at the start of epoch ``epoch`` (0-based)."""

    def on_epoch_end(self, epoch, logs=None):
        """Called at the end of epoch ``epoch`` with its ``logs`` (loss, metrics, ``val_*``)."""

    def on_train_batch_begin(self, batch, logs=None):
        """Called before training step ``batch`` (0-based within the epoch)."""

    def on_train_batch_end(self, batch, logs=None):
        """Called after step ``batch``; ``logs`` hold the running means of the epoch so far."""


def _overrides(callback, hook) -> bool:
    """Whether ``callback`` does something in ``hook`` (a method override or an attribute)."""
    if hook in getattr(callback, "_inactive_hooks", ()):
        return False
    return hook in vars(callback) or getattr(type(callback), hook) is not getattr(Callback, hook)


class CallbackList:
    """Calls a list of callbacks in order; used by ``fit``.

    Only callbacks that override a hook are called for it, so a training step
    without batch-level callbacks costs nothing here.

    Parameters
    ----------
    callbacks : list of Callback
    model : Sequential
    params : dict
        Passed to every callback's :meth:`Callback.set_params`.

    Introduced in the chapter *Evaluating training*.
    """

    def __init__(self, callbacks, model, params):
        self.callbacks = list(callbacks)
        for cb in self.callbacks:
            cb.set_model(model)
            cb.set_params(params)
        self._by_hook = {
            hook: [getattr(cb, hook) for cb in self.callbacks if _overrides(cb, hook)]
            for hook in _HOOKS
        }

    def has(self, hook) -> bool:
        """Whether any callback does something in ``hook``."""
        return bool(self._by_hook[hook])

    def hooks(self, hook) -> list:
        """The bound methods called for ``hook``, in order (for a loop that calls them itself)."""
        return list(self._by_hook[hook])

    def on_train_begin(self, logs=None):
        for fn in self._by_hook["on_train_begin"]:
            fn(logs)

    def on_train_end(self, logs=None):
        for fn in self._by_hook["on_train_end"]:
            fn(logs)

    def on_epoch_begin(self, epoch, logs=None):
        for fn in self._by_hook["on_epoch_begin"]:
            fn(epoch, logs)

    def on_epoch_end(self, epoch, logs=None):
        for fn in self._by_hook["on_epoch_end"]:
            fn(epoch, logs)

    def on_train_batch_begin(self, batch, logs=None):
        for fn in self._by_hook["on_train_batch_begin"]:
            fn(batch, logs)

    def on_train_batch_end(self, batch, logs=None):
        for fn in self._by_hook["on_train_batch_end"]:
            fn(batch, logs)


class History(Callback):
    r"""The record of a ``fit``: what ``model.fit`` returns, as in Keras.

    Attributes
    ----------
    history : dict of str to list of float
        One list per logged quantity, one value per completed epoch:
        ``"loss"`` (the batch-size-weighted mean of the pre-update training
        losses of the epoch, penalties included), each compiled metric, and
        ``"val_loss"``/``"val_<metric>"`` when there is validation data. Keys
        are sorted, as Keras 3 sorts them.
    epoch : list of int
        The epochs recorded (0-based).
    params : dict
        ``{"verbose": ..., "epochs": ..., "steps": ...}``.
    model : Sequential
        The trained model.
    batch_order : list of ndarray
        mlpabc only: for each epoch run, the order in which the training
        samples were used (indices into the training part of ``x``; batches
        are consecutive slices of it). Pass it to
        :func:`mlpabc.keras_bridge.fit_keras_in_order` to give Keras the very
        same batches.

    Examples
    --------
    >>> import numpy as np
    >>> from mlpabc.models import Sequential
    >>> from mlpabc.layers import Dense, Input
    >>> model = Sequential([Input((1,)), Dense(1, kernel_initializer="zeros")], seed=0)
    >>> model.compile(optimizer="sgd", loss="mse")
    >>> history = model.fit(np.ones((4, 1)), np.ones((4, 1)), epochs=2, verbose=0)
    >>> history.epoch, [round(v, 4) for v in history.history["loss"]]
    ([0, 1], [1.0, 0.9216])

    Introduced in the chapter *Evaluating training*.
    """

    def __init__(self):
        super().__init__()
        self.history: dict[str, list[float]] = {}
        self.epoch: list[int] = []
        self.batch_order: list[np.ndarray] = []

    def on_train_begin(self, logs=None):
        self.epoch = []

    def on_epoch_end(self, epoch, logs=None):
        self.epoch.append(epoch)
        history = self.history
        for key, value in (logs or {}).items():
            if key in history:
                history[key].append(value)
            else:
                history[key] = [value]

    def __repr__(self) -> str:
        return f"<History epochs={len(self.epoch)} keys={list(self.history)}>"


def _format_value(value) -> str:
    # Keras's Progbar: 4 decimals, or scientific notation for tiny values.
    return f"{value:.4f}" if abs(value) > 1e-3 else f"{value:.4e}"


def _format_logs(logs) -> str:
    return " - ".join(f"{key}: {_format_value(value)}" for key, value in logs.items())


class ProgbarLogger(Callback):
    """Print training progress: what ``fit(verbose=1)`` and ``fit(verbose=2)`` show.

    Parameters
    ----------
    verbose : {1, 2}, default=1
        1: a text progress bar per epoch (``tqdm``) with the running loss, then
        the epoch's logs. 2: one line per epoch and nothing else, without
        timings, so the output is the same on every run::

            Epoch 3/10 - loss: 0.1234 - val_loss: 0.2345

    file : file-like or None, default=None
        Where to print; ``None`` is ``sys.stdout`` at the time of printing.

    Notes
    -----
    ``fit`` adds this callback itself when ``verbose`` is 1 or 2 (``"auto"``
    is 1). Values are printed with 4 decimals, in scientific notation below
    0.001, as Keras prints them.

    Examples
    --------
    >>> logger = ProgbarLogger(verbose=2)
    >>> logger.set_params({"epochs": 10, "steps": 4, "verbose": 2})
    >>> logger.on_epoch_end(2, {"loss": 0.12344, "val_loss": 0.00002})
    Epoch 3/10 - loss: 0.1234 - val_loss: 2.0000e-05

    Introduced in the chapter *Evaluating training*.
    """

    def __init__(self, verbose=1, file=None):
        super().__init__()
        self.verbose = check_one_of(verbose, "verbose", "ProgbarLogger", (1, 2))
        self.file = file
        self._bar = None
        if self.verbose == 2:  # one line per epoch: no per-batch work at all
            self._inactive_hooks = ("on_train_batch_end",)

    def _out(self):
        return self.file if self.file is not None else sys.stdout

    def on_epoch_begin(self, epoch, logs=None):
        if self.verbose == 1:
            import tqdm  # text bars only: tqdm.auto's widgets would not show in stored notebooks

            epochs = self.params.get("epochs", "?")
            self._bar = tqdm.tqdm(
                total=self.params.get("steps"),
                desc=f"Epoch {epoch + 1}/{epochs}",
                unit="batch",
                file=self._out(),
                leave=True,
            )

    def on_train_batch_end(self, batch, logs=None):
        if self._bar is not None:
            if logs and "loss" in logs:
                self._bar.set_postfix_str(f"loss: {_format_value(logs['loss'])}", refresh=False)
            self._bar.update(1)

    def on_epoch_end(self, epoch, logs=None):
        if self.verbose == 1 and self._bar is not None:
            self._bar.set_postfix_str(_format_logs(logs or {}), refresh=False)
            self._bar.close()
            self._bar = None
        elif self.verbose == 2:
            epochs = self.params.get("epochs", "?")
            text = f"Epoch {epoch + 1}/{epochs}"
            if logs:
                text += " - " + _format_logs(logs)
            print(text, file=self._out())

    def on_train_end(self, logs=None):
        if self._bar is not None:  # training stopped inside an epoch (divergence)
            self._bar.close()
            self._bar = None


class LambdaCallback(Callback):
    """A callback made of plain functions, as ``keras.callbacks.LambdaCallback``.

    Parameters
    ----------
    on_epoch_begin, on_epoch_end : callable or None
        Called as ``f(epoch, logs)``.
    on_train_begin, on_train_end : callable or None
        Called as ``f(logs)``.
    on_train_batch_begin, on_train_batch_end : callable or None
        Called as ``f(batch, logs)``.

    Examples
    --------
    >>> import numpy as np
    >>> from mlpabc.models import Sequential
    >>> from mlpabc.layers import Dense, Input
    >>> model = Sequential([Input((1,)), Dense(1, kernel_initializer="zeros")], seed=0)
    >>> model.compile(optimizer="sgd", loss="mse")
    >>> show = lambda epoch, logs: print(epoch, round(logs["loss"], 4))
    >>> printer = LambdaCallback(on_epoch_end=show)
    >>> _ = model.fit(np.ones((4, 1)), np.ones((4, 1)), epochs=2, verbose=0, callbacks=[printer])
    0 1.0
    1 0.9216

    Introduced in the chapter *Evaluating training*.
    """

    def __init__(
        self,
        on_epoch_begin=None,
        on_epoch_end=None,
        on_train_begin=None,
        on_train_end=None,
        on_train_batch_begin=None,
        on_train_batch_end=None,
    ):
        super().__init__()
        given = {
            "on_epoch_begin": on_epoch_begin,
            "on_epoch_end": on_epoch_end,
            "on_train_begin": on_train_begin,
            "on_train_end": on_train_end,
            "on_train_batch_begin": on_train_batch_begin,
            "on_train_batch_end": on_train_batch_end,
        }
        for hook, fn in given.items():
            if fn is None:
                continue
            if not callable(fn):
                raise TypeError(
                    f"The {hook!r} argument of LambdaCallback must be a function or None. "
                    f"Got {describe(fn)} instead."
                )
            setattr(self, hook, fn)  # an instance attribute: only given hooks are called


class EarlyStopping(Callback):
    r"""Stop training when a monitored quantity has stopped improving, as Keras does.

    At the end of every epoch :math:`e \ge` ``start_from_epoch`` the monitored
    value :math:`v_e` (``logs[monitor]``) is compared with the best so far;
    for a quantity to minimise it is an improvement when

    .. math::
        v_e + |\delta| < v_{\text{best}}

    (strictly: a tie is not an improvement; :math:`\delta` is ``min_delta``).
    A counter ``wait`` counts the epochs since the last improvement; training
    stops at the end of the first epoch where ``wait >= patience`` (and
    :math:`e > 0`). So ``patience=0`` and ``patience=1`` behave the same: stop
    at the first epoch that does not improve.

    Parameters
    ----------
    monitor : str, default="val_loss"
        A key of the epoch logs: ``"loss"``, ``"val_loss"``, a metric name or
        ``"val_"`` + a metric name.
    min_delta : float, default=0
        The smallest change that counts as an improvement (its sign is ignored).
    patience : int, default=0
        Epochs without improvement to wait before stopping.
    verbose : int, default=0
        1 prints a line when training stops and when the best weights are restored.
    mode : {"auto", "min", "max"}, default="auto"
        Whether the quantity should go down or up. ``"auto"``: down for losses
        and errors, up for accuracies (the metric's direction).
    baseline : float or None, default=None
        If given, an improvement resets ``wait`` only when it also beats the
        baseline (the baseline is not the initial best).
    restore_best_weights : bool, default=False
        At the end of training, put back the weights of the best epoch, even
        when training ran all its epochs.
    start_from_epoch : int, default=0
        Epochs to let pass before monitoring (a warm-up).

    Attributes
    ----------
    best : float or None
        The best monitored value.
    best_epoch : int
        The epoch (0-based) where it was reached.
    stopped_epoch : int
        The epoch (0-based) at which training was stopped; 0 if it was not.
    wait : int
        Epochs since the last improvement.

    Notes
    -----
    The comparison is made in float32, as in Keras (its ``ops.less`` turns
    Python floats into float32 tensors), so a model trained in mlpabc stops
    at the very epoch a Keras model with the same losses stops. If ``monitor``
    is not in the logs (say ``"val_loss"`` without validation data), a warning
    lists the keys that are there and the epoch is skipped, as in Keras.

    Examples
    --------
    The rule, on scripted losses (no model needed):

    >>> class Stub:
    ...     stop_training = False
    >>> stopper = EarlyStopping(monitor="val_loss", patience=1)
    >>> stopper.set_model(Stub())
    >>> stopper.on_train_begin()
    >>> for epoch, v in enumerate([1.0, 0.9, 0.95, 0.8]):
    ...     stopper.on_epoch_end(epoch, {"val_loss": v})
    ...     if stopper.model.stop_training:
    ...         break
    >>> stopper.stopped_epoch, stopper.best_epoch, stopper.best
    (2, 1, 0.9)

    Introduced in the chapter *Evaluating training*.
    """

    def __init__(
        self,
        monitor="val_loss",
        min_delta=0,
        patience=0,
        verbose=0,
        mode="auto",
        baseline=None,
        restore_best_weights=False,
        start_from_epoch=0,
    ):
        super().__init__()
        owner = "EarlyStopping"
        if not isinstance(monitor, str) or not monitor:
            raise TypeError(
                f"The 'monitor' argument of {owner} must be the name of a logged quantity, "
                f"such as 'val_loss'. Got {describe(monitor)} instead."
            )
        self.monitor = monitor
        self.min_delta = abs(check_float(min_delta, "min_delta", owner))
        self.patience = check_int(patience, "patience", owner, minimum=0)
        self.verbose = check_int(verbose, "verbose", owner, minimum=0)
        self.mode = check_one_of(mode, "mode", owner, ("auto", "min", "max"))
        self.baseline = check_float(baseline, "baseline", owner, allow_none=True)
        self.restore_best_weights = check_bool(restore_best_weights, "restore_best_weights", owner)
        self.start_from_epoch = check_int(start_from_epoch, "start_from_epoch", owner, minimum=0)
        self._reset()

    def _reset(self):
        self.wait = 0
        self.stopped_epoch = 0
        self.best = None
        self.best_weights = None
        self.best_epoch = 0
        self._lower_is_better = None
        self._warned = False

    def on_train_begin(self, logs=None):
        self._reset()  # an instance can be reused across fits

    # -- direction ------------------------------------------------------------------------
    def _direction(self) -> bool:
        """True when lower is better."""
        if self.mode != "auto":
            return self.mode == "min"
        name = self.monitor.removeprefix("val_")
        if name == "loss":
            return True
        for metric in getattr(self.model, "compiled_metrics", None) or []:
            if getattr(metric, "name", None) == name:
                direction = getattr(metric, "direction", getattr(metric, "_direction", None))
                if direction in ("up", "down"):
                    return direction == "down"
        lowered = name.lower()
        if any(word in lowered for word in ("accuracy", "acc", "r2", "auc", "precision", "recall")):
            return False
        if any(
            word in lowered
            for word in ("loss", "error", "mse", "mae", "mape", "crossentropy", "hinge")
        ):
            return True
        raise ValueError(
            f"EarlyStopping cannot tell whether {self.monitor!r} should go down or up. "
            "Pass mode='min' or mode='max'."
        )

    def _is_improvement(self, value, reference) -> bool:
        if reference is None:
            return True
        # Keras: ops.less(value - delta, reference), in float32 (Python floats become float32).
        if self._lower_is_better:
            return bool(np.float32(value + self.min_delta) < np.float32(reference))
        return bool(np.float32(value - self.min_delta) > np.float32(reference))

    def _monitored(self, logs):
        value = (logs or {}).get(self.monitor)
        if value is None:
            if not self._warned:
                keys = sorted(logs or {})
                close = difflib.get_close_matches(self.monitor, keys, n=1)
                if self.monitor.startswith("val_") and not any(k.startswith("val_") for k in keys):
                    hint = " Pass validation_data or validation_split to fit()."
                else:
                    hint = f" Did you mean {close[0]!r}?" if close else ""
                warnings.warn(
                    f"EarlyStopping monitors {self.monitor!r}, which is not in the logs; "
                    f"available keys: {', '.join(map(repr, keys)) or 'none'}.{hint} "
                    "Training continues without early stopping.",
                    UserWarning,
                    stacklevel=3,
                )
                self._warned = True
            return None
        return float(value)

    # -- the rule ---------------------------------------------------------------------------
    def on_epoch_end(self, epoch, logs=None):
        current = self._monitored(logs)
        if current is None or epoch < self.start_from_epoch:
            return
        if self._lower_is_better is None:
            self._lower_is_better = self._direction()
        if self.restore_best_weights and self.best_weights is None:
            self.best_weights = self.model.get_weights()  # the first monitored epoch
            self.best_epoch = epoch
        self.wait += 1
        if self._is_improvement(current, self.best):
            self.best = current
            self.best_epoch = epoch
            if self.restore_best_weights:
                self.best_weights = self.model.get_weights()
            if self.baseline is None or self._is_improvement(current, self.baseline):
                self.wait = 0
            return  # an improving epoch never stops training
        if self.wait >= self.patience and epoch > 0:
            self.stopped_epoch = epoch
            self.model.stop_training = True

    def on_train_end(self, logs=None):
        if self.stopped_epoch > 0 and self.verbose > 0:
            print(f"Epoch {self.stopped_epoch + 1}: early stopping")
        if self.restore_best_weights and self.best_weights is not None:
            if self.verbose > 0:
                print(
                    "Restoring model weights from the end of the best epoch: "
                    f"{self.best_epoch + 1}."
                )
            self.model.set_weights(self.best_weights)

    def __repr__(self) -> str:
        return f"EarlyStopping(monitor={self.monitor!r}, patience={self.patience})"


def _check_callbacks(callbacks, owner):
    """``None`` or a list of :class:`Callback` instances, as a list."""
    if callbacks is None:
        return []
    if isinstance(callbacks, Callback):
        raise TypeError(
            f"The 'callbacks' argument of {owner} must be a list of callbacks. Got a single "
            f"{type(callbacks).__name__}; write callbacks=[{type(callbacks).__name__}(...)]."
        )
    if not isinstance(callbacks, (list, tuple)):
        raise TypeError(
            f"The 'callbacks' argument of {owner} must be a list of callbacks or None. "
            f"Got {describe(callbacks)} instead."
        )
    for i, cb in enumerate(callbacks):
        if not isinstance(cb, Callback):
            raise TypeError(
                f"The 'callbacks' argument of {owner} must hold Callback instances. Item {i} "
                f"is {describe(cb)}."
                + (" (a class: add parentheses)" if isinstance(cb, type) else "")
            )
    return list(callbacks)
