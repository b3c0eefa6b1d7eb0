"""Network builders shared by the zoo's model families.

Two shapes of data are supported everywhere: images (H, W, C) from 28x28x1 up to 64x64x3, served
by DCGAN-style convolutional nets, and flat vectors such as 2-D points, served by MLPs.

Conditioning is a property of the networks: with `num_classes`, a network takes a second input,
integer labels (batch,), and the model passes them. How a discriminator uses the label is its
`conditioning`: "concat" (the label joins the input, Mirza & Osindero 2014), "projection" (the
inner product of a label embedding with the features, Miyato & Koyama 2018) or "auxiliary" (no
label input; 1 + num_classes logits, the last ones classifying the input, Odena et al. 2017).
"""

import keras
from keras import layers

from keras_gen.layers import OneHot, OneHotPlanes, SpectralNormalization

LABEL_EMBEDDING = 50  # size of the learned label embedding of conditional networks


def is_image_shape(data_shape):
    return len(data_shape) == 3


def check_data_shape(data_shape):
    """Validate a data shape: (H, W, C) images or (D,) vectors. Returns it as a tuple of ints."""
    data_shape = tuple(int(d) for d in data_shape)
    if len(data_shape) == 1 and data_shape[0] > 0:
        return data_shape
    if len(data_shape) == 3:
        height, width, channels = data_shape
        if channels in (1, 3) and 8 <= height <= 128 and 8 <= width <= 128:
            return data_shape
    raise ValueError(
        f"data_shape must be (height, width, channels) with 1 or 3 channels and sides from 8 to "
        f"128 pixels (e.g. (28, 28, 1) or (64, 64, 3)), or (dim,) for vectors such as 2-D points; "
        f"got {data_shape}."
    )


def upsampling_plan(data_shape):
    """How a DCGAN generator reaches `data_shape`: (start height, start width, number of 2x stages).

    The image is halved while both sides stay even and at least 8, so 28 -> 7 (2 stages),
    32 -> 4 (3 stages), 64 -> 4 (4 stages).
    """
    height, width, _ = data_shape
    stages = 0
    while height % 2 == 0 and width % 2 == 0 and min(height, width) >= 8:
        height, width, stages = height // 2, width // 2, stages + 1
    if stages == 0:
        raise ValueError(
            f"A convolutional network needs image sides divisible by 2 at least once; got {data_shape}."
        )
    return height, width, stages


def _maybe_spectral(layer, spectral_norm):
    return SpectralNormalization(layer) if spectral_norm else layer


def _normalization(kind, name):
    if kind == "batch":
        return layers.BatchNormalization(name=name)
    if kind == "layer":  # over (H, W, C) of each example, as in Gulrajani et al. 2017
        return layers.LayerNormalization(axis=(1, 2, 3), name=name)
    if kind in (None, "none"):
        return None
    raise ValueError(f"normalization must be 'batch', 'layer' or 'none'; got {kind!r}.")


def label_input():
    """Integer class labels, one per example (conditional models)."""
    return keras.Input((), dtype="int32", name="labels")


def _label_embedding(labels, num_classes, size, name="label_embedding"):
    return layers.Embedding(num_classes, size, name=name)(labels)


DISCRIMINATOR_CONDITIONING = ("concat", "projection", "auxiliary")


def _discriminator_head(features, labels, num_classes, conditioning, spectral_norm):
    """The logits of a discriminator from its flat `features`: one logit, plus num_classes class
    logits for "auxiliary", plus <embed(y), features> for "projection"."""
    outputs = 1 + num_classes if num_classes and conditioning == "auxiliary" else 1
    logits = _maybe_spectral(layers.Dense(outputs, name="logits"), spectral_norm)(features)
    if labels is not None and conditioning == "projection":
        embedded = _label_embedding(labels, num_classes, features.shape[-1], "label_projection")
        logits = layers.Add()([logits, layers.Dot(axes=1)([embedded, features])])
    return logits


def _check_conditioning(num_classes, conditioning):
    if num_classes and conditioning not in DISCRIMINATOR_CONDITIONING:
        raise ValueError(f"conditioning must be one of {DISCRIMINATOR_CONDITIONING}; got {conditioning!r}.")
    return bool(num_classes) and conditioning != "auxiliary"  # does the network take labels?


