r"""The model: :class:`Sequential`, a stack of layers trained by gradient descent.

A :class:`Sequential` model chains its layers, :math:`\hat y = f_L(\dots f_2(f_1(x)))`,
and trains them as Keras does::

    model = Sequential([Input((3,)), Dense(4, activation="tanh"), Dense(1)], seed=0)
    model.compile(optimizer=SGD(learning_rate=0.1), loss="mse")
    history = model.fit(x, y, batch_size=32, epochs=10, validation_split=0.2)

This module holds the structure (layers, build, weights, compile) and the
public API; :mod:`mlpabc.training` holds the training step, the epoch loop
and the test loop, :mod:`mlpabc.saving` the weights files.

The names, arguments, defaults and every number ``fit`` reports follow
Keras 3, so the same program gives the same numbers in both libraries (see
:mod:`mlpabc.keras_bridge`).

Introduced in the chapter *Multilayer networks and forward propagation*; training
in *Gradient descent and optimizers* and *Evaluating training*.
"""

from __future__ import annotations

import math
import numbers
import threading
import warnings

import numpy as np

from . import saving
from ._random import as_generator, spawn
from ._summary import shape_text, summary_lines
from ._validation import (
    check_bool,
    check_dtype,
    check_float,
    check_int,
    check_kwargs,
    describe,
    write_weights,
)
from .callbacks import History, _check_callbacks
from .layers.base import Layer, _auto_name
from .layers.core import InputLayer
from .training import (
    check_validation_data,
    check_verbose,
    check_x,
    check_xy,
    evaluate_loop,
    fit_loop,
    forward,
    gradients_and_weights,
    make_train_step,
    result_of,
)

__all__ = ["History", "Sequential"]

_FIT_ARGS = (
    "x", "y", "batch_size", "epochs", "verbose", "callbacks", "validation_split",
    "validation_data", "shuffle", "initial_epoch",
)  # fmt: skip


