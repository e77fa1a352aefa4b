r"""Move models between mlpabc and Keras, and let Keras train on mlpabc's batches.

Three functions, for the chapters that put the two libraries side by side:

* :func:`to_keras` -- an equivalent ``keras.Sequential`` with the same weights;
* :func:`from_keras` -- an mlpabc :class:`~mlpabc.models.Sequential` from a Keras model;
* :func:`fit_keras_in_order` -- ``keras_model.fit`` fed the very batches an
  mlpabc ``fit`` used (``history.batch_order``), so the two trainings can be
  compared number for number even with shuffling.

Keras (and TensorFlow) are imported inside the functions only: ``import
mlpabc`` stays light. For float64 agreement set ``keras.config.set_floatx("float64")``
before building Keras objects (losses and optimizers take their dtype from it).

Introduced in the chapter *Multilayer networks and forward propagation*.
"""

from __future__ import annotations

import functools

import numpy as np

from ._validation import check_array, check_int, describe

__all__ = ["fit_keras_in_order", "from_keras", "to_keras"]


# -- mlpabc -> Keras ------------------------------------------------------------------------------


def _keras_activation(act):
    """A Keras activation (name or function) for an mlpabc activation."""
    import keras

    config = act.get_config()
    if not config:
        return act.name
    return functools.partial(getattr(keras.activations, act.name), **config)


def _keras_regularizer(reg):
    import keras

    if reg is None:
        return None
    kind = type(reg).__name__
    config = reg.get_config()
    if kind in ("L1", "L2", "L1L2"):
        return getattr(keras.regularizers, kind)(**config)
    raise ValueError(f"to_keras cannot translate the regularizer {reg!r} to Keras.")


def _keras_layer(layer, dtype):
    """The Keras layer (or functional block, for Residual) computing what ``layer`` computes."""
    import keras

    from . import layers as L

    kind = type(layer)
    common = {"name": layer.name, "dtype": dtype}
    if kind is L.Dense:
        return keras.layers.Dense(
            layer.units,
            activation=_keras_activation(layer.activation),
            use_bias=layer.use_bias,
            kernel_regularizer=_keras_regularizer(layer.kernel_regularizer),
            bias_regularizer=_keras_regularizer(layer.bias_regularizer),
            **common,
        )
    if kind is L.Activation:
        return keras.layers.Activation(_keras_activation(layer.activation), **common)
    if kind is L.LeakyReLU:
        return keras.layers.LeakyReLU(negative_slope=layer.negative_slope, **common)
    if kind is L.PReLU:
        return keras.layers.PReLU(
            alpha_regularizer=_keras_regularizer(layer.alpha_regularizer),
            shared_axes=list(layer.shared_axes) or None,
            **common,
        )
    if kind is L.Dropout:
        seed = layer.seed if isinstance(layer.seed, int) else None
        return keras.layers.Dropout(layer.rate, noise_shape=layer.noise_shape, seed=seed, **common)
    if kind is L.BatchNormalization:
        return keras.layers.BatchNormalization(
            axis=-1,
            momentum=layer.momentum,
            epsilon=layer.epsilon,
            center=layer.center,
            scale=layer.scale,
            beta_regularizer=_keras_regularizer(layer.beta_regularizer),
            gamma_regularizer=_keras_regularizer(layer.gamma_regularizer),
            **common,
        )
    if kind is L.Residual:
        inputs = keras.Input(layer.input_shape, dtype=dtype)
        h = inputs
        for inner in layer.layers:
            h = _keras_layer(inner, dtype)(h)
        outputs = keras.layers.Add(dtype=dtype)([h, inputs])  # f(x) + x
        return keras.Model(inputs, outputs, name=layer.name)
    raise TypeError(f"to_keras cannot translate the layer {layer!r} ({kind.__name__}) to Keras.")


def to_keras(model):
    r"""An equivalent ``keras.Sequential`` with identical weights.

    Parameters
    ----------
    model : mlpabc.models.Sequential
        A built model.

    Returns
    -------
    keras.Sequential
        Same layers (Dense, Activation, LeakyReLU, PReLU, Dropout,
        BatchNormalization; a :class:`~mlpabc.layers.Residual` becomes a
        functional sub-model ending in ``keras.layers.Add``), same names, same
        weights, and the model's dtype on every layer. Not compiled.

    Notes
    -----
    Dropout masks cannot agree: Keras draws them with TensorFlow's generator.

    Examples
    --------
    >>> from mlpabc.models import Sequential
    >>> from mlpabc.layers import Dense, Input
    >>> model = Sequential([Input((3,)), Dense(2, activation="tanh")], seed=0)
    >>> k = to_keras(model)                                   # doctest: +SKIP
    >>> all((a == b).all() for a, b in zip(k.get_weights(), model.get_weights()))  # doctest: +SKIP
    True

    Introduced in the chapter *Multilayer networks and forward propagation*.
    """
    from .models import Sequential

    if not isinstance(model, Sequential):
        raise TypeError(
            "The 'model' argument of to_keras must be an mlpabc Sequential. "
            f"Got {describe(model)} instead."
        )
    if not model.built:
        raise ValueError(
            "The 'model' argument of to_keras must be built (start it with Input((n,)) or call "
            "model.build((None, n)))."
        )
    import keras  # after the checks: a wrong argument is reported without loading TensorFlow

    dtype = model.dtype
    stack = [keras.Input(model.input_shape[1:], dtype=dtype)]
    stack += [_keras_layer(layer, dtype) for layer in model.layers]
    keras_model = keras.Sequential(stack, name=model.name)
    keras_model.set_weights(model.get_weights())
    return keras_model