def conv_generator(latent_dim, data_shape, width=64, num_classes=None, name="generator"):
    """DCGAN generator (Radford et al. 2015): project, then strided transposed convolutions with
    batch norm and ReLU, tanh output. With `num_classes` it also takes integer labels, whose
    learned embedding is concatenated to z (Mirza & Osindero 2014).
    """
    start_h, start_w, stages = upsampling_plan(data_shape)
    z = keras.Input((latent_dim,), name="z")
    inputs, h = z, z
    if num_classes:
        labels = label_input()
        inputs, h = [z, labels], layers.Concatenate()([z, _label_embedding(labels, num_classes, LABEL_EMBEDDING)])
    channels = width * 2 ** (stages - 1)
    h = layers.Dense(start_h * start_w * channels, use_bias=False)(h)
    h = layers.BatchNormalization()(h)
    h = layers.ReLU()(h)
    h = layers.Reshape((start_h, start_w, channels))(h)
    for _ in range(stages - 1):
        channels //= 2
        h = layers.Conv2DTranspose(channels, 4, strides=2, padding="same", use_bias=False)(h)
        h = layers.BatchNormalization()(h)
        h = layers.ReLU()(h)
    images = layers.Conv2DTranspose(data_shape[-1], 4, strides=2, padding="same", activation="tanh")(h)
    return keras.Model(inputs, images, name=name)


def conv_discriminator(
    data_shape,
    width=64,
    normalization="batch",
    spectral_norm=False,
    num_classes=None,
    conditioning="concat",
    name="discriminator",
):
    """DCGAN discriminator: strided convolutions with LeakyReLU(0.2), no normalization on the first
    layer, one logit out. `normalization` is "batch" (DCGAN), "layer" (WGAN-GP, whose penalty is
    per example) or "none"; `spectral_norm` wraps every layer (SN-GAN). With `num_classes`, the
    label enters as `conditioning` says (see the module docstring); "concat" gives it as
    num_classes one-hot H x W planes beside the image channels.
    """
    _, _, stages = upsampling_plan(data_shape)
    images = keras.Input(data_shape, name="images")
    inputs, h = images, images
    labels = label_input() if _check_conditioning(num_classes, conditioning) else None
    if labels is not None:
        inputs = [images, labels]
        if conditioning == "concat":
            planes = OneHotPlanes(num_classes, data_shape[0], data_shape[1], name="label_planes")(labels)
            h = layers.Concatenate()([images, planes])
    channels = width
    for stage in range(stages):
        h = _maybe_spectral(layers.Conv2D(channels, 4, strides=2, padding="same"), spectral_norm)(h)
        norm = _normalization(normalization, f"norm_{stage}") if stage > 0 else None
        if norm is not None:
            h = norm(h)
        h = layers.LeakyReLU(0.2)(h)
        channels *= 2
    logits = _discriminator_head(layers.Flatten()(h), labels, num_classes, conditioning, spectral_norm)
    return keras.Model(inputs, logits, name=name)


def mlp_generator(latent_dim, data_shape, hidden_units=(256, 256), num_classes=None, batch_norm=False,
                  name="generator"):
    """MLP generator: ReLU hidden layers; tanh output for images (data in [-1, 1]), linear for
    vectors such as 2-D points, whose range is the data's own. With `num_classes` it also takes
    integer labels, whose learned embedding is concatenated to z. `batch_norm` normalises each
    hidden layer before its ReLU, as DCGAN's generator does (Radford et al. 2015)."""
    z = keras.Input((latent_dim,), name="z")
    inputs, h = z, z
    if num_classes:
        labels = label_input()
        inputs, h = [z, labels], layers.Concatenate()([z, _label_embedding(labels, num_classes, LABEL_EMBEDDING)])
    for units in hidden_units:
        if batch_norm:
            h = layers.ReLU()(layers.BatchNormalization()(layers.Dense(units, use_bias=False)(h)))
        else:
            h = layers.Dense(units, activation="relu")(h)
    activation = "tanh" if is_image_shape(data_shape) else None
    out = layers.Reshape(data_shape)(layers.Dense(_flat_size(data_shape), activation=activation)(h))
    return keras.Model(inputs, out, name=name)


