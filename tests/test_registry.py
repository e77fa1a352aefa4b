"""The one resolution rule behind every ``get()``: instance, name, class or function."""

import pytest

from mlpabc import activations, initializers, losses, optimizers, regularizers

MODULES = {
    "activations": (activations, activations.Activation, "relu", activations.ReLU),
    "losses": (losses, losses.Loss, "mse", losses.MeanSquaredError),
    "initializers": (initializers, initializers.Initializer, "zeros", initializers.Zeros),
    "optimizers": (optimizers, optimizers.Optimizer, "sgd", optimizers.SGD),
    "regularizers": (regularizers, regularizers.Regularizer, "l2", regularizers.L2),
}


@pytest.mark.parametrize("key", MODULES)
def test_get_resolves_instances_names_and_classes_alike(key):
    module, _, name, cls = MODULES[key]
    instance = cls()
    assert module.get(instance) is instance  # an instance is kept, not copied
    assert type(module.get(name)) is cls
    assert type(module.get(name.upper())) is cls  # names are case-insensitive
    assert type(module.get(cls)) is cls


@pytest.mark.parametrize("key", MODULES)
def test_get_refuses_the_abstract_base_class(key):
    module, base, _, _ = MODULES[key]
    with pytest.raises(TypeError, match=base.__name__):
        module.get(base)  # instantiating it would only fail later, inside training


def test_functions_give_their_class():
    assert type(activations.get(activations.sigmoid)) is activations.Sigmoid
    assert type(losses.get(losses.mean_squared_error)) is losses.MeanSquaredError
    with pytest.raises(TypeError, match="'activation' argument"):
        activations.get([])  # unhashable: refused with the module's own message