# -- Keras -> mlpabc ------------------------------------------------------------------------------


def _mlpabc_activation(fn):
    """An mlpabc Activation for a Keras activation function (possibly a functools.partial)."""
    from . import activations

    keywords = {}
    if isinstance(fn, functools.partial):
        fn, keywords = fn.func, dict(fn.keywords)
    name = getattr(fn, "__name__", None)
    classes = {
        "sigmoid": activations.Sigmoid,
        "tanh": activations.Tanh,
        "relu": activations.ReLU,
        "leaky_relu": activations.LeakyReLU,
        "elu": activations.ELU,
        "softmax": activations.Softmax,
        "linear": activations.Linear,
    }
    if name not in classes:
        raise ValueError(
            f"from_keras cannot translate the activation {name or fn!r}: mlpabc has "
            + ", ".join(sorted(classes))
            + "."
        )
    try:
        return classes[name](**keywords)
    except TypeError as err:
        raise ValueError(
            f"from_keras cannot translate the activation {name} with {keywords}: {err}"
        ) from None


def _mlpabc_regularizer(reg):
    from . import regularizers

    if reg is None:
        return None
    kind = type(reg).__name__
    if kind == "L1":
        return regularizers.L1(float(reg.l1))
    if kind == "L2":
        return regularizers.L2(float(reg.l2))
    if kind == "L1L2":
        return regularizers.L1L2(float(reg.l1), float(reg.l2))
    raise ValueError(f"from_keras cannot translate the regularizer {reg!r}.")


def _mlpabc_layer(klayer):
    import keras

    from . import layers as L

    name = klayer.name
    if isinstance(klayer, keras.layers.Dense):
        return L.Dense(
            klayer.units,
            activation=_mlpabc_activation(klayer.activation),
            use_bias=klayer.use_bias,
            kernel_regularizer=_mlpabc_regularizer(klayer.kernel_regularizer),
            bias_regularizer=_mlpabc_regularizer(klayer.bias_regularizer),
            name=name,
        )
    if isinstance(klayer, keras.layers.LeakyReLU):
        return L.LeakyReLU(negative_slope=float(klayer.negative_slope), name=name)
    if isinstance(klayer, keras.layers.PReLU):
        return L.PReLU(
            alpha_regularizer=_mlpabc_regularizer(klayer.alpha_regularizer),
            shared_axes=list(klayer.shared_axes) if klayer.shared_axes else None,
            name=name,
        )
    if isinstance(klayer, keras.layers.Activation):
        return L.Activation(_mlpabc_activation(klayer.activation), name=name)
    if isinstance(klayer, keras.layers.Dropout):
        noise = tuple(klayer.noise_shape) if klayer.noise_shape is not None else None
        return L.Dropout(float(klayer.rate), noise_shape=noise, seed=klayer.seed, name=name)
    if isinstance(klayer, keras.layers.BatchNormalization):
        return L.BatchNormalization(
            axis=int(klayer.axis),  # mlpabc's layer checks at build that it is the last axis
            momentum=float(klayer.momentum),
            epsilon=float(klayer.epsilon),
            center=klayer.center,
            scale=klayer.scale,
            beta_regularizer=_mlpabc_regularizer(klayer.beta_regularizer),
            gamma_regularizer=_mlpabc_regularizer(klayer.gamma_regularizer),
            name=name,
        )
    if isinstance(klayer, keras.Model):
        return _mlpabc_residual(klayer)
    raise TypeError(
        f"from_keras cannot translate the Keras layer {name!r} ({type(klayer).__name__}); it "
        "knows Dense, Activation, LeakyReLU, PReLU, Dropout, BatchNormalization and residual "
        "blocks (a functional model ending in Add)."
    )


def _mlpabc_residual(kmodel):
    """A Residual from a functional block ``inputs -> chain -> Add([chain, inputs])``."""
    import keras

    from . import layers as L

    inner = [lay for lay in kmodel.layers if not isinstance(lay, keras.layers.InputLayer)]
    if not inner or not isinstance(inner[-1], keras.layers.Add) or len(inner) < 2:
        raise TypeError(
            f"from_keras can translate a nested Keras model only when it is a residual block "
            f"(inputs -> layers -> Add([output, inputs])); {kmodel.name!r} is not."
        )
    return L.Residual([_mlpabc_layer(lay) for lay in inner[:-1]], name=kmodel.name)


