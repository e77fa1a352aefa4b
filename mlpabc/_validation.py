"""Argument and data checks shared by every public entry point.

Every check raises ``ValueError`` (a bad value) or ``TypeError`` (a bad type)
with one message template::

    The 'rate' argument of Dropout must be a float in [0, 1). Got 1.5 instead.

so a learner always reads *which argument*, *what was expected* and *what was
received*. The helpers return the cleaned value, so callers write
``self.rate = check_float(rate, "rate", "Dropout", low=0, high=1, closed="left")``.
"""

from __future__ import annotations

import difflib
import numbers

import numpy as np

__all__ = [
    "check_array",
    "check_bool",
    "check_float",
    "check_int",
    "check_kwargs",
    "check_one_of",
    "check_same_length",
    "describe",
    "unknown_name_error",
    "write_weights",
]


def describe(value) -> str:
    """A short, readable description of ``value`` for error messages."""
    if isinstance(value, np.ndarray):
        return f"an array of shape {value.shape} and dtype {value.dtype}"
    if isinstance(value, str):
        return repr(value)
    if isinstance(value, (list, tuple)) and len(value) > 8:
        return f"a {type(value).__name__} of length {len(value)}"
    text = repr(value)
    if len(text) > 80:
        text = text[:77] + "..."
    return text


def _fail(name, owner, expected, value, hint="", exc=ValueError):
    msg = f"The {name!r} argument of {owner} must be {expected}. Got {describe(value)} instead."
    if hint:
        msg += " " + hint
    raise exc(msg)


def check_bool(value, name, owner):
    """Return ``value`` if it is a bool (numpy bools included)."""
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    _fail(name, owner, "True or False", value, exc=TypeError)


def check_int(value, name, owner, *, minimum=None, maximum=None, allow_none=False):
    """Return ``value`` as an ``int`` after checking its type and range."""
    if value is None and allow_none:
        return None
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral):
        expected = "an integer" + (" or None" if allow_none else "")
        _fail(name, owner, expected, value, exc=TypeError)
    value = int(value)
    if (minimum is not None and value < minimum) or (maximum is not None and value > maximum):
        if maximum is None:
            expected = f"an integer >= {minimum}"
        elif minimum is None:
            expected = f"an integer <= {maximum}"
        else:
            expected = f"an integer in [{minimum}, {maximum}]"
        _fail(name, owner, expected, value)
    return value


_BRACKETS = {"both": "[]", "left": "[)", "right": "(]", "neither": "()"}


def check_float(value, name, owner, *, low=None, high=None, closed="both", allow_none=False):
    """Return ``value`` as a Python ``float`` in the interval ``low .. high``.

    ``closed`` is one of ``"both"``, ``"left"``, ``"right"``, ``"neither"`` and
    says which ends of the interval are allowed. NaN and infinity are refused.
    """
    if value is None and allow_none:
        return None
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        expected = "a number" + (" or None" if allow_none else "")
        _fail(name, owner, expected, value, exc=TypeError)
    value = float(value)
    lo_ok = low is None or value > low or (value == low and closed in ("both", "left"))
    hi_ok = high is None or value < high or (value == high and closed in ("both", "right"))
    if not np.isfinite(value) or not (lo_ok and hi_ok):
        left, right = _BRACKETS[closed]
        if low is not None and high is not None:
            expected = f"a float in {left}{low}, {high}{right}"
        elif low is not None:
            expected = f"a float {'>=' if left == '[' else '>'} {low}"
        elif high is not None:
            expected = f"a float {'<=' if right == ']' else '<'} {high}"
        else:
            expected = "a finite float"
        _fail(name, owner, expected, value)
    return value


def unknown_name_error(kind, name, valid, *, exc=ValueError):
    """Build the error for an unknown registry name, with a close-match hint."""
    valid = sorted(valid)
    msg = f"Unknown {kind} {name!r}. Valid names are: " + ", ".join(repr(v) for v in valid) + "."
    if isinstance(name, str):
        close = difflib.get_close_matches(name.lower(), valid, n=1, cutoff=0.6)
        if close:
            msg += f" Did you mean {close[0]!r}?"
    return exc(msg)


def check_one_of(value, name, owner, options):
    """Return ``value`` if it is one of ``options`` (exact match)."""
    if value in options:
        return value
    opts = ", ".join(repr(o) for o in sorted(options, key=str))
    hint = ""
    if isinstance(value, str):
        close = difflib.get_close_matches(value, [o for o in options if isinstance(o, str)], n=1)
        if close:
            hint = f"Did you mean {close[0]!r}?"
    _fail(name, owner, f"one of {opts}", value, hint=hint)


def check_kwargs(kwargs, allowed, owner):
    """Refuse unknown keyword arguments by name (a typo must not pass silently)."""
    unknown = sorted(set(kwargs) - set(allowed))
    if unknown:
        parts = []
        for key in unknown:
            close = difflib.get_close_matches(key, sorted(allowed), n=1)
            parts.append(f"{key!r}" + (f" (did you mean {close[0]!r}?)" if close else ""))
        raise TypeError(f"Unrecognized keyword argument(s) for {owner}: " + ", ".join(parts) + ".")


