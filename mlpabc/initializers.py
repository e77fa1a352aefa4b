r"""Initial values of the weights: Keras's initializers, drawn with numpy.

An initializer is called with a shape and returns a new array::

    W = GlorotUniform(seed=0)((n_in, n_out))      # Dense's default kernel
    b = Zeros()((n_out,))                          # Dense's default bias

The *variance-scaling* family (Glorot, He, LeCun) chooses the spread from the
layer's fan-in :math:`n_{in}` and fan-out :math:`n_{out}` so that signals and
gradients keep roughly the same variance from layer to layer:

============= ===================================== =====================================
name          uniform :math:`U(-L, L)`              truncated normal, std :math:`s`
============= ===================================== =====================================
Glorot/Xavier :math:`L = \sqrt{6/(n_{in}+n_{out})}` :math:`s = \sqrt{2/(n_{in}+n_{out})}`
He            :math:`L = \sqrt{6/n_{in}}`           :math:`s = \sqrt{2/n_{in}}`
LeCun         :math:`L = \sqrt{3/n_{in}}`           :math:`s = \sqrt{1/n_{in}}`
============= ===================================== =====================================

**Randomness.** ``GlorotUniform(seed=0)`` owns ``np.random.default_rng(0)``,
created once, and ignores the ``rng`` argument; successive calls continue that
generator (Keras's seeded initializers instead return the *same* values on
every call). An unseeded initializer draws from the ``rng`` it is given -- a
``Sequential`` model passes one generator per layer -- or, if ``rng`` is
``None``, from a fresh unseeded generator. Keras's random numbers (TensorFlow's
Philox generator) cannot be reproduced with numpy: to compare a model with
Keras, copy the weights across.

Introduced in the chapter *Batch normalisation, dropout and residual connections*.
"""

from __future__ import annotations

import math
import numbers

import numpy as np

from ._random import as_generator
from ._registry import Registry
from ._validation import check_float, check_one_of, describe

__all__ = [
    "INITIALIZERS",
    "Constant",
    "GlorotNormal",
    "GlorotUniform",
    "HeNormal",
    "HeUniform",
    "Initializer",
    "LecunNormal",
    "LecunUniform",
    "Ones",
    "RandomNormal",
    "RandomUniform",
    "TruncatedNormal",
    "VarianceScaling",
    "Zeros",
    "compute_fans",
    "get",
    "names",
]

#: The name -> class table behind :func:`get`.
INITIALIZERS = Registry("initializer")

#: Standard deviation of a standard normal truncated to [-2, 2] (Keras divides by it).
TRUNCATED_STD = 0.87962566103423978


def compute_fans(shape) -> tuple[int, int]:
    r"""Fan-in and fan-out of a weight array of ``shape``, as Keras computes them.

    * ``()``: (1, 1);
    * ``(n,)``: (n, n);
    * ``(n_in, n_out)``: a Dense kernel, (n_in, n_out);
    * ``(k_1, ..., k_d, c_in, c_out)``: a convolution kernel, each fan multiplied by the
      receptive-field size :math:`k_1 \cdots k_d`.

    Introduced in the chapter *Batch normalisation, dropout and residual connections*.

    Examples
    --------
    >>> compute_fans((4, 6))
    (4, 6)
    >>> compute_fans((3, 3, 16, 32))
    (144, 288)
    """
    shape = _check_shape(shape, "compute_fans")
    if len(shape) < 1:
        return 1, 1
    if len(shape) == 1:
        return shape[0], shape[0]
    receptive_field = math.prod(shape[:-2])
    return shape[-2] * receptive_field, shape[-1] * receptive_field


def _is_size(d) -> bool:
    return isinstance(d, numbers.Integral) and not isinstance(d, (bool, np.bool_)) and d >= 0


