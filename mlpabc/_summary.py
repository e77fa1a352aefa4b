"""The table of :meth:`mlpabc.Sequential.summary`, in Keras's layout."""

from __future__ import annotations

import numpy as np

__all__ = ["shape_text", "summary_lines"]


def shape_text(shape) -> str:
    return "(None, " + ", ".join(str(d) for d in shape) + ")"


def _readable_size(n_bytes) -> str:
    # Keras's summary: 1024-based units, two decimals.
    size = float(n_bytes)
    for unit in ("B", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{size:.2f} {unit}"
        size /= 1024.0
    return f"{size:.2f} GB"  # pragma: no cover


def summary_lines(model) -> list:
    """The lines of the summary table of ``model``."""
    labels = [f"{layer.name} ({type(layer).__name__})" for layer in model._layers]
    widths = (max([31, *(len(label) + 1 for label in labels)]), 20, 14)
    width = sum(widths) + 2

    def row(a, b, c):
        return " " + a.ljust(widths[0]) + " " + b.ljust(widths[1]) + c.rjust(widths[2])

    lines = [f'Model: "{model.name}"', "_" * width, row("Layer (type)", "Output Shape", "Param #")]
    lines.append("=" * width)
    built = model.built
    for i, layer in enumerate(model._layers):
        shape = shape_text(model._shapes[i]) if built else "?"
        params = str(layer.count_params()) if built else "0 (unbuilt)"
        lines.append(row(labels[i], shape, params))
    lines.append("=" * width)
    size = np.dtype(model._dtype).itemsize
    if built:
        total = model.count_params()
        trainable = int(sum(p.size for p in model.trainable_weights))
    else:
        total = trainable = 0
    for label, n in (
        ("Total params", total),
        ("Trainable params", trainable),
        ("Non-trainable params", total - trainable),
    ):
        lines.append(f" {label}: {n} ({_readable_size(n * size)})")
    lines.append("_" * width)
    return lines
