"""PixelCNN and gated PixelCNN (van den Oord et al. 2016, "Pixel Recurrent Neural Networks" and
"Conditional Image Generation with PixelCNN Decoders").

Stacks of convolutions masked so that the logits at a pixel see only earlier pixels in raster
order; the likelihood, training and sampling are `AutoregressiveModel`'s. The gated PixelCNN's
vertical and horizontal stacks remove the plain PixelCNN's blind spot, and a label-dependent bias
in every layer makes either class-conditional.
"""

import keras
import numpy as np
from keras import layers, ops

from keras_gen.models.autoencoder import check_choice
from keras_gen.models.autoregressive import LEVELS, AutoregressiveModel
from keras_gen.zoo import register

MASK_TYPES = ("A", "B", "vertical_A", "vertical_B", "horizontal_A", "horizontal_B")


def causal_mask(kernel_size, mask_type):
    """The (kh, kw) 0/1 mask of a causal convolution with odd `kernel_size` k, centre c = k // 2.

    "A": rows above the centre, and the centre row left of the centre (the first layer: a pixel
    never sees itself). "B": as "A" plus the centre (later layers, whose input at the centre only
    holds earlier pixels). "vertical_A"/"vertical_B": (k, k), rows above the centre / and the
    centre row, every column (the vertical stack of the gated PixelCNN, which sees only rows above
    the output pixel). "horizontal_A"/"horizontal_B": (1, k), left of the centre / and the centre.
    """
    check_choice("mask_type", mask_type, MASK_TYPES)
    if kernel_size % 2 != 1:
        raise ValueError(f"Causal convolutions need an odd kernel_size; got {kernel_size}.")
    k, c = kernel_size, kernel_size // 2
    if mask_type.startswith("horizontal"):
        mask = np.zeros((1, k), np.float32)
        mask[0, : c + (mask_type == "horizontal_B")] = 1.0
        return mask
    mask = np.zeros((k, k), np.float32)
    if mask_type.startswith("vertical"):
        mask[: c + (mask_type == "vertical_B")] = 1.0
        return mask
    mask[:c] = 1.0
    mask[c, : c + (mask_type == "B")] = 1.0
    return mask


@keras.saving.register_keras_serializable(package="keras_gen")
class MaskedConv2D(layers.Layer):
    """A stride-1 "same" convolution whose kernel is multiplied by a causal mask in `call()`.

    The mask is applied functionally (kernel * mask) rather than written into the variable, so it
    holds on every backend and after every optimizer step. See `causal_mask` for the types.
    """

    def __init__(self, filters, kernel_size, mask_type, use_bias=True, **kwargs):
        super().__init__(**kwargs)
        self.filters = int(filters)
        self.kernel_size = int(kernel_size)
        self.mask_type = mask_type
        self.use_bias = use_bias
        self.mask = causal_mask(self.kernel_size, mask_type)

    def build(self, input_shape):
        kh, kw = self.mask.shape
        self.kernel = self.add_weight(
            name="kernel", shape=(kh, kw, input_shape[-1], self.filters), initializer="glorot_uniform"
        )
        self.bias = self.add_weight(name="bias", shape=(self.filters,), initializer="zeros") if self.use_bias else None

    def call(self, x):
        kernel = self.kernel * ops.convert_to_tensor(self.mask[:, :, None, None], dtype=self.kernel.dtype)
        y = ops.conv(x, kernel, strides=1, padding="same")
        return y + self.bias if self.use_bias else y

    def compute_output_shape(self, input_shape):
        return (*input_shape[:-1], self.filters)

    def get_config(self):
        return {
            **super().get_config(),
            "filters": self.filters,
            "kernel_size": self.kernel_size,
            "mask_type": self.mask_type,
            "use_bias": self.use_bias,
        }


