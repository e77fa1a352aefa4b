r"""The contract every layer of mlpabc follows.

A layer is a function :math:`y = f(x; \theta)` that also knows its local
derivative. ``forward`` computes :math:`y` and keeps (caches) what the
derivative needs; ``backward`` receives :math:`\partial L/\partial y` and

* returns :math:`\partial L/\partial x`, which the previous layer receives;
* writes :math:`\partial L/\partial \theta` into ``self.grads`` (same keys
  and shapes as ``self.params``).

Trainable parameters live in ``self.params``, state that training changes
but no gradient touches (BatchNormalization's moving statistics) in
``self.state``. Both dicts are ordered as Keras orders the layer's weights, so
``get_weights()`` returns exactly what ``keras_layer.get_weights()`` returns.

Introduced in the chapter *Back-propagation, worked by hand*.
"""

from __future__ import annotations

import itertools

import numpy as np

from .._validation import check_array, check_bool, describe, write_weights

_COUNTERS: dict[str, itertools.count] = {}


def _auto_name(prefix: str) -> str:
    # Names only label layers in summary(); they never influence numbers.
    counter = _COUNTERS.setdefault(prefix, itertools.count())
    n = next(counter)
    return prefix if n == 0 else f"{prefix}_{n}"


def _snake(name: str) -> str:
    """Keras's layer-name rule: ``Dense`` -> ``dense``, ``PReLU`` -> ``p_re_lu``."""
    out = []
    for i, ch in enumerate(name):
        if (
            ch.isupper()
            and i
            and (not name[i - 1].isupper() or (i + 1 < len(name) and name[i + 1].islower()))
        ):
            out.append("_")
        out.append(ch.lower())
    return "".join(out)


def _input_error(layer, x):
    """Raise the error for an input the (built) layer cannot take; called on the error path only."""
    owner = f"{type(layer).__name__} {layer.name!r}"
    if x.ndim < 2:
        raise ValueError(
            f"{owner} expects a batch, an array of shape (n_samples, "
            f"{', '.join(map(str, layer.input_shape))}). Got an array of shape {x.shape} instead. "
            "Use x.reshape(1, -1) for a single sample."
        )
    if type(layer).__name__ == "Dense":
        raise ValueError(
            f"{owner} was built for inputs with {layer.input_shape[-1]} features (last axis) but "
            f"received an array of shape {x.shape}."
        )
    raise ValueError(
        f"{owner} was built for inputs of shape (n_samples, "
        f"{', '.join(map(str, layer.input_shape))}) but received an array of shape {x.shape}."
    )


def check_gradient(layer, d, name, method, expected):
    """Refuse ``d`` (dL/d output or dL/dz) unless it has the shape of ``expected``.

    ``expected`` is the array of the last forward pass that ``d`` must match
    (``None`` before any forward pass). The one check a backward pass makes, on
    its error path only: a backward without a forward, or a gradient of another
    batch, would otherwise fail deep in the arithmetic, or broadcast silently.
    """
    if expected is None:
        raise RuntimeError(
            f"{type(layer).__name__} {layer.name!r} has no forward pass to differentiate: call "
            f"forward(x, training=True) before {method}({name})."
        )
    raise ValueError(
        f"The {name!r} argument of {type(layer).__name__}.{method} must have shape "
        f"{expected.shape}, the shape of the layer's output in its last forward pass. "
        f"Got {describe(d)} instead."
    )


