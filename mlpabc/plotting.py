r"""The course's figures, as small functions of data.

Every function takes an optional matplotlib ``ax``, draws on it (or on a new
figure when ``ax`` is None) and returns it, so figures compose::

    fig, (left, right) = plt.subplots(1, 2)
    plot_history(history, ax=left)
    plot_decision_boundary(model, x, y, ax=right)
    plt.show()

Nothing here calls ``plt.show()``, and matplotlib is imported only when a
function runs (``import mlpabc`` stays fast). The plotting functions leave
matplotlib's global settings alone; the one function that changes them is
:func:`use_course_style`, which every chapter calls once in its first cell so
that all the course's figures share one look and are sharp on high-DPI screens.

Introduced in the chapter *Evaluating training*.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping

import numpy as np

from ._validation import check_array, check_bool, check_int, describe

__all__ = [
    "COURSE_STYLE",
    "use_course_style",
    "plot_activation",
    "plot_decision_boundary",
    "plot_fit",
    "plot_history",
    "plot_learning_rate",
    "plot_loss_surface",
]


#: The course's plot style: matplotlib ``rcParams`` that :func:`use_course_style` applies.
#: Font sizes are chosen for the website, whose text column is 672 px wide: a
#: figure 6.5 inches wide is shown at its size, with labels as large as the text
#: (12 pt at 100 dpi is 17 px), and one 12 inches wide is shown at 56 % of it,
#: with tick labels still 9 px high. Sizes and resolution (``figure.figsize``,
#: ``figure.dpi``) are left alone, so the text a figure prints
#: (``<Figure size 1200x400 with 2 Axes>``) does not change.
COURSE_STYLE = {
    "font.size": 13.0,
    "axes.titlesize": 14.0,
    "axes.labelsize": 13.0,
    "xtick.labelsize": 12.0,
    "ytick.labelsize": 12.0,
    "legend.fontsize": 12.0,
    "figure.titlesize": 15.0,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "grid.linewidth": 0.6,
    "lines.linewidth": 2.0,
    "lines.markersize": 6.0,
    "legend.framealpha": 0.9,
    "figure.facecolor": "white",
    "savefig.facecolor": "white",
}


def use_course_style(retina=True):
    r"""Apply the course's plot style and, in a notebook, sharp (retina) figures.

    Updates ``matplotlib.rcParams`` with :data:`COURSE_STYLE`. With
    ``retina=True`` and inside IPython (Jupyter, Colab, Binder), inline figures
    are then rendered at twice the resolution and shown at their usual size, so
    they stay sharp on high-DPI screens (``InlineBackend.figure_formats =
    ['retina']``). Outside IPython only the style is applied. Call it once, after
    ``import matplotlib.pyplot as plt``.

    Parameters
    ----------
    retina : bool, default=True
        Render inline figures at double resolution (PNG, not SVG: a PNG's
        pixels are not compared by nbval, an SVG's random ids would be).

    Returns
    -------
    None
        (So that the call, last in a notebook cell, prints nothing.)

    Examples
    --------
    >>> import matplotlib
    >>> with matplotlib.rc_context():
    ...     use_course_style(retina=False)
    ...     matplotlib.rcParams["xtick.labelsize"]
    12.0

    Introduced in the chapter *From regression to neurons*.
    """
    retina = check_bool(retina, "retina", "use_course_style")
    import matplotlib

    matplotlib.rcParams.update(COURSE_STYLE)
    if retina:
        try:
            from IPython import get_ipython
        except ImportError:  # plain Python: no inline figures to configure
            get_ipython = None
        if get_ipython is not None and get_ipython() is not None:
            from matplotlib_inline.backend_inline import set_matplotlib_formats

            set_matplotlib_formats("retina")


def _axes(ax, owner):
    """``ax`` itself, or the axes of a new figure when ``ax`` is None; anything else is refused."""
    if ax is None:
        import matplotlib.pyplot as plt

        _, ax = plt.subplots()
        return ax
    from matplotlib.axes import Axes

    if not isinstance(ax, Axes):
        hint = ""
        if isinstance(ax, np.ndarray):
            hint = " For a grid of subplots pass one of them, such as axes[0] or axes[0, 1]."
        raise TypeError(
            f"The 'ax' argument of {owner} must be a matplotlib Axes (from plt.subplots()) or "
            f"None. Got {describe(ax)} instead.{hint}"
        )
    return ax


def _accepts_verbose(method):
    import inspect

    try:
        return "verbose" in inspect.signature(method).parameters
    except (TypeError, ValueError):
        return False


def plot_history(history, keys=None, ax=None, label_prefix="", shift_training=False):
    r"""Learning curves: the values logged by ``fit`` against the epoch 1, 2, ..., E.

    Parameters
    ----------
    history : mlpabc.models.History, a Keras History or dict
        What ``fit`` returned (mlpabc or Keras: anything with a ``history``
        dict), or the dict itself, e.g. ``{"loss": [...], "val_loss": [...]}``.
    keys : str, list of str or None
        Which curves; ``None`` plots every key containing ``"loss"`` (or all
        keys if none does).
    ax : matplotlib Axes or None
    label_prefix : str, default=""
        Put before each legend label, e.g. ``"keras "`` to overlay two runs.
    shift_training : bool, default=False
        Draw training curves half an epoch to the left. The training loss of an
        epoch is a running average over its batches, measured on average in the
        middle of the epoch, while ``val_*`` values are measured at its end; the
        shift puts both at the time they describe.

    Returns
    -------
    matplotlib Axes

    Examples
    --------
    >>> ax = plot_history({"loss": [1.0, 0.5, 0.3], "val_loss": [1.1, 0.7, 0.6]})
    >>> [line.get_label() for line in ax.get_lines()]
    ['loss', 'val_loss']
    >>> ax.get_lines()[0].get_xdata().tolist()
    [1.0, 2.0, 3.0]

    Introduced in the chapter *Evaluating training*.
    """
    owner = "plot_history"
    logs = getattr(history, "history", history)
    if not isinstance(logs, Mapping) or not logs:
        raise TypeError(
            f"The 'history' argument of {owner} must be a History returned by fit or a non-empty "
            f"dict of logged values. Got {describe(history)} instead."
        )
    if keys is None:
        keys = [k for k in logs if "loss" in k] or list(logs)
    elif isinstance(keys, str):
        keys = [keys]
    elif not (isinstance(keys, (list, tuple)) and keys and all(isinstance(k, str) for k in keys)):
        raise TypeError(
            f"The 'keys' argument of {owner} must be a name, a non-empty list of names such as "
            f"['loss', 'val_loss'], or None. Got {describe(keys)} instead."
        )
    for key in keys:
        if key not in logs:
            close = difflib.get_close_matches(str(key), [str(k) for k in logs], n=1)
            hint = f" Did you mean {close[0]!r}?" if close else ""
            raise ValueError(
                f"The 'keys' argument of {owner} names {key!r}, which the history does not hold. "
                f"Available: {', '.join(repr(k) for k in logs)}.{hint}"
            )
    shift_training = check_bool(shift_training, "shift_training", owner)
    # NaN is allowed: a diverged Keras run logs it, and the gap in the curve shows where.
    curves = {
        key: check_array(
            logs[key], f"history[{key!r}]", owner, ndim=1, allow_empty=True, finite=False
        )
        for key in keys
    }
    ax = _axes(ax, owner)
    for key, values in curves.items():
        epochs = np.arange(1, len(values) + 1, dtype=np.float64)
        if shift_training and not key.startswith("val_"):
            epochs -= 0.5
        ax.plot(epochs, values, label=f"{label_prefix}{key}")
    ax.set_xlabel("epoch")
    ax.set_ylabel(keys[0] if len(keys) == 1 else "value")
    ax.legend()
    return ax


def plot_activation(activation, x=None, ax=None):
    r"""An activation function :math:`a = G(z)` and its derivative :math:`G'(z)`.

    Parameters
    ----------
    activation : str or mlpabc.activations.Activation
        A name for :func:`mlpabc.activations.get` (``"sigmoid"``, ``"relu"``,
        ...) or an object with ``__call__(z)`` and ``derivative(z)`` (and
        optionally ``name``). Elementwise activations only: softmax maps a
        vector to a vector and has no curve to draw.
    x : array_like of shape (n,) or None
        Where to evaluate; default 401 points in :math:`[-5, 5]`.
    ax : matplotlib Axes or None

    Returns
    -------
    matplotlib Axes
        Two lines: the function (solid) and its derivative (dashed).

    Examples
    --------
    >>> class Square:
    ...     name = "square"
    ...     def __call__(self, z): return z ** 2
    ...     def derivative(self, z): return 2 * z
    >>> ax = plot_activation(Square(), x=[-1.0, 0.0, 1.0])
    >>> [line.get_label() for line in ax.get_lines()]
    ['square', "square'"]
    >>> ax.get_lines()[1].get_ydata().tolist()
    [-2.0, 0.0, 2.0]

    Introduced in the chapter *Activation functions*.
    """
    owner = "plot_activation"
    if isinstance(activation, str):
        from . import activations

        activation = activations.get(activation)
    if not (callable(activation) and hasattr(activation, "derivative")):
        raise TypeError(
            f"The 'activation' argument of {owner} must be a name or an object with "
            f"__call__(z) and derivative(z). Got {describe(activation)} instead."
        )
    name = getattr(activation, "name", type(activation).__name__)
    if name == "softmax":
        raise ValueError(
            f"The 'activation' argument of {owner} must be elementwise; 'softmax' maps a vector "
            f"to a vector (its derivative is a Jacobian matrix), so it has no single curve."
        )
    z = np.linspace(-5.0, 5.0, 401) if x is None else check_array(x, "x", owner, ndim=1)
    column = z[:, None]  # activations accept a batch of shape (n, 1)
    a = np.asarray(activation(column), dtype=np.float64).reshape(-1)
    da = np.asarray(activation.derivative(column), dtype=np.float64).reshape(-1)
    ax = _axes(ax, owner)
    ax.plot(z, a, label=name)
    ax.plot(z, da, linestyle="--", label=f"{name}'")
    ax.set_xlabel("z")
    ax.set_ylabel("G(z), G'(z)")
    ax.set_title(name)
    ax.legend()
    return ax


def _as_labels(pred):
    """Model outputs -> class labels: argmax of several columns, 0.5 threshold of probabilities."""
    pred = np.asarray(pred)
    if pred.ndim == 2 and pred.shape[1] > 1:
        return pred.argmax(axis=1)
    pred = pred.reshape(-1)
    if pred.dtype.kind == "f" and not np.all(pred == np.round(pred)):
        return (pred > 0.5).astype(np.int64)
    return pred


def plot_decision_boundary(
    model, x, y, ax=None, resolution=200, margin=0.1, feature_names=("x1", "x2")
):
    r"""Regions a classifier assigns to each class in the plane, with the data on top.

    The model predicts every point of a ``resolution`` x ``resolution``
    grid covering the data; the coloured regions are its decisions and the
    borders between them its decision boundary (a straight line for a
    perceptron, :math:`w^\top x + b = 0`).

    Parameters
    ----------
    model : model or callable
        Anything with ``predict(points)`` or a function ``points -> outputs``
        for points of shape (m, 2). Outputs may be labels, probabilities of
        shape (m,) or (m, 1) (thresholded at 0.5) or per-class scores of
        shape (m, k) (argmax).
    x : array_like of shape (n_samples, 2)
    y : array_like of shape (n_samples,)
        Class labels of the data points.
    ax : matplotlib Axes or None
    resolution : int, default=200
        Grid points per axis.
    margin : float, default=0.1
        Extra room around the data, as a fraction of its range.
    feature_names : (str, str), default=("x1", "x2")
        Axis labels.

    Returns
    -------
    matplotlib Axes
        A filled contour of the regions and one scatter per class (labelled
        ``"class <label>"``).

    Examples
    --------
    >>> x = np.array([[0.0, 0.0], [1.0, 1.0]])
    >>> ax = plot_decision_boundary(lambda p: (p.sum(axis=1) > 1).astype(int), x, [0, 1],
    ...                             resolution=20)
    >>> ax.get_legend_handles_labels()[1]
    ['class 0', 'class 1']

    Introduced in the chapter *The neuron and the perceptron*.
    """
    owner = "plot_decision_boundary"
    if hasattr(model, "predict"):
        predict = model.predict
        if _accepts_verbose(predict):
            predict = _quiet(predict)
    elif callable(model):
        predict = model
    else:
        raise TypeError(
            f"The 'model' argument of {owner} must have a predict method or be a function of "
            f"the points. Got {describe(model)} instead."
        )
    x = check_array(x, "x", owner, ndim=2)
    if x.shape[1] != 2:
        raise ValueError(
            f"The 'x' argument of {owner} must have exactly 2 features (columns) to draw in the "
            f"plane. Got an array of shape {x.shape} instead."
        )
    y = np.asarray(y).reshape(-1)
    if len(y) != len(x):
        raise ValueError(
            f"The 'x' and 'y' arguments of {owner} must have the same number of samples. "
            f"Got {len(x)} and {len(y)}."
        )
    resolution = check_int(resolution, "resolution", owner, minimum=2)
    span = x.max(axis=0) - x.min(axis=0)
    pad = margin * np.where(span > 0, span, 1.0)
    lo, hi = x.min(axis=0) - pad, x.max(axis=0) + pad
    g1, g2 = np.meshgrid(
        np.linspace(lo[0], hi[0], resolution), np.linspace(lo[1], hi[1], resolution)
    )
    grid_labels = _as_labels(predict(np.column_stack([g1.ravel(), g2.ravel()])))

    import matplotlib.pyplot as plt
    from matplotlib.colors import ListedColormap

    classes = np.unique(np.concatenate([np.unique(y), np.unique(grid_labels)]))
    colors = [plt.get_cmap("tab10")(i % 10) for i in range(len(classes))]
    region = np.searchsorted(classes, grid_labels).reshape(g1.shape)
    ax = _axes(ax, owner)
    ax.contourf(
        g1,
        g2,
        region,
        levels=np.arange(len(classes) + 1) - 0.5,
        cmap=ListedColormap(colors),
        alpha=0.3,
    )
    for i, c in enumerate(classes):
        mask = y == c
        if mask.any():
            ax.scatter(
                x[mask, 0],
                x[mask, 1],
                color=colors[i],
                edgecolors="black",
                linewidths=0.5,
                label=f"class {c}",
            )
    ax.set_xlabel(feature_names[0])
    ax.set_ylabel(feature_names[1])
    ax.legend()
    return ax


def _quiet(predict):
    def run(points):
        return predict(points, verbose=0)

    return run


def plot_fit(x, y, curves=None, ax=None, data_label="data"):
    r"""Data points and one or more fitted curves (regression).

    Parameters
    ----------
    x, y : array_like of shape (n,) or (n, 1)
        The data, drawn as points.
    curves : dict or None
        Label -> ``(x_curve, y_curve)``; each is drawn as a line, sorted by
        ``x_curve`` (so unsorted predictions still give a clean curve).
    ax : matplotlib Axes or None
    data_label : str, default="data"

    Returns
    -------
    matplotlib Axes
        One scatter (``ax.collections``) and one line per curve (``ax.get_lines()``).

    Examples
    --------
    >>> x = np.array([2.0, 0.0, 1.0])
    >>> ax = plot_fit(x, 2 * x, {"y = 2x": (x, 2 * x)})
    >>> line = ax.get_lines()[0]
    >>> line.get_label(), line.get_xdata().tolist()
    ('y = 2x', [0.0, 1.0, 2.0])

    Introduced in the chapter *From regression to neurons*.
    """
    owner = "plot_fit"
    x = check_array(x, "x", owner, ndim=(1, 2)).reshape(-1)
    y = check_array(y, "y", owner, ndim=(1, 2)).reshape(-1)
    if len(x) != len(y):
        raise ValueError(
            f"The 'x' and 'y' arguments of {owner} must have the same length. "
            f"Got {len(x)} and {len(y)}."
        )
    curves = {} if curves is None else curves
    if not isinstance(curves, Mapping):
        raise TypeError(
            f"The 'curves' argument of {owner} must be a dict label -> (x, y_pred). "
            f"Got {describe(curves)} instead."
        )
    ax = _axes(ax, owner)
    ax.scatter(x, y, s=12, alpha=0.6, label=data_label)
    for label, pair in curves.items():
        if not (isinstance(pair, (tuple, list)) and len(pair) == 2):
            raise TypeError(
                f"The 'curves' argument of {owner} must map each label to a pair (x, y_pred). "
                f"Got {describe(pair)} for {label!r}."
            )
        xc = check_array(pair[0], f"curves[{label!r}][0]", owner, ndim=(1, 2)).reshape(-1)
        yc = check_array(pair[1], f"curves[{label!r}][1]", owner, ndim=(1, 2)).reshape(-1)
        order = np.argsort(xc, kind="stable")
        ax.plot(xc[order], yc[order], linewidth=2, label=str(label))
    ax.set_xlabel("x")
    ax.set_ylabel("y")
    ax.legend()
    return ax


def plot_learning_rate(schedule, steps, ax=None, label=None):
    r"""The learning rate :math:`\eta_t` a schedule gives at each step :math:`t`.

    Parameters
    ----------
    schedule : callable or float
        A learning-rate schedule (``mlpabc`` or Keras: ``schedule(step) ->
        rate``), any function of the step, or a constant rate.
    steps : int or array_like of int
        ``n`` for the steps 0, 1, ..., n - 1, or the steps themselves.
    ax : matplotlib Axes or None
    label : str or None
        Legend label; default: the schedule's class or function name.

    Returns
    -------
    matplotlib Axes

    Examples
    --------
    >>> def halve(step):
    ...     return 0.1 * 0.5 ** step
    >>> ax = plot_learning_rate(halve, 3)
    >>> ax.get_lines()[0].get_ydata().tolist()
    [0.1, 0.05, 0.025]

    Introduced in the chapter *Gradient descent and optimizers*.
    """
    owner = "plot_learning_rate"
    if isinstance(steps, (int, np.integer)) and not isinstance(steps, bool):
        steps = np.arange(check_int(steps, "steps", owner, minimum=1))
    else:
        steps = check_array(steps, "steps", owner, ndim=1, dtype=None)
        if steps.dtype.kind not in "iu":
            raise TypeError(
                f"The 'steps' argument of {owner} must be an int or an array of integer steps. "
                f"Got {describe(steps)} instead."
            )
    if callable(schedule):
        rates = np.array([float(schedule(int(s))) for s in steps])
        default = getattr(schedule, "__name__", type(schedule).__name__)
    elif isinstance(schedule, (int, float, np.number)) and not isinstance(schedule, bool):
        rates = np.full(len(steps), float(schedule))
        default = f"constant {float(schedule):g}"
    else:
        raise TypeError(
            f"The 'schedule' argument of {owner} must be a schedule (a callable step -> rate) or "
            f"a number. Got {describe(schedule)} instead."
        )
    ax = _axes(ax, owner)
    ax.plot(steps, rates, label=default if label is None else label)
    ax.set_xlabel("step (update)")
    ax.set_ylabel("learning rate")
    ax.legend()
    return ax


def plot_loss_surface(f, xlim, ylim, paths=None, ax=None, resolution=100, levels=30):
    r"""Contours of a loss :math:`L(w_1, w_2)` and the paths optimizers take across it.

    Parameters
    ----------
    f : callable
        ``f(w1, w2)`` evaluated elementwise on arrays (numpy broadcasting),
        e.g. ``lambda w1, w2: w1**2 + 10 * w2**2``.
    xlim, ylim : (float, float)
        The ranges of :math:`w_1` and :math:`w_2`.
    paths : dict or None
        Label -> array of shape (k, 2): the successive :math:`(w_1, w_2)` of
        an optimizer; each is drawn as a line with markers.
    ax : matplotlib Axes or None
    resolution : int, default=100
        Grid points per axis.
    levels : int or array_like, default=30
        Contour levels, as in ``matplotlib.pyplot.contour`` (pass
        ``np.logspace(...)`` for a steep valley).

    Returns
    -------
    matplotlib Axes
        One contour set (``ax.collections``) and one line per path.

    Examples
    --------
    >>> path = np.array([[1.0, 1.0], [0.5, 0.2], [0.0, 0.0]])
    >>> ax = plot_loss_surface(lambda a, b: a**2 + 10 * b**2, (-1, 1), (-1, 1), {"SGD": path},
    ...                        resolution=30)
    >>> [line.get_label() for line in ax.get_lines()]
    ['SGD']

    Introduced in the chapter *Gradient descent and optimizers*.
    """
    owner = "plot_loss_surface"
    if not callable(f):
        raise TypeError(
            f"The 'f' argument of {owner} must be a function f(w1, w2). Got {describe(f)} instead."
        )
    (x0, x1), (y0, y1) = _limits(xlim, "xlim", owner), _limits(ylim, "ylim", owner)
    resolution = check_int(resolution, "resolution", owner, minimum=2)
    w1, w2 = np.meshgrid(np.linspace(x0, x1, resolution), np.linspace(y0, y1, resolution))
    loss = np.asarray(f(w1, w2), dtype=np.float64)
    if loss.shape != w1.shape:
        raise ValueError(
            f"The 'f' argument of {owner} must work elementwise on arrays: f(w1, w2) on "
            f"{w1.shape} grids returned shape {loss.shape}. Wrap a scalar function with "
            f"np.vectorize."
        )
    paths = {} if paths is None else paths
    if not isinstance(paths, Mapping):
        raise TypeError(
            f"The 'paths' argument of {owner} must be a dict label -> (k, 2) array. "
            f"Got {describe(paths)} instead."
        )
    ax = _axes(ax, owner)
    ax.contour(w1, w2, loss, levels=levels, cmap="viridis")
    for label, path in paths.items():
        path = check_array(path, f"paths[{label!r}]", owner, ndim=2)
        if path.shape[1] != 2:
            raise ValueError(
                f"The 'paths' argument of {owner} must hold arrays of shape (k, 2). "
                f"Got {path.shape} for {label!r}."
            )
        ax.plot(path[:, 0], path[:, 1], marker="o", markersize=3, label=str(label))
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    ax.set_xlabel("w1")
    ax.set_ylabel("w2")
    if paths:
        ax.legend()
    return ax


def _limits(value, name, owner):
    ok = isinstance(value, (tuple, list)) and len(value) == 2
    if ok:
        try:
            lo, hi = float(value[0]), float(value[1])
        except (TypeError, ValueError):
            ok = False
    if not ok:
        raise TypeError(
            f"The {name!r} argument of {owner} must be a pair (low, high). "
            f"Got {describe(value)} instead."
        )
    if not (np.isfinite(lo) and np.isfinite(hi) and lo < hi):
        raise ValueError(
            f"The {name!r} argument of {owner} must be finite with low < high. "
            f"Got {value!r} instead."
        )
    return lo, hi
