"""Name -> object tables behind every ``get()`` function.

``get("relu")`` in :mod:`mlpabc.activations`, ``get("adam")`` in
:mod:`mlpabc.optimizers` and so on all go through one :class:`Registry`, so an
unknown name always fails the same helpful way::

    ValueError: Unknown activation 'rleu'. Valid names are: 'elu', ..., 'tanh'. Did you mean 'relu'?
"""

from __future__ import annotations

from ._validation import unknown_name_error


class Registry:
    """A table from lower-case names to classes or functions.

    Parameters
    ----------
    kind : str
        What the table holds, for messages ("activation", "loss", ...).
    """

    def __init__(self, kind: str):
        self.kind = kind
        self._items: dict[str, object] = {}

    def register(self, *names: str):
        """Decorator: register the object under each of ``names``."""

        def deco(obj):
            for name in names:
                key = name.lower()
                if key in self._items:
                    raise ValueError(f"{self.kind} {key!r} is already registered.")
                self._items[key] = obj
            return obj

        return deco

    def names(self) -> list[str]:
        """The registered names, sorted."""
        return sorted(self._items)

    def __contains__(self, name) -> bool:
        return isinstance(name, str) and name.lower() in self._items

    def lookup(self, name: str):
        """The object registered as ``name``; a helpful ``ValueError`` if none."""
        if not isinstance(name, str):
            raise TypeError(f"A {self.kind} name must be a string. Got {name!r} instead.")
        try:
            return self._items[name.lower()]
        except KeyError:
            raise unknown_name_error(self.kind, name, self._items) from None
