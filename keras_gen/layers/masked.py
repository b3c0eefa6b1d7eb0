"""Masked convolutions of autoregressive image models (van den Oord et al. 2016, "Pixel Recurrent
Neural Networks" and "Conditional Image Generation with PixelCNN Decoders")."""

import keras
import numpy as np
from keras import layers, ops

from keras_gen import checks

MASK_TYPES = ("A", "B", "vertical_A", "vertical_B", "horizontal_A", "horizontal_B")


def causal_mask(kernel_size, mask_type):
    """The (kh, kw) 0/1 mask of a causal convolution with odd `kernel_size` k, centre c = k // 2.

    "A": rows above the centre, and the centre row left of the centre (the first layer: a pixel
    never sees itself). "B": as "A" plus the centre (later layers, whose input at the centre only
    holds earlier pixels). "vertical_A"/"vertical_B": (k, k), rows above the centre / and the
    centre row, every column (the vertical stack of the gated PixelCNN, which sees only rows above
    the output pixel). "horizontal_A"/"horizontal_B": (1, k), left of the centre / and the centre.
    """
    checks.choice("mask_type", mask_type, MASK_TYPES)
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

    def call_on_rows_above(self, above):
        """What the rows above give the output on one row, bias included, for row-by-row sampling
        (once per row): `above`, the `kh // 2` rows above (B, kh // 2, w + kw - 1, C) with
        `kw // 2` columns of context on each side (zeros beyond the image) -> (B, 1, w, filters)."""
        kh = self.mask.shape[0]
        dtype = self.compute_dtype  # as `__call__` would compute, under a mixed-precision policy too
        y = ops.conv(ops.cast(above, dtype), self._masked_kernel(dtype)[: kh // 2], strides=1, padding="valid")
        return y + ops.cast(self.bias, dtype) if self.use_bias else y

    def call_on_row(self, above, row):
        """The output on one row, for row-by-row sampling: `above`, what `call_on_rows_above` gave
        on the row's columns (None for a one-row kernel), plus the masked convolution of the row's
        own inputs `row` (B, 1, w, C), zero beyond its ends. Returns (B, 1, w, filters); rows
        below never count (the mask)."""
        kh = self.mask.shape[0]
        dtype = self.compute_dtype
        kernel = self._masked_kernel(dtype)[kh // 2 : kh // 2 + 1]
        y = ops.conv(ops.cast(row, dtype), kernel, strides=1, padding="same")
        if above is not None:
            return y + above
        return y + ops.cast(self.bias, dtype) if self.use_bias else y

    def _masked_kernel(self, dtype):
        return ops.cast(self.kernel, dtype) * ops.convert_to_tensor(self.mask[:, :, None, None], dtype=dtype)

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


def gated_activation(x):
    """tanh(a) * sigmoid(b) for the two halves [a, b] of the channels of `x`."""
    a, b = ops.split(x, 2, axis=-1)
    return ops.tanh(a) * ops.sigmoid(b)


@keras.saving.register_keras_serializable(package="keras_gen")
class GatedActivation(layers.Layer):
    """tanh(a) * sigmoid(b) for the two halves [a, b] of the channels (gated PixelCNN)."""

    def call(self, x):
        return gated_activation(x)

    def compute_output_shape(self, input_shape):
        return (*input_shape[:-1], input_shape[-1] // 2)
