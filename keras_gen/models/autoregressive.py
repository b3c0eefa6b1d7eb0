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


def label_bias(labels, num_classes, channels, name):
    """A per-channel bias from the class label, added in every layer of a class-conditional
    autoregressive network (van den Oord et al. 2016, "Conditional Image Generation with PixelCNN
    Decoders", eq. 4 with a one-hot h)."""
    return layers.Reshape((1, 1, channels))(layers.Embedding(num_classes, channels, name=name)(labels))


def label_bias_of(network, name, labels):
    """The label bias of `label_bias(..., name)` for int `labels`, (B, 1, 1, channels)."""
    embedding = network.get_layer(name)
    return ops.reshape(embedding(labels), (-1, 1, 1, embedding.output_dim))


def label_biases_of(network, name, labels, count):
    """The label biases of layers `name.format(i)`, i < count, for the samplers' once-per-row
    context; None for an unconditional model (`labels` None)."""
    if labels is None:
        return None
    return [label_bias_of(network, name.format(i), labels) for i in range(count)]


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


def pointwise(layer, x):
    """What a 1x1 `Conv2D` `layer` gives on `x`, as one matrix product in its compute dtype: the
    row-by-row samplers call it per pixel, where Keras' per-call overhead would dominate."""
    dtype = layer.compute_dtype
    return layer.activation(ops.matmul(ops.cast(x, dtype), ops.cast(layer.kernel[0, 0], dtype)) + ops.cast(layer.bias, dtype))


def output_logits(network, h, data_shape, distribution):
    """The closing layers of `output_network` on features `h` of one row (B, 1, w, filters):
    logits (B, w, C, 256) for "categorical", (B, w, C) for "bernoulli"."""
    logits = pointwise(network.get_layer("logits"), pointwise(network.get_layer("head"), ops.relu(h)))
    width, channels = ops.shape(h)[2], data_shape[-1]
    return ops.reshape(logits, (-1, width, channels, LEVELS) if distribution == "categorical" else (-1, width, channels))


def network_inputs(data_shape, num_classes):
    """(images input, labels input or None) of an autoregressive network."""
    return keras.Input(data_shape, name="images"), (networks.label_input() if num_classes else None)