def _check_shape(shape, owner) -> tuple[int, ...]:
    if isinstance(shape, numbers.Integral) and not isinstance(shape, (bool, np.bool_)):
        shape = (shape,)
    if isinstance(shape, (tuple, list)) and all(_is_size(d) for d in shape):
        return tuple(int(d) for d in shape)
    raise TypeError(
        f"The 'shape' argument of {owner} must be a tuple of non-negative integers, "
        f"such as (n_in, n_out). Got {describe(shape)} instead."
    )


def _check_dtype(dtype, owner):
    try:
        dt = np.dtype(dtype)
    except TypeError:
        dt = None
    if dt is None or dt.kind != "f":
        raise TypeError(
            f"The 'dtype' argument of {owner} must be a float dtype such as np.float64 or "
            f"'float32'. Got {describe(dtype)} instead."
        )
    return dt


class Initializer:
    r"""Base class: ``init(shape, dtype=np.float64, rng=None) -> ndarray``.

    Subclasses implement :meth:`_generate`; :meth:`__call__` (also available as
    :meth:`init`) checks the arguments first.

    Introduced in the chapter *Multilayer networks and forward propagation*.
    """

    def __call__(self, shape, dtype=np.float64, rng=None) -> np.ndarray:
        """A new array of ``shape`` and float ``dtype``.

        Parameters
        ----------
        shape : tuple of int
            For a Dense kernel ``(n_in, n_out)``, for a bias ``(n_out,)``.
        dtype : float dtype, default=np.float64
        rng : numpy.random.Generator, int or None
            Where an unseeded random initializer draws from (ignored by seeded and
            constant initializers); ``None`` means a fresh unseeded generator.
        """
        owner = type(self).__name__
        return self._generate(_check_shape(shape, owner), _check_dtype(dtype, owner), rng)

    def init(self, shape, dtype=np.float64, rng=None) -> np.ndarray:
        """Same as calling the initializer (the name layers use)."""
        return self(shape, dtype, rng)

    def _generate(self, shape, dtype, rng) -> np.ndarray:
        raise NotImplementedError

    def get_config(self) -> dict:
        """The constructor arguments, as a dict."""
        return {}

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items())
        return f"{type(self).__name__}({args})"


# -- constants -------------------------------------------------------------------------------


@INITIALIZERS.register("zeros")
class Zeros(Initializer):
    """All zeros: Keras's default for biases.

    Introduced in the chapter *Multilayer networks and forward propagation*.

    Examples
    --------
    >>> Zeros()((2,))
    array([0., 0.])
    """

    def _generate(self, shape, dtype, rng):
        return np.zeros(shape, dtype=dtype)


@INITIALIZERS.register("ones")
class Ones(Initializer):
    """All ones (BatchNormalization's default for its scale ``gamma``).

    Introduced in the chapter *Multilayer networks and forward propagation*.

    Examples
    --------
    >>> Ones()((2,))
    array([1., 1.])
    """

    def _generate(self, shape, dtype, rng):
        return np.ones(shape, dtype=dtype)


@INITIALIZERS.register("constant")
class Constant(Initializer):
    """Every entry equal to ``value``.

    Parameters
    ----------
    value : float, default=0.0

    Notes
    -----
    Introduced in the chapter *Multilayer networks and forward propagation*.

    Examples
    --------
    >>> Constant(0.5)((2, 2))
    array([[0.5, 0.5],
           [0.5, 0.5]])
    """

    def __init__(self, value=0.0):
        self.value = check_float(value, "value", "Constant")

    def _generate(self, shape, dtype, rng):
        return np.full(shape, self.value, dtype=dtype)

    def get_config(self) -> dict:
        return {"value": self.value}


# -- random ----------------------------------------------------------------------------------


