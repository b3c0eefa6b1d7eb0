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
        input_gates = self.input_gates(x)
        hidden = ops.zeros_like(input_gates[:, 0, :, : self.units])
        cell = hidden
        center = self.kernel_size // 2
        rows = []
        for row in range(x.shape[1]):
            above = ops.pad(hidden, [[0, 0], [center, center], [0, 0]])
            hidden, cell = self.row_step(input_gates[:, row], above, cell)
            rows.append(hidden)
        return ops.stack(rows, axis=1)

    def input_gates(self, x):
        """The masked 1 x k input-to-state convolution of every row of `x`, plus the bias."""
        dtype = self.compute_dtype  # also when called outside `__call__` (row-by-row sampling)
        input_kernel = ops.cast(self.input_kernel, dtype) * ops.convert_to_tensor(self.input_mask, dtype=dtype)
        return ops.conv(ops.cast(x, dtype), input_kernel, strides=1, padding="same") + ops.cast(self.bias, dtype)

    def row_step(self, input_gates, hidden_above, cell_above):
        """One step of the recurrence: a row's `input_gates` (B, w, 4 units), the row above's hidden
        state with `kernel_size // 2` columns of context each side (B, w + k - 1, units) and its
        cell state (B, w, units) -> the row's (hidden, cell). Sampling carries them row to row."""
        k, width, dtype = self.kernel_size, input_gates.shape[1], self.compute_dtype
        hidden_above, cell_above = ops.cast(hidden_above, dtype), ops.cast(cell_above, dtype)
        state_kernel = ops.reshape(ops.cast(self.state_kernel, dtype), (k * self.units, 4 * self.units))
        # The 1-D convolution over the row above as one matrix product on its k shifts
        # (faster than a tiny conv1d per row, notably on PyTorch's CPU kernels).
        shifts = ops.concatenate([hidden_above[:, d : d + width] for d in range(k)], axis=-1)
        gates = input_gates + ops.matmul(shifts, state_kernel)
        output_gate, forget_gate, input_gate, candidate = ops.split(gates, 4, axis=-1)
        cell = ops.sigmoid(forget_gate) * cell_above + ops.sigmoid(input_gate) * ops.tanh(candidate)
        return ops.sigmoid(output_gate) * ops.tanh(cell), cell

    def compute_output_shape(self, input_shape):
        return (*input_shape[:-1], self.units)

    def get_config(self):
        return {**super().get_config(), "units": self.units, "kernel_size": self.kernel_size}
