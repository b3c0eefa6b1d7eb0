"""PixelRNN with Row LSTM layers (van den Oord et al. 2016, "Pixel Recurrent Neural Networks", §3.1).

p(x) = prod_i p(x_i | x_<i) over pixels in raster order. A 7x7 mask-A convolution feeds residual
Row LSTM layers. A Row LSTM processes the image top to bottom, one whole row per step:

    [o, f, i, g] = sigmoid/tanh(K_ss (*) h_{r-1} + K_is (*) x_r),  c_r = f*c_{r-1} + i*g,  h_r = o*tanh(c_r)

where K_is (*) x_r is a 1 x k input-to-state convolution along row r, masked to the pixel and
those left of it (mask B; it is computed for all rows at once), and K_ss (*) h_{r-1} a 1-D
state-to-state convolution of width k over the previous row's hidden state. Each pixel so sees
the row above it through a widening triangle and its own row to the left: every dependency is
on an earlier pixel. Residual 1x1 convolutions, then a 1x1 ReLU head giving a 256-way softmax per
channel ("categorical") or a Bernoulli on the binarised image ("bernoulli"; uint8 >= 128 is 1).
As in keras_gen's PixelCNN, the channels of one pixel are predicted independently given the
earlier pixels (an exact, normalised likelihood without the paper's R -> G -> B ordering).
"""

import math

import keras
import numpy as np
from keras import layers, ops

from keras_gen import backend, networks
from keras_gen.models.autoencoder import check_choice, per_example_sum, to_model_range
from keras_gen.models.base import GenerativeModel
from keras_gen.models.gan import check_batch_shape
from keras_gen.models.pixelcnn import DISTRIBUTIONS, LEVELS, MaskedConv2D, causal_mask
from keras_gen.zoo import register

def _check_odd(name, value):
    value = int(value)
    if value < 1 or value % 2 != 1:
        raise ValueError(f"{name} must be an odd positive kernel size (e.g. 3 or 7); got {value}.")
    return value


@keras.saving.register_keras_serializable(package="keras_gen")
class RowLSTM(layers.Layer):
    """Row LSTM layer (van den Oord et al. 2016, §3.1) with `units` hidden units per pixel.

    Input (B, H, W, C) to output (B, H, W, units). The input-to-state convolution is 1 x
    `kernel_size` with mask B (the pixel and the pixels left of it); the state-to-state
    convolution is a 1-D convolution of width `kernel_size` over the previous row's hidden state.
    The recurrence is a Python loop over the fixed number of rows (unrolled when compiled), so it
    trains by backpropagation through rows on every backend.
    """

    def __init__(self, units, kernel_size=3, **kwargs):
        super().__init__(**kwargs)
        self.units = int(units)
        self.kernel_size = _check_odd("kernel_size", kernel_size)
        self.input_mask = causal_mask(self.kernel_size, "horizontal_B")[:, :, None, None]

    def build(self, input_shape):
        k, gates = self.kernel_size, 4 * self.units
        self.input_kernel = self.add_weight(
            name="input_kernel", shape=(1, k, input_shape[-1], gates), initializer="glorot_uniform"
        )
        self.state_kernel = self.add_weight(name="state_kernel", shape=(k, self.units, gates), initializer="orthogonal")
        self.bias = self.add_weight(name="bias", shape=(gates,), initializer="zeros")
        forget_bias = np.zeros(gates, np.float32)
        forget_bias[self.units : 2 * self.units] = 1.0  # gate order [o, f, i, g]; forget gates start open
        self.bias.assign(forget_bias)

    def call(self, x):
        input_kernel = self.input_kernel * ops.convert_to_tensor(self.input_mask, dtype=self.input_kernel.dtype)
        input_gates = ops.conv(x, input_kernel, strides=1, padding="same") + self.bias
        hidden = ops.zeros_like(input_gates[:, 0, :, : self.units])
        cell = hidden
        k, width, center = self.kernel_size, x.shape[2], self.kernel_size // 2
        state_kernel = ops.reshape(self.state_kernel, (k * self.units, 4 * self.units))
        rows = []
        for row in range(x.shape[1]):
            # The 1-D "same" convolution over the row above as one matrix product on its k shifts
            # (faster than a tiny conv1d per row, notably on PyTorch's CPU kernels).
            padded = ops.pad(hidden, [[0, 0], [center, center], [0, 0]])
            shifts = ops.concatenate([padded[:, d : d + width] for d in range(k)], axis=-1)
            gates = input_gates[:, row] + ops.matmul(shifts, state_kernel)
            output_gate, forget_gate, input_gate, candidate = ops.split(gates, 4, axis=-1)
            cell = ops.sigmoid(forget_gate) * cell + ops.sigmoid(input_gate) * ops.tanh(candidate)
            hidden = ops.sigmoid(output_gate) * ops.tanh(cell)
            rows.append(hidden)
        return ops.stack(rows, axis=1)

    def compute_output_shape(self, input_shape):
        return (*input_shape[:-1], self.units)

    def get_config(self):
        return {**super().get_config(), "units": self.units, "kernel_size": self.kernel_size}


