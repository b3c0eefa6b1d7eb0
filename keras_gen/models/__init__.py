"""The zoo's model families, one module each. Importing this package registers every entry."""

from keras_gen.models import autoencoder, conditional, gan, kde, pixelcnn, pixelrnn, vae, wgan  # noqa: F401
