"""`AutoregressiveModel`: the machinery shared by PixelCNN and PixelRNN (van den Oord et al. 2016,
"Pixel Recurrent Neural Networks" and "Conditional Image Generation with PixelCNN Decoders").

Both model p(x) = prod_i p(x_i | x_<i) over pixels in raster order (row by row, left to right)
with a network whose logits at pixel i see only earlier pixels. The channels of one pixel are
predicted independently given the earlier pixels (no R -> G -> B ordering inside a pixel), which
is still an exact, normalised likelihood. The output per channel is a softmax over the 256
intensities ("categorical") or a Bernoulli on the binarised image ("bernoulli": a pixel is 1 when
it is above the middle of the range, uint8 >= 128).
"""

import math

import keras
import numpy as np
from keras import layers, ops

from keras_gen import backend, checks, networks
from keras_gen.images import pixels_to_unit
from keras_gen.losses import per_example_sum
from keras_gen.models.base import GenerativeModel
from keras_gen.models.capabilities import ExactLikelihood, Sampler

DISTRIBUTIONS = ("categorical", "bernoulli")
LEVELS = 256


def label_bias(labels, num_classes, channels):
    """A per-channel bias from the class label, added in every layer of a class-conditional
    autoregressive network (van den Oord et al. 2016, "Conditional Image Generation with PixelCNN
    Decoders", eq. 4 with a one-hot h)."""
    return layers.Reshape((1, 1, channels))(layers.Embedding(num_classes, channels)(labels))


def output_network(images, labels, h, data_shape, filters, distribution, name):
    """The network from its inputs to features `h`, closed by ReLU, a 1x1 ReLU convolution and 1x1
    output logits: (B, H, W, C, 256) for "categorical", (B, H, W, C) for "bernoulli"."""
    channels = data_shape[-1]
    h = layers.Conv2D(filters, 1, activation="relu", name="head")(layers.ReLU()(h))
    if distribution == "categorical":
        logits = layers.Reshape((*data_shape, LEVELS))(layers.Conv2D(channels * LEVELS, 1, name="logits")(h))
    else:
        logits = layers.Conv2D(channels, 1, name="logits")(h)
    return keras.Model(images if labels is None else [images, labels], logits, name=name)


def network_inputs(data_shape, num_classes):
    """(images input, labels input or None) of an autoregressive network."""
    return keras.Input(data_shape, name="images"), (networks.label_input() if num_classes else None)


