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
from keras import ops

from keras_gen import backend, networks
from keras_gen.models.autoencoder import check_choice, per_example_sum, to_model_range
from keras_gen.models.base import GenerativeModel
from keras_gen.models.gan import check_batch_shape

DISTRIBUTIONS = ("categorical", "bernoulli")
LEVELS = 256


class AutoregressiveModel(GenerativeModel):
    """An image model p(x) = prod_i p(x_i | x_<i) with an exact likelihood and sequential sampling.

    Subclasses build `self.network`: images in [-1, 1] (and a one-hot label when `num_classes` is
    set) to per-pixel logits, (B, H, W, C, 256) for "categorical" and (B, H, W, C) for
    "bernoulli", where the logits at a pixel depend only on earlier pixels. Training minimises the
    exact negative log-likelihood of the discretised images.
    """

    loss_names = ("loss", "bits_per_dim")
    num_classes = None

    def __init__(self, data_shape, distribution, **kwargs):
        super().__init__(**kwargs)
        self.data_shape = networks.check_data_shape(data_shape)
        if not networks.is_image_shape(self.data_shape):
            raise ValueError(f"{type(self).__name__} models images (H, W, C); got data_shape={self.data_shape}.")
        self.distribution = check_choice("distribution", distribution, DISTRIBUTIONS)
        self.dims = int(np.prod(self.data_shape))
        self._sampling_step = None

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
            return (ops.cast(values, "float32") - 127.5) / 127.5  # exactly 1.0 at 255 in float32
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

    def log_prob_graph(self, images, labels=None):
        """Exact log p(x) per image in nats (of the discretised image) as a float32 tensor (B,);
        traceable, from images in [-1, 1] and, when conditional, int labels (B,)."""
        values = self.discretize(images)
        logits = self.network(self._network_inputs(self.values_to_images(values), labels), training=False)
        return -per_example_sum(self.pixel_nll(logits, values))

    def log_prob(self, x, labels=None, batch_size=256):
        """Exact log p(x) per image in nats (of the discretised image), as NumPy (N,)."""
        if tuple(np.shape(x)[1:]) != self.data_shape:
            raise ValueError(f"{self.name} models images of shape {self.data_shape}; got {tuple(np.shape(x)[1:])}.")
        out = []
        for start in range(0, len(x), batch_size):
            batch_labels = None if labels is None else np.asarray(labels)[start : start + batch_size]
            out.append(ops.convert_to_numpy(self.log_prob_graph(x[start : start + batch_size], batch_labels)))
        return np.concatenate(out).astype(np.float64)

    def bits_per_dim(self, x, labels=None, batch_size=256):
        """-log_prob(x) / (H * W * C * ln 2), per image."""
        return -self.log_prob(x, labels=labels, batch_size=batch_size) / (self.dims * math.log(2.0))

    def _step(self, images, noise, index, *label_inputs):
        """One sampling step: draw every pixel from the network's logits with the given noise
        (Gumbel-max for the softmax, uniform for the Bernoulli) and keep only pixel `index`."""
        logits = self.network([images, *label_inputs] if label_inputs else images, training=False)
        if self.distribution == "categorical":
            drawn = self.values_to_images(ops.argmax(logits + noise, axis=-1))
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
        n = int(n)
        if self._sampling_step is None:  # the weights are inputs of the compiled step: training shows
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
        return {**super().get_config(), "data_shape": self.data_shape, "distribution": self.distribution}
