"""Explicit random generators: no module of mlpabc touches numpy's global RNG.

Anything random (initializers, dropout masks, shuffling, folds, searches)
takes a ``seed`` that may be ``None``, an ``int`` or a
:class:`numpy.random.Generator`, and turns it into a generator with
:func:`as_generator`.
"""

from __future__ import annotations

import numbers

import numpy as np


def as_generator(seed=None, *, name="seed", owner="mlpabc") -> np.random.Generator:
    """Return a :class:`numpy.random.Generator` for ``seed``.

    ``None`` gives fresh OS entropy (not reproducible), an ``int`` a
    reproducible generator, and a ``Generator`` is returned unchanged (shared,
    not copied), as in scikit-learn's ``check_random_state``.
    """
    if seed is None or isinstance(seed, numbers.Integral) and not isinstance(seed, bool):
        if seed is not None and seed < 0:
            raise ValueError(
                f"The {name!r} argument of {owner} must be a non-negative integer, a "
                f"numpy Generator or None. Got {seed!r} instead."
            )
        return np.random.default_rng(seed)
    if isinstance(seed, np.random.Generator):
        return seed
    raise TypeError(
        f"The {name!r} argument of {owner} must be an integer, a numpy Generator or None. "
        f"Got {seed!r} instead."
    )


def spawn(rng: np.random.Generator, n: int) -> list[np.random.Generator]:
    """``n`` independent child generators of ``rng`` (one per layer, say)."""
    return list(rng.spawn(n))
