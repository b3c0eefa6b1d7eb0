"""keras-gen: a Keras 3 zoo of generative models on TensorFlow, JAX and PyTorch.

    import keras_gen
    model = keras_gen.zoo.build("dcgan")
    model.fit(keras_gen.data.load("mnist-5k"), epochs=5)

Submodules load on first use, so that `KERAS_BACKEND` can still be chosen after `import keras_gen`
(the CLI picks the backend from its arguments).
"""

import importlib

__version__ = "0.1.0"

_SUBMODULES = ("callbacks", "data", "density", "images", "latent", "metrics", "models", "networks", "zoo")


def __getattr__(name):
    if name in _SUBMODULES:
        return importlib.import_module(f"keras_gen.{name}")
    raise AttributeError(f"module 'keras_gen' has no attribute {name!r}")


def __dir__():
    return sorted([*globals(), *_SUBMODULES])
