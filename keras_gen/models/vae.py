"""Variational autoencoders: VAE (Kingma & Welling 2014), beta-VAE (Higgins et al. 2017),
conditional VAE (Sohn et al. 2015), with importance-weighted likelihoods (Burda et al. 2016).

The encoder gives q(z|x) = N(mean, exp(log_var)), the prior is p(z) = N(0, I) and the decoder
gives Bernoulli logits of p(x|z) over pixels read as (x + 1) / 2. Training maximises the ELBO
E_q[log p(x|z)] - beta * KL(q(z|x) || p(z)) with the reparameterisation z = mean + sigma * eps and
the KL in closed form.
"""

import math

import keras
import numpy as np
from keras import ops

from keras_gen import backend, networks
from keras_gen.models.autoencoder import (
    bernoulli_nll,
    check_choice,
    decoder_output_to_images,
    per_example_sum,
    to_model_range,
)
from keras_gen.models.base import GenerativeModel
from keras_gen.models.gan import check_batch_shape
from keras_gen.zoo import register

LOG_2PI = math.log(2.0 * math.pi)


def gaussian_kl(mean, log_var):
    """KL(N(mean, exp(log_var)) || N(0, I)) per example, in nats:
    0.5 * sum(sigma^2 + mean^2 - 1 - log sigma^2) over the last axis."""
    return 0.5 * ops.sum(ops.exp(log_var) + ops.square(mean) - 1.0 - log_var, axis=-1)


def standard_normal_log_density(z):
    return -0.5 * ops.sum(ops.square(z) + LOG_2PI, axis=-1)