class Layer:
    """Base class of all layers.

    Subclasses implement :meth:`build` (create ``params``), :meth:`forward`
    and :meth:`backward`; everything else (``__call__``, weights, counting)
    is shared.

    Parameters
    ----------
    name : str or None
        A label for :meth:`mlpabc.Sequential.summary`; generated if ``None``.
    """

    def __init__(self, name=None):
        self.name = name or _auto_name(_snake(type(self).__name__))
        self.params: dict[str, np.ndarray] = {}
        self.grads: dict[str, np.ndarray] = {}
        self.state: dict[str, np.ndarray] = {}
        self.regularizers: dict = {}  # param name -> its regularizer (see add_weight)
        self.built = False
        self.trainable = True
        self.input_shape: tuple | None = None
        self.dtype = np.float64

    # -- to be provided by subclasses ------------------------------------------------
    def build(self, input_shape, rng: np.random.Generator, dtype=np.float64) -> None:
        """Create parameters for inputs of ``input_shape`` (without the batch axis)."""
        self.input_shape = tuple(input_shape)
        self.dtype = np.dtype(dtype).type
        self.built = True

    def forward(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        """Output for a batch ``x`` of shape ``(n_samples, *input_shape)``: the math alone.

        ``x`` is a float array of the layer's dtype and input shape, as
        :meth:`__call__` (or a model's ``fit``/``predict``) checks it.
        """
        raise NotImplementedError

    def backward(self, dy: np.ndarray, input_gradient: bool = True) -> np.ndarray | None:
        """Given dL/dy of the last forward, fill ``self.grads`` and return dL/dx.

        With ``input_gradient=False`` the caller does not need dL/dx (the
        training step passes it to the first layer, whose input is the data):
        a layer may then skip that product and return ``None``, as ``Dense`` does.
        """
        raise NotImplementedError

    def compute_output_shape(self, input_shape) -> tuple:
        """Shape of the output (without the batch axis); identity by default."""
        return tuple(input_shape)

    def add_weight(self, name, value, regularizer=None) -> np.ndarray:
        """Declare the trainable parameter ``name`` (Keras's ``add_weight``); return it.

        Its gradient array is created beside it, and a ``regularizer`` is
        attached here, where the weight is declared: :meth:`regularization_loss`
        and :meth:`add_regularization_gradients` add every attached penalty.
        """
        self.params[name] = value
        self.grads[name] = np.zeros_like(value)
        if regularizer is not None:
            self.regularizers[name] = regularizer
        return value

    # -- regularisation -----------------------------------------------------------------
    def regularization_loss(self) -> float:
        r"""The penalties :math:`\sum \Omega(\theta)` of the regularized weights (for the loss)."""
        loss = 0.0
        for name, regularizer in self.regularizers.items():
            loss += regularizer.penalty(self.params[name])
        return loss

    def add_regularization_gradients(self) -> None:
        r"""Add :math:`\partial \Omega / \partial \theta` to ``grads`` for each regularized weight.

        Called after :meth:`backward` (by a model's training step), so the
        gradient is that of the loss plus the penalties.
        """
        for name, regularizer in self.regularizers.items():
            self.grads[name] += regularizer.gradient(self.params[name])

    # -- the boundary -------------------------------------------------------------------
    def __call__(self, x, training: bool = False, rng: np.random.Generator | None = None):
        """Check ``x``, build on first use, then run :meth:`forward` (as calling a Keras layer)."""
        owner = f"{type(self).__name__}.__call__"
        training = check_bool(training, "training", owner)
        x = check_array(x, "x", owner, dtype=None)
        if not self.built:
            dtype = x.dtype if x.dtype.kind == "f" else np.float64
            self.build(x.shape[1:], rng if rng is not None else np.random.default_rng(), dtype)
        x = np.asarray(x, dtype=self.dtype)
        self.check_input(x)
        return self.forward(x, training=training)

    def check_input(self, x) -> None:
        """Raise a ``ValueError`` unless ``x`` is a batch of the built input shape."""
        if x.ndim < 2 or x.shape[1:] != self.input_shape:
            _input_error(self, x)

    @property
    def weights(self) -> list[np.ndarray]:
        """All weights, Keras order: trainable ``params`` then ``state``."""
        return list(self.params.values()) + list(self.state.values())

    @property
    def weight_names(self) -> list[str]:
        return list(self.params) + list(self.state)

    def get_weights(self) -> list[np.ndarray]:
        """Copies of the weights, in the order Keras's ``get_weights()`` uses."""
        return [w.copy() for w in self.weights]

    def set_weights(self, weights) -> None:
        """Copy ``weights`` (a list in :meth:`get_weights` order) into the layer.

        Everything is checked before anything changes. The arrays are written
        in place, so optimizers keep tracking them.
        """
        names = self.weight_names
        write_weights(self.weights, names, weights, f"{self.name}.set_weights",
                      f" ({', '.join(names) or 'none'})")  # fmt: skip

    def count_params(self) -> int:
        """Number of scalars in all weights (trainable and not), as Keras counts."""
        return int(sum(w.size for w in self.weights))

    def __repr__(self) -> str:
        return f"<{type(self).__name__} name={self.name!r}>"
