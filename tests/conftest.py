"""Fixtures for the package tests."""

import numpy as np
import pytest


@pytest.fixture
def keras64():
    """Keras with floatx float64 for the duration of one test (restored after)."""
    keras = pytest.importorskip("keras")
    old = keras.config.floatx()
    keras.config.set_floatx("float64")
    keras.utils.set_random_seed(0)
    yield keras
    keras.config.set_floatx(old)


@pytest.fixture
def rng():
    return np.random.default_rng(0)
