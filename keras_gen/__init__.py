"""keras-gen: a Keras 3 zoo of generative models on TensorFlow, JAX and PyTorch.

    import keras_gen
    model = keras_gen.zoo.build("dcgan")
    model.fit(keras_gen.data.load("mnist-5k"), epochs=5)

Importing keras_gen registers every model and layer class, so `keras.models.load_model` reads
keras-gen models in a fresh process. As with Keras itself, choose the backend (KERAS_BACKEND)
before the import.
"""

__version__ = "0.2.0.dev0"

from keras_gen import (  # noqa: E402  (the version is set before the submodules read it)
    callbacks,
    data,
    density,
    export,
    images,
    latent,
    layers,
    losses,
    metrics,
    models,
    networks,
    parallel,
    regularizers,
    zoo,
)

__all__ = [
    "callbacks", "data", "density", "export", "images", "latent", "layers", "losses", "metrics", "models",
    "networks", "parallel", "regularizers", "zoo", "data_parallel",
]

from keras_gen.parallel import data_parallel  # noqa: E402
