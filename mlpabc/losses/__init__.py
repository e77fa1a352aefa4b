r"""Loss functions, with Keras's exact formulas and their gradients.

A loss compares targets :math:`y` with predictions :math:`\hat y` and
returns one number to minimise. Three levels, as in Keras:

* **functions** -- :func:`mean_squared_error`, :func:`mean_absolute_error`,
  :func:`mean_absolute_percentage_error`, :func:`binary_crossentropy`,
  :func:`categorical_crossentropy`, :func:`sparse_categorical_crossentropy`,
  :func:`hinge` -- return one value **per sample** (a mean over the last
  axis; a sum over the classes for the categorical ones), as Keras's do;
* **classes** -- :class:`MeanSquaredError` and friends -- reduce those to one
  number and add :meth:`Loss.gradient`, the derivative of that number with
  respect to every prediction;
* :func:`get` -- turns ``"mse"``, a function or an instance into a
  :class:`Loss`.

Keras's conventions, followed to the last bit:

* the reduced loss is the **mean of the per-sample values** (Keras's
  ``"sum_over_batch_size"``), so the mean squared error is the mean over
  all :math:`N \cdot d` entries and has **no** factor :math:`\tfrac12`;
* probabilities are clipped to :math:`[\epsilon, 1 - \epsilon]`,
  :math:`\epsilon = 10^{-7}`, before a logarithm; categorical
  cross-entropy first renormalises each row to sum 1;
* ``from_logits=True`` takes the pre-activation :math:`z` instead of
  :math:`\hat y` and uses the exact, stable formulas (no clipping). A Keras
  model whose last layer has a sigmoid (softmax) activation silently uses
  these formulas for binary (categorical) cross-entropy; the loss classes
  offer them as :meth:`Loss.value_from_logits` and
  :meth:`Loss.gradient_from_logits` so :class:`mlpabc.Sequential` can do the
  same.

Introduced in the chapter *Loss functions*.
"""

from __future__ import annotations

from .._validation import describe
from .functions import (  # noqa: F401  (the private names: for mlpabc.metrics)
    EPSILON,
    _align,
    _check_labels,
    _float_array,
    _mae,
    _mape,
    _mse,
    binary_crossentropy,
    categorical_crossentropy,
    hinge,
    mean_absolute_error,
    mean_absolute_percentage_error,
    mean_squared_error,
    sparse_categorical_crossentropy,
)
from .loss import (
    LOSSES,
    BinaryCrossentropy,
    CategoricalCrossentropy,
    Hinge,
    Loss,
    MeanAbsoluteError,
    MeanAbsolutePercentageError,
    MeanSquaredError,
    SparseCategoricalCrossentropy,
)

__all__ = [
    "LOSSES",
    "BinaryCrossentropy",
    "CategoricalCrossentropy",
    "Hinge",
    "Loss",
    "MeanAbsoluteError",
    "MeanAbsolutePercentageError",
    "MeanSquaredError",
    "SparseCategoricalCrossentropy",
    "binary_crossentropy",
    "categorical_crossentropy",
    "get",
    "hinge",
    "mean_absolute_error",
    "mean_absolute_percentage_error",
    "mean_squared_error",
    "names",
    "sparse_categorical_crossentropy",
]


# -- get ------------------------------------------------------------------------------------

_FUNCTION_TO_CLASS = {
    mean_squared_error: MeanSquaredError,
    mean_absolute_error: MeanAbsoluteError,
    mean_absolute_percentage_error: MeanAbsolutePercentageError,
    hinge: Hinge,
    binary_crossentropy: BinaryCrossentropy,
    categorical_crossentropy: CategoricalCrossentropy,
    sparse_categorical_crossentropy: SparseCategoricalCrossentropy,
}


def names() -> list[str]:
    """The names :func:`get` accepts, sorted.

    Examples
    --------
    >>> names()[:3]
    ['binary_crossentropy', 'categorical_crossentropy', 'hinge']
    """
    return LOSSES.names()


def get(identifier) -> Loss:
    """A :class:`Loss` from a name, a function, a class or an instance.

    Parameters
    ----------
    identifier : str, Loss, function or Loss subclass
        * a name (case-insensitive): ``"mse"``/``"mean_squared_error"``,
          ``"mae"``/``"mean_absolute_error"``,
          ``"mape"``/``"mean_absolute_percentage_error"``,
          ``"binary_crossentropy"``, ``"categorical_crossentropy"``,
          ``"sparse_categorical_crossentropy"``, ``"hinge"`` -- a new
          instance with Keras's defaults;
        * a :class:`Loss` instance -- returned unchanged;
        * one of this module's functions, or a :class:`Loss` subclass -- a
          new instance of that class.

    Raises
    ------
    ValueError
        For an unknown name (the message lists the valid ones).
    TypeError
        For ``None`` (a loss is required) and anything else.

    Notes
    -----
    Introduced in the chapter *Loss functions*.

    Examples
    --------
    >>> get("mse")
    MeanSquaredError()
    >>> get(binary_crossentropy)
    BinaryCrossentropy(from_logits=False, label_smoothing=0.0)
    """
    loss = LOSSES.resolve(identifier, Loss, _FUNCTION_TO_CLASS)
    if loss is not None:
        return loss
    if identifier is None:
        got = "None: a loss is required"
    elif callable(identifier) and hasattr(identifier, "__name__"):
        got = f"the callable {getattr(identifier, '__module__', '?')}.{identifier.__name__}"
    else:
        got = describe(identifier)
    raise TypeError(
        "The 'loss' argument must be a name (one of "
        + ", ".join(repr(n) for n in names())
        + "), an mlpabc.losses.Loss instance or one of the functions of mlpabc.losses. "
        f"Got {got} instead."
    )
