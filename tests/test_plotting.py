"""Tests of mlpabc.plotting: asserts on the returned artists, never on pixels."""

import base64
import types

import numpy as np
import pytest

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.collections import PathCollection  # noqa: E402
from matplotlib.contour import ContourSet  # noqa: E402

from mlpabc.datasets import make_blobs2d, make_spirals  # noqa: E402
from mlpabc.linear import Perceptron  # noqa: E402
from mlpabc.plotting import (  # noqa: E402
    plot_activation,
    plot_decision_boundary,
    plot_fit,
    plot_history,
    plot_learning_rate,
    plot_loss_surface,
)


@pytest.fixture(autouse=True)
def _close_figures_and_forbid_show(monkeypatch):
    def show(*args, **kwargs):
        raise AssertionError("plotting functions must not call plt.show()")

    monkeypatch.setattr(plt, "show", show)
    yield
    plt.close("all")


def _labels(ax):
    return [line.get_label() for line in ax.get_lines()]


# -- plot_history -------------------------------------------------------------------------------

LOGS = {"loss": [1.0, 0.6, 0.4], "val_loss": [1.2, 0.8, 0.7], "accuracy": [0.5, 0.7, 0.8]}


def test_plot_history_from_dict_and_history_object():
    ax = plot_history(LOGS)
    assert _labels(ax) == ["loss", "val_loss"]  # default: the loss curves only
    assert ax.get_lines()[0].get_xdata().tolist() == [1.0, 2.0, 3.0]
    assert ax.get_lines()[1].get_ydata().tolist() == [1.2, 0.8, 0.7]
    assert ax.get_xlabel() == "epoch"
    history = types.SimpleNamespace(history=LOGS, epoch=[0, 1, 2])  # the shape of a History
    assert _labels(plot_history(history, keys="accuracy")) == ["accuracy"]


def test_plot_history_on_given_axes_with_prefix_and_shift():
    fig, ax = plt.subplots()
    out = plot_history(LOGS, ax=ax, label_prefix="mlpabc ")
    assert out is ax
    plot_history(LOGS, keys=["loss", "val_loss"], ax=ax, label_prefix="keras ", shift_training=True)
    assert _labels(ax) == ["mlpabc loss", "mlpabc val_loss", "keras loss", "keras val_loss"]
    assert ax.get_lines()[2].get_xdata().tolist() == [0.5, 1.5, 2.5]  # training: mid-epoch
    assert ax.get_lines()[3].get_xdata().tolist() == [1.0, 2.0, 3.0]  # validation: end of epoch
    assert len(ax.get_legend().get_texts()) == 4


def test_plot_history_without_loss_keys_plots_everything():
    assert _labels(plot_history({"mae": [1, 2], "val_mae": [2, 3]})) == ["mae", "val_mae"]


@pytest.mark.parametrize(
    "history, keys, exc, match",
    [
        (
            LOGS,
            "val_los",
            ValueError,
            "'val_los', which the history does not.*Did you mean 'val_loss'",
        ),
        ([1, 2, 3], None, TypeError, "'history' argument of plot_history"),
        ({}, None, TypeError, "non-empty dict"),
    ],
)
def test_plot_history_bad_input(history, keys, exc, match):
    with pytest.raises(exc, match=match):
        plot_history(history, keys=keys)


