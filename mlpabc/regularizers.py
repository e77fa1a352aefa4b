r"""Weight penalties: L1, L2 and both, as Keras defines them.

A regularizer :math:`\Omega(w)` is added to the training loss,
:math:`\tilde L = L + \Omega(w)`, so back-propagation adds
:math:`\nabla_w \Omega` to the gradient of the weights. A layer given
``kernel_regularizer=L2(0.01)`` adds ``reg.penalty(W)`` to the loss and
``reg.gradient(W)`` to the gradient of ``W`` in every training step (once
per step, not divided by the batch size, as in Keras). Called directly,
``reg(w)`` checks ``w`` first and returns ``reg.penalty(w)``, as a Keras
regularizer is called.

Keras stores the coefficients as float32, even in float64 mode (0.01 becomes
0.009999999776482582); so does mlpabc, so penalties and gradients agree with
Keras's to the last bit. The attributes ``l1``/``l2`` keep the values as
given.

Introduced in the chapter *Regularisation*.
"""

from __future__ import annotations

import numpy as np

from ._registry import Registry
from ._validation import check_array, check_float

__all__ = ["L1", "L1L2", "L2", "REGULARIZERS", "Regularizer", "get", "names"]

#: The name -> class table behind :func:`get`.
REGULARIZERS = Registry("regularizer")


def _f32(c: float) -> float:
    # Keras: ops.cast(coefficient, float64) goes through float32 (KERAS_PARITY 0.1, 5)
    return float(np.float32(c))


class Regularizer:
    r"""Base class: a penalty :math:`\Omega(w)` and its gradient :math:`\nabla_w \Omega`.

    Subclasses implement the math: :meth:`penalty` (a float) and
    :meth:`gradient` (an array shaped like ``w``), for a float array ``w`` as a
    layer holds it. Neither modifies ``w``. Calling the regularizer,
    ``reg(w)``, is the checked entry point (as calling a Keras regularizer):
    it checks ``w`` once and returns ``reg.penalty(w)``.

    Introduced in the chapter *Regularisation*.
    """

    def __call__(self, w) -> float:
        r"""The penalty :math:`\Omega(w)` for ``w`` of any shape, checked first (a list is fine)."""
        if not (isinstance(w, np.ndarray) and w.dtype.kind == "f"):
            w = check_array(w, "w", f"{type(self).__name__}.__call__", allow_empty=True)
        return self.penalty(w)

    def penalty(self, w) -> float:
        r"""The penalty :math:`\Omega(w)` of a float array ``w`` (the math alone)."""
        raise NotImplementedError

    def gradient(self, w) -> np.ndarray:
        r""":math:`\partial \Omega / \partial w` of a float array ``w``, same shape as ``w``."""
        raise NotImplementedError

    def get_config(self) -> dict:
        """The constructor arguments, as a dict."""
        return {}

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items())
        return f"{type(self).__name__}({args})"

    def __eq__(self, other) -> bool:
        return type(self) is type(other) and self.get_config() == other.get_config()

    __hash__ = object.__hash__


@REGULARIZERS.register("l1")
class L1(Regularizer):
    r"""The L1 penalty :math:`\Omega(w) = \lambda_1 \sum_i |w_i|`.

    Parameters
    ----------
    l1 : float, default=0.01
        :math:`\lambda_1 \ge 0`.

    Notes
    -----
    Its (sub)gradient is :math:`\lambda_1\,\mathrm{sign}(w)`, with
    :math:`\mathrm{sign}(0) = 0` (TensorFlow's choice). Every weight is pulled
    towards 0 by the same amount, whatever its size, so small weights reach 0:
    L1 makes weights *sparse*.

    Introduced in the chapter *Regularisation*.

    Examples
    --------
    >>> import numpy as np
    >>> reg = L1(0.5)
    >>> w = np.array([[1.0, -2.0], [0.0, 3.0]])
    >>> reg(w)                  # 0.5 * (1 + 2 + 0 + 3)
    3.0
    >>> reg.gradient(w)
    array([[ 0.5, -0.5],
           [ 0. ,  0.5]])
    """

    def __init__(self, l1=0.01):
        self.l1 = check_float(l1, "l1", "L1", low=0)
        self._l1 = _f32(self.l1)

    def penalty(self, w) -> float:
        return float(self._l1 * np.sum(np.abs(w)))  # l1 sum_i |w_i|

    def gradient(self, w) -> np.ndarray:
        return self._l1 * np.sign(w)  # l1 sign(w)

    def get_config(self) -> dict:
        return {"l1": self.l1}


