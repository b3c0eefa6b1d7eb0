"""PixelCNN and gated PixelCNN (van den Oord et al. 2016, "Pixel Recurrent Neural Networks" and
"Conditional Image Generation with PixelCNN Decoders").

Stacks of convolutions masked so that the logits at a pixel see only earlier pixels in raster
order; the likelihood, training and sampling are `AutoregressiveModel`'s. The gated PixelCNN's
vertical and horizontal stacks remove the plain PixelCNN's blind spot, and a label-dependent bias
in every layer makes either class-conditional.
"""

import keras
from keras import layers, ops

from keras_gen import checks
from keras_gen.layers import GatedActivation, MaskedConv2D
from keras_gen.layers.masked import gated_activation
from keras_gen.models.autoregressive import (
    AutoregressiveModel,
    label_bias,
    label_bias_of,
    label_biases_of,
    network_inputs,
    output_logits,
    output_network,
    pointwise,
)
from keras_gen.zoo import register


def residual_dropout(x, rate):
    """Dropout inside a residual block, before its closing 1x1 convolution, as PixelCNN++ does to
    keep a small dataset from being memorised (Salimans et al. 2017, section 2.6). Identity at
    inference, so the samplers never see it."""
    return layers.Dropout(rate)(x) if rate > 0 else x


def pixelcnn_network(data_shape, filters, num_layers, kernel_size, first_kernel_size, distribution, num_classes,
                     dropout=0.0):
    """PixelCNN: a mask-A convolution, then residual blocks of ReLU, mask-B convolution, ReLU and a
    1x1 convolution. It has the blind spot of stacked masked convolutions (upper right)."""
    images, labels = network_inputs(data_shape, num_classes)
    h = MaskedConv2D(filters, first_kernel_size, "A", name="conv_A")(images)
    for i in range(num_layers):
        r = MaskedConv2D(filters, kernel_size, "B", name=f"conv_B_{i}")(layers.ReLU()(h))
        if labels is not None:
            r = r + label_bias(labels, num_classes, filters, f"label_bias_{i}")
        h = h + layers.Conv2D(filters, 1, name=f"residual_{i}")(residual_dropout(layers.ReLU()(r), dropout))
    return output_network(images, labels, h, data_shape, filters, distribution, "pixelcnn")


def gated_pixelcnn_network(data_shape, filters, num_layers, kernel_size, distribution, num_classes, dropout=0.0):
    """Gated PixelCNN: a vertical stack (rows strictly above the pixel, every column in reach) and a
    horizontal stack (the pixel's row, left of it), gated activations tanh * sigmoid, the vertical
    stack feeding the horizontal one through 1x1 convolutions, residual connections on the
    horizontal stack. Together the stacks see every earlier pixel in reach: no blind spot."""
    images, labels = network_inputs(data_shape, num_classes)
    v, h = images, None
    for i in range(num_layers):
        kind = "A" if i == 0 else "B"
        v_pre = MaskedConv2D(2 * filters, kernel_size, f"vertical_{kind}", name=f"vertical_{i}")(v)
        h_pre = MaskedConv2D(2 * filters, kernel_size, f"horizontal_{kind}", name=f"horizontal_{i}")(
            images if h is None else h
        )
        h_pre = h_pre + layers.Conv2D(2 * filters, 1, name=f"vertical_to_horizontal_{i}")(v_pre)
        if labels is not None:
            v_pre = v_pre + label_bias(labels, num_classes, 2 * filters, f"vertical_label_bias_{i}")
            h_pre = h_pre + label_bias(labels, num_classes, 2 * filters, f"horizontal_label_bias_{i}")
        v = GatedActivation()(v_pre)
        update = layers.Conv2D(filters, 1, name=f"update_{i}")(residual_dropout(GatedActivation()(h_pre), dropout))
        h = update if h is None else h + update
    return output_network(images, labels, h, data_shape, filters, distribution, "gated_pixelcnn")