def check_array(
    x,
    name,
    owner,
    *,
    ndim=None,
    dtype=np.float64,
    allow_empty=False,
    finite=True,
    copy=False,
):
    """Convert ``x`` to a numpy array of ``dtype`` and check it.

    Parameters
    ----------
    x : array_like
        The data.
    name, owner : str
        Used in the message: ``"The 'x' argument of Sequential.fit ..."``.
    ndim : int, tuple of int or None
        Allowed numbers of dimensions.
    dtype : numpy dtype or None
        Target dtype; ``None`` keeps the array's own dtype.
    allow_empty : bool
        Whether zero samples are acceptable.
    finite : bool
        Refuse NaN and infinity.
    copy : bool
        Always return a fresh array (the caller's array is never modified).
    """
    if x is None:
        _fail(name, owner, "an array", x, exc=TypeError)
    if isinstance(x, (str, bytes, dict, set)):
        _fail(name, owner, "an array of numbers", x, exc=TypeError)
    if isinstance(x, (np.ndarray, np.generic)) and x.dtype.kind == "c" and dtype is not None:
        if np.dtype(dtype).kind != "c":  # numpy would drop the imaginary part with a mere warning
            _fail(name, owner, "an array of real numbers", x, exc=TypeError)
    try:
        arr = np.array(x, dtype=dtype, copy=True) if copy else np.asarray(x, dtype=dtype)
    except (TypeError, ValueError) as err:
        _fail(name, owner, "an array of numbers", x, hint=f"({err})", exc=TypeError)
    if ndim is not None:
        allowed = (ndim,) if isinstance(ndim, int) else tuple(ndim)
        if arr.ndim not in allowed:
            want = " or ".join(f"{d}-D" for d in allowed)
            hint = ""
            if arr.ndim == 1 and 2 in allowed:
                hint = (
                    "Use x.reshape(-1, 1) for a single feature or "
                    "x.reshape(1, -1) for a single sample."
                )
            _fail(name, owner, f"a {want} array", arr, hint=hint)
    if not allow_empty and arr.size == 0:
        _fail(name, owner, "a non-empty array", arr)
    if finite and arr.dtype.kind in "fc" and not np.all(np.isfinite(arr)):
        bad = "NaN" if np.isnan(arr).any() else "infinity"
        _fail(name, owner, "an array of finite numbers", arr, hint=f"It contains {bad}.")
    return arr


def check_same_length(x, y, owner, names=("x", "y")):
    """Check that ``x`` and ``y`` hold the same number of samples (rows)."""
    if len(x) != len(y):
        raise ValueError(
            f"The {names[0]!r} and {names[1]!r} arguments of {owner} must have the same number "
            f"of samples (rows). Got {len(x)} rows in {names[0]!r} and {len(y)} in {names[1]!r}."
        )


def write_weights(own, names, weights, owner, expected, hint=""):
    """Check ``weights`` against the arrays ``own`` (named ``names``), then copy them in.

    Everything is checked (a list, the count, each array's numbers and shape)
    before anything is written, so on an error the owner is left as it was.
    The arrays are written in place, so optimizers keep tracking them.
    ``expected`` describes the list in the count error, after "a list of N
    arrays"; ``hint`` follows that error.
    """
    if not isinstance(weights, (list, tuple)):
        raise TypeError(
            f"The 'weights' argument of {owner} must be a list of arrays. "
            f"Got {describe(weights)} instead."
        )
    if len(weights) != len(own):
        raise ValueError(
            f"The 'weights' argument of {owner} must be a list of {len(own)} arrays{expected}. "
            f"Got {len(weights)} arrays instead.{hint}"
        )
    new = []
    for i, (name, w, v) in enumerate(zip(names, own, weights)):
        try:
            v = np.asarray(v, dtype=w.dtype)
        except (TypeError, ValueError):
            raise TypeError(
                f"The 'weights' argument of {owner}: item {i} ({name}) must be an array of "
                f"numbers. Got {describe(v)} instead."
            ) from None
        if v.shape != w.shape:
            raise ValueError(
                f"The 'weights' argument of {owner}: item {i} ({name}) must have shape "
                f"{w.shape}. Got shape {v.shape} instead."
            )
        if not np.isfinite(v).all():
            bad = v[~np.isfinite(v)].flat[0]
            raise ValueError(
                f"The 'weights' argument of {owner}: item {i} ({name}) must hold finite numbers. "
                f"Got {bad} in it instead. Nothing was changed."
            )
        new.append(v)
    for w, v in zip(own, new):
        w[...] = v


def check_dtype(dtype):
    """The name of a model's float dtype: ``"float64"`` or ``"float32"``."""
    try:
        name = np.dtype(dtype).name
    except TypeError:
        name = None
    if name not in ("float64", "float32"):
        raise ValueError(
            "The 'dtype' argument of Sequential must be 'float64' (the default) or 'float32'. "
            f"Got {describe(dtype)} instead."
        )
    return name