@keras.saving.register_keras_serializable(package="keras_gen")
class VAE(GenerativeModel):
    """VAE with a Gaussian encoder, a N(0, I) prior and a Bernoulli decoder.

    Args:
        encoder: a Keras model from data (and, when conditional, a one-hot label) to
            `[mean, log_var]`, each (batch, latent_dim).
        decoder: a Keras model from z (and the one-hot label) to data-shaped Bernoulli logits.
        latent_dim: size of z.
        beta: weight of the KL term (1 is the VAE; beta > 1 the beta-VAE of Higgins et al. 2017).
        num_classes: when set, a conditional VAE (Sohn et al. 2015): the label, one-hot, goes to
            both encoder and decoder, and training data must be `(images, labels)`.
        seed: seed of the model's noise stream (the eps of the reparameterisation).
    """

    loss_names = ("loss", "reconstruction", "kl")

    def __init__(self, encoder, decoder, latent_dim, beta=1.0, num_classes=None, seed=None, **kwargs):
        super().__init__(**kwargs)
        if beta < 0:
            raise ValueError(f"beta (the KL weight) must be non-negative; got {beta}.")
        self.encoder = encoder
        self.decoder = decoder
        self.latent_dim = int(latent_dim)
        self.beta = float(beta)
        self.num_classes = None if num_classes is None else int(num_classes)
        self.seed = seed
        self.data_shape = tuple(decoder.output.shape[1:])
        self.noise = keras.random.SeedGenerator(seed)
        self._importance_bound_fn = None
        self.built = True

    @property
    def conditional(self):
        return self.num_classes is not None

    def _label_inputs(self, labels, batch_size):
        """[] for an unconditional model, else [one-hot labels]; errors say what is missing."""
        if not self.conditional:
            if labels is not None:
                raise ValueError(f"{self.name} is unconditional and takes no labels; build 'cvae' for labels.")
            return []
        if labels is None:
            raise ValueError(
                f"{self.name} is conditional (num_classes={self.num_classes}) and needs labels: pass "
                f"labels=... (integers in 0..{self.num_classes - 1}, one per example)."
            )
        labels = ops.convert_to_tensor(labels)
        if tuple(labels.shape) != (batch_size,):
            raise ValueError(f"Expected {batch_size} integer labels, one per example; got shape {tuple(labels.shape)}.")
        return [ops.one_hot(ops.cast(labels, "int32"), self.num_classes)]

    @staticmethod
    def _network_inputs(first, label_inputs):
        return [first, *label_inputs] if label_inputs else first

    def _split_data(self, data):
        if isinstance(data, (tuple, list)):
            x, labels = data[0], data[1]
        else:
            x, labels = data, None
        return x, (labels if self.conditional else None)

    def encode(self, x, labels=None, training=False):
        """(mean, log_var) of q(z|x) (backend tensors)."""
        x = to_model_range(x)
        mean, log_var = self.encoder(self._network_inputs(x, self._label_inputs(labels, x.shape[0])), training=training)
        return mean, log_var

    def decoder_logits(self, z, labels=None, training=False):
        z = ops.convert_to_tensor(z, "float32")
        return self.decoder(self._network_inputs(z, self._label_inputs(labels, z.shape[0])), training=training)

    def decode(self, z, labels=None, training=False):
        """Images in [-1, 1], the decoder's Bernoulli means 2 * p - 1 (a backend tensor)."""
        return decoder_output_to_images(self.decoder_logits(z, labels, training), "bce")

    def reconstruct(self, x, labels=None, training=False):
        """decode(mean of q(z|x)): the deterministic reconstruction."""
        mean, _ = self.encode(x, labels, training=training)
        return self.decode(mean, labels, training=training)

    def call(self, x, labels=None, training=False):
        return self.reconstruct(x, labels, training=training)

    def generate(self, z, labels=None):
        """Deterministic: decoded images for latent batch `z`, as `GAN.generate`."""
        return self.decode(z, labels)

    def default_labels(self, n):
        return np.arange(n, dtype=np.int32) % self.num_classes

    def sample(self, n, seed=None, labels=None, batch_size=256):
        """`n` images from z ~ N(0, I), decoded to the Bernoulli means, as NumPy float32 NHWC in
        [-1, 1]. A conditional model takes `labels` (default: 0, 1, 2, ... cycling)."""
        if self.conditional and labels is None:
            labels = self.default_labels(n)
        z = keras.random.normal((n, self.latent_dim), seed=seed)
        out = []
        for start in range(0, n, batch_size):
            batch_labels = None if labels is None else np.asarray(labels)[start : start + batch_size]
            out.append(ops.convert_to_numpy(self.decode(z[start : start + batch_size], batch_labels)))
        return np.concatenate(out).astype(np.float32)

    def losses_per_example(self, x, label_inputs, training=True):
        """(reconstruction -log p(x|z) with one reparameterised z, closed-form KL), per example."""
        mean, log_var = self.encoder(self._network_inputs(x, label_inputs), training=training)
        eps = keras.random.normal(ops.shape(mean), seed=self.noise)
        z = mean + ops.exp(0.5 * log_var) * eps
        logits = self.decoder(self._network_inputs(z, label_inputs), training=training)
        return per_example_sum(bernoulli_nll(x, logits)), gaussian_kl(mean, log_var)

    def train_step(self, data):
        x, labels = self._split_data(data)
        check_batch_shape(x, self.data_shape, type(self).__name__)
        label_inputs = self._label_inputs(labels, x.shape[0])

        def loss_fn():
            reconstruction, kl = self.losses_per_example(x, label_inputs)
            reconstruction, kl = ops.mean(reconstruction), ops.mean(kl)
            return reconstruction + self.beta * kl, {"reconstruction": reconstruction, "kl": kl}

        loss, terms = self.minimize(loss_fn, self.trainable_variables, self.optimizer)
        return self.track_losses(loss=loss, **terms)

    def log_prob(self, x, k=1, labels=None, seed=None, batch_size=2048):
        """log p(x) per example in nats, the importance-weighted bound of Burda et al. (2016):
        log (1/k) sum_i p(x, z_i) / q(z_i|x), z_i ~ q(z|x). k = 1 is a one-sample estimate of the
        ELBO; the bound rises towards log p(x) as k grows. `x` must be binary (pixels at -1 and 1,
        or uint8 0 and 255): only then is the Bernoulli decoder a likelihood. Returns NumPy (N,).
        `batch_size` bounds the number of images decoded at once (examples * k)."""
        x = ops.convert_to_numpy(to_model_range(x))
        if not np.all((x == -1.0) | (x == 1.0)):
            raise ValueError(
                "log_prob needs binary data (every pixel -1 or 1, or uint8 0 or 255): the Bernoulli "
                "decoder is a likelihood only for binary pixels. Binarise first, e.g. with "
                "keras_gen.data.binarize(images)."
            )
        if int(k) < 1:
            raise ValueError(f"k (the number of importance samples) must be at least 1; got {k}.")
        k = int(k)
        if self._importance_bound_fn is None:
            self._importance_bound_fn = backend.inference_function(
                self._importance_bound, [*self.encoder.variables, *self.decoder.variables]
            )
        generator = keras.random.SeedGenerator(seed)
        step = max(1, batch_size // k)
        out = []
        for start in range(0, len(x), step):
            xb = ops.convert_to_tensor(x[start : start + step])
            n = xb.shape[0]
            label_inputs = self._label_inputs(None if labels is None else np.asarray(labels)[start : start + step], n)
            eps = keras.random.normal((k, n, self.latent_dim), seed=generator)
            out.append(ops.convert_to_numpy(self._importance_bound_fn(xb, eps, *label_inputs)))
        return np.concatenate(out).astype(np.float64)

    def _importance_bound(self, x, eps, *label_inputs):
        """log (1/k) sum_i p(x, z_i) / q(z_i|x) per example, z_i = mean + sigma * eps[i]."""
        k = eps.shape[0]
        mean, log_var = self.encoder(self._network_inputs(x, list(label_inputs)), training=False)
        z = mean[None] + ops.exp(0.5 * log_var)[None] * eps
        log_q = -0.5 * ops.sum(ops.square(eps) + LOG_2PI + log_var[None], axis=-1)
        tiled = [ops.reshape(ops.repeat(t[None], k, axis=0), (-1, self.num_classes)) for t in label_inputs]
        logits = self.decoder(self._network_inputs(ops.reshape(z, (-1, self.latent_dim)), tiled), training=False)
        xk = ops.reshape(ops.repeat(x[None], k, axis=0), (-1, *self.data_shape))
        log_px = ops.reshape(-per_example_sum(bernoulli_nll(xk, logits)), (k, -1))
        log_w = log_px + standard_normal_log_density(z) - log_q
        return ops.logsumexp(log_w, axis=0) - math.log(k)

    def bits_per_dim(self, x, k=1, labels=None, seed=None, batch_size=2048):
        """-log_prob(x) / (number of dimensions * ln 2), per example."""
        dims = int(np.prod(self.data_shape))
        return -self.log_prob(x, k=k, labels=labels, seed=seed, batch_size=batch_size) / (dims * math.log(2.0))

    def get_config(self):
        return {
            **super().get_config(),
            "encoder": keras.saving.serialize_keras_object(self.encoder),
            "decoder": keras.saving.serialize_keras_object(self.decoder),
            "latent_dim": self.latent_dim,
            "beta": self.beta,
            "num_classes": self.num_classes,
            "seed": self.seed,
        }

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        for key in ("encoder", "decoder"):
            config[key] = keras.saving.deserialize_keras_object(config[key])
        return cls(**config)


def build_vae(name, data_shape, latent_dim, network, hidden_units, width, beta, num_classes, learning_rate, seed):
    data_shape = networks.check_data_shape(data_shape)
    check_choice("network", network, ("dense", "conv"))
    label_for_encoder = [keras.Input((num_classes,), name="label")] if num_classes else []
    label_for_decoder = [keras.Input((num_classes,), name="label")] if num_classes else []
    heads = (latent_dim, latent_dim)
    if network == "conv":
        if not networks.is_image_shape(data_shape):
            raise ValueError(f"network='conv' needs image data (H, W, C); got {data_shape}. Use network='dense'.")
        encoder = networks.conv_encoder(data_shape, width, heads, label_for_encoder)
        decoder = networks.conv_decoder(latent_dim, data_shape, width, label_for_decoder)
    else:
        encoder = networks.mlp_encoder(data_shape, hidden_units, heads, label_for_encoder)
        decoder = networks.mlp_decoder(latent_dim, data_shape, tuple(reversed(hidden_units)), label_for_decoder)
    model = VAE(encoder, decoder, latent_dim, beta=beta, num_classes=num_classes, seed=seed, name=name)
    model.compile(optimizer=keras.optimizers.Adam(learning_rate))
    return model


@register("vae", "VAE (Kingma & Welling 2014): Gaussian encoder, Bernoulli decoder; network='dense' or 'conv'.")
def vae(
    data_shape=(28, 28, 1),
    latent_dim=32,
    network="dense",
    hidden_units=(512, 256),
    width=32,
    learning_rate=1e-3,
    seed=None,
):
    return build_vae("vae", data_shape, latent_dim, network, hidden_units, width, 1.0, None, learning_rate, seed)


@register("beta-vae", "beta-VAE (Higgins et al. 2017): the VAE with its KL term weighted by beta (default 4).")
def beta_vae(
    data_shape=(28, 28, 1),
    latent_dim=10,
    beta=4.0,
    network="conv",
    hidden_units=(512, 256),
    width=32,
    learning_rate=1e-3,
    seed=None,
):
    return build_vae("beta_vae", data_shape, latent_dim, network, hidden_units, width, beta, None, learning_rate, seed)


@register("cvae", "Conditional VAE (Sohn et al. 2015): the one-hot label goes to encoder and decoder.")
def cvae(
    data_shape=(28, 28, 1),
    num_classes=10,
    latent_dim=16,
    network="dense",
    hidden_units=(512, 256),
    width=32,
    beta=1.0,
    learning_rate=1e-3,
    seed=None,
):
    return build_vae("cvae", data_shape, latent_dim, network, hidden_units, width, beta, num_classes, learning_rate, seed)
