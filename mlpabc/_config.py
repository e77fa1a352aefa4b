"""Configuration, printing and equality shared by small configurable objects.

Activations and losses are defined by their constructor arguments alone: two
objects of the same class built with the same arguments behave identically,
print identically and compare equal.
"""

from __future__ import annotations


class Configurable:
    """Base for objects whose identity is their class and :meth:`get_config`."""

    def get_config(self) -> dict:
        """The constructor arguments, as a dict (empty when there are none)."""
        return {}

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items())
        return f"{type(self).__name__}({args})"

    def __eq__(self, other) -> bool:
        return type(self) is type(other) and self.get_config() == other.get_config()

    def __hash__(self) -> int:
        return hash((type(self), tuple(sorted(self.get_config().items()))))