class _RandomInitializer(Initializer):
    """Holds the seed: a seeded initializer owns its generator, an unseeded one uses ``rng``."""

    def __init__(self, seed=None):
        self.seed = seed
        self._rng = None if seed is None else as_generator(seed, owner=type(self).__name__)

    def _generator(self, rng) -> np.random.Generator:
        if self._rng is not None:
            return self._rng
        return as_generator(rng, name="rng", owner=f"{type(self).__name__}.__call__")

    def get_config(self) -> dict:
        return {"seed": self.seed}


def _truncated_normal(gen, shape, mean, stddev):
    """Normal(mean, stddev) samples, each redrawn until within 2 stddev of the mean."""
    z = np.asarray(gen.standard_normal(shape), dtype=np.float64)
    flat = z.reshape(-1)  # a view: writing to it writes z
    bad = np.flatnonzero(np.abs(flat) > 2.0)
    while bad.size:
        fresh = gen.standard_normal(bad.size)
        flat[bad] = fresh
        bad = bad[np.abs(fresh) > 2.0]
    return mean + stddev * z


@INITIALIZERS.register("random_normal")
class RandomNormal(_RandomInitializer):
    r"""Normal samples :math:`N(\text{mean}, \text{stddev}^2)`.

    Parameters
    ----------
    mean : float, default=0.0
    stddev : float, default=0.05
        Positive.
    seed : int, numpy.random.Generator or None

    Notes
    -----
    Introduced in the chapter *Multilayer networks and forward propagation*.

    Examples
    --------
    >>> w = RandomNormal(stddev=1.0, seed=0)((1000,))
    >>> round(float(w.std()), 1)
    1.0
    """

    def __init__(self, mean=0.0, stddev=0.05, seed=None):
        self.mean = check_float(mean, "mean", "RandomNormal")
        self.stddev = check_float(stddev, "stddev", "RandomNormal", low=0, closed="neither")
        super().__init__(seed)

    def _generate(self, shape, dtype, rng):
        w = self._generator(rng).normal(self.mean, self.stddev, shape)
        return np.asarray(w, dtype=dtype)

    def get_config(self) -> dict:
        return {"mean": self.mean, "stddev": self.stddev, **super().get_config()}


@INITIALIZERS.register("truncated_normal")
class TruncatedNormal(_RandomInitializer):
    r"""Normal samples, redrawn if more than ``2 * stddev`` from the mean.

    ``stddev`` is that of the normal *before* truncation; the samples' standard
    deviation is :math:`0.8796\,\text{stddev}`.

    Parameters
    ----------
    mean : float, default=0.0
    stddev : float, default=0.05
        Positive.
    seed : int, numpy.random.Generator or None

    Notes
    -----
    Introduced in the chapter *Batch normalisation, dropout and residual connections*.

    Examples
    --------
    >>> w = TruncatedNormal(stddev=1.0, seed=0)((1000,))
    >>> bool(abs(w).max() <= 2.0)
    True
    """

    def __init__(self, mean=0.0, stddev=0.05, seed=None):
        self.mean = check_float(mean, "mean", "TruncatedNormal")
        self.stddev = check_float(stddev, "stddev", "TruncatedNormal", low=0, closed="neither")
        super().__init__(seed)

    def _generate(self, shape, dtype, rng):
        w = _truncated_normal(self._generator(rng), shape, self.mean, self.stddev)
        return np.asarray(w, dtype=dtype)

    def get_config(self) -> dict:
        return {"mean": self.mean, "stddev": self.stddev, **super().get_config()}