class Sequential:
    r"""A linear stack of layers, as ``keras.Sequential``.

    Parameters
    ----------
    layers : list of Layer or None, default=None
        The layers, first to last. The first may be :func:`mlpabc.layers.Input`,
        which fixes the input shape and builds the model at once; otherwise the
        model is built on the first data it sees (or by :meth:`build`).
    name : str or None, default=None
        A label for :meth:`summary` (``"sequential"``, ``"sequential_1"``, ...).
    seed : int, numpy.random.Generator or None, default=None
        The one seed of everything random in the model: each layer gets its own
        child generator (spawned in layer order) for its initial weights and
        dropout masks, and ``fit`` draws the per-epoch shuffles from the model's
        generator. The same integer gives bit-identical training.
    dtype : {"float64", "float32"}, default="float64"
        The floating-point type of the weights and of the computations; data
        are converted once, when they enter ``fit``, ``evaluate`` or ``predict``.

    Attributes
    ----------
    optimizer, loss, compiled_metrics
        Set by :meth:`compile`.
    history : mlpabc.models.History or None
        The history of the last :meth:`fit`.
    stop_training : bool
        A callback sets it to ``True`` to end ``fit`` after the current epoch.

    Notes
    -----
    **What fit reports** (Keras's bookkeeping): ``history.history["loss"]`` is
    the mean over the epoch of the losses of the training steps, each computed
    *before* that step's update, weighted by the batch sizes, penalties
    included; metrics likewise. ``val_loss`` and ``val_<metric>`` are computed
    at the end of each epoch in inference mode (no dropout, the batch
    normalisation moving statistics).

    **Sigmoid or softmax with cross-entropy.** When the last layer's activation
    is the one the loss pairs with (sigmoid with binary cross-entropy, softmax
    with categorical or sparse categorical cross-entropy), the loss and its
    gradient are computed from the logits :math:`z`: back-propagation starts
    with :math:`\partial L/\partial z = (\hat y - y)/N` (over :math:`N d` for
    the binary case), exactly what Keras does.

    **Threads.** The methods that run the layers (``fit``, ``evaluate``,
    ``predict``, ``__call__``, ``train_on_batch``, ``compute_gradients``) take
    the model's lock for each forward (and backward) pass, because the layers
    keep what their last forward pass computed for the backward pass. So
    ``predict`` in one thread while ``fit`` runs in another is safe: it waits
    for the current training step and sees the weights between two steps.
    Calling the layers themselves from several threads is not safe.

    Examples
    --------
    The worked example of chapter 5: a 3-3-2 sigmoid network, one step of
    gradient descent with learning rate 1 on one sample.

    >>> import numpy as np
    >>> from mlpabc.layers import Dense, Input
    >>> from mlpabc.optimizers import SGD
    >>> model = Sequential([Input((3,)), Dense(3, activation="sigmoid"),
    ...                     Dense(2, activation="sigmoid")])
    >>> model.set_weights([np.array([[0.25, 0.15, 0.30], [0.25, 0.20, 0.35], [0.10, 0.25, 0.15]]),
    ...                    np.full(3, 0.4),
    ...                    np.array([[0.40, 0.25], [0.35, 0.30], [0.01, 0.35]]),
    ...                    np.full(2, 0.7)])
    >>> model.compile(optimizer=SGD(learning_rate=1.0), loss="mse")
    >>> x, y = np.array([[0.02, 0.04, 0.01]]), np.array([[0.9, 0.5]])
    >>> history = model.fit(x, y, batch_size=1, epochs=1, verbose=0)
    >>> round(history.history["loss"][0], 6)
    0.047762
    >>> np.round(model.get_weights()[2], 6)        # the new W2
    array([[0.415245, 0.221093],
           [0.36523 , 0.271122],
           [0.025278, 0.32103 ]])

    Introduced in the chapter *Multilayer networks and forward propagation*.
    """

    def __init__(self, layers=None, name=None, seed=None, dtype="float64"):
        if name is not None and not (isinstance(name, str) and name):
            raise TypeError(
                "The 'name' argument of Sequential must be a non-empty string or None. "
                f"Got {describe(name)} instead."
            )
        self.name = name or _auto_name("sequential")
        self.seed = seed
        self._rng = as_generator(seed, name="seed", owner="Sequential")
        self.dtype = check_dtype(dtype)
        self._dtype = np.dtype(self.dtype).type
        self._layers: list[Layer] = []
        self._input_shape: tuple | None = None  # one sample, without the batch axis
        self._shapes: list[tuple] = []  # output shape of each layer
        self.optimizer = None
        self.loss = None
        self.compiled_metrics: list = []
        self.history = None
        self.stop_training = False
        self._lock = threading.RLock()  # one pass at a time: see the class's Notes
        if layers is not None:
            if isinstance(layers, Layer) or not isinstance(layers, (list, tuple)):
                raise TypeError(
                    "The 'layers' argument of Sequential must be a list of layers, such as "
                    f"[Input((3,)), Dense(4), Dense(1)]. Got {describe(layers)} instead."
                )
            for layer in layers:
                self.add(layer)

    # -- structure ---------------------------------------------------------------------------
    @property
    def layers(self) -> list:
        """The layers, first to last (the ``Input`` is not a layer, as in Keras)."""
        return list(self._layers)

    @property
    def built(self) -> bool:
        """Whether every layer has its weights (the input shape is known)."""
        return self._input_shape is not None and len(self._shapes) == len(self._layers)

    @property
    def input_shape(self):
        """``(None, *shape of one sample)``, or ``None`` before the model is built."""
        return None if self._input_shape is None else (None, *self._input_shape)

    @property
    def output_shape(self):
        """``(None, *shape of one output)``, or ``None`` before the model is built."""
        if not self.built or not self._layers:
            return None
        return (None, *self._shapes[-1])

    def add(self, layer) -> None:
        """Append ``layer`` (built at once if the input shape is already known).

        Parameters
        ----------
        layer : Layer
            A layer from :mod:`mlpabc.layers`; ``Input(shape)`` is allowed as
            the first item only.
        """
        if not isinstance(layer, Layer):
            hint = ""
            if isinstance(layer, type) and issubclass(layer, Layer):
                name = layer.__name__
                hint = f" It is the class {name}: create an instance, e.g. {name}(...)."
            elif type(layer).__module__.startswith("keras"):
                hint = " Keras layers cannot be mixed in; see mlpabc.keras_bridge.from_keras."
            raise TypeError(
                "The 'layer' argument of Sequential.add must be an mlpabc layer, such as "
                f"Dense(3). Got {describe(layer)} instead.{hint}"
            )
        if isinstance(layer, InputLayer):
            if self._layers or self._input_shape is not None:
                raise ValueError(
                    "An Input can only be the first item of a Sequential model (it declares the "
                    f"shape of the data). Model {self.name!r} already has "
                    + ("layers." if self._layers else "an input shape.")
                )
            self._input_shape = tuple(layer.shape)
            return
        if any(layer is other for other in self._layers):
            raise ValueError(
                f"Layer {layer.name!r} is already in model {self.name!r}; a layer can appear once. "
                "Create a new layer for a second copy."
            )
        if self._input_shape is not None and self.built:
            shape = self._shapes[-1] if self._shapes else self._input_shape
            out = self._build_layer(layer, shape)
            self._layers.append(layer)
            self._shapes.append(out)
        else:
            self._layers.append(layer)
            if self._input_shape is not None:
                self._build(self._input_shape)

    def _build_layer(self, layer, shape) -> tuple:
        """Build one layer for inputs of ``shape`` (its own generator); return its output shape."""
        child = spawn(self._rng, 1)[0]
        if layer.built:
            if tuple(layer.input_shape) != tuple(shape):
                raise ValueError(
                    f"Layer {layer.name!r} was already built for inputs of shape "
                    f"{shape_text(layer.input_shape)}, but in model {self.name!r} it receives "
                    f"{shape_text(shape)}."
                )
            if np.dtype(layer.dtype) != np.dtype(self._dtype):
                raise ValueError(
                    f"Layer {layer.name!r} was already built in {np.dtype(layer.dtype).name}, but "
                    f"model {self.name!r} computes in {self.dtype}."
                )
        else:
            layer.build(tuple(shape), child, self._dtype)
        return tuple(layer.compute_output_shape(tuple(shape)))

    def _build(self, input_shape) -> None:
        input_shape = tuple(input_shape)
        if self._input_shape is not None and self._input_shape != input_shape:
            raise ValueError(
                f"Model {self.name!r} takes inputs of shape {shape_text(self._input_shape)}; "
                f"cannot build it for {shape_text(input_shape)}."
            )
        self._input_shape = input_shape
        shape, shapes = input_shape, list(self._shapes)
        for layer in self._layers[len(shapes) :]:
            shape = self._build_layer(layer, shapes[-1] if shapes else input_shape)
            shapes.append(shape)
        self._shapes = shapes

    def build(self, input_shape=None) -> None:
        """Create every layer's weights for inputs of ``input_shape``.

        Parameters
        ----------
        input_shape : tuple or None, default=None
            The shape of a batch, **with** the batch axis first, as in Keras:
            ``(None, 3)`` for samples of 3 features. ``None`` uses the shape of
            the model's ``Input``.

        Notes
        -----
        Layer :math:`i` draws its initial weights from the :math:`i`-th child
        generator of the model's seed, so the weights do not depend on when the
        model is built (by ``Input``, by ``build`` or by the first ``fit``).
        """
        owner = "Sequential.build"
        if input_shape is None:
            if self._input_shape is None:
                raise ValueError(
                    f"{owner} needs the input shape: call model.build((None, n_features)), start "
                    "the model with Input((n_features,)), or let fit() build it from the data."
                )
            shape = self._input_shape
        else:
            ok = (
                isinstance(input_shape, (list, tuple))
                and len(input_shape) >= 2
                and (input_shape[0] is None or isinstance(input_shape[0], numbers.Integral))
                and all(
                    isinstance(d, numbers.Integral) and not isinstance(d, bool) and d > 0
                    for d in input_shape[1:]
                )
            )
            if not ok:
                raise ValueError(
                    f"The 'input_shape' argument of {owner} must be the shape of a batch with the "
                    "batch axis first, such as (None, 3) for samples of 3 features. "
                    f"Got {describe(input_shape)} instead."
                )
            shape = tuple(int(d) for d in input_shape[1:])
        if not self._layers:
            raise ValueError(
                f"Model {self.name!r} has no layers yet; add some with model.add(...)."
            )
        self._build(shape)

    # -- weights -------------------------------------------------------------------------------
    @property
    def weights(self) -> list:
        """All weight arrays (the live ones), Keras order: per layer its params then its state."""
        return [w for layer in self._layers for w in layer.weights]

    @property
    def trainable_weights(self) -> list:
        """The arrays the optimizer updates, in the order of :meth:`compute_gradients`."""
        return [p for layer in self._layers if layer.trainable for p in layer.params.values()]

    @property
    def non_trainable_weights(self) -> list:
        """Weights no gradient updates: state (moving statistics) and frozen layers' params."""
        out = []
        for layer in self._layers:
            if not layer.trainable:
                out.extend(layer.params.values())
            out.extend(layer.state.values())
        return out

    def get_weights(self) -> list:
        """Copies of all weights, in the order and layout of Keras's ``get_weights()``."""
        return [w.copy() for w in self.weights]

    def set_weights(self, weights) -> None:
        """Copy ``weights`` (a list in :meth:`get_weights` order) into the model.

        Everything is checked (the number of arrays and each shape) before
        anything changes, so on an error the model is left as it was. The
        arrays are written in place: an optimizer keeps its state.
        """
        hint = "" if self.built else " The model is not built yet: build it first."
        write_weights(self.weights, self._weight_names(), weights, "Sequential.set_weights",
                      f", one per weight of model {self.name!r} ({self._weight_listing()})",
                      hint)  # fmt: skip

    def _weight_names(self) -> list:
        return [f"{layer.name}/{n}" for layer in self._layers for n in layer.weight_names]

    def _weight_listing(self) -> str:
        names = self._weight_names()
        if len(names) > 8:
            return ", ".join(names[:8]) + ", ..."
        return ", ".join(names) or "none"

    def count_params(self) -> int:
        """Number of scalars in all weights, trainable or not (Keras's ``count_params``)."""
        if not self.built:
            raise ValueError(
                f"Model {self.name!r} is not built yet, so it has no parameters to count. Build "
                "it with model.build((None, n_features)) or start it with Input((n_features,))."
            )
        return int(sum(w.size for w in self.weights))

    def summary(self, print_fn=None) -> None:
        """Print a table of the layers: name (type), output shape, number of parameters.

        Parameters
        ----------
        print_fn : callable or None, default=None
            Called with each line of text; ``None`` is :func:`print`.

        Examples
        --------
        >>> from mlpabc.layers import Dense, Input
        >>> Sequential([Input((1,)), Dense(5, name="hidden"), Dense(1, name="out")],
        ...            name="booklet").summary()
        Model: "booklet"
        ___________________________________________________________________
         Layer (type)                    Output Shape               Param #
        ===================================================================
         hidden (Dense)                  (None, 5)                       10
         out (Dense)                     (None, 1)                        6
        ===================================================================
         Total params: 16 (128.00 B)
         Trainable params: 16 (128.00 B)
         Non-trainable params: 0 (0.00 B)
        ___________________________________________________________________
        """
        if print_fn is None:
            print_fn = print
        if not callable(print_fn):
            raise TypeError(
                "The 'print_fn' argument of Sequential.summary must be a function or None. "
                f"Got {describe(print_fn)} instead."
            )
        for line in summary_lines(self):
            print_fn(line)

    def save_weights(self, filepath) -> None:
        """Write all weights to ``filepath`` (numpy's ``.npz`` format), exactly that path.

        The file also holds the architecture (layer types and weight shapes),
        so :meth:`load_weights` refuses a file made by a different model.

        Examples
        --------
        >>> import os, tempfile
        >>> from mlpabc.layers import Dense, Input
        >>> model = Sequential([Input((2,)), Dense(1, kernel_initializer="ones")])
        >>> path = os.path.join(tempfile.mkdtemp(), "model.weights.npz")
        >>> model.save_weights(path)
        >>> copy = Sequential([Input((2,)), Dense(1)])
        >>> copy.load_weights(path)
        >>> copy.get_weights()[0]
        array([[1.],
               [1.]])
        """
        saving.save_weights(self, filepath)

    def load_weights(self, filepath) -> None:
        """Read weights written by :meth:`save_weights` into this (built) model.

        The file must come from a model with the same layer types and weight
        shapes; otherwise a ``ValueError`` says where they differ and the model
        is left unchanged; so it is when the file is not a weights file, lacks
        an array or holds a number that is not finite. Values round-trip exactly.
        """
        saving.load_weights(self, filepath)

    # -- compile -------------------------------------------------------------------------------
    def compile(self, optimizer="rmsprop", loss=None, metrics=None, **kwargs) -> None:
        """Choose the optimizer, the loss and the metrics for training.

        Parameters
        ----------
        optimizer : str or Optimizer, default="rmsprop"
            A name (``"sgd"``, ``"adam"``, ...; Keras's defaults) or an instance.
        loss : str or Loss
            A name (``"mse"``, ``"binary_crossentropy"``, ...) or an instance.
            Required.
        metrics : list or None, default=None
            Names or :class:`mlpabc.metrics.Metric` objects (``["accuracy"]``),
            reported in ``history`` and by :meth:`evaluate`.

        Examples
        --------
        >>> from mlpabc.layers import Dense, Input
        >>> model = Sequential([Input((2,)), Dense(1, activation="sigmoid")])
        >>> model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
        >>> metric_names = [m.name for m in model.compiled_metrics]
        >>> type(model.optimizer).__name__, model.loss.name, metric_names
        ('Adam', 'binary_crossentropy', ['accuracy'])
        """
        from . import losses as losses_module
        from . import metrics as metrics_module
        from . import optimizers as optimizers_module

        owner = "Sequential.compile"
        check_kwargs(kwargs, ("optimizer", "loss", "metrics"), owner)
        if loss is None:
            raise TypeError(
                f"The 'loss' argument of {owner} is required: a name such as 'mse' or "
                "'binary_crossentropy', or a Loss object. Got None instead."
            )
        if metrics is not None and not isinstance(metrics, (list, tuple)):
            hint = f" Write metrics=[{metrics!r}]." if isinstance(metrics, str) else ""
            raise TypeError(
                f"The 'metrics' argument of {owner} must be a list (or None). "
                f"Got {describe(metrics)} instead.{hint}"
            )
        opt = optimizers_module.get(optimizer)
        loss_obj = losses_module.get(loss)
        compiled = [metrics_module.get(m, loss=loss_obj) for m in (metrics or [])]
        names = [m.name for m in compiled]
        dupes = sorted({n for n in names if names.count(n) > 1})
        if dupes:
            raise ValueError(
                f"The 'metrics' argument of {owner} names {dupes[0]!r} twice; each metric "
                "is one key of the history and must be unique."
            )
        self.optimizer, self.loss, self.compiled_metrics = opt, loss_obj, compiled

    def _require_compiled(self, method):
        if self.optimizer is None or self.loss is None:  # Keras raises a ValueError too
            raise ValueError(f"Call model.compile(optimizer=..., loss=...) before {method}().")

    # -- fit -----------------------------------------------------------------------------------
    def fit(
        self,
        x=None,
        y=None,
        batch_size=None,
        epochs=1,
        verbose="auto",
        callbacks=None,
        validation_split=0.0,
        validation_data=None,
        shuffle=True,
        initial_epoch=0,
        **kwargs,
    ):
        r"""Train the model for ``epochs`` passes over ``(x, y)``, as ``keras.Model.fit``.

        Parameters
        ----------
        x : array_like of shape (n_samples, n_features)
        y : array_like
            Targets, shaped like the model's output (``(n_samples,)`` for one
            output is fine; integer labels for sparse categorical cross-entropy).
        batch_size : int or None, default=None
            Samples per gradient step; ``None`` means 32. The last batch of an
            epoch holds the remainder.
        epochs : int, default=1
            The epoch to stop after (counting from 0, training runs epochs
            ``initial_epoch .. epochs - 1``).
        verbose : {"auto", 0, 1, 2}, default="auto"
            0 silent; 1 (and ``"auto"``) a progress bar per epoch; 2 one line per
            epoch, ``Epoch 3/10 - loss: 0.1234 - val_loss: 0.2345``, the same on
            every run.
        callbacks : list of Callback or None, default=None
        validation_split : float in [0, 1), default=0.0
            Keep the **last** fraction of the samples (before any shuffling) out
            of training and report ``val_loss`` on it:
            ``split_at = floor(n_samples * (1 - validation_split))``.
        validation_data : tuple (x_val, y_val) or None, default=None
            Validation data; takes precedence over ``validation_split``.
        shuffle : bool, default=True
            Draw a new order of the training samples every epoch (from the
            model's generator, so the seed fixes it).
        initial_epoch : int, default=0
            The epoch to start from (to resume training).

        Returns
        -------
        History
            ``history.history`` holds ``"loss"``, the metrics, and ``"val_..."``
            per epoch; ``history.batch_order`` the sample order of each epoch.

        Warns
        -----
        RuntimeWarning
            When a step's loss is not finite (training diverged). Training
            stops there: that step's update is not applied, so the weights are
            those after the last step with a finite loss (if the weights
            themselves became infinite through an overflow of a gradient while
            the loss stayed finite, they are put back as they were at the start
            of the epoch). The history keeps the complete epochs only; the
            epoch in progress is not recorded.

        Notes
        -----
        Per step: forward in training mode, the loss (plus penalties) **before**
        the update, back-propagation, one optimizer update.
        ``history["loss"][e]`` :math:`= \sum_b n_b L_b / \sum_b n_b` over the
        batches :math:`b` of epoch :math:`e`; ``val_loss`` is computed on the
        whole validation set after the epoch's last update, in inference mode.
        The caller's arrays are never modified.

        While ``fit`` runs, numpy's floating-point warnings that are set to
        ``"warn"`` are silenced (a diverging step overflows, and the one
        divergence warning says what happened); settings of ``"raise"``, as in
        ``np.errstate(over="raise")``, are kept.
        """
        owner = "Sequential.fit"
        check_kwargs(kwargs, _FIT_ARGS, owner)
        self._require_compiled("fit")
        batch_size = (
            32 if batch_size is None else check_int(batch_size, "batch_size", owner, minimum=1)
        )
        epochs = check_int(epochs, "epochs", owner, minimum=1)
        verbose = check_verbose(verbose, owner)
        callbacks = _check_callbacks(callbacks, owner)
        validation_split = check_float(
            validation_split, "validation_split", owner, low=0, high=1, closed="left"
        )
        shuffle = check_bool(shuffle, "shuffle", owner)
        initial_epoch = check_int(initial_epoch, "initial_epoch", owner, minimum=0)
        if initial_epoch >= epochs:
            raise ValueError(
                f"The 'initial_epoch' argument of {owner} must be smaller than 'epochs' (fit "
                f"trains epochs initial_epoch .. epochs - 1). Got initial_epoch={initial_epoch} "
                f"and epochs={epochs}: nothing would be trained."
            )
        x, y = check_xy(self, x, y, owner)
        x_val = y_val = None
        if validation_data is not None:
            x_val, y_val = check_validation_data(self, validation_data, owner)
        elif validation_split > 0:
            n = len(x)
            split_at = int(math.floor(n * (1.0 - validation_split)))
            if split_at == 0 or split_at == n:
                raise ValueError(
                    f"The 'validation_split' argument of {owner} leaves "
                    f"{'no training' if split_at == 0 else 'no validation'} samples: "
                    f"{n} samples with validation_split={validation_split} give {split_at} for "
                    "training. Use more samples or another split."
                )
            x, y, x_val, y_val = x[:split_at], y[:split_at], x[split_at:], y[split_at:]
        return fit_loop(
            self, x, y, x_val, y_val, batch_size, epochs, verbose, callbacks, shuffle, initial_epoch
        )

    # -- evaluate, predict, single steps -------------------------------------------------------
    def evaluate(self, x=None, y=None, batch_size=None, verbose=0, return_dict=False, **kwargs):
        """The loss (penalties included) and metrics on ``(x, y)``, in inference mode.

        Parameters
        ----------
        x, y : array_like
        batch_size : int or None, default=None
            ``None`` means 32. The result is the batch-size-weighted mean of the
            batch losses, as in Keras: for the mean-type losses it equals the
            loss of the whole set.
        verbose : {0, 1, 2, "auto"}, default=0
            Non-zero prints the results in one line.
        return_dict : bool, default=False

        Returns
        -------
        float, list or dict
            The loss alone when no metrics were compiled; else
            ``[loss, *metrics]`` in compile order; or a dict (sorted keys).

        Examples
        --------
        >>> import numpy as np
        >>> from mlpabc.layers import Dense, Input
        >>> model = Sequential([Input((1,)), Dense(1, kernel_initializer="ones")])
        >>> model.compile(optimizer="sgd", loss="mse", metrics=["mae"])
        >>> model.evaluate(np.array([[1.0], [2.0]]), np.array([[1.0], [4.0]]))  # errors 0 and -2
        [2.0, 1.0]
        """
        owner = "Sequential.evaluate"
        check_kwargs(kwargs, ("x", "y", "batch_size", "verbose", "return_dict"), owner)
        self._require_compiled("evaluate")
        batch_size = (
            32 if batch_size is None else check_int(batch_size, "batch_size", owner, minimum=1)
        )
        verbose = check_verbose(verbose, owner)
        return_dict = check_bool(return_dict, "return_dict", owner)
        x, y = check_xy(self, x, y, owner)
        loss, results = evaluate_loop(self, x, y, batch_size)
        return result_of(self, loss, results, return_dict, verbose)

    def predict(self, x, batch_size=None, verbose=0, **kwargs):
        """The model's outputs for ``x``, in inference mode (no dropout, moving statistics).

        Parameters
        ----------
        x : array_like of shape (n_samples, n_features)
            A 2-D array even for one sample or one feature.
        batch_size : int or None, default=None
            ``None`` computes all rows in one pass (numpy is fastest so); the
            values equal Keras's (which uses batches of 32) up to rounding.
        verbose : default=0
            Accepted for Keras compatibility; nothing is printed.

        Returns
        -------
        ndarray of shape (n_samples, *output shape)

        Examples
        --------
        >>> import numpy as np
        >>> from mlpabc.layers import Dense, Input
        >>> model = Sequential([Input((2,)), Dense(1, kernel_initializer="ones")])
        >>> model.predict(np.array([[1.0, 2.0], [3.0, 4.0]]))
        array([[3.],
               [7.]])
        """
        owner = "Sequential.predict"
        check_kwargs(kwargs, ("x", "batch_size", "verbose"), owner)
        if batch_size is not None:
            batch_size = check_int(batch_size, "batch_size", owner, minimum=1)
        check_verbose(verbose, owner)
        x = check_x(self, x, owner)
        if batch_size is None:
            batch_size = max(len(x), 1)
        outs = []
        for start in range(0, len(x), batch_size):
            with self._lock:  # a fit in another thread waits between two steps
                outs.append(forward(self.layers, x[start : start + batch_size], False))
        out = outs[0] if len(outs) == 1 else np.concatenate(outs)
        if np.may_share_memory(out, x):  # e.g. a model of identity layers: never hand back x itself
            out = out.copy()
        return out

    def __call__(self, x, training=False):
        """The forward pass on ``x`` (``training=True`` uses dropout and batch statistics)."""
        training = check_bool(training, "training", "Sequential.__call__")
        x = check_x(self, x, "Sequential.__call__")
        with self._lock:
            out = forward(self.layers, x, training)
        return out.copy() if np.may_share_memory(out, x) else out

    def train_on_batch(self, x, y, return_dict=False):
        """One training step on ``(x, y)`` as one batch; returns the loss **before** the update.

        Returns the loss alone when no metrics were compiled, else
        ``[loss, *metrics]`` (or a dict), as Keras does. When the loss is not
        finite the update is not applied and a ``RuntimeWarning`` is issued.
        """
        owner = "Sequential.train_on_batch"
        self._require_compiled("train_on_batch")
        return_dict = check_bool(return_dict, "return_dict", owner)
        x, y = check_xy(self, x, y, owner)
        for metric in self.compiled_metrics:
            metric.reset()
        quiet = {key: "ignore" if mode == "warn" else mode for key, mode in np.geterr().items()}
        with np.errstate(**quiet):
            with self._lock:
                value = make_train_step(self)(x, y)
        if not math.isfinite(value):
            warnings.warn(
                f"The loss is {value}: the update of this step was not applied. Try a smaller "
                "learning rate.",
                RuntimeWarning,
                stacklevel=2,
            )
        results = [float(metric.result()) for metric in self.compiled_metrics]
        return result_of(self, value, results, return_dict)

    def compute_gradients(self, x, y, training=True):
        r"""The loss on ``(x, y)`` and its gradient with respect to every trainable weight.

        This is one forward and one backward pass without an update: what
        ``tf.GradientTape`` gives for a Keras model. The loss includes the
        regularisation penalties.

        Parameters
        ----------
        x, y : array_like
        training : bool, default=True
            Run the layers in training mode (dropout, batch statistics; a
            training-mode pass also updates batch normalisation's moving
            statistics, as in Keras).

        Returns
        -------
        loss : float
        grads : list of ndarray
            :math:`\partial L/\partial \theta` for each array of
            ``trainable_weights``, in that order (copies).

        Examples
        --------
        >>> import numpy as np
        >>> from mlpabc.layers import Dense, Input
        >>> model = Sequential([Input((1,)), Dense(1, kernel_initializer="ones")])
        >>> model.compile(optimizer="sgd", loss="mse")
        >>> loss, (dW, db) = model.compute_gradients(np.array([[2.0]]), np.array([[3.0]]))
        >>> loss, dW, db          # L = (2 - 3)^2, dL/dW = 2 (2 - 3) 2, dL/db = 2 (2 - 3)
        (1.0, array([[-4.]]), array([-2.]))
        """
        owner = "Sequential.compute_gradients"
        self._require_compiled("compute_gradients")
        training = check_bool(training, "training", owner)
        x, y = check_xy(self, x, y, owner)
        with self._lock:
            value = make_train_step(self)(x, y, training=training, update=False)
            grads = [np.array(g, copy=True) for g, _ in gradients_and_weights(self)]
        return float(value), grads

    def __getstate__(self):
        state = dict(self.__dict__)
        del state["_lock"]  # a lock cannot be copied or pickled; a copy gets its own
        return state

    def __setstate__(self, state):
        self.__dict__.update(state)
        self._lock = threading.RLock()

    def __repr__(self) -> str:
        inner = ", ".join(type(layer).__name__ for layer in self._layers)
        return f"<Sequential name={self.name!r} layers=[{inner}] built={self.built}>"
