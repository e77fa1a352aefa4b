"""Weights files: :func:`save_weights` and :func:`load_weights` (``Sequential``'s methods).

A weights file is numpy's ``.npz`` format (a zip of ``.npy`` arrays, read
without pickle): the weights in ``model.weights`` order, the architecture
(layer types and weight shapes) and a format tag. Loading checks everything
(the format, the architecture, every array's shape and numbers) before a
single weight changes.

Introduced in the chapter *Evaluating training*.
"""

from __future__ import annotations

import os
import zipfile

import numpy as np

from ._validation import describe
from .layers.base import Layer

__all__ = ["load_weights", "save_weights"]

FORMAT = "mlpabc-weights-1"


def layer_signature(layer) -> str:
    """A layer's type and weight shapes (not its generated name): what a weights file records.

    A block of layers (``Residual``) lists its inner layers' signatures.
    """
    inner = getattr(layer, "layers", None)
    if isinstance(inner, list) and all(isinstance(lay, Layer) for lay in inner):
        return f"{type(layer).__name__}: [" + "; ".join(layer_signature(lay) for lay in inner) + "]"
    parts = [f"{n} {tuple(w.shape)}" for n, w in zip(layer.weight_names, layer.weights)]
    return f"{type(layer).__name__}: " + (", ".join(parts) or "no weights")


def architecture(model) -> list:
    """The input shape, then each layer's signature: what a weights file must agree with."""
    return [f"input {model._input_shape}"] + [layer_signature(layer) for layer in model.layers]


def _check_path(filepath, owner):
    if not isinstance(filepath, (str, os.PathLike)):
        raise TypeError(
            f"The 'filepath' argument of {owner} must be a path (a string or a path object). "
            f"Got {describe(filepath)} instead."
        )


def save_weights(model, filepath) -> None:
    """Write all weights of ``model`` to ``filepath`` (exactly that path; see the module)."""
    owner = "Sequential.save_weights"
    _check_path(filepath, owner)
    if not model.built:
        raise ValueError(f"Model {model.name!r} is not built yet, so it has no weights to save.")
    arrays = {f"weight_{i:04d}": w for i, w in enumerate(model.weights)}
    arrays["__architecture__"] = np.array(architecture(model))
    arrays["__format__"] = np.array(FORMAT)
    with open(filepath, "wb") as f:  # np.savez(path) would append ".npz" to other names
        np.savez(f, **arrays)


def load_weights(model, filepath) -> None:
    """Read weights written by :func:`save_weights` into the built ``model``; all or nothing."""
    owner = "Sequential.load_weights"
    _check_path(filepath, owner)
    if not model.built:
        raise ValueError(
            f"{owner} needs a built model to receive the weights: start model "
            f"{model.name!r} with Input((n_features,)) or call model.build((None, n_features))."
        )
    not_weights = (
        f"{owner}: {os.fspath(filepath)!r} is not a weights file (not a file written by "
        "Sequential.save_weights)"
    )
    try:
        with open(filepath, "rb") as f, zipfile.ZipFile(f) as archive:
            names = {n[: -len(".npy")] for n in archive.namelist() if n.endswith(".npy")}
            if "__format__" not in names or "__architecture__" not in names:
                raise ValueError(not_weights + " (it lacks the format and architecture records).")
            with np.load(f, allow_pickle=False) as data:
                files = {name: data[name] for name in names}
    except FileNotFoundError:
        raise
    except ValueError as err:
        if str(err).startswith(not_weights):
            raise
        raise ValueError(f"{not_weights} ({err}).") from None
    except (OSError, EOFError, zipfile.BadZipFile) as err:  # damaged, truncated, not a zip
        raise ValueError(f"{not_weights} ({err}).") from None
    if str(files["__format__"]) != FORMAT:
        raise ValueError(f"{not_weights} (format {str(files['__format__'])!r}).")
    saved, mine = [str(s) for s in files["__architecture__"]], architecture(model)
    if saved != mine:
        at = next(
            (i for i, (a, b) in enumerate(zip(saved, mine)) if a != b), min(len(saved), len(mine))
        )
        got = saved[at] if at < len(saved) else "(nothing)"
        want = mine[at] if at < len(mine) else "(nothing)"
        raise ValueError(
            f"{owner}: the weights in {os.fspath(filepath)!r} belong to a different architecture. "
            f"At position {at} the file has [{got}] but model {model.name!r} has [{want}] "
            f"(file: {len(saved) - 1} layers, model: {len(mine) - 1} layers). "
            "The model is unchanged."
        )
    keys = [f"weight_{i:04d}" for i in range(len(model.weights))]
    missing = [k for k in keys if k not in files]
    if missing:
        raise ValueError(
            f"{not_weights}: it lacks the array {missing[0]!r} of {len(keys)} weights. "
            "The model is unchanged."
        )
    model.set_weights([files[k] for k in keys])
