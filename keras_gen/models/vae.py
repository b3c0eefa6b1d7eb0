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

from keras_gen import backend, checks
from keras_gen.images import pixels_to_unit
from keras_gen.losses import LOG_2PI, bernoulli_nll, gaussian_kl, per_example_sum, standard_normal_log_density
from keras_gen.models.autoencoder import decoder_output_to_images, encoder_decoder
from keras_gen.models.base import GenerativeModel
from keras_gen.models.capabilities import Encoder, LatentVariableModel
from keras_gen.zoo import register


@keras.saving.register_keras_serializable(package="keras_gen")
class VAE(Encoder, LatentVariableModel, GenerativeModel):
    """VAE with a Gaussian encoder, a N(0, I) prior and a Bernoulli decoder.

    Args:
        encoder: a Keras model from data (and, when conditional, integer labels) to
            `[mean, log_var]`, each (batch, latent_dim).
        decoder: a Keras model from z (and the labels) to data-shaped Bernoulli logits.
        beta: weight of the KL term (1 is the VAE; beta > 1 the beta-VAE of Higgins et al. 2017).
        num_classes: when set, a conditional VAE (Sohn et al. 2015): the label goes to both
            encoder and decoder, and training data must be `(images, labels)`.
        seed: seed of the model's noise stream (the eps of the reparameterisation).
    """

    loss_names = ("loss", "reconstruction", "kl")
    network_names = ("encoder", "decoder")

    def __init__(self, encoder, decoder, beta=1.0, **kwargs):
        super().__init__(**kwargs)
        self.encoder = encoder
        self.decoder = decoder
        self.beta = checks.number("beta (the KL weight)", beta, minimum=0.0)
        self.latent_dim = int(decoder.inputs[0].shape[-1])
        self.data_shape = tuple(decoder.output.shape[1:])
        self._importance_bound_fn = None
        self.built = True

    def _inputs(self, first, labels):
        return first if labels is None else [first, labels]

    def encode(self, x, labels=None, training=False):
        """(mean, log_var) of q(z|x) (backend tensors)."""
        x = pixels_to_unit(x)
        return self.encoder(self._inputs(x, self.label_tensor(labels, x.shape[0])), training=training)

    def encoding(self, x, labels=None):
        mean, log_var = self.encode(x, labels)
        return {"mean": mean, "log_var": log_var}

    def decoder_logits(self, z, labels=None, training=False):
        z = ops.convert_to_tensor(z, "float32")
        return self.decoder(self._inputs(z, self.label_tensor(labels, z.shape[0])), training=training)

    def generate(self, z, labels=None, training=False):
        """Images in [-1, 1], the decoder's Bernoulli means 2 * p - 1 (a backend tensor; NumPy `z`
        in inference mode: through `compiled_generate`)."""
        if not (training or ops.is_tensor(z)):
            return self.compiled_generate(z, labels)
        return decoder_output_to_images(self.decoder_logits(z, labels, training), "bce")

    decode = generate

    def reconstruct(self, x, labels=None, training=False):
        """decode(mean of q(z|x)): the deterministic reconstruction."""
        mean, _ = self.encode(x, labels, training=training)
        return self.generate(mean, labels, training=training)

    def call(self, x, labels=None, training=False):
        return self.reconstruct(x, labels, training=training)

    def objective(self, x, labels, sample_weight, training):
        """The negative ELBO, -log p(x|z) (one reparameterised z) + beta * KL(q(z|x) || p(z))."""
        mean, log_var = (ops.cast(t, "float32") for t in self.encoder(self._inputs(x, labels), training=training))
        eps = self.training_noise("normal", ops.shape(mean))
        z = mean + ops.exp(0.5 * log_var) * eps
        logits = ops.cast(self.decoder(self._inputs(z, labels), training=training), "float32")
        reconstruction = self.weighted_mean(per_example_sum(bernoulli_nll(x, logits)), sample_weight)
        kl = self.weighted_mean(gaussian_kl(mean, log_var), sample_weight)
        return reconstruction + self.beta * kl, {"reconstruction": reconstruction, "kl": kl}

    def log_prob(self, x, k=1, labels=None, seed=None, batch_size=2048):
        """log p(x) per example in nats, the importance-weighted bound of Burda et al. (2016):
        log (1/k) sum_i p(x, z_i) / q(z_i|x), z_i ~ q(z|x). k = 1 is a one-sample estimate of the
        ELBO; the bound rises towards log p(x) as k grows. `x` must be binary (pixels at -1 and 1,
        or uint8 0 and 255): only then is the Bernoulli decoder a likelihood. Returns NumPy (N,).
        `batch_size` bounds the number of images decoded at once (examples * k)."""
        x = ops.convert_to_numpy(pixels_to_unit(x))
        if not np.all((x == -1.0) | (x == 1.0)):
            raise ValueError(
                "log_prob needs binary data (every pixel -1 or 1, or uint8 0 or 255): the Bernoulli "
                "decoder is a likelihood only for binary pixels. Binarise first, e.g. with "
                "keras_gen.data.binarize(images)."
            )
        k = checks.integer("k (the number of importance samples)", k, minimum=1)
        labels = self.check_labels(labels, len(x))
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
            batch_labels = [] if labels is None else [ops.convert_to_tensor(labels[start : start + step])]
            eps = keras.random.normal((k, n, self.latent_dim), seed=generator)
            out.append(ops.convert_to_numpy(self._importance_bound_fn(xb, eps, *batch_labels)))
        return np.concatenate(out).astype(np.float64)

    def _importance_bound(self, x, eps, *labels):
        """log (1/k) sum_i p(x, z_i) / q(z_i|x) per example, z_i = mean + sigma * eps[i]."""
        k = eps.shape[0]
        labels = labels[0] if labels else None
        mean, log_var = self.encoder(self._inputs(x, labels), training=False)
        z = mean[None] + ops.exp(0.5 * log_var)[None] * eps
        log_q = -0.5 * ops.sum(ops.square(eps) + LOG_2PI + log_var[None], axis=-1)
        tiled = None if labels is None else ops.reshape(ops.repeat(labels[None], k, axis=0), (-1,))
        logits = self.decoder(self._inputs(ops.reshape(z, (-1, self.latent_dim)), tiled), training=False)
        xk = ops.reshape(ops.repeat(x[None], k, axis=0), (-1, *self.data_shape))
        log_px = ops.reshape(-per_example_sum(bernoulli_nll(xk, logits)), (k, -1))
        log_w = log_px + standard_normal_log_density(z) - log_q
        return ops.logsumexp(log_w, axis=0) - math.log(k)

    def bits_per_dim(self, x, k=1, labels=None, seed=None, batch_size=2048):
        """-log_prob(x) / (number of dimensions * ln 2), per example."""
        dims = int(np.prod(self.data_shape))
        return -self.log_prob(x, k=k, labels=labels, seed=seed, batch_size=batch_size) / (dims * math.log(2.0))

    def get_config(self):
        return {**super().get_config(), "beta": self.beta}


