"""Label inputs of conditional networks: integer class labels to one-hot features."""

import keras
from keras import ops


@keras.saving.register_keras_serializable(package="keras_gen")
class OneHot(keras.layers.Layer):
    """Integer labels (batch,) to one-hot vectors (batch, num_classes) (a conditional VAE's label
    input, Sohn et al. 2015)."""

    def __init__(self, num_classes, **kwargs):
        super().__init__(**kwargs)
        self.num_classes = int(num_classes)

    def call(self, labels):
        return ops.one_hot(ops.cast(labels, "int32"), self.num_classes, dtype=self.compute_dtype)

    def compute_output_shape(self, input_shape):
        return (input_shape[0], self.num_classes)

    def get_config(self):
        return {**super().get_config(), "num_classes": self.num_classes}


@keras.saving.register_keras_serializable(package="keras_gen")
class OneHotPlanes(keras.layers.Layer):
    """Integer labels (batch,) to one-hot feature planes (batch, height, width, num_classes): the
    label input of a convolutional conditional discriminator (Mirza & Osindero 2014; the usual
    conditional-DCGAN practice of concatenating one-hot planes to the image)."""

    def __init__(self, num_classes, height, width, **kwargs):
        super().__init__(**kwargs)
        self.num_classes, self.height, self.width = int(num_classes), int(height), int(width)

    def call(self, labels):
        one_hot = ops.one_hot(ops.cast(labels, "int32"), self.num_classes, dtype=self.compute_dtype)
        planes = ops.reshape(one_hot, (-1, 1, 1, self.num_classes))
        return ops.tile(planes, (1, self.height, self.width, 1))

    def compute_output_shape(self, input_shape):
        return (input_shape[0], self.height, self.width, self.num_classes)

    def get_config(self):
        return {**super().get_config(), "num_classes": self.num_classes, "height": self.height, "width": self.width}
