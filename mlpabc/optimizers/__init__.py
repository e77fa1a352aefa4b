r"""Optimizers: how a gradient becomes a change of the parameters.

Every optimizer has Keras's name, defaults and -- to the last bit in float64 --
Keras's update formulas, which are not always the textbook ones (each class's
*Notes* says where they differ):

* :class:`SGD` -- gradient descent, optional (Nesterov) momentum;
* :class:`Adagrad`, :class:`RMSprop` -- per-parameter rates from squared gradients;
* :class:`Adam` (also in the paper's textbook form), :class:`Nadam`.

All share :class:`Optimizer`'s protocol: ``opt.apply_gradients([(dW, W), ...])``
updates the arrays in place, ``opt.iterations`` counts the steps and
``opt.current_learning_rate()`` gives the next step's :math:`\eta` (a float or a
schedule from :mod:`mlpabc.optimizers.schedules`). :func:`get` turns
``"adam"`` into ``Adam()``.

Introduced in the chapter *Gradient descent and optimizers*.
"""

from __future__ import annotations

from . import schedules
from .adagrad import Adagrad
from .adam import Adam
from .base import OPTIMIZERS, Optimizer
from .nadam import Nadam
from .rmsprop import RMSprop
from .sgd import SGD

__all__ = [
    "OPTIMIZERS",
    "SGD",
    "Adagrad",
    "Adam",
    "Nadam",
    "Optimizer",
    "RMSprop",
    "get",
    "names",
    "schedules",
]


def names() -> list[str]:
    """The names :func:`get` accepts."""
    return OPTIMIZERS.names()


def get(identifier) -> Optimizer:
    """An :class:`Optimizer` from a name, a class or an instance.

    Parameters
    ----------
    identifier : str, Optimizer or Optimizer subclass
        * a name (case-insensitive): ``"sgd"``, ``"adagrad"``, ``"rmsprop"``,
          ``"adam"``, ``"nadam"`` -- a new instance with Keras's defaults;
        * an :class:`Optimizer` instance -- returned unchanged (its state too);
        * an :class:`Optimizer` subclass -- a new instance with default arguments.

    Raises
    ------
    ValueError
        For an unknown name; the message lists the valid ones and suggests the closest.
    TypeError
        For anything else.

    Notes
    -----
    Introduced in the chapter *Gradient descent and optimizers*.

    Examples
    --------
    >>> get("RMSprop")
    RMSprop(learning_rate=0.001, rho=0.9, momentum=0.0, epsilon=1e-07, centered=False)
    >>> get("adma")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: Unknown optimizer 'adma'. Valid names are: 'adagrad', ... Did you mean 'adam'?
    """
    optimizer = OPTIMIZERS.resolve(identifier, Optimizer)
    if optimizer is not None:
        return optimizer
    raise TypeError(
        "The 'optimizer' identifier must be a name ("
        + ", ".join(repr(n) for n in OPTIMIZERS.names())
        + f") or an Optimizer instance. Got {identifier!r} instead."
    )