def mlp_discriminator(
    data_shape, hidden_units=(256, 256), spectral_norm=False, num_classes=None, conditioning="concat", dropout=0.0,
    name="discriminator",
):
    """MLP discriminator with LeakyReLU(0.2) hidden layers and one logit. `spectral_norm` wraps
    every layer (SN-GAN); with `num_classes` the label enters as `conditioning` says ("concat":
    its embedding joins the input); `dropout` after each hidden layer, as Goodfellow et al. 2014
    trained theirs, keeps it from memorising a small training set."""
    x = keras.Input(data_shape, name="data")
    inputs, h = x, layers.Flatten()(x)
    labels = label_input() if _check_conditioning(num_classes, conditioning) else None
    if labels is not None:
        inputs = [x, labels]
        if conditioning == "concat":
            h = layers.Concatenate()([h, _label_embedding(labels, num_classes, LABEL_EMBEDDING)])
    for units in hidden_units:
        h = _maybe_spectral(layers.Dense(units), spectral_norm)(h)
        h = layers.LeakyReLU(0.2)(h)
        if dropout > 0:
            h = layers.Dropout(dropout)(h)
    logits = _discriminator_head(h, labels, num_classes, conditioning, spectral_norm)
    return keras.Model(inputs, logits, name=name)


def _flat_size(data_shape):
    size = 1
    for d in data_shape:
        size *= d
    return size


def _with_one_hot_label(first, h, num_classes):
    """(inputs, features): `h` joined by the one-hot label when `num_classes` is set (Sohn et al.
    2015's conditional VAE gives the label to encoder and decoder)."""
    if not num_classes:
        return first, h
    labels = label_input()
    return [first, labels], layers.Concatenate()([h, OneHot(num_classes, name="label_one_hot")(labels)])


def mlp_encoder(data_shape, hidden_units=(512, 256), outputs=(32,), num_classes=None, name="encoder"):
    """MLP encoder: ReLU hidden layers, then one linear head per entry of `outputs` (a VAE uses two
    heads, the mean and the log-variance). With `num_classes`, the one-hot label joins the
    flattened data before the first hidden layer."""
    x = keras.Input(data_shape, name="data")
    inputs, h = _with_one_hot_label(x, layers.Flatten()(x), num_classes)
    for units in hidden_units:
        h = layers.Dense(units, activation="relu")(h)
    heads = [layers.Dense(units, name=f"head_{i}")(h) for i, units in enumerate(outputs)]
    return keras.Model(inputs, heads if len(heads) > 1 else heads[0], name=name)


def mlp_decoder(latent_dim, data_shape, hidden_units=(256, 512), num_classes=None, name="decoder"):
    """MLP decoder: ReLU hidden layers and a linear output of the data's shape (logits or
    pre-activations; the model owning it chooses the output distribution)."""
    z = keras.Input((latent_dim,), name="z")
    inputs, h = _with_one_hot_label(z, z, num_classes)
    for units in hidden_units:
        h = layers.Dense(units, activation="relu")(h)
    out = layers.Reshape(data_shape)(layers.Dense(_flat_size(data_shape))(h))
    return keras.Model(inputs, out, name=name)


def conv_encoder(data_shape, width=32, outputs=(32,), num_classes=None, name="encoder"):
    """Convolutional encoder: the `upsampling_plan` stages run backwards as stride-2 convolutions
    with ReLU (width doubling), then linear heads as in `mlp_encoder`. The one-hot label (with
    `num_classes`) joins the flattened features."""
    _, _, stages = upsampling_plan(data_shape)
    x = keras.Input(data_shape, name="images")
    h = x
    channels = width
    for _ in range(stages):
        h = layers.Conv2D(channels, 4, strides=2, padding="same", activation="relu")(h)
        channels *= 2
    inputs, h = _with_one_hot_label(x, layers.Flatten()(h), num_classes)
    heads = [layers.Dense(units, name=f"head_{i}")(h) for i, units in enumerate(outputs)]
    return keras.Model(inputs, heads if len(heads) > 1 else heads[0], name=name)


def conv_decoder(latent_dim, data_shape, width=32, num_classes=None, name="decoder"):
    """Convolutional decoder, the mirror of `conv_encoder`: project to the plan's start size, then
    stride-2 transposed convolutions with ReLU, and a linear last layer (logits or pre-activations)."""
    start_h, start_w, stages = upsampling_plan(data_shape)
    z = keras.Input((latent_dim,), name="z")
    inputs, h = _with_one_hot_label(z, z, num_classes)
    channels = width * 2 ** (stages - 1)
    h = layers.Dense(start_h * start_w * channels, activation="relu")(h)
    h = layers.Reshape((start_h, start_w, channels))(h)
    for _ in range(stages - 1):
        channels //= 2
        h = layers.Conv2DTranspose(channels, 4, strides=2, padding="same", activation="relu")(h)
    out = layers.Conv2DTranspose(data_shape[-1], 4, strides=2, padding="same")(h)
    return keras.Model(inputs, out, name=name)
