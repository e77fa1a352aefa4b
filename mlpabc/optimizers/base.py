r"""The :class:`Optimizer` base class: one update of every parameter per call.

An optimizer turns gradients into parameter changes. Every one in mlpabc
follows the same protocol as Keras's::

    opt.apply_gradients([(dW, W), (db, b)])   # W and b change in place

Each call is one **step** :math:`t` (``opt.iterations`` counts them). The
optimizer keeps per-parameter *slot* state (a velocity, moment estimates,
an accumulator) between calls, keyed by the parameter array itself, so the
same arrays must be passed every step -- which a layer does, since it
updates its ``params`` in place.

Introduced in the chapter *Gradient descent and optimizers*.
"""

from __future__ import annotations

import inspect

import numpy as np

from .._registry import Registry
from .._validation import check_array, check_float, check_kwargs, describe
from .schedules import LearningRateSchedule

__all__ = ["OPTIMIZERS", "Optimizer", "f32"]

#: The name -> class table behind :func:`mlpabc.optimizers.get`.
OPTIMIZERS = Registry("optimizer")


def f32(c: float) -> float:
    """``c`` rounded to float32 and back: what Keras does to some constants (KERAS_PARITY 0.1)."""
    return float(np.float32(c))


def _check_learning_rate(learning_rate, owner):
    if isinstance(learning_rate, LearningRateSchedule):
        return learning_rate
    if callable(learning_rate) and not isinstance(learning_rate, type):
        return learning_rate
    if isinstance(learning_rate, (str, bytes)) or learning_rate is None:
        raise TypeError(
            f"The 'learning_rate' argument of {owner} must be a float > 0, a LearningRateSchedule "
            f"or a callable of the step. Got {describe(learning_rate)} instead."
        )
    return check_float(learning_rate, "learning_rate", owner, low=0, closed="neither")


def _check_kwargs(kwargs, cls):
    """Refuse misspelt or outdated keyword arguments, suggesting the intended one."""
    if not kwargs:
        return
    owner = cls.__name__
    if "lr" in kwargs:
        raise TypeError(f"Unrecognized keyword argument 'lr' for {owner}: use 'learning_rate'.")
    allowed = [p for p in inspect.signature(cls.__init__).parameters if p not in ("self", "kwargs")]
    check_kwargs(kwargs, allowed, owner)


