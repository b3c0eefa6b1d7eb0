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
earlier pixels (an exact, normalised likelihood without the paper's R -> G -> B ordering); the
likelihood, training and sampling are `AutoregressiveModel`'s.
"""

import keras
from keras import layers

from keras_gen import checks
from keras_gen.layers import MaskedConv2D, RowLSTM
from keras_gen.models.autoregressive import (
    AutoregressiveModel,
    label_bias,
    label_biases_of,
    network_inputs,
    output_logits,
    output_network,
    pointwise,
)
from keras_gen.zoo import register


def row_lstm_network(
    data_shape, hidden_units, num_layers, kernel_size, first_kernel_size, head_filters, distribution, num_classes=None
):
    """The Row LSTM network of the paper's Table 4: a mask-A convolution to 2h features, then
    `num_layers` residual blocks (Row LSTM with h units, 1x1 convolution back to 2h, added to the
    block's input), then ReLU, a 1x1 convolution with ReLU and 1x1 output logits. With
    `num_classes`, a label-dependent bias enters every block, as in the conditional PixelCNN."""
    images, labels = network_inputs(data_shape, num_classes)
    h = MaskedConv2D(2 * hidden_units, first_kernel_size, "A", name="conv_A")(images)
    for i in range(num_layers):
        state = RowLSTM(hidden_units, kernel_size, name=f"row_lstm_{i}")(h)
        update = layers.Conv2D(2 * hidden_units, 1, name=f"residual_{i}")(state)
        if labels is not None:
            update = update + label_bias(labels, num_classes, 2 * hidden_units, f"label_bias_{i}")
        h = h + update
    return output_network(images, labels, h, data_shape, head_filters, distribution, "row_lstm")


@keras.saving.register_keras_serializable(package="keras_gen")
class PixelRNN(AutoregressiveModel):
    """PixelRNN with Row LSTM layers: an autoregressive image model with an exact likelihood.

    Args:
        data_shape, distribution: as for `AutoregressiveModel`.
        hidden_units: h, the Row LSTM's units per pixel (the residual stream has 2h features).
        num_layers: Row LSTM layers.
        kernel_size: k of the input-to-state and state-to-state convolutions (3 in the paper).
        first_kernel_size: the first mask-A convolution (7 in the paper).
        head_filters: width of the 1x1 output head.
        num_classes: when set, class-conditional: a label-dependent bias in every block, and
            training data must be `(images, labels)`.

    Calling the model on images returns per-pixel logits: (B, H, W, C, 256) for "categorical",
    (B, H, W, C) for "bernoulli".
    """

    def __init__(self, data_shape=(28, 28, 1), distribution="categorical", hidden_units=32, num_layers=2, kernel_size=3,
                 first_kernel_size=7, head_filters=64, num_classes=None, **kwargs):
        super().__init__(data_shape, distribution, num_classes=num_classes, **kwargs)
        self.hidden_units = checks.integer("hidden_units", hidden_units, minimum=1)
        self.num_layers = checks.integer("num_layers", num_layers, minimum=1)
        self.head_filters = checks.integer("head_filters", head_filters, minimum=1)
        self.kernel_size = checks.odd_kernel_size("kernel_size", kernel_size)
        self.first_kernel_size = checks.odd_kernel_size("first_kernel_size", first_kernel_size)
        self.network = row_lstm_network(self.data_shape, self.hidden_units, self.num_layers, self.kernel_size, self.first_kernel_size, self.head_filters, self.distribution, self.num_classes)
        self.built = True

    # -- the fast sampler: the network above, one row at a time (see AutoregressiveModel.draw) -----

    @property
    def sampling_reach(self):
        return self.first_kernel_size // 2 + self.num_layers * (self.kernel_size // 2)

    def sampling_caches(self):
        """The image rows the mask-A convolution reads, then each Row LSTM's state on the row
        above: hidden (with k // 2 columns of context each side) and cell."""
        first, k = self.first_kernel_size // 2, self.kernel_size // 2
        state = [(1, k, self.hidden_units), (1, 0, self.hidden_units)]
        return [(first, first, self.data_shape[-1])] + state * self.num_layers

    def sampling_context(self, caches, labels):
        """Once per row: what the rows above give the mask-A convolution, and the label biases
        (None when unconditional)."""
        network = self.network
        above = network.get_layer("conv_A").call_on_rows_above(caches[0])
        return above, label_biases_of(network, "label_bias_{}", labels, self.num_layers)

    def sampling_strip(self, caches, context, row, start, width, labels):
        network = self.network
        above, biases = context
        h = network.get_layer("conv_A").call_on_row(self.columns(above, start, width), row)
        rows = [row]
        for i in range(self.num_layers):
            lstm = network.get_layer(f"row_lstm_{i}")
            hidden_above, cell_above = (self.columns(cache, start, width)[:, 0] for cache in caches[1 + 2 * i : 3 + 2 * i])
            hidden, cell = lstm.row_step(lstm.input_gates(h)[:, 0], hidden_above, cell_above)
            rows += [hidden[:, None], cell[:, None]]
            update = pointwise(network.get_layer(f"residual_{i}"), hidden[:, None])
            if biases is not None:
                update = update + biases[i]
            h = h + update
        return output_logits(network, h, self.data_shape, self.distribution), rows

    def get_config(self):
        options = ("hidden_units", "num_layers", "kernel_size", "first_kernel_size", "head_filters")
        return {**super().get_config(), **{name: getattr(self, name) for name in options}}


@register("pixelrnn", "PixelRNN (van den Oord et al. 2016): Row LSTM layers, exact likelihood, sequential sampling.")
def pixelrnn(data_shape=(28, 28, 1), distribution="categorical", hidden_units=32, num_layers=2, kernel_size=3,
             first_kernel_size=7, head_filters=64, num_classes=None, learning_rate=1e-3):
    model = PixelRNN(
        data_shape, distribution, hidden_units, num_layers, kernel_size, first_kernel_size, head_filters, num_classes,
        name="pixelrnn",
    )
    model.compile(optimizer=keras.optimizers.Adam(checks.number("learning_rate", learning_rate, exclusive_minimum=0.0)))
    return model
