"""Autoencoders: dense, convolutional, denoising (Vincent et al. 2008) and sparse (L1 on the code).

An autoencoder learns a code h = encoder(x) and a reconstruction decoder(h) of x. It has no prior
over its codes, so it cannot sample: that is what the VAE (keras_gen.models.vae) adds.
"""

import keras
from keras import ops

from keras_gen import checks, networks
from keras_gen.images import pixels_to_unit
from keras_gen.losses import bernoulli_nll, per_example_mean
from keras_gen.models.base import GenerativeModel
from keras_gen.models.capabilities import Encoder, LatentDecoder
from keras_gen.zoo import register

RECONSTRUCTION_LOSSES = ("mse", "bce")
NOISE_TYPES = ("gaussian", "masking")


def decoder_output_to_images(outputs, loss):
    """Decoder outputs to images in [-1, 1]: tanh for "mse", 2 * sigmoid - 1 for "bce" (logits)."""
    if loss == "bce":
        return 2.0 * ops.sigmoid(outputs) - 1.0
    return ops.tanh(outputs)


@keras.saving.register_keras_serializable(package="keras_gen")
class Autoencoder(Encoder, LatentDecoder, GenerativeModel):
    """An encoder h = f(x) and a decoder x' = g(h) trained to reconstruct x.

    Args:
        encoder: a Keras model from data to codes (batch, code_dim).
        decoder: a Keras model from codes to data-shaped outputs: pre-activations for "mse"
            (images are tanh of them) or Bernoulli logits for "bce".
        loss: "mse" (squared error of tanh outputs against x in [-1, 1]) or "bce" (binary
            cross-entropy against (x + 1) / 2). The reported reconstruction is its mean per element.

    It has no prior over its codes, so it is no `Sampler`: previews show reconstructions.
    """

    loss_names = ("loss",)
    network_names = ("encoder", "decoder")

    def __init__(self, encoder, decoder, loss="mse", **kwargs):
        super().__init__(**kwargs)
        self.encoder = encoder
        self.decoder = decoder
        self.reconstruction_loss = checks.choice("loss", loss, RECONSTRUCTION_LOSSES)
        self.data_shape = tuple(decoder.output.shape[1:])
        self.latent_dim = int(encoder.output.shape[-1])
        self.built = True

    def call(self, x, training=False):
        return self.reconstruct(x, training=training)

    def encode(self, x, labels=None, training=False):
        """The code of each example (a backend tensor)."""
        self.check_labels(labels, None)
        return self.encoder(pixels_to_unit(x), training=training)

    def encoding(self, x, labels=None):
        return {"code": self.encode(x, labels)}

    def generate(self, z, labels=None, training=False):
        """Images in [-1, 1] decoded from codes (a backend tensor; NumPy `z` in inference mode:
        through `compiled_generate`)."""
        self.check_labels(labels, None)
        if not (training or ops.is_tensor(z)):
            return self.compiled_generate(z, labels)
        z = ops.convert_to_tensor(z, "float32")
        return decoder_output_to_images(self.decoder(z, training=training), self.reconstruction_loss)

    decode = generate

    def reconstruct(self, x, labels=None, training=False):
        return self.generate(self.encode(x, labels, training=training), training=training)

    def sample(self, n, **kwargs):
        raise TypeError(
            f"{type(self).__name__} cannot sample: a plain autoencoder has no prior distribution over its codes, "
            f"so there is nothing to draw new codes from. Use the 'vae' zoo entry, whose codes follow N(0, I), "
            f"or call reconstruct(x) / generate(codes)."
        )

    def reconstruction_error(self, x, outputs):
        """Per-example mean reconstruction error of decoder `outputs` against clean `x`."""
        if self.reconstruction_loss == "bce":
            return per_example_mean(bernoulli_nll(x, outputs))
        return per_example_mean(ops.square(ops.tanh(outputs) - x))

    def corrupt(self, x):
        """The encoder's input; the identity here (denoising models add noise)."""
        return x

    def code_penalties(self, code):
        """Extra loss terms on the code, by name (sparse models add an L1 term)."""
        return {}

    def objective(self, x, labels, sample_weight, training):
        """Reconstruction of the clean x from the (corrupted) input, plus the code penalties."""
        code = self.encoder(self.corrupt(x), training=training)
        outputs = ops.cast(self.decoder(code, training=training), "float32")  # float32 under mixed precision
        reconstruction = self.weighted_mean(self.reconstruction_error(x, outputs), sample_weight)
        penalties = self.code_penalties(code)
        terms = {"reconstruction": reconstruction, **penalties}
        return reconstruction + sum(penalties.values()), {name: terms[name] for name in self.loss_names if name != "loss"}

    def get_config(self):
        config = super().get_config()
        config.pop("num_classes")
        return {**config, "loss": self.reconstruction_loss}