def row_lstm_network(data_shape, hidden_units, num_layers, kernel_size, first_kernel_size, head_filters, distribution):
    """The Row LSTM network of the paper's Table 4: a mask-A convolution to 2h features, then
    `num_layers` residual blocks (Row LSTM with h units, 1x1 convolution back to 2h, added to the
    block's input), then ReLU, a 1x1 convolution with ReLU and 1x1 output logits."""
    images = keras.Input(data_shape, name="images")
    h = MaskedConv2D(2 * hidden_units, first_kernel_size, "A", name="conv_A")(images)
    for i in range(num_layers):
        state = RowLSTM(hidden_units, kernel_size, name=f"row_lstm_{i}")(h)
        h = h + layers.Conv2D(2 * hidden_units, 1, name=f"residual_{i}")(state)
    h = layers.Conv2D(head_filters, 1, activation="relu", name="head")(layers.ReLU()(h))
    channels = data_shape[-1]
    if distribution == "categorical":
        logits = layers.Conv2D(channels * LEVELS, 1, name="logits")(h)
        logits = layers.Reshape((*data_shape, LEVELS))(logits)
    else:
        logits = layers.Conv2D(channels, 1, name="logits")(h)
    return keras.Model(images, logits, name="row_lstm")


@keras.saving.register_keras_serializable(package="keras_gen")
class PixelRNN(GenerativeModel):
    """PixelRNN with Row LSTM layers: an autoregressive image model with an exact likelihood.

    Args:
        data_shape: (H, W, C) of the images.
        distribution: "categorical" (softmax over 256 values per channel) or "bernoulli" (the
            binarised image: pixels above the middle of the range are 1).
        hidden_units: h, the Row LSTM's units per pixel (the residual stream has 2h features).
        num_layers: Row LSTM layers.
        kernel_size: k of the input-to-state and state-to-state convolutions (3 in the paper).
        first_kernel_size: the first mask-A convolution (7 in the paper).
        head_filters: width of the 1x1 output head.

    Calling the model on images returns per-pixel logits: (B, H, W, C, 256) for "categorical",
    (B, H, W, C) for "bernoulli".
    """

    loss_names = ("loss", "bits_per_dim")

    def __init__(
        self,
        data_shape=(28, 28, 1),
        distribution="categorical",
        hidden_units=32,
        num_layers=2,
        kernel_size=3,
        first_kernel_size=7,
        head_filters=64,
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.data_shape = networks.check_data_shape(data_shape)
        if not networks.is_image_shape(self.data_shape):
            raise ValueError(f"PixelRNN models images (H, W, C); got data_shape={self.data_shape}.")
        self.distribution = check_choice("distribution", distribution, DISTRIBUTIONS)
        self.hidden_units, self.num_layers, self.head_filters = int(hidden_units), int(num_layers), int(head_filters)
        if self.hidden_units < 1 or self.num_layers < 1 or self.head_filters < 1:
            raise ValueError(
                f"hidden_units, num_layers and head_filters must be positive; got {hidden_units}, {num_layers}, {head_filters}."
            )
        self.kernel_size = _check_odd("kernel_size", kernel_size)
        self.first_kernel_size = _check_odd("first_kernel_size", first_kernel_size)
        self.network = row_lstm_network(
            self.data_shape,
            self.hidden_units,
            self.num_layers,
            self.kernel_size,
            self.first_kernel_size,
            self.head_filters,
            self.distribution,
        )
        self.dims = int(np.prod(self.data_shape))
        self._sampling_step = None
        self.built = True

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

    def call(self, images, training=False):
        """Per-pixel logits of p(x_i | x_<i) for `images` (the model sees their discretised values)."""
        return self.network(self.values_to_images(self.discretize(images)), training=training)

    def pixel_nll(self, logits, values):
        """-log p(x_i | x_<i) per pixel and channel, in nats."""
        if self.distribution == "categorical":
            picked = ops.sum(logits * ops.one_hot(values, LEVELS), axis=-1)
            return ops.logsumexp(logits, axis=-1) - picked
        return ops.softplus(logits) - values * logits

    def train_step(self, data):
        x = data[0] if isinstance(data, (tuple, list)) else data
        check_batch_shape(x, self.data_shape, type(self).__name__)
        values = self.discretize(x)
        inputs = self.values_to_images(values)

        def loss_fn():
            logits = self.network(inputs, training=True)
            return ops.mean(per_example_sum(self.pixel_nll(logits, values))), None

        loss, _ = self.minimize(loss_fn, self.trainable_variables, self.optimizer)
        return self.track_losses(loss=loss, bits_per_dim=loss / (self.dims * math.log(2.0)))

    def log_prob(self, x, batch_size=256):
        """Exact log p(x) per image in nats (of the discretised image), as NumPy (N,)."""
        if tuple(np.shape(x)[1:]) != self.data_shape:
            raise ValueError(f"{self.name} models images of shape {self.data_shape}; got {tuple(np.shape(x)[1:])}.")
        out = []
        for start in range(0, len(x), batch_size):
            values = self.discretize(x[start : start + batch_size])
            logits = self.network(self.values_to_images(values), training=False)
            out.append(ops.convert_to_numpy(-per_example_sum(self.pixel_nll(logits, values))))
        return np.concatenate(out).astype(np.float64)

    def bits_per_dim(self, x, batch_size=256):
        """-log_prob(x) / (H * W * C * ln 2), per image."""
        return -self.log_prob(x, batch_size=batch_size) / (self.dims * math.log(2.0))

    def _step(self, images, noise, index):
        """One sampling step: draw every pixel from the network's logits with the given noise
        (Gumbel-max for the softmax, uniform for the Bernoulli) and keep only pixel `index`."""
        logits = self.network(images, training=False)
        if self.distribution == "categorical":
            drawn = self.values_to_images(ops.argmax(logits + noise, axis=-1))
        else:
            drawn = ops.where(noise < ops.sigmoid(logits), 1.0, -1.0)
        height, width, _ = self.data_shape
        here = ops.reshape(ops.arange(height * width) == index, (1, height, width, 1))
        return ops.where(here, drawn, images)

    def sample(self, n, seed=None, batch_size=64, verbose=1):
        """`n` images drawn pixel by pixel in raster order, as NumPy float32 NHWC in [-1, 1].

        A batch of `batch_size` images is drawn at once by one compiled step per pixel (H * W
        network evaluations per batch, each running the Row LSTM over all rows); the noise comes
        from NumPy with `seed`, so the same seed gives the same images on one backend.
        `verbose=1` shows a progress bar over pixels.
        """
        self._sampling_step = backend.inference_function(self._step)  # afresh: weights may have changed
        rng = np.random.default_rng(seed)
        height, width, _ = self.data_shape
        out = []
        for start in range(0, int(n), batch_size):
            count = min(batch_size, int(n) - start)
            shape = (count, *self.data_shape) + ((LEVELS,) if self.distribution == "categorical" else ())
            uniform = rng.uniform(np.finfo(np.float32).tiny, 1.0, size=shape)
            noise = -np.log(-np.log(uniform)) if self.distribution == "categorical" else uniform
            noise = ops.convert_to_tensor(noise.astype(np.float32))
            images = ops.zeros((count, *self.data_shape), "float32")
            progress = keras.utils.Progbar(height * width, unit_name="pixel") if verbose else None
            for index in range(height * width):
                images = self._sampling_step(images, noise, ops.convert_to_tensor(index, "int32"))
                if progress is not None and (index + 1) % width == 0:
                    progress.update(index + 1)
            out.append(ops.convert_to_numpy(images))
        return np.concatenate(out).astype(np.float32)

    def get_config(self):
        return {
            **super().get_config(),
            "data_shape": self.data_shape,
            "distribution": self.distribution,
            "hidden_units": self.hidden_units,
            "num_layers": self.num_layers,
            "kernel_size": self.kernel_size,
            "first_kernel_size": self.first_kernel_size,
            "head_filters": self.head_filters,
        }


@register("pixelrnn", "PixelRNN (van den Oord et al. 2016): Row LSTM layers, exact likelihood, sequential sampling.")
def pixelrnn(
    data_shape=(28, 28, 1),
    distribution="categorical",
    hidden_units=32,
    num_layers=2,
    kernel_size=3,
    first_kernel_size=7,
    head_filters=64,
    learning_rate=1e-3,
):
    model = PixelRNN(
        data_shape, distribution, hidden_units, num_layers, kernel_size, first_kernel_size, head_filters, name="pixelrnn"
    )
    model.compile(optimizer=keras.optimizers.Adam(learning_rate))
    return model