def build_vae(name, data_shape, latent_dim, network, hidden_units, width, beta, num_classes, learning_rate, seed):
    latent_dim = checks.integer("latent_dim", latent_dim, minimum=1)
    encoder, decoder = encoder_decoder(data_shape, (latent_dim, latent_dim), latent_dim, network, hidden_units, width, num_classes)
    model = VAE(encoder, decoder, beta=beta, num_classes=num_classes, seed=seed, name=name)
    model.compile(optimizer=keras.optimizers.Adam(checks.number("learning_rate", learning_rate, exclusive_minimum=0.0)))
    return model


@register("vae", "VAE (Kingma & Welling 2014): Gaussian encoder, Bernoulli decoder; network='dense' or 'conv'.")
def vae(data_shape=(28, 28, 1), latent_dim=32, network="dense", hidden_units=(512, 256), width=32,
        learning_rate=1e-3, seed=None):
    return build_vae("vae", data_shape, latent_dim, network, hidden_units, width, 1.0, None, learning_rate, seed)


@register("beta-vae", "beta-VAE (Higgins et al. 2017): the VAE with its KL term weighted by beta (default 4).")
def beta_vae(data_shape=(28, 28, 1), latent_dim=10, beta=4.0, network="conv", hidden_units=(512, 256),
             width=32, learning_rate=1e-3, seed=None):
    return build_vae("beta_vae", data_shape, latent_dim, network, hidden_units, width, beta, None, learning_rate, seed)


@register("cvae", "Conditional VAE (Sohn et al. 2015): the one-hot label goes to encoder and decoder.")
def cvae(data_shape=(28, 28, 1), num_classes=10, latent_dim=16, network="dense", hidden_units=(512, 256),
         width=32, beta=1.0, learning_rate=1e-3, seed=None):
    return build_vae("cvae", data_shape, latent_dim, network, hidden_units, width, beta, num_classes, learning_rate, seed)
