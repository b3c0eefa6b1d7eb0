"""The zoo's model families, one module each. Importing this package registers every entry."""

from keras_gen.models import autoencoder, gan, kde, pixelcnn, pixelrnn, vae  # noqa: F401
