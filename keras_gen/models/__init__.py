"""The zoo's model families, one module each. Importing this package registers every entry."""

from keras_gen.models import gan  # noqa: F401
from keras_gen.models import kde  # noqa: F401
from keras_gen.models import pixelrnn  # noqa: F401