@INITIALIZERS.register("random_uniform")
class RandomUniform(_RandomInitializer):
    """Uniform samples in ``[minval, maxval)``.

    Parameters
    ----------
    minval : float, default=-0.05
    maxval : float, default=0.05
        Greater than ``minval``.
    seed : int, numpy.random.Generator or None

    Notes
    -----
    Introduced in the chapter *Multilayer networks and forward propagation*.

    Examples
    --------
    >>> w = RandomUniform(0.0, 1.0, seed=0)((1000,))
    >>> bool(w.min() >= 0.0 and w.max() < 1.0)
    True
    """

    def __init__(self, minval=-0.05, maxval=0.05, seed=None):
        self.minval = check_float(minval, "minval", "RandomUniform")
        self.maxval = check_float(maxval, "maxval", "RandomUniform")
        if not self.maxval > self.minval:
            raise ValueError(
                f"The 'maxval' argument of RandomUniform must be a float > minval = {self.minval}. "
                f"Got {self.maxval} instead."
            )
        super().__init__(seed)

    def _generate(self, shape, dtype, rng):
        w = self._generator(rng).uniform(self.minval, self.maxval, shape)
        return np.asarray(w, dtype=dtype)

    def get_config(self) -> dict:
        return {"minval": self.minval, "maxval": self.maxval, **super().get_config()}


@INITIALIZERS.register("variance_scaling")
class VarianceScaling(_RandomInitializer):
    r"""Samples whose variance is ``scale / n``, with ``n`` a fan of the shape.

    Parameters
    ----------
    scale : float, default=1.0
        Positive.
    mode : {"fan_in", "fan_out", "fan_avg"}, default="fan_in"
        :math:`n = n_{in}`, :math:`n_{out}` or :math:`(n_{in} + n_{out})/2` (see
        :func:`compute_fans`), at least 1.
    distribution : {"truncated_normal", "untruncated_normal", "uniform"}, default="truncated_normal"
        ``"normal"`` is accepted for ``"truncated_normal"``, as in Keras.
    seed : int, numpy.random.Generator or None

    Notes
    -----
    With the target variance :math:`\sigma^2 = \text{scale}/n`:

    * ``"uniform"``: :math:`U(-L, L)` with :math:`L = \sqrt{3\sigma^2}` (a uniform on
      :math:`[-L, L]` has variance :math:`L^2/3`);
    * ``"truncated_normal"``: a normal with standard deviation
      :math:`\sigma / 0.8796`, samples beyond two of those redrawn; the truncation
      shrinks the spread by exactly 0.8796, so the result has standard deviation
      :math:`\sigma`;
    * ``"untruncated_normal"``: :math:`N(0, \sigma^2)`.

    Glorot, He and LeCun are this class with fixed ``scale``, ``mode`` and ``distribution``.

    Introduced in the chapter *Batch normalisation, dropout and residual connections*.

    Examples
    --------
    >>> init = VarianceScaling(scale=2.0, mode="fan_in", distribution="uniform")
    >>> init.variance((50, 10))          # 2 / 50
    0.04
    >>> round(init.limit((50, 10)), 6)    # sqrt(3 * 0.04)
    0.34641
    """

    def __init__(self, scale=1.0, mode="fan_in", distribution="truncated_normal", seed=None):
        owner = type(self).__name__
        self.scale = check_float(scale, "scale", owner, low=0, closed="neither")
        self.mode = check_one_of(mode, "mode", owner, ("fan_in", "fan_out", "fan_avg"))
        if isinstance(distribution, str) and distribution.lower() == "normal":
            distribution = "truncated_normal"
        options = ("truncated_normal", "untruncated_normal", "uniform")
        self.distribution = check_one_of(distribution, "distribution", owner, options)
        super().__init__(seed)

    def variance(self, shape) -> float:
        r"""The target variance :math:`\sigma^2 = \text{scale} / \max(1, n)` for ``shape``."""
        fan_in, fan_out = compute_fans(shape)
        n = {"fan_in": fan_in, "fan_out": fan_out, "fan_avg": (fan_in + fan_out) / 2.0}[self.mode]
        return self.scale / max(1.0, n)

    def limit(self, shape) -> float:
        r"""The largest :math:`|w|` this initializer can produce for ``shape``.

        :math:`L = \sqrt{3\sigma^2}` (uniform), :math:`2\sigma/0.8796` (truncated
        normal) or infinity (untruncated normal).
        """
        var = self.variance(shape)
        if self.distribution == "uniform":
            return math.sqrt(3.0 * var)
        if self.distribution == "truncated_normal":
            return 2.0 * (math.sqrt(var) / TRUNCATED_STD)
        return math.inf

    def _generate(self, shape, dtype, rng):
        gen = self._generator(rng)
        var = self.variance(shape)
        if self.distribution == "uniform":
            limit = math.sqrt(3.0 * var)
            w = gen.uniform(-limit, limit, shape)
        elif self.distribution == "truncated_normal":
            w = _truncated_normal(gen, shape, 0.0, math.sqrt(var) / TRUNCATED_STD)
        else:
            w = gen.normal(0.0, math.sqrt(var), shape)
        return np.asarray(w, dtype=dtype)

    def get_config(self) -> dict:
        return {
            "scale": self.scale,
            "mode": self.mode,
            "distribution": self.distribution,
            **super().get_config(),
        }