class Optimizer:
    r"""Base class of the optimizers.

    Parameters
    ----------
    learning_rate : float, LearningRateSchedule or callable
        The step size :math:`\eta > 0`; a schedule (or any callable ``f(step) -> float``)
        is evaluated at ``iterations`` before every update (Keras calls a plain callable
        with no argument; mlpabc passes the step).
    name : str or None
        A label; the class name in lower case by default (``"adam"``).

    Attributes
    ----------
    iterations : int
        Completed updates (calls of :meth:`apply_gradients`); the next update is
        step :math:`t = \text{iterations} + 1`.

    Notes
    -----
    :meth:`apply_gradients` is the boundary: it checks each ``(gradient,
    variable)`` pair (a variable's type on its first update, every gradient's
    shape), then calls :meth:`update_step` once per variable. Subclasses provide

    * :meth:`update_step` -- the textbook update of one variable, in place, in
      the book's symbols (Keras's name and signature);
    * :meth:`_create_slots` -- the per-variable state (Keras's slot names),
      read in ``update_step`` with :meth:`slots`.

    Introduced in the chapter *Gradient descent and optimizers*.

    Examples
    --------
    Plain gradient descent, :math:`\theta \leftarrow \theta - \eta g`, as a subclass:

    >>> import numpy as np
    >>> class PlainGD(Optimizer):
    ...     def update_step(self, gradient, variable, learning_rate):
    ...         variable -= learning_rate * gradient
    >>> w = np.array([1.0, 2.0])
    >>> opt = PlainGD(learning_rate=0.5)
    >>> opt.apply_gradients([(np.array([2.0, -2.0]), w)])
    >>> w, opt.iterations
    (array([0., 3.]), 1)
    """

    def __init__(self, learning_rate, name=None):
        owner = type(self).__name__
        self._learning_rate = _check_learning_rate(learning_rate, owner)
        if name is not None and not (isinstance(name, str) and name):
            raise TypeError(
                f"The 'name' argument of {owner} must be a non-empty string or None. "
                f"Got {describe(name)} instead."
            )
        self.name = name or owner.lower()
        self.iterations = 0
        # id(variable) -> (variable, slots); holding `variable` keeps its id unique
        self._slots: dict[int, tuple] = {}

    # -- learning rate ---------------------------------------------------------------------
    @property
    def learning_rate(self) -> float:
        """The rate the next update will use (as in Keras); see :meth:`current_learning_rate`.

        Assigning a float > 0, a schedule or a callable replaces the learning rate
        (``opt.learning_rate = 0.01``); slot state and ``iterations`` are kept.
        """
        return self.current_learning_rate()

    @learning_rate.setter
    def learning_rate(self, value) -> None:
        self._learning_rate = _check_learning_rate(value, type(self).__name__)

    def current_learning_rate(self) -> float:
        r"""The rate :math:`\eta` the next update will use.

        A float is returned as given; a schedule is evaluated at ``iterations``
        (0 for the first update) in float32, as Keras does.
        """
        lr = self._learning_rate
        if type(lr) is float:
            return lr
        if isinstance(lr, LearningRateSchedule):
            return lr(self.iterations)
        owner = f"{type(self).__name__} (the value its callable returned)"
        return check_float(lr(self.iterations), "learning_rate", owner, low=0)

    # -- the update ----------------------------------------------------------------------------
    def apply_gradients(self, grads_and_vars) -> None:
        r"""One step: check the pairs, then :meth:`update_step` each variable in place.

        Parameters
        ----------
        grads_and_vars : iterable of (ndarray, ndarray)
            Pairs ``(gradient, variable)``. Each variable is a writeable float
            array, changed in place; its gradient has the same shape. All pairs are
            checked before any variable changes. An empty iterable does nothing (as in
            Keras, ``iterations`` does not advance).

        Raises
        ------
        TypeError
            If a pair is not ``(gradient, variable)`` or a variable is not a
            writeable float array.
        ValueError
            If a gradient's shape differs from its variable's.
        """
        pairs = (
            grads_and_vars if isinstance(grads_and_vars, (list, tuple)) else list(grads_and_vars)
        )
        if not pairs:
            return
        if not self._all_known(pairs):  # a variable's first update, or something is wrong
            pairs = [self._check_pair(i, pair) for i, pair in enumerate(pairs)]
        learning_rate = self.current_learning_rate()
        self._prepare_step(learning_rate)
        for gradient, variable in pairs:
            self.update_step(gradient, variable, learning_rate)
        self.iterations += 1

    def update_step(self, gradient, variable, learning_rate) -> None:
        r"""Update ``variable`` in place from its ``gradient``: the optimizer's formula.

        Called by :meth:`apply_gradients` once per variable and step, after the
        checks; ``self.iterations`` is the number of completed steps
        (:math:`t - 1`).
        """
        raise NotImplementedError

    def slots(self, variable) -> dict[str, np.ndarray]:
        """The live slot arrays (velocity, moments, ...) of ``variable`` for update_step."""
        return self._slots[id(variable)][1]

    def _all_known(self, pairs) -> bool:
        """Whether every pair is ``(ndarray, a variable seen before)`` with equal shapes.

        ``_slots`` holds each variable it has seen, so no other array can have its ``id``.
        """
        known = self._slots
        try:
            for g, w in pairs:
                if id(w) not in known or type(g) is not np.ndarray or g.shape != w.shape:
                    return False
        except (TypeError, ValueError):  # not a pair
            return False
        return True

    def _check_pair(self, i, pair):
        """``(gradient, variable)`` checked; a variable seen for the first time gets its slots."""
        if not isinstance(pair, (tuple, list)) or len(pair) != 2:
            raise TypeError(
                f"Each item of the 'grads_and_vars' argument of {self._owner()} must be a pair "
                f"(gradient, parameter). Item {i} is {describe(pair)}."
            )
        g, w = pair
        record = self._slots.get(id(w))
        if record is None or record[0] is not w:
            if not isinstance(w, np.ndarray) or w.dtype.kind != "f" or not w.flags.writeable:
                raise TypeError(
                    f"The parameter in grads_and_vars[{i}] of {self._owner()} must be a writeable "
                    f"float numpy array (it is updated in place). Got {describe(w)} instead."
                )
            self._slots[id(w)] = (w, self._create_slots(w))
        if type(g) is not np.ndarray:
            g = check_array(g, f"grads_and_vars[{i}][0]", self._owner(), dtype=w.dtype)
        if g.shape != w.shape:
            raise ValueError(
                f"The gradient in grads_and_vars[{i}] of {self._owner()} has shape "
                f"{g.shape}, but its parameter has shape {w.shape}; they must be equal."
            )
        return g, w

    def _owner(self):
        return f"{type(self).__name__}.apply_gradients"

    def _create_slots(self, w) -> dict[str, np.ndarray]:
        """The initial state for variable ``w`` (a dict of arrays shaped like ``w``)."""
        return {}

    def _prepare_step(self, learning_rate) -> None:
        """Per-step state shared by all variables (Nadam's product of momenta); once per step."""

    # -- inspection ------------------------------------------------------------------------------
    def get_slots(self, param) -> dict[str, np.ndarray]:
        """Copies of the slot arrays (velocity, moments, ...) kept for ``param``.

        Empty before the first update of ``param``.
        """
        rec = self._slots.get(id(param))
        if rec is None or rec[0] is not param:
            return {}
        return {k: v.copy() for k, v in rec[1].items()}

    def get_config(self) -> dict:
        """The constructor arguments, as a dict."""
        return {"name": self.name, "learning_rate": self._learning_rate}

    def __repr__(self) -> str:
        cfg = self.get_config()
        if cfg.get("name") == type(self).__name__.lower():
            del cfg["name"]
        args = ", ".join(f"{k}={v!r}" for k, v in cfg.items())
        return f"{type(self).__name__}({args})"
