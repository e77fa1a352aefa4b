"""mlpabc: the companion package of the course *MLP ABC*."""

__version__ = "0.1.0"