class _FixedVarianceScaling(VarianceScaling):
    """A named member of the family: only ``seed`` is an argument."""

    _args = (1.0, "fan_in", "truncated_normal")

    def __init__(self, seed=None):
        super().__init__(*self._args, seed=seed)

    def get_config(self) -> dict:
        return {"seed": self.seed}


@INITIALIZERS.register("glorot_uniform")
class GlorotUniform(_FixedVarianceScaling):
    r"""Glorot (Xavier) uniform: :math:`U(-L, L)`, :math:`L = \sqrt{6 / (n_{in} + n_{out})}`.

    Keras's default for Dense kernels; suited to tanh and sigmoid layers. It is
    ``VarianceScaling(1.0, "fan_avg", "uniform")``, variance :math:`2/(n_{in}+n_{out})`.

    Parameters
    ----------
    seed : int, numpy.random.Generator or None

    Notes
    -----
    Introduced in the chapter *Batch normalisation, dropout and residual connections*.

    Examples
    --------
    >>> init = GlorotUniform(seed=0)
    >>> W = init((4, 2))
    >>> round(init.limit((4, 2)), 6)      # sqrt(6 / 6)
    1.0
    >>> bool(abs(W).max() < 1.0)
    True
    """

    _args = (1.0, "fan_avg", "uniform")


@INITIALIZERS.register("glorot_normal")
class GlorotNormal(_FixedVarianceScaling):
    r"""Glorot (Xavier) normal: standard deviation :math:`\sqrt{2 / (n_{in} + n_{out})}`.

    Drawn, as in Keras, from a normal with standard deviation
    :math:`\sqrt{2/(n_{in}+n_{out})} / 0.8796` truncated at two of those, which
    leaves exactly the standard deviation above. ``VarianceScaling(1.0, "fan_avg",
    "truncated_normal")``.

    Parameters
    ----------
    seed : int, numpy.random.Generator or None

    Notes
    -----
    Introduced in the chapter *Batch normalisation, dropout and residual connections*.

    Examples
    --------
    >>> W = GlorotNormal(seed=0)((300, 200))
    >>> round(float(W.std()), 3), round((2 / 500) ** 0.5, 3)
    (0.063, 0.063)
    """

    _args = (1.0, "fan_avg", "truncated_normal")


@INITIALIZERS.register("he_uniform")
class HeUniform(_FixedVarianceScaling):
    r"""He uniform: :math:`U(-L, L)`, :math:`L = \sqrt{6 / n_{in}}` (variance :math:`2/n_{in}`).

    Suited to ReLU layers, which zero half their inputs. ``VarianceScaling(2.0,
    "fan_in", "uniform")``.

    Parameters
    ----------
    seed : int, numpy.random.Generator or None

    Notes
    -----
    Introduced in the chapter *Batch normalisation, dropout and residual connections*.

    Examples
    --------
    >>> round(HeUniform().limit((6, 3)), 6)   # sqrt(6 / 6)
    1.0
    """

    _args = (2.0, "fan_in", "uniform")


