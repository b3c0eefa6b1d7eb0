"""The Row LSTM layer of PixelRNN (van den Oord et al. 2016, "Pixel Recurrent Neural Networks", §3.1)."""

import keras
import numpy as np
from keras import layers, ops

from keras_gen import checks
from keras_gen.layers.masked import causal_mask


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
        self.kernel_size = checks.odd_kernel_size("kernel_size", kernel_size)
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