@REGULARIZERS.register("l2")
class L2(Regularizer):
    r"""The L2 penalty :math:`\Omega(w) = \lambda_2 \sum_i w_i^2` (no factor 1/2).

    Parameters
    ----------
    l2 : float, default=0.01
        :math:`\lambda_2 \ge 0`.

    Notes
    -----
    The gradient is :math:`2 \lambda_2 w`. The book writes the penalty as
    :math:`\frac{\theta}{2} \lVert w \rVert^2` with gradient :math:`\theta w`, so
    Keras's ``l2`` is half the book's :math:`\theta`:

    .. math::
        \theta = 2 \lambda_2 .

    One gradient-descent step on :math:`L + \Omega` is then the *weight-decay* form

    .. math::
        w \leftarrow w - \eta (\nabla_w L + \theta w) = (1 - \eta\theta)\, w - \eta \nabla_w L ,

    every step shrinks the weights by the factor :math:`1 - \eta\theta` before
    the usual update. (With adaptive optimizers such as Adam the penalty's
    gradient is rescaled too, so L2 is no longer the same as decoupled weight
    decay.)

    Introduced in the chapter *Regularisation*.

    Examples
    --------
    >>> import numpy as np
    >>> reg = L2(0.5)
    >>> w = np.array([1.0, -2.0])
    >>> reg(w)                  # 0.5 * (1 + 4)
    2.5
    >>> reg.gradient(w)         # 2 * 0.5 * w
    array([ 1., -2.])
    """

    def __init__(self, l2=0.01):
        self.l2 = check_float(l2, "l2", "L2", low=0)
        self._l2 = _f32(self.l2)
        self._two_l2 = 2.0 * self._l2  # exact: doubling never rounds

    def penalty(self, w) -> float:
        return float(self._l2 * np.sum(np.square(w)))  # l2 sum_i w_i^2

    def gradient(self, w) -> np.ndarray:
        return self._two_l2 * w  # 2 l2 w

    def get_config(self) -> dict:
        return {"l2": self.l2}


@REGULARIZERS.register("l1l2")
class L1L2(Regularizer):
    r"""Both penalties, :math:`\Omega(w) = \lambda_1 \sum_i |w_i| + \lambda_2 \sum_i w_i^2`.

    Parameters
    ----------
    l1 : float, default=0.0
        :math:`\lambda_1 \ge 0`.
    l2 : float, default=0.0
        :math:`\lambda_2 \ge 0`.

    Notes
    -----
    The gradient is :math:`\lambda_1 \mathrm{sign}(w) + 2\lambda_2 w`. As in
    Keras both coefficients default to 0, so ``get("l1l2")`` adds **no**
    penalty; give the coefficients explicitly. Keras's ``"l1_l2"`` string
    (which its docstring says means 0.01 and 0.01) is refused by Keras 3, and
    by mlpabc too.

    Introduced in the chapter *Regularisation*.

    Examples
    --------
    >>> import numpy as np
    >>> reg = L1L2(l1=0.5, l2=0.25)
    >>> w = np.array([2.0, -2.0])
    >>> reg(w)                  # 0.5 * 4 + 0.25 * 8
    4.0
    >>> reg.gradient(w)         # 0.5 * sign(w) + 0.5 * w
    array([ 1.5, -1.5])
    """

    def __init__(self, l1=0.0, l2=0.0):
        self.l1 = check_float(l1, "l1", "L1L2", low=0)
        self.l2 = check_float(l2, "l2", "L1L2", low=0)
        self._l1, self._l2 = _f32(self.l1), _f32(self.l2)
        self._two_l2 = 2.0 * self._l2

    def penalty(self, w) -> float:
        omega = 0.0
        if self._l1:
            omega += self._l1 * np.sum(np.abs(w))  # l1 sum_i |w_i|
        if self._l2:
            omega += self._l2 * np.sum(np.square(w))  # + l2 sum_i w_i^2
        return float(omega)

    def gradient(self, w) -> np.ndarray:
        if self._l1 and self._l2:
            grad = self._l1 * np.sign(w)
            grad += self._two_l2 * w
            return grad
        if self._l1:
            return self._l1 * np.sign(w)
        if self._l2:
            return self._two_l2 * w
        return np.zeros_like(w)

    def get_config(self) -> dict:
        return {"l1": self.l1, "l2": self.l2}


def names() -> list[str]:
    """The names :func:`get` accepts."""
    return REGULARIZERS.names()


def get(identifier):
    """A :class:`Regularizer` from a name, a class, an instance or ``None``.

    Parameters
    ----------
    identifier : str, Regularizer, Regularizer subclass or None
        * ``None`` -- ``None`` (no penalty), as in Keras;
        * ``"l1"`` -- ``L1(0.01)``; ``"l2"`` -- ``L2(0.01)``; ``"l1l2"`` --
          ``L1L2(0.0, 0.0)``, a zero penalty (Keras's defaults; case-insensitive);
        * a :class:`Regularizer` instance -- returned unchanged;
        * a :class:`Regularizer` subclass -- a new instance with its defaults.

    Raises
    ------
    ValueError
        For an unknown name, including ``"l1_l2"`` (Keras 3 refuses it too).
    TypeError
        For anything else.

    Notes
    -----
    Introduced in the chapter *Regularisation*.

    Examples
    --------
    >>> get("l2")
    L2(l2=0.01)
    >>> get(None) is None
    True
    """
    if identifier is None:
        return None
    if isinstance(identifier, str) and identifier.lower() == "l1_l2":
        raise ValueError(
            "Unknown regularizer 'l1_l2' (Keras 3 refuses it as well, although its docstring "
            "promises L1L2(0.01, 0.01)). Use L1L2(l1=0.01, l2=0.01) for both penalties; "
            "the name 'l1l2' means L1L2(l1=0.0, l2=0.0), no penalty."
        )
    regularizer = REGULARIZERS.resolve(identifier, Regularizer)
    if regularizer is not None:
        return regularizer
    raise TypeError(
        "The regularizer identifier must be None, a name ("
        + ", ".join(repr(n) for n in REGULARIZERS.names())
        + f") or a Regularizer instance. Got {identifier!r} instead."
    )