@INITIALIZERS.register("he_normal")
class HeNormal(_FixedVarianceScaling):
    r"""He normal: standard deviation :math:`\sqrt{2 / n_{in}}` (truncated normal).

    Drawn like :class:`GlorotNormal`; ``VarianceScaling(2.0, "fan_in", "truncated_normal")``.

    Parameters
    ----------
    seed : int, numpy.random.Generator or None

    Notes
    -----
    Introduced in the chapter *Batch normalisation, dropout and residual connections*.

    Examples
    --------
    >>> HeNormal().variance((8, 3))      # 2 / 8
    0.25
    """

    _args = (2.0, "fan_in", "truncated_normal")


@INITIALIZERS.register("lecun_uniform")
class LecunUniform(_FixedVarianceScaling):
    r"""LeCun uniform: :math:`U(-L, L)`, :math:`L = \sqrt{3 / n_{in}}` (variance :math:`1/n_{in}`).

    ``VarianceScaling(1.0, "fan_in", "uniform")``.

    Parameters
    ----------
    seed : int, numpy.random.Generator or None

    Notes
    -----
    Introduced in the chapter *Batch normalisation, dropout and residual connections*.

    Examples
    --------
    >>> round(LecunUniform().limit((3, 5)), 6)   # sqrt(3 / 3)
    1.0
    """

    _args = (1.0, "fan_in", "uniform")


@INITIALIZERS.register("lecun_normal")
class LecunNormal(_FixedVarianceScaling):
    r"""LeCun normal: standard deviation :math:`\sqrt{1 / n_{in}}` (truncated normal).

    ``VarianceScaling(1.0, "fan_in", "truncated_normal")``; the initializer SELU networks need.

    Parameters
    ----------
    seed : int, numpy.random.Generator or None

    Notes
    -----
    Introduced in the chapter *Batch normalisation, dropout and residual connections*.

    Examples
    --------
    >>> LecunNormal().variance((4, 3))   # 1 / 4
    0.25
    """

    _args = (1.0, "fan_in", "truncated_normal")


def names() -> list[str]:
    """The names :func:`get` accepts."""
    return INITIALIZERS.names()


def get(identifier) -> Initializer:
    """An :class:`Initializer` from a Keras name, a class or an instance.

    Parameters
    ----------
    identifier : str, Initializer or Initializer subclass
        * a Keras name (case-insensitive): ``"glorot_uniform"``, ``"glorot_normal"``,
          ``"he_uniform"``, ``"he_normal"``, ``"lecun_uniform"``, ``"lecun_normal"``,
          ``"random_normal"``, ``"random_uniform"``, ``"truncated_normal"``,
          ``"variance_scaling"``, ``"zeros"``, ``"ones"``, ``"constant"`` -- a new
          instance with default arguments (unseeded);
        * an :class:`Initializer` instance -- returned unchanged;
        * an :class:`Initializer` subclass -- a new instance.

    Raises
    ------
    ValueError
        For an unknown name (the message lists the valid ones and suggests the closest).
    TypeError
        For anything else, including ``None`` (Keras's ``get(None)`` returns ``None``,
        which a layer could not use).

    Notes
    -----
    Introduced in the chapter *Multilayer networks and forward propagation*.

    Examples
    --------
    >>> get("glorot_uniform")
    GlorotUniform(seed=None)
    >>> get("zero")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: Unknown initializer 'zero'. Valid names are: 'constant', ... Did you mean 'zeros'?
    """
    initializer = INITIALIZERS.resolve(
        identifier, Initializer, abstract=(_RandomInitializer, _FixedVarianceScaling)
    )
    if initializer is not None:
        return initializer
    raise TypeError(
        "The initializer identifier must be a name ("
        + ", ".join(repr(n) for n in INITIALIZERS.names())
        + f") or an Initializer instance. Got {identifier!r} instead."
    )