def from_keras(keras_model, seed=None):
    r"""An mlpabc :class:`~mlpabc.models.Sequential` with the layers and weights of a Keras model.

    Parameters
    ----------
    keras_model : keras.Sequential
        A built Keras model made of the layers :func:`to_keras` produces.
    seed : int, Generator or None, default=None
        The new model's seed (for shuffling and dropout masks).

    Returns
    -------
    mlpabc.models.Sequential
        Built, with the Keras layer names and identical weights, in the dtype
        of the Keras weights. Not compiled.

    Introduced in the chapter *Multilayer networks and forward propagation*.
    """
    import keras

    from .layers import Input
    from .models import Sequential

    if not isinstance(keras_model, keras.Model):
        raise TypeError(
            "The 'keras_model' argument of from_keras must be a Keras model. "
            f"Got {describe(keras_model)} instead."
        )
    if not keras_model.built or not keras_model.weights and not keras_model.layers:
        raise ValueError("The 'keras_model' argument of from_keras must be a built Keras model.")
    shape = tuple(keras_model.input_shape[1:])
    dtype = keras_model.weights[0].dtype if keras_model.weights else keras.config.floatx()
    dtype = np.dtype(str(getattr(dtype, "name", dtype))).name
    layers = [Input(shape)] + [_mlpabc_layer(k) for k in keras_model.layers]
    model = Sequential(layers, name=keras_model.name, seed=seed, dtype=dtype)
    model.set_weights([np.asarray(w) for w in keras_model.get_weights()])
    return model


# -- Keras trained on mlpabc's batches ----------------------------------------------------------


def fit_keras_in_order(
    keras_model, x, y, batch_order, batch_size, validation_data=None, callbacks=None, verbose=0
):
    r"""``keras_model.fit`` on the batches an mlpabc ``fit`` used, epoch by epoch.

    Parameters
    ----------
    keras_model : keras.Model
        A compiled Keras model.
    x, y : array_like
        The **training** samples, as mlpabc trained on them (after a
        ``validation_split``: the first part only).
    batch_order : list of array_like
        For each epoch, the order of the sample indices; mlpabc's
        ``history.batch_order``. Batch :math:`b` of epoch :math:`e` is
        ``batch_order[e][b * batch_size:(b + 1) * batch_size]``.
    batch_size : int
    validation_data : tuple (x_val, y_val) or None
        Passed to Keras (for ``val_loss``).
    callbacks : list or None
        Keras callbacks, run after the one that selects the epoch's order.
    verbose : int, default=0

    Returns
    -------
    keras.callbacks.History

    Notes
    -----
    The batches are served by a ``keras.utils.PyDataset`` that reads the
    order of the current epoch (set by a callback at ``on_epoch_begin``),
    with ``shuffle=False``: Keras then performs exactly the steps mlpabc
    performed (KERAS_PARITY section 8).

    Introduced in the chapter *Gradient descent and optimizers*.
    """
    import keras

    owner = "fit_keras_in_order"
    x = check_array(x, "x", owner, dtype=None)
    y = check_array(y, "y", owner, dtype=None)
    if len(x) != len(y):
        raise ValueError(
            f"The 'x' and 'y' arguments of {owner} must have the same number of samples. "
            f"Got {len(x)} and {len(y)}."
        )
    batch_size = check_int(batch_size, "batch_size", owner, minimum=1)
    if not isinstance(batch_order, (list, tuple)) or not batch_order:
        raise TypeError(
            f"The 'batch_order' argument of {owner} must be a non-empty list of index arrays "
            f"(history.batch_order). Got {describe(batch_order)} instead."
        )
    orders = []
    for e, order in enumerate(batch_order):
        order = np.asarray(order)
        if order.ndim != 1 or order.dtype.kind not in "iu" or order.size == 0:
            raise ValueError(
                f"The 'batch_order' argument of {owner}: item {e} must be a 1-D array of sample "
                f"indices. Got {describe(order)} instead."
            )
        if order.min() < 0 or order.max() >= len(x):
            raise ValueError(
                f"The 'batch_order' argument of {owner}: item {e} has indices outside "
                f"[0, {len(x)}), the samples of 'x'."
            )
        orders.append(order)
    lengths = {len(o) for o in orders}
    if len(lengths) != 1:
        raise ValueError(
            f"The 'batch_order' argument of {owner} must have the same length every epoch."
        )

    class OrderedBatches(keras.utils.PyDataset):
        def __init__(self):
            super().__init__()
            self.epoch = 0

        def __len__(self):
            return -(-len(orders[0]) // batch_size)

        def __getitem__(self, i):
            idx = orders[self.epoch][i * batch_size : (i + 1) * batch_size]
            return x[idx], y[idx]

    class SetEpoch(keras.callbacks.Callback):
        # Keras probes the dataset before the first epoch, so the epoch is set here, not in
        # PyDataset.on_epoch_end (which Keras calls once too often).
        def on_epoch_begin(self, epoch, logs=None):
            data.epoch = epoch

    data = OrderedBatches()
    return keras_model.fit(
        data,
        epochs=len(orders),
        shuffle=False,
        validation_data=validation_data,
        callbacks=[SetEpoch(), *(callbacks or [])],
        verbose=verbose,
    )
