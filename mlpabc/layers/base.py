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
        if ch.isupper() and i and (not name[i - 1].isupper() or (i + 1 < len(name) and name[i + 1].islower())):
            out.append("_")
        out.append(ch.lower())
    return "".join(out)


def _no_forward_error(layer) -> RuntimeError:
    """The error for ``backward`` called before any ``forward``."""
    return RuntimeError(
        f"{type(layer).__name__} {layer.name!r} has no forward pass to differentiate: call "
        f"forward(x, training=True) before backward(dy)."
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
        """Output for a batch ``x`` of shape ``(n_samples, *input_shape)``."""
        raise NotImplementedError

    def backward(self, dy: np.ndarray) -> np.ndarray:
        """Given dL/dy of the last forward, fill ``self.grads`` and return dL/dx."""
        raise NotImplementedError

    def compute_output_shape(self, input_shape) -> tuple:
        """Shape of the output (without the batch axis); identity by default."""
        return tuple(input_shape)

    # -- regularisation -----------------------------------------------------------------
    def regularization_loss(self) -> float:
        """Penalty this layer adds to the loss (0 unless it has regularizers)."""
        return 0.0

    # -- shared ---------------------------------------------------------------------
    def __call__(self, x, training: bool = False, rng: np.random.Generator | None = None):
        """Build on first use, then run :meth:`forward` (like calling a Keras layer)."""
        owner = f"{type(self).__name__}.__call__"
        training = check_bool(training, "training", owner)
        x = check_array(x, "x", owner, dtype=None)
        if not self.built:
            dtype = x.dtype if x.dtype.kind == "f" else np.float64
            self.build(x.shape[1:], rng if rng is not None else np.random.default_rng(), dtype)
        return self.forward(np.asarray(x, dtype=self.dtype), training=training)

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
