"""The zoo's model families, one module each. Importing this package registers every entry."""

from keras_gen.models import conditional, gan, wgan  # noqa: F401