@keras.saving.register_keras_serializable(package="keras_gen")
class GatedActivation(layers.Layer):
    """tanh(a) * sigmoid(b) for the two halves [a, b] of the channels (gated PixelCNN)."""

    def call(self, x):
        a, b = ops.split(x, 2, axis=-1)
        return ops.tanh(a) * ops.sigmoid(b)

    def compute_output_shape(self, input_shape):
        return (*input_shape[:-1], input_shape[-1] // 2)


def _label_bias(label, channels):
    """A per-layer, per-channel bias from the one-hot label (class-conditional PixelCNN)."""
    return layers.Reshape((1, 1, channels))(layers.Dense(channels, use_bias=False)(label))


def _output_head(h, data_shape, filters, distribution):
    channels = data_shape[-1]
    h = layers.Conv2D(filters, 1, activation="relu")(layers.ReLU()(h))
    if distribution == "categorical":
        logits = layers.Conv2D(channels * LEVELS, 1)(h)
        return layers.Reshape((*data_shape, LEVELS))(logits)
    return layers.Conv2D(channels, 1)(h)


def pixelcnn_network(data_shape, filters, num_layers, kernel_size, first_kernel_size, distribution, num_classes):
    """PixelCNN: a mask-A convolution, then residual blocks of ReLU, mask-B convolution, ReLU and a
    1x1 convolution. It has the blind spot of stacked masked convolutions (upper right)."""
    images = keras.Input(data_shape, name="images")
    label = keras.Input((num_classes,), name="label") if num_classes else None
    h = MaskedConv2D(filters, first_kernel_size, "A", name="conv_A")(images)
    for i in range(num_layers):
        r = MaskedConv2D(filters, kernel_size, "B", name=f"conv_B_{i}")(layers.ReLU()(h))
        if label is not None:
            r = r + _label_bias(label, filters)
        h = h + layers.Conv2D(filters, 1)(layers.ReLU()(r))
    logits = _output_head(h, data_shape, filters, distribution)
    return keras.Model([images, label] if label is not None else images, logits, name="pixelcnn")


def gated_pixelcnn_network(data_shape, filters, num_layers, kernel_size, distribution, num_classes):
    """Gated PixelCNN: a vertical stack (rows strictly above the pixel, every column in reach) and a
    horizontal stack (the pixel's row, left of it), gated activations tanh * sigmoid, the vertical
    stack feeding the horizontal one through 1x1 convolutions, residual connections on the
    horizontal stack. Together the stacks see every earlier pixel in reach: no blind spot."""
    images = keras.Input(data_shape, name="images")
    label = keras.Input((num_classes,), name="label") if num_classes else None
    v, h = images, None
    for i in range(num_layers):
        kind = "A" if i == 0 else "B"
        v_pre = MaskedConv2D(2 * filters, kernel_size, f"vertical_{kind}", name=f"vertical_{i}")(v)
        h_pre = MaskedConv2D(2 * filters, kernel_size, f"horizontal_{kind}", name=f"horizontal_{i}")(
            images if h is None else h
        )
        h_pre = h_pre + layers.Conv2D(2 * filters, 1, name=f"vertical_to_horizontal_{i}")(v_pre)
        if label is not None:
            v_pre = v_pre + _label_bias(label, 2 * filters)
            h_pre = h_pre + _label_bias(label, 2 * filters)
        v = GatedActivation()(v_pre)
        update = layers.Conv2D(filters, 1)(GatedActivation()(h_pre))
        h = update if h is None else h + update
    logits = _output_head(h, data_shape, filters, distribution)
    return keras.Model([images, label] if label is not None else images, logits, name="gated_pixelcnn")


@keras.saving.register_keras_serializable(package="keras_gen")
class PixelCNN(AutoregressiveModel):
    """An autoregressive image model with an exact likelihood (van den Oord et al. 2016).

    Args:
        data_shape: (H, W, C) of the images.
        distribution: "categorical" (softmax over 256 values per channel) or "bernoulli" (the
            binarised image: pixels above the middle of the range are 1).
        gated: False for PixelCNN (mask A, then mask-B residual blocks), True for the gated
            PixelCNN (vertical and horizontal stacks, no blind spot).
        filters, num_layers, kernel_size: width, depth, and kernel of the masked layers.
        first_kernel_size: the mask-A kernel of the plain PixelCNN (7 in the paper).
        num_classes: when set, class-conditional: a label-dependent bias in every layer, and
            training data must be `(images, labels)`.

    Calling the model on images (and labels) returns per-pixel logits: (B, H, W, C, 256) for
    "categorical", (B, H, W, C) for "bernoulli".
    """

    def __init__(
        self,
        data_shape=(28, 28, 1),
        distribution="categorical",
        gated=False,
        filters=64,
        num_layers=5,
        kernel_size=3,
        first_kernel_size=7,
        num_classes=None,
        **kwargs,
    ):
        super().__init__(data_shape, distribution, **kwargs)
        self.gated = bool(gated)
        self.filters, self.num_layers = int(filters), int(num_layers)
        self.kernel_size, self.first_kernel_size = int(kernel_size), int(first_kernel_size)
        self.num_classes = None if num_classes is None else int(num_classes)
        if self.gated:
            self.network = gated_pixelcnn_network(
                self.data_shape, self.filters, self.num_layers, self.kernel_size, self.distribution, self.num_classes
            )
        else:
            self.network = pixelcnn_network(
                self.data_shape,
                self.filters,
                self.num_layers,
                self.kernel_size,
                self.first_kernel_size,
                self.distribution,
                self.num_classes,
            )
        self.built = True

    def get_config(self):
        return {
            **super().get_config(),
            "gated": self.gated,
            "filters": self.filters,
            "num_layers": self.num_layers,
            "kernel_size": self.kernel_size,
            "first_kernel_size": self.first_kernel_size,
            "num_classes": self.num_classes,
        }


def _compiled(model, learning_rate):
    model.compile(optimizer=keras.optimizers.Adam(learning_rate))
    return model


@register("pixelcnn", "PixelCNN (van den Oord et al. 2016): mask A then mask-B residual blocks, exact likelihood.")
def pixelcnn(
    data_shape=(28, 28, 1),
    distribution="categorical",
    filters=64,
    num_layers=5,
    kernel_size=3,
    first_kernel_size=7,
    num_classes=None,
    learning_rate=1e-3,
):
    model = PixelCNN(
        data_shape, distribution, False, filters, num_layers, kernel_size, first_kernel_size, num_classes, name="pixelcnn"
    )
    return _compiled(model, learning_rate)


@register("gated-pixelcnn", "Gated PixelCNN (van den Oord et al. 2016): gated vertical and horizontal stacks, no blind spot.")
def gated_pixelcnn(
    data_shape=(28, 28, 1),
    distribution="categorical",
    filters=32,
    num_layers=6,
    kernel_size=5,
    num_classes=None,
    learning_rate=1e-3,
):
    model = PixelCNN(data_shape, distribution, True, filters, num_layers, kernel_size, kernel_size, num_classes, name="gated_pixelcnn")
    return _compiled(model, learning_rate)
