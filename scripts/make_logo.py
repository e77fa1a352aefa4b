"""Draw the website's logo and favicon with matplotlib: a small multilayer perceptron.

Usage::

    python scripts/make_logo.py        # writes _static/logo.svg and _static/favicon.png

The files are committed; run this again only to change the drawing. The output
is reproducible (no date in the SVG, fixed ids).
"""

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

OUT = Path(__file__).resolve().parent.parent / "_static"
LAYERS = [3, 4, 2]  # units per layer: input, hidden, output
BLUE, ORANGE, GREY = "#1f77b4", "#ff7f0e", "#6b7b8c"


def positions():
    pts = []
    for i, n in enumerate(LAYERS):
        x = i / (len(LAYERS) - 1)
        pts.append([(x, (j + 0.5) / n) for j in range(n)])
    return pts


def draw(ax, node_size, edge_width, text):
    layers = positions()
    for left, right in zip(layers, layers[1:]):
        for x0, y0 in left:
            for x1, y1 in right:
                ax.plot(
                    [x0, x1],
                    [y0, y1],
                    color=GREY,
                    linewidth=edge_width,
                    zorder=1,
                    solid_capstyle="round",
                )
    for i, layer in enumerate(layers):
        colour = ORANGE if i == len(layers) - 1 else BLUE
        xs, ys = zip(*layer)
        ax.scatter(
            xs, ys, s=node_size, color=colour, edgecolors="white", linewidths=edge_width, zorder=2
        )
    if text:
        ax.text(
            1.25,
            0.5,
            "MLP ABC",
            fontsize=30,
            fontweight="bold",
            color="#2b3a4a",
            va="center",
            ha="left",
            family="DejaVu Sans",
        )
    ax.set_axis_off()


def main():
    OUT.mkdir(exist_ok=True)
    matplotlib.rcParams["svg.hashsalt"] = "mlpabc-logo"
    fig = plt.figure(figsize=(4.4, 1.3))
    ax = fig.add_axes([0.03, 0.08, 0.94, 0.84])
    draw(ax, node_size=160, edge_width=1.2, text=True)
    ax.set_xlim(-0.12, 3.1)
    ax.set_ylim(0, 1)
    fig.savefig(OUT / "logo.svg", transparent=True, metadata={"Date": None})
    plt.close(fig)

    fig = plt.figure(figsize=(1, 1), dpi=64)
    ax = fig.add_axes([0.06, 0.06, 0.88, 0.88])
    draw(ax, node_size=70, edge_width=1.0, text=False)
    ax.set_xlim(-0.15, 1.15)
    ax.set_ylim(0, 1)
    fig.savefig(OUT / "favicon.png", transparent=True, metadata={"Software": None})
    plt.close(fig)
    print("wrote _static/logo.svg and _static/favicon.png")


if __name__ == "__main__":
    main()