class AutoregressiveModel(ExactLikelihood, Sampler, GenerativeModel):
    """An image model p(x) = prod_i p(x_i | x_<i) with an exact likelihood and sequential sampling.

    Args:
        data_shape: (H, W, C) of the images.
        distribution: "categorical" (softmax over 256 values per channel) or "bernoulli" (the
            binarised image: pixels above the middle of the range are 1).

    Subclasses build `self.network`: images in [-1, 1] (and integer labels when `num_classes` is
    set) to per-pixel logits, (B, H, W, C, 256) for "categorical" and (B, H, W, C) for
    "bernoulli", where the logits at a pixel depend only on earlier pixels. Training minimises the
    exact negative log-likelihood of the discretised images.
    """

    loss_names = ("loss", "bits_per_dim")

    def __init__(self, data_shape, distribution, **kwargs):
        super().__init__(**kwargs)
        self.data_shape = networks.check_data_shape(data_shape)
        if not networks.is_image_shape(self.data_shape):
            raise ValueError(f"{type(self).__name__} models images (H, W, C); got data_shape={self.data_shape}.")
        self.distribution = checks.choice("distribution", distribution, DISTRIBUTIONS)
        self.dims = int(np.prod(self.data_shape))
        self._sampling_step = None

    @staticmethod
    def _inputs(images, labels):
        return images if labels is None else [images, labels]

    def discretize(self, x):
        """Images (uint8, or float in [-1, 1]) to the modelled values: int32 intensities 0..255
        ("categorical") or float 0/1 ("bernoulli", pixel > 0 on the [-1, 1] scale)."""
        x = pixels_to_unit(x)
        if self.distribution == "categorical":
            return ops.cast(ops.round((ops.clip(x, -1.0, 1.0) + 1.0) * 127.5), "int32")
        return ops.cast(x > 0.0, "float32")

    def values_to_images(self, values):
        if self.distribution == "categorical":
            return (ops.cast(values, "float32") - 127.5) / 127.5  # exactly 1.0 at 255 in float32
        return 2.0 * ops.cast(values, "float32") - 1.0

    def call(self, images, labels=None, training=False):
        """Per-pixel logits of p(x_i | x_<i) for `images` (the model sees their discretised values)."""
        inputs = self.values_to_images(self.discretize(images))
        return self.network(self._inputs(inputs, self.label_tensor(labels, ops.shape(inputs)[0])), training=training)

    def pixel_nll(self, logits, values):
        """-log p(x_i | x_<i) per pixel and channel, in nats."""
        if self.distribution == "categorical":
            picked = ops.sum(logits * ops.one_hot(values, LEVELS), axis=-1)
            return ops.logsumexp(logits, axis=-1) - picked
        return ops.softplus(logits) - values * logits

    def objective(self, x, labels, sample_weight, training):
        """The exact negative log-likelihood in nats per image, and in bits per dimension."""
        values = self.discretize(x)
        logits = ops.cast(self.network(self._inputs(self.values_to_images(values), labels), training=training), "float32")
        nll = self.weighted_mean(per_example_sum(self.pixel_nll(logits, values)), sample_weight)
        return nll, {"bits_per_dim": nll / (self.dims * math.log(2.0))}

    def log_prob_graph(self, images, labels=None):
        """Exact log p(x) per image in nats (of the discretised image) as a float32 tensor (B,);
        traceable, from images in [-1, 1] and, when conditional, int labels (B,)."""
        values = self.discretize(images)
        logits = ops.cast(self.network(self._inputs(self.values_to_images(values), labels), training=False), "float32")
        return -per_example_sum(self.pixel_nll(logits, values))

    def log_prob(self, x, labels=None, batch_size=256):
        """Exact log p(x) per image in nats (of the discretised image), as NumPy (N,)."""
        if tuple(np.shape(x)[1:]) != self.data_shape:
            raise ValueError(f"{self.name} models images of shape {self.data_shape}; got {tuple(np.shape(x)[1:])}.")
        labels = self.check_labels(labels, len(x))
        out = []
        for start in range(0, len(x), batch_size):
            batch_labels = None if labels is None else ops.convert_to_tensor(labels[start : start + batch_size])
            out.append(ops.convert_to_numpy(self.log_prob_graph(x[start : start + batch_size], batch_labels)))
        return np.concatenate(out).astype(np.float64)

    def bits_per_dim(self, x, labels=None, batch_size=256):
        """-log_prob(x) / (H * W * C * ln 2), per image."""
        return -self.log_prob(x, labels=labels, batch_size=batch_size) / (self.dims * math.log(2.0))

    def _step(self, images, noise, index, *labels):
        """One sampling step: draw every pixel from the network's logits with the given noise
        (Gumbel-max for the softmax, uniform for the Bernoulli) and keep only pixel `index`."""
        logits = ops.cast(self.network(self._inputs(images, labels[0] if labels else None), training=False), "float32")
        if self.distribution == "categorical":
            drawn = self.values_to_images(ops.argmax(logits + noise, axis=-1))
        else:
            drawn = ops.where(noise < ops.sigmoid(logits), 1.0, -1.0)
        height, width, _ = self.data_shape
        here = ops.reshape(ops.arange(height * width) == index, (1, height, width, 1))
        return ops.where(here, drawn, images)

    def draw(self, n, labels, seed, batch_size):
        """Images drawn pixel by pixel in raster order, `batch_size` at once by one compiled step
        per pixel (H * W network evaluations per batch); the noise comes from NumPy with `seed`."""
        if self._sampling_step is None:  # the weights are inputs of the compiled step: training shows
            self._sampling_step = backend.inference_function(self._step, self.network.variables)
        rng = np.random.default_rng(seed)
        height, width, _ = self.data_shape
        out = []
        for start in range(0, n, batch_size):
            count = min(batch_size, n - start)
            shape = (count, *self.data_shape) + ((LEVELS,) if self.distribution == "categorical" else ())
            uniform = rng.uniform(np.finfo(np.float32).tiny, 1.0, size=shape).astype(np.float32)
            noise = -np.log(-np.log(uniform)) if self.distribution == "categorical" else uniform
            noise = ops.convert_to_tensor(noise.astype(np.float32))
            batch_labels = [] if labels is None else [ops.convert_to_tensor(labels[start : start + count])]
            images = ops.zeros((count, *self.data_shape), "float32")
            for index in range(height * width):
                images = self._sampling_step(images, noise, ops.convert_to_tensor(index, "int32"), *batch_labels)
            out.append(ops.convert_to_numpy(images))
        return np.clip(np.concatenate(out), -1.0, 1.0)

    def get_config(self):
        return {**super().get_config(), "data_shape": self.data_shape, "distribution": self.distribution}
