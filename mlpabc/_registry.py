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

    def resolve(self, identifier, base: type, functions=None, abstract=()):
        """The instance ``identifier`` stands for, or ``None`` if it stands for none.

        The common part of every ``get()``: an instance of ``base`` is returned
        as it is; a name is looked up (a helpful ``ValueError`` if unknown) and
        its class called; a concrete subclass of ``base`` (not ``base`` itself
        nor one of ``abstract``) is called; a function listed in ``functions``
        (function -> class) gives its class's instance. On ``None`` the caller
        raises its own ``TypeError``, which says what its ``get`` accepts.
        """
        if isinstance(identifier, base):
            return identifier
        if isinstance(identifier, str):
            return self.lookup(identifier)()
        if isinstance(identifier, type):
            concrete = issubclass(identifier, base) and identifier is not base
            return identifier() if concrete and identifier not in abstract else None
        if functions:
            try:
                cls = functions.get(identifier)
            except TypeError:  # unhashable
                cls = None
            if cls is not None:
                return cls()
        return None