@keras.saving.register_keras_serializable(package="keras_gen")
class DenoisingAutoencoder(Autoencoder):
    """Denoising autoencoder (Vincent et al. 2008): encode a corrupted x~, reconstruct the clean x.

    Args:
        noise: "gaussian" (x~ = x + noise_level * N(0, 1), clipped to [-1, 1]) or "masking" (each
            element set to -1, the data's zero intensity, with probability nu = noise_level).
        noise_level: the Gaussian standard deviation (on the [-1, 1] scale) or nu.
        seed: seed of the model's noise stream.
    """

    def __init__(self, encoder, decoder, loss="mse", noise="gaussian", noise_level=0.5, **kwargs):
        super().__init__(encoder, decoder, loss=loss, **kwargs)
        self.noise_type = checks.choice("noise", noise, NOISE_TYPES)
        self.noise_level = checks.number("noise_level", noise_level, minimum=0.0)
        if noise == "masking" and not self.noise_level < 1.0:
            raise ValueError(f"Masking noise needs a probability 0 <= noise_level < 1; got {noise_level}.")

    def corrupt(self, x):
        if self.noise_type == "gaussian":
            noisy = x + self.noise_level * self.training_noise("normal", ops.shape(x))
            return ops.clip(noisy, -1.0, 1.0)
        dropped = self.training_noise("uniform", ops.shape(x)) < self.noise_level
        return ops.where(dropped, -1.0, x)

    def get_config(self):
        return {**super().get_config(), "noise": self.noise_type, "noise_level": self.noise_level}


@keras.saving.register_keras_serializable(package="keras_gen")
class SparseAutoencoder(Autoencoder):
    """Sparse autoencoder: reconstruction plus an L1 penalty sparsity * sum|h| on the code h
    (averaged over the batch), reported as its own metric "l1"."""

    loss_names = ("loss", "reconstruction", "l1")

    def __init__(self, encoder, decoder, loss="mse", sparsity=1e-3, **kwargs):
        super().__init__(encoder, decoder, loss=loss, **kwargs)
        self.sparsity = checks.number("sparsity (the L1 weight lambda)", sparsity, minimum=0.0)

    def code_penalties(self, code):
        return {"l1": self.sparsity * ops.mean(ops.sum(ops.abs(ops.cast(code, "float32")), axis=-1))}

    def get_config(self):
        return {**super().get_config(), "sparsity": self.sparsity}


def encoder_decoder(data_shape, code_heads, latent_dim, network, hidden_units, width, num_classes=None):
    """(encoder, decoder): "dense" MLPs or "conv" strided convolutions (images only), the encoder
    with one linear head per entry of `code_heads`; with `num_classes`, both take labels."""
    data_shape = networks.check_data_shape(data_shape)
    checks.choice("network", network, ("dense", "conv"))
    if network == "conv":
        if not networks.is_image_shape(data_shape):
            raise ValueError(f"network='conv' needs image data (H, W, C); got {data_shape}. Use network='dense'.")
        width = checks.integer("width", width, minimum=1)
        return (
            networks.conv_encoder(data_shape, width, code_heads, num_classes),
            networks.conv_decoder(latent_dim, data_shape, width, num_classes),
        )
    hidden_units = checks.integers("hidden_units", hidden_units)
    return (
        networks.mlp_encoder(data_shape, hidden_units, code_heads, num_classes),
        networks.mlp_decoder(latent_dim, data_shape, tuple(reversed(hidden_units)), num_classes),
    )


def build_autoencoder_networks(data_shape, code_dim, network, hidden_units, width, code_activation=None):
    code_dim = checks.integer("code_dim", code_dim, minimum=1)
    encoder, decoder = encoder_decoder(data_shape, (code_dim,), code_dim, network, hidden_units, width)
    if code_activation is not None:
        encoder = keras.Model(encoder.inputs, keras.layers.Activation(code_activation)(encoder.output), name="encoder")
    return encoder, decoder


def _compiled(model, learning_rate):
    model.compile(optimizer=keras.optimizers.Adam(checks.number("learning_rate", learning_rate, exclusive_minimum=0.0)))
    return model


@register("autoencoder", "Autoencoder: dense encoder/decoder, undercomplete code, MSE or BCE reconstruction.")
def autoencoder(data_shape=(28, 28, 1), code_dim=32, hidden_units=(256,), loss="mse", learning_rate=1e-3):
    encoder, decoder = build_autoencoder_networks(data_shape, code_dim, "dense", hidden_units, None)
    return _compiled(Autoencoder(encoder, decoder, loss=loss, name="autoencoder"), learning_rate)


@register("conv-autoencoder", "Convolutional autoencoder: strided conv encoder, transposed-conv decoder.")
def conv_autoencoder(data_shape=(28, 28, 1), code_dim=32, width=32, loss="mse", learning_rate=1e-3):
    encoder, decoder = build_autoencoder_networks(data_shape, code_dim, "conv", None, width)
    return _compiled(Autoencoder(encoder, decoder, loss=loss, name="conv_autoencoder"), learning_rate)


@register("denoising-autoencoder", "Denoising autoencoder (Vincent et al. 2008): Gaussian or masking noise on the input.")
def denoising_autoencoder(data_shape=(28, 28, 1), code_dim=32, network="conv", hidden_units=(256,), width=32,
                          noise="gaussian", noise_level=0.5, loss="mse", learning_rate=1e-3, seed=None):
    encoder, decoder = build_autoencoder_networks(data_shape, code_dim, network, hidden_units, width)
    model = DenoisingAutoencoder(
        encoder, decoder, loss=loss, noise=noise, noise_level=noise_level, seed=seed, name="denoising_autoencoder"
    )
    return _compiled(model, learning_rate)


@register("sparse-autoencoder", "Sparse autoencoder: overcomplete ReLU code with an L1 penalty, reported as 'l1'.")
def sparse_autoencoder(data_shape=(28, 28, 1), code_dim=256, network="dense", hidden_units=(256,), width=32,
                       sparsity=1e-3, loss="mse", learning_rate=1e-3):
    encoder, decoder = build_autoencoder_networks(data_shape, code_dim, network, hidden_units, width, "relu")
    return _compiled(SparseAutoencoder(encoder, decoder, loss=loss, sparsity=sparsity, name="sparse_autoencoder"), learning_rate)