@keras.saving.register_keras_serializable(package="keras_gen")
class PixelCNN(AutoregressiveModel):
    """An autoregressive image model with an exact likelihood (van den Oord et al. 2016).

    Args:
        data_shape, distribution: as for `AutoregressiveModel`.
        gated: False for PixelCNN (mask A, then mask-B residual blocks), True for the gated
            PixelCNN (vertical and horizontal stacks, no blind spot).
        filters, num_layers, kernel_size: width, depth, and kernel of the masked layers.
        first_kernel_size: the mask-A kernel of the plain PixelCNN (7 in the paper).
        num_classes: when set, class-conditional: a label-dependent bias in every layer, and
            training data must be `(images, labels)`.
        dropout: the rate of dropout in each residual block, during training only (0: none).

    Calling the model on images (and labels) returns per-pixel logits: (B, H, W, C, 256) for
    "categorical", (B, H, W, C) for "bernoulli".
    """

    def __init__(self, data_shape=(28, 28, 1), distribution="categorical", gated=False, filters=64, num_layers=5,
                 kernel_size=3, first_kernel_size=7, num_classes=None, dropout=0.0, **kwargs):
        super().__init__(data_shape, distribution, num_classes=num_classes, **kwargs)
        self.gated = bool(gated)
        self.filters = checks.integer("filters", filters, minimum=1)
        self.num_layers = checks.integer("num_layers", num_layers, minimum=1)
        self.kernel_size = checks.odd_kernel_size("kernel_size", kernel_size)
        self.first_kernel_size = checks.odd_kernel_size("first_kernel_size", first_kernel_size)
        self.dropout = checks.number("dropout (the rate of dropped units)", dropout, minimum=0.0, exclusive_maximum=1.0)
        if self.gated:
            self.network = gated_pixelcnn_network(
                self.data_shape, self.filters, self.num_layers, self.kernel_size, self.distribution, self.num_classes,
                self.dropout,
            )
        else:
            self.network = pixelcnn_network(
                self.data_shape, self.filters, self.num_layers, self.kernel_size, self.first_kernel_size, self.distribution,
                self.num_classes, self.dropout,
            )
        self.built = True

    # -- the fast sampler: the networks above, one row at a time (see AutoregressiveModel.draw) -----

    @property
    def sampling_reach(self):
        if self.gated:  # the horizontal stack's 1 x k convolutions; the vertical stack is per row
            return self.num_layers * (self.kernel_size // 2)
        return self.first_kernel_size // 2 + self.num_layers * (self.kernel_size // 2)

    def sampling_caches(self):
        k, channels = self.kernel_size // 2, self.data_shape[-1]
        if self.gated:  # the vertical stack's inputs: the image, then each layer's v
            return [(k, k, channels)] + [(k, k, self.filters)] * (self.num_layers - 1)
        first = self.first_kernel_size // 2
        return [(first, first, channels)] + [(k, k, self.filters)] * self.num_layers

    def sampling_context(self, caches, labels):
        """What depends only on the rows above, once per row: for the gated PixelCNN, its vertical
        stack on the whole row (its contributions to the horizontal stack, and its outputs v to
        cache); for the plain one, what the rows above give each masked layer. Then the label
        biases of the layers the strip runs (None when unconditional)."""
        network = self.network
        if not self.gated:
            names = ["conv_A"] + [f"conv_B_{i}" for i in range(self.num_layers)]
            above = [network.get_layer(name).call_on_rows_above(cache) for name, cache in zip(names, caches)]
            return above, label_biases_of(network, "label_bias_{}", labels, self.num_layers)
        to_horizontal, outputs = [], []
        v = ops.zeros((ops.shape(caches[0])[0], 1, self.data_shape[1], self.data_shape[-1]))  # masked out
        for i in range(self.num_layers):
            vertical = network.get_layer(f"vertical_{i}")
            v_pre = vertical.call_on_row(vertical.call_on_rows_above(caches[i]), v)
            to_horizontal.append(pointwise(network.get_layer(f"vertical_to_horizontal_{i}"), v_pre))
            if i == self.num_layers - 1:  # the last layer's v feeds nothing
                break
            if labels is not None:
                v_pre = v_pre + label_bias_of(network, f"vertical_label_bias_{i}", labels)
            v = gated_activation(v_pre)
            outputs.append(v)
        return to_horizontal, outputs, label_biases_of(network, "horizontal_label_bias_{}", labels, self.num_layers)

    def sampling_strip(self, caches, context, row, start, width, labels):
        network = self.network
        if self.gated:
            to_horizontal, outputs, biases = context
            h = None
            for i in range(self.num_layers):
                h_pre = network.get_layer(f"horizontal_{i}").call_on_row(None, row if h is None else h)
                h_pre = h_pre + self.columns(to_horizontal[i], start, width)
                if biases is not None:
                    h_pre = h_pre + biases[i]
                update = pointwise(network.get_layer(f"update_{i}"), gated_activation(h_pre))
                h = update if h is None else h + update
            rows = [row] + [self.columns(v, start, width) for v in outputs]
        else:
            above, biases = context
            h = network.get_layer("conv_A").call_on_row(self.columns(above[0], start, width), row)
            rows = [row]
            for i in range(self.num_layers):
                x = ops.relu(h)
                rows.append(x)
                r = network.get_layer(f"conv_B_{i}").call_on_row(self.columns(above[i + 1], start, width), x)
                if biases is not None:
                    r = r + biases[i]
                h = h + pointwise(network.get_layer(f"residual_{i}"), ops.relu(r))
        return output_logits(network, h, self.data_shape, self.distribution), rows

    def get_config(self):
        options = ("gated", "filters", "num_layers", "kernel_size", "first_kernel_size", "dropout")
        return {**super().get_config(), **{name: getattr(self, name) for name in options}}


def _compiled(model, learning_rate):
    model.compile(optimizer=keras.optimizers.Adam(checks.number("learning_rate", learning_rate, exclusive_minimum=0.0)))
    return model


@register("pixelcnn", "PixelCNN (van den Oord et al. 2016): mask A then mask-B residual blocks, exact likelihood.")
def pixelcnn(data_shape=(28, 28, 1), distribution="categorical", filters=64, num_layers=5, kernel_size=3,
             first_kernel_size=7, num_classes=None, dropout=0.0, learning_rate=1e-3):
    model = PixelCNN(
        data_shape, distribution, False, filters, num_layers, kernel_size, first_kernel_size, num_classes, dropout,
        name="pixelcnn",
    )
    return _compiled(model, learning_rate)


@register("gated-pixelcnn", "Gated PixelCNN (van den Oord et al. 2016): gated vertical and horizontal stacks, no blind spot.")
def gated_pixelcnn(data_shape=(28, 28, 1), distribution="categorical", filters=32, num_layers=6, kernel_size=5,
                   num_classes=None, dropout=0.0, learning_rate=1e-3):
    model = PixelCNN(
        data_shape, distribution, True, filters, num_layers, kernel_size, kernel_size, num_classes, dropout,
        name="gated_pixelcnn",
    )
    return _compiled(model, learning_rate)