@pytest.mark.keras
def test_plot_history_of_a_keras_fit(keras64):
    keras = keras64
    model = keras.Sequential([keras.Input((1,)), keras.layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    x = np.linspace(0, 1, 8)[:, None]
    history = model.fit(x, 2 * x, epochs=3, validation_split=0.25, verbose=0)
    ax = plot_history(history)
    assert _labels(ax) == ["loss", "val_loss"]
    np.testing.assert_allclose(ax.get_lines()[0].get_ydata(), history.history["loss"])


# -- plot_activation ----------------------------------------------------------------------------


class _Tanh:
    name = "tanh"

    def __call__(self, z):
        return np.tanh(z)

    def derivative(self, z):
        return 1 - np.tanh(z) ** 2


def test_plot_activation_with_an_object():
    ax = plot_activation(_Tanh())
    assert _labels(ax) == ["tanh", "tanh'"]
    z = ax.get_lines()[0].get_xdata()
    assert len(z) == 401 and z[0] == -5 and z[-1] == 5
    np.testing.assert_allclose(ax.get_lines()[1].get_ydata(), 1 - np.tanh(z) ** 2)
    assert ax.get_lines()[1].get_linestyle() == "--"
    assert ax.get_title() == "tanh"


@pytest.mark.parametrize("name", ["sigmoid", "tanh", "relu", "leaky_relu", "elu", "linear"])
def test_plot_activation_by_name(name):
    activations = pytest.importorskip("mlpabc.activations")
    if not hasattr(activations, "get"):
        pytest.skip("mlpabc.activations.get is not available yet")
    z = np.array([-2.0, -0.5, 0.5, 2.0])  # away from the kink of ReLU-like functions
    ax = plot_activation(name, x=z)
    assert _labels(ax) == [name, f"{name}'"]
    act = activations.get(name)
    a, da = (line.get_ydata() for line in ax.get_lines())
    np.testing.assert_allclose(a, np.asarray(act(z[:, None])).ravel(), rtol=1e-15)
    h = 1e-6  # the dashed curve is the derivative of the solid one (central differences)
    numeric = (np.asarray(act(z[:, None] + h)) - np.asarray(act(z[:, None] - h))).ravel() / (2 * h)
    np.testing.assert_allclose(da, numeric, rtol=1e-6, atol=1e-9)
    if name == "sigmoid":
        s = 1 / (1 + np.exp(-z))
        np.testing.assert_allclose(a, s, rtol=1e-12)
        np.testing.assert_allclose(da, s * (1 - s), rtol=1e-12)


def test_plot_activation_bad_input():
    class Softmax(_Tanh):
        name = "softmax"

    with pytest.raises(ValueError, match="must be elementwise; 'softmax'"):
        plot_activation(Softmax())
    with pytest.raises(TypeError, match="'activation' argument of plot_activation"):
        plot_activation(np.tanh)  # no derivative
    with pytest.raises(ValueError, match="'x' argument of plot_activation must be a 1-D"):
        plot_activation(_Tanh(), x=np.zeros((2, 2)))


# -- plot_decision_boundary ---------------------------------------------------------------------


def test_plot_decision_boundary_of_a_perceptron():
    x, y = make_blobs2d(n_samples=40, seed=0)
    model = Perceptron(seed=0).fit(x, y)
    ax = plot_decision_boundary(model, x, y, resolution=50)
    contours = [c for c in ax.collections if isinstance(c, ContourSet)]
    scatters = [c for c in ax.collections if isinstance(c, PathCollection)]
    assert len(contours) == 1 and len(scatters) == 2
    assert ax.get_legend_handles_labels()[1] == ["class 0", "class 1"]
    assert sum(len(s.get_offsets()) for s in scatters) == 40
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("x1", "x2")


def test_plot_decision_boundary_with_probabilities_and_scores():
    x, y = make_spirals(n_samples=30, n_classes=3, seed=0)
    ax = plot_decision_boundary(
        lambda p: np.column_stack([p[:, 0], p[:, 1], -p.sum(1)]),
        x,
        y,
        resolution=20,
        feature_names=("a", "b"),
    )
    assert ax.get_legend_handles_labels()[1] == ["class 0", "class 1", "class 2"]
    assert ax.get_xlabel() == "a"
    seen = {}

    class SigmoidModel:  # Keras-like: predict(x, verbose=...) -> probabilities of shape (m, 1)
        def predict(self, points, verbose="auto"):
            seen["verbose"] = verbose
            return 1 / (1 + np.exp(-points[:, :1]))

    xb, yb = make_blobs2d(n_samples=10, seed=1)
    ax = plot_decision_boundary(SigmoidModel(), xb, yb, resolution=10)
    assert seen["verbose"] == 0
    assert ax.get_legend_handles_labels()[1] == ["class 0", "class 1"]


def test_plot_decision_boundary_bad_input():
    x, y = make_blobs2d(n_samples=10, seed=0)
    with pytest.raises(ValueError, match="exactly 2 features"):
        plot_decision_boundary(lambda p: p[:, 0] > 0, np.zeros((4, 3)), [0, 1, 0, 1])
    with pytest.raises(TypeError, match="'model' argument of plot_decision_boundary"):
        plot_decision_boundary(3, x, y)
    with pytest.raises(ValueError, match="same number of samples"):
        plot_decision_boundary(lambda p: p[:, 0] > 0, x, y[:5])
    with pytest.raises(ValueError, match="'resolution' argument of plot_decision_boundary"):
        plot_decision_boundary(lambda p: p[:, 0] > 0, x, y, resolution=1)


# -- plot_fit -----------------------------------------------------------------------------------


def test_plot_fit():
    x = np.array([3.0, 1.0, 2.0])
    ax = plot_fit(x[:, None], 2 * x, {"linear": (x, 2 * x), "flat": (x, np.ones(3))})
    assert _labels(ax) == ["linear", "flat"]
    assert ax.get_lines()[0].get_xdata().tolist() == [1.0, 2.0, 3.0]
    assert ax.get_lines()[0].get_ydata().tolist() == [2.0, 4.0, 6.0]
    assert len(ax.collections) == 1 and ax.collections[0].get_label() == "data"
    assert len(plot_fit(x, x).get_lines()) == 0


def test_plot_fit_bad_input():
    with pytest.raises(ValueError, match="same length"):
        plot_fit([1.0, 2.0], [1.0])
    with pytest.raises(TypeError, match="'curves' argument of plot_fit must be a dict"):
        plot_fit([1.0], [1.0], [([1.0], [1.0])])
    with pytest.raises(TypeError, match=r"pair \(x, y_pred\). Got 3 for 'a'"):
        plot_fit([1.0], [1.0], {"a": 3})


# -- plot_learning_rate -------------------------------------------------------------------------


def test_plot_learning_rate():
    def exponential(step):
        return np.float32(0.1) * np.float32(0.5) ** step

    ax = plot_learning_rate(exponential, 4)
    assert _labels(ax) == ["exponential"]
    np.testing.assert_allclose(ax.get_lines()[0].get_ydata(), [0.1, 0.05, 0.025, 0.0125], rtol=1e-6)
    assert ax.get_lines()[0].get_xdata().tolist() == [0, 1, 2, 3]

    class StepDecay:  # a schedule object: callable, labelled by its class
        def __call__(self, step):
            return 0.1 if step < 2 else 0.01

    ax = plot_learning_rate(StepDecay(), np.array([0, 1, 2, 10]), ax=ax)
    assert _labels(ax) == ["exponential", "StepDecay"]
    ax = plot_learning_rate(0.01, 3, label="constant")
    assert ax.get_lines()[0].get_ydata().tolist() == [0.01] * 3


def test_plot_learning_rate_bad_input():
    with pytest.raises(TypeError, match="'steps' argument of plot_learning_rate"):
        plot_learning_rate(0.1, np.array([0.5, 1.5]))
    with pytest.raises(
        ValueError, match="'steps' argument of plot_learning_rate must be an integer >= 1"
    ):
        plot_learning_rate(0.1, 0)
    with pytest.raises(TypeError, match="'schedule' argument of plot_learning_rate"):
        plot_learning_rate("adam", 3)


# -- plot_loss_surface --------------------------------------------------------------------------


def test_plot_loss_surface():
    path = np.array([[-1.0, 1.0], [-0.5, 0.3], [0.0, 0.0]])
    ax = plot_loss_surface(
        lambda a, b: a**2 + 10 * b**2,
        (-2, 2),
        (-1.5, 1.5),
        {"SGD": path, "Adam": path / 2},
        resolution=40,
        levels=10,
    )
    assert _labels(ax) == ["SGD", "Adam"]
    assert ax.get_lines()[0].get_xdata().tolist() == [-1.0, -0.5, 0.0]
    assert sum(isinstance(c, ContourSet) for c in ax.collections) == 1
    assert ax.get_xlim() == (-2.0, 2.0) and ax.get_ylim() == (-1.5, 1.5)
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("w1", "w2")
    assert plot_loss_surface(lambda a, b: a + b, (0, 1), (0, 1), resolution=5).get_legend() is None


def test_plot_loss_surface_bad_input():
    with pytest.raises(ValueError, match="must work elementwise"):
        plot_loss_surface(lambda a, b: 0.0, (0, 1), (0, 1))
    with pytest.raises(ValueError, match=r"arrays of shape \(k, 2\). Got \(2, 3\)"):
        plot_loss_surface(lambda a, b: a + b, (0, 1), (0, 1), {"p": np.zeros((2, 3))})
    with pytest.raises(
        ValueError, match="'xlim' argument of plot_loss_surface must be finite with lo"
    ):
        plot_loss_surface(lambda a, b: a + b, (1, 0), (0, 1))
    with pytest.raises(TypeError, match="'ylim' argument of plot_loss_surface must be a pair"):
        plot_loss_surface(lambda a, b: a + b, (0, 1), 5)
    with pytest.raises(TypeError, match="'f' argument of plot_loss_surface"):
        plot_loss_surface(None, (0, 1), (0, 1))


def test_plotting_leaves_rcparams_alone():
    before = dict(matplotlib.rcParams)
    plot_history(LOGS)
    plot_activation(_Tanh())
    x, y = make_blobs2d(n_samples=10, seed=0)
    plot_decision_boundary(lambda p: p[:, 0] > 1, x, y, resolution=10)
    plot_fit([1.0, 2.0], [1.0, 2.0])
    plot_learning_rate(0.1, 2)
    plot_loss_surface(lambda a, b: a + b, (0, 1), (0, 1), resolution=5)
    assert dict(matplotlib.rcParams) == before


# -- the course style ---------------------------------------------------------------------------


def test_use_course_style_sets_the_style_and_keeps_figure_sizes():
    from mlpabc.plotting import COURSE_STYLE, use_course_style

    with matplotlib.rc_context():
        figsize, dpi = matplotlib.rcParams["figure.figsize"], matplotlib.rcParams["figure.dpi"]
        assert use_course_style(retina=False) is None  # no IPython here: the style only
        for key, value in COURSE_STYLE.items():
            assert matplotlib.rcParams[key] == value, key
        # what a figure prints (<Figure size 1200x400 ...>) must not change: size and dpi stay
        assert matplotlib.rcParams["figure.figsize"] == figsize
        assert matplotlib.rcParams["figure.dpi"] == dpi
    assert "figure.figsize" not in COURSE_STYLE and "figure.dpi" not in COURSE_STYLE


def test_course_style_fonts_are_readable_on_the_website():
    from mlpabc.plotting import COURSE_STYLE

    # the website's text column is 672 px: a 12-inch figure (1200 px at 100 dpi) is shown at
    # 56 %; its tick labels and legend must stay >= 9 px high (12 pt * 100/72 px/pt * 0.56 = 9.3)
    for key in ("xtick.labelsize", "ytick.labelsize", "legend.fontsize"):
        assert COURSE_STYLE[key] * 100 / 72 * 672 / 1200 >= 9, key


def test_use_course_style_asks_ipython_for_retina_figures(monkeypatch):
    IPython = pytest.importorskip("IPython")
    pytest.importorskip("matplotlib_inline")
    from IPython.core.interactiveshell import InteractiveShell

    from mlpabc.plotting import use_course_style

    shell = InteractiveShell.instance()
    monkeypatch.setattr(IPython, "get_ipython", lambda: shell)
    try:
        with matplotlib.rc_context():
            use_course_style()
        formatter = shell.display_formatter.formatters["image/png"]
        fig, ax = plt.subplots(figsize=(2, 1), dpi=100)
        ax.plot([0, 1], [0, 1])
        data, meta = formatter(fig)
        width = meta["width"]  # shown at (about) its size, with twice the pixels
        assert 150 <= width <= 210
        png = base64.b64decode(data)
        assert int.from_bytes(png[16:20], "big") // 2 == width  # the PNG header: 2x the pixels
    finally:
        InteractiveShell.clear_instance()


def test_use_course_style_bad_input():
    from mlpabc.plotting import use_course_style

    with pytest.raises(TypeError, match="'retina' argument of use_course_style"):
        use_course_style(retina="yes")
