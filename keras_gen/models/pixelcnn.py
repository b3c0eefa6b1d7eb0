"""PixelCNN and gated PixelCNN (van den Oord et al. 2016, "Pixel Recurrent Neural Networks" and
"Conditional Image Generation with PixelCNN Decoders").

Both model p(x) = prod_i p(x_i | x_<i) over pixels in raster order (row by row, left to right)
with convolutions masked so that the logits at pixel i see only earlier pixels. The channels of
one pixel are predicted independently given the earlier pixels (no R -> G -> B ordering inside a
pixel), which is still an exact, normalised likelihood. The output per channel is a softmax over
the 256 intensities ("categorical") or a Bernoulli on the binarised image ("bernoulli": a pixel is
1 when it is above the middle of the range, uint8 >= 128).
"""

import math

import keras
import numpy as np
from keras import layers, ops

from keras_gen import backend, networks
from keras_gen.models.autoencoder import check_choice, per_example_sum, to_model_range
from keras_gen.models.base import GenerativeModel
from keras_gen.models.gan import check_batch_shape
from keras_gen.zoo import register

DISTRIBUTIONS = ("categorical", "bernoulli")
MASK_TYPES = ("A", "B", "vertical_A", "vertical_B", "horizontal_A", "horizontal_B")
LEVELS = 256


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
class PixelCNN(GenerativeModel):
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

    loss_names = ("loss", "bits_per_dim")

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
        super().__init__(**kwargs)
        self.data_shape = networks.check_data_shape(data_shape)
        if not networks.is_image_shape(self.data_shape):
            raise ValueError(f"PixelCNN models images (H, W, C); got data_shape={self.data_shape}.")
        self.distribution = check_choice("distribution", distribution, DISTRIBUTIONS)
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
        self.dims = int(np.prod(self.data_shape))
        self._sampling_step = None
        self.built = True

    @property
    def conditional(self):
        return self.num_classes is not None

    def _network_inputs(self, images, labels):
        if not self.conditional:
            if labels is not None:
                raise ValueError(f"{self.name} is unconditional and takes no labels; set num_classes for labels.")
            return images
        if labels is None:
            raise ValueError(
                f"{self.name} is class-conditional (num_classes={self.num_classes}) and needs labels: "
                f"pass labels=... (integers in 0..{self.num_classes - 1}, one per image)."
            )
        return [images, ops.one_hot(ops.cast(ops.convert_to_tensor(labels), "int32"), self.num_classes)]

    def discretize(self, x):
        """Images (uint8, or float in [-1, 1]) to the modelled values: int32 intensities 0..255
        ("categorical") or float 0/1 ("bernoulli", pixel > 0 on the [-1, 1] scale)."""
        x = to_model_range(x)
        if self.distribution == "categorical":
            return ops.cast(ops.round((ops.clip(x, -1.0, 1.0) + 1.0) * 127.5), "int32")
        return ops.cast(x > 0.0, "float32")

    def values_to_images(self, values):
        if self.distribution == "categorical":
            return ops.cast(values, "float32") / 127.5 - 1.0
        return 2.0 * ops.cast(values, "float32") - 1.0

    def call(self, images, labels=None, training=False):
        """Per-pixel logits of p(x_i | x_<i) for `images` (the model sees their discretised values)."""
        inputs = self.values_to_images(self.discretize(images))
        return self.network(self._network_inputs(inputs, labels), training=training)

    def pixel_nll(self, logits, values):
        """-log p(x_i | x_<i) per pixel and channel, in nats."""
        if self.distribution == "categorical":
            picked = ops.sum(logits * ops.one_hot(values, LEVELS), axis=-1)
            return ops.logsumexp(logits, axis=-1) - picked
        return ops.softplus(logits) - values * logits

    def _split_data(self, data):
        if isinstance(data, (tuple, list)):
            return data[0], (data[1] if self.conditional else None)
        return data, None

    def train_step(self, data):
        x, labels = self._split_data(data)
        check_batch_shape(x, self.data_shape, type(self).__name__)
        values = self.discretize(x)
        inputs = self._network_inputs(self.values_to_images(values), labels)

        def loss_fn():
            nll = ops.mean(per_example_sum(self.pixel_nll(self.network(inputs, training=True), values)))
            return nll, None

        loss, _ = self.minimize(loss_fn, self.trainable_variables, self.optimizer)
        return self.track_losses(loss=loss, bits_per_dim=loss / (self.dims * math.log(2.0)))

    def log_prob(self, x, labels=None, batch_size=256):
        """Exact log p(x) per image in nats (of the discretised image), as NumPy (N,)."""
        out = []
        for start in range(0, len(x), batch_size):
            batch_labels = None if labels is None else np.asarray(labels)[start : start + batch_size]
            values = self.discretize(x[start : start + batch_size])
            logits = self.network(self._network_inputs(self.values_to_images(values), batch_labels), training=False)
            out.append(ops.convert_to_numpy(-per_example_sum(self.pixel_nll(logits, values))))
        return np.concatenate(out).astype(np.float64)

    def bits_per_dim(self, x, labels=None, batch_size=256):
        """-log_prob(x) / (H * W * C * ln 2), per image."""
        return -self.log_prob(x, labels=labels, batch_size=batch_size) / (self.dims * math.log(2.0))

    def _step(self, images, noise, index, *label_inputs):
        """One sampling step: draw every pixel from the network's logits with the given noise
        (Gumbel-max for the softmax, uniform for the Bernoulli) and keep only pixel `index`."""
        inputs = [images, *label_inputs] if label_inputs else images
        logits = self.network(inputs, training=False)
        if self.distribution == "categorical":
            drawn = ops.cast(ops.argmax(logits + noise, axis=-1), "float32") / 127.5 - 1.0
        else:
            drawn = ops.where(noise < ops.sigmoid(logits), 1.0, -1.0)
        height, width, _ = self.data_shape
        here = ops.reshape(ops.arange(height * width) == index, (1, height, width, 1))
        return ops.where(here, drawn, images)

    def sample(self, n, seed=None, labels=None, batch_size=64, verbose=1):
        """`n` images drawn pixel by pixel in raster order, as NumPy float32 NHWC in [-1, 1].

        A batch of `batch_size` images is drawn at once by one compiled step per pixel (H * W
        network evaluations per batch); the noise comes from NumPy with `seed`, so the same seed
        gives the same images on one backend. A class-conditional model takes `labels` (default
        0, 1, 2, ... cycling). `verbose=1` shows a progress bar over pixels.
        """
        if self._sampling_step is None:
            self._sampling_step = backend.inference_function(self._step, self.network.variables)
        if self.conditional and labels is None:
            labels = np.arange(n, dtype=np.int32) % self.num_classes
        if not self.conditional and labels is not None:
            raise ValueError(f"{self.name} is unconditional and takes no labels; set num_classes for labels.")
        rng = np.random.default_rng(seed)
        height, width, _ = self.data_shape
        out = []
        for start in range(0, n, batch_size):
            count = min(batch_size, n - start)
            shape = (count, *self.data_shape) + ((LEVELS,) if self.distribution == "categorical" else ())
            uniform = rng.uniform(np.finfo(np.float32).tiny, 1.0, size=shape).astype(np.float32)
            noise = -np.log(-np.log(uniform)) if self.distribution == "categorical" else uniform
            noise = ops.convert_to_tensor(noise.astype(np.float32))
            label_inputs = []
            if self.conditional:
                batch_labels = ops.convert_to_tensor(np.asarray(labels, np.int32)[start : start + count])
                label_inputs = [ops.one_hot(batch_labels, self.num_classes)]
            images = ops.zeros((count, *self.data_shape), "float32")
            progress = keras.utils.Progbar(height * width, unit_name="pixel") if verbose else None
            for index in range(height * width):
                images = self._sampling_step(images, noise, ops.convert_to_tensor(index, "int32"), *label_inputs)
                if progress is not None and (index + 1) % width == 0:
                    progress.update(index + 1)
            out.append(ops.convert_to_numpy(images))
        return np.clip(np.concatenate(out), -1.0, 1.0).astype(np.float32)

    def get_config(self):
        return {
            **super().get_config(),
            "data_shape": self.data_shape,
            "distribution": self.distribution,
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