def clip_index(index, low, high):
    """`index` clipped to [low, high], staying a Python int where it is one (PyTorch's `fori_loop`
    counts in Python): slices at Python ints are much cheaper there than at tensors."""
    return min(max(index, low), high) if isinstance(index, int) else ops.clip(index, low, high)


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
        self._samplers = None

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

    def draw_values(self, logits, noise):
        """Pixel values in [-1, 1] drawn from `logits` with the given noise: Gumbel-max for the
        softmax, a uniform threshold for the Bernoulli."""
        logits = ops.cast(logits, "float32")
        if self.distribution == "categorical":
            return self.values_to_images(ops.argmax(logits + noise, axis=-1))
        return ops.where(noise < ops.sigmoid(logits), 1.0, -1.0)

    def draw(self, n, labels, seed, batch_size, naive=False):
        """Images drawn pixel by pixel in raster order, `batch_size` at once; the noise comes from
        NumPy with `seed`, so both samplers draw the same images for the same seed.

        The default sampler runs the whole pixel loop in one compiled function and, for each
        pixel, recomputes only the stretch of its row that the pixel's logits depend on, reading
        the rows above from caches (see `sampling_strip`). `naive=True` runs one compiled full
        network evaluation per pixel from Python (H * W per batch): the reference for tests.
        """
        if self._samplers is None:  # the weights are inputs of the compiled functions: training shows
            variables = self.network.variables
            self._samplers = {
                "step": backend.inference_function(self._naive_step, variables),
                "images": backend.inference_function(self._fast_images, variables, many_small_ops=True),
            }
        rng = np.random.default_rng(seed)
        out = []
        for start in range(0, n, batch_size):
            count = min(batch_size, n - start)
            shape = (count, *self.data_shape) + ((LEVELS,) if self.distribution == "categorical" else ())
            uniform = rng.uniform(np.finfo(np.float32).tiny, 1.0, size=shape).astype(np.float32)
            noise = -np.log(-np.log(uniform)) if self.distribution == "categorical" else uniform
            noise = ops.convert_to_tensor(noise.astype(np.float32))
            batch_labels = [] if labels is None else [ops.convert_to_tensor(labels[start : start + count])]
            if naive:
                images = self._naive_images(noise, *batch_labels)
            else:
                images = self._samplers["images"](noise, *batch_labels)
            out.append(ops.convert_to_numpy(images))
        return np.clip(np.concatenate(out), -1.0, 1.0)

    def _naive_images(self, noise, *labels):
        images = ops.zeros(ops.shape(noise)[: 1 + len(self.data_shape)], "float32")
        for index in range(self.data_shape[0] * self.data_shape[1]):
            images = self._samplers["step"](images, noise, ops.convert_to_tensor(index, "int32"), *labels)
        return images

    def _naive_step(self, images, noise, index, *labels):
        """Draw every pixel from the network's logits on `images` and keep only pixel `index`."""
        logits = self.network(self._inputs(images, labels[0] if labels else None), training=False)
        drawn = self.draw_values(logits, noise)
        height, width, _ = self.data_shape
        here = ops.reshape(ops.arange(height * width) == index, (1, height, width, 1))
        return ops.where(here, drawn, images)

    def _fast_images(self, noise, *labels):
        """The sampling loop: rows top to bottom, pixels left to right, in one traced function.

        Caches hold, per masked layer, its inputs on the rows above (zeros beyond the image); after
        a row is complete, one strip over the whole row pushes its rows into the caches.
        """
        labels = labels[0] if labels else None
        batch = ops.shape(noise)[0]
        height, width, channels = self.data_shape
        span = min(width, self.sampling_reach + 1)
        caches = [ops.zeros((batch, rows, width + 2 * pad, depth)) for rows, pad, depth in self.sampling_caches()]
        column_ids = ops.reshape(ops.arange(width), (1, 1, width, 1))
        row_ids = ops.reshape(ops.arange(height), (1, height, 1, 1))
        noise_tail = tuple(noise.shape[3:])

        def draw_row(r, state):
            images, caches = state
            context = self.sampling_context(caches, labels)
            row_noise = ops.slice(noise, (0, r, 0, 0) + (0,) * (len(noise_tail) - 1), (batch, 1, width, *noise_tail))

            def draw_pixel(c, row):
                start = clip_index(c - self.sampling_reach, 0, width - span)
                window = ops.slice(row, (0, 0, start, 0), (batch, 1, span, channels))
                logits, _ = self.sampling_strip(caches, context, window, start, span, labels)
                here = (0, 0, c - start) + (0,) * (len(logits.shape) - 2)
                pixel_logits = ops.slice(ops.expand_dims(logits, 1), here, (batch, 1, 1, *logits.shape[2:]))
                pixel_noise = ops.slice(row_noise, (0, 0, c) + (0,) * len(noise_tail), (batch, 1, 1, *noise_tail))
                drawn = self.draw_values(pixel_logits, pixel_noise)
                return ops.where(column_ids == c, drawn, row)

            row = ops.fori_loop(0, width, draw_pixel, ops.zeros((batch, 1, width, channels)))
            _, rows = self.sampling_strip(caches, context, row, 0, width, labels)
            caches = [
                ops.concatenate([cache[:, 1:], ops.pad(ops.cast(new, cache.dtype), [[0, 0], [0, 0], [pad, pad], [0, 0]])], axis=1)
                for cache, new, (_, pad, _) in zip(caches, rows, self.sampling_caches())
            ]
            return ops.where(row_ids == r, row, images), caches

        images = ops.zeros((batch, height, width, channels))
        return ops.fori_loop(0, height, draw_row, (images, caches))[0]

    def columns(self, x, start, width):
        """Columns [start, start + width) of a row tensor (B, rows, W, C), or of a cache padded
        by p columns each side, with its p columns of context each side."""
        extra = x.shape[2] - self.data_shape[1]
        return ops.slice(x, (0, 0, start, 0), (x.shape[0], x.shape[1], width + extra, x.shape[3]))

    # -- what each network family implements for the fast sampler ------------------------------

    @property
    def sampling_reach(self):
        """How far left along a row the logits of a pixel reach through the row's own pixels."""
        raise NotImplementedError

    def sampling_caches(self):
        """[(rows, pad, channels)] of the caches: the rows above that each masked layer reads."""
        raise NotImplementedError

    def sampling_context(self, caches, labels):
        """What a row needs that depends only on the rows above, computed once per row."""
        return ()

    def sampling_strip(self, caches, context, row, start, width, labels):
        """The network on columns [start, start + width) of the current row, given the row's
        values there (B, 1, width, C) and the caches: (logits (B, width, C[, 256]), the new row of
        each cache (B, 1, width, channels)). Exact at columns >= start + sampling_reach, and
        at every column when the strip starts at the image's left edge."""
        raise NotImplementedError

    def get_config(self):
        return {**super().get_config(), "data_shape": self.data_shape, "distribution": self.distribution}
