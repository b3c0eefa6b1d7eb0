"""Critic regularisers: how a GAN keeps its discriminator (critic) in check, as values to combine.

A regulariser may add a penalty to the critic's loss, act on the critic after each of its
updates, and check the critic network once, when the GAN is made:

- `GradientPenalty` (Gulrajani et al. 2017): lambda * E[(||grad f(x_hat)|| - 1)^2] on per-example
  interpolates x_hat = eps x + (1 - eps) G(z); refuses critics with batch norm.
- `WeightClipping` (Arjovsky et al. 2017): every critic weight clipped to [-c, c] after each update.
- `SpectralNorm` (Miyato et al. 2018): a property of the network (every kernel wrapped in
  `keras_gen.layers.SpectralNormalization`), checked here so that an "SN-GAN" is one.
"""

import keras
from keras import ops

from keras_gen import backend, checks
from keras_gen.layers import SpectralNormalization


class CriticRegularizer:
    """Does nothing; subclasses override what they need. `name` is the key of the penalty in
    the training logs (None: no penalty)."""

    name = None

    def check(self, critic):
        """Raise a clear error if `critic` cannot be regularised this way."""

    def penalty(self, critic_fn, real, fake, noise):
        """The term added to the critic's loss, or None. `critic_fn(x)` gives scores (batch,);
        `noise(distribution, shape)` draws from the model's training noise."""
        return None

    def after_update(self, critic):
        """Act on the critic's variables after each of its optimizer updates."""

    def get_config(self):
        return {}

    @classmethod
    def from_config(cls, config):
        return cls(**config)


@keras.saving.register_keras_serializable(package="keras_gen")
class GradientPenalty(CriticRegularizer):
    """WGAN-GP's penalty, weight lambda (10 in the paper). The norm is taken per example as
    sqrt(sum g^2 + 1e-12), differentiable where the gradient is zero."""

    name = "gradient_penalty"

    def __init__(self, weight=10.0):
        self.weight = checks.number("weight (lambda)", weight, minimum=0.0)

    def check(self, critic):
        if any(isinstance(layer, keras.layers.BatchNormalization) for layer in critic._flatten_layers()):
            raise ValueError(
                "The gradient penalty is per example, so the critic must not use batch norm "
                "(Gulrajani et al. 2017); build it with normalization='layer' or 'none'."
            )

    def interpolate(self, real, fake, noise):
        """x_hat = eps x + (1 - eps) G(z), eps ~ U[0, 1] drawn once per example."""
        eps_shape = (ops.shape(real)[0],) + (1,) * (len(real.shape) - 1)
        eps = noise("uniform", eps_shape)
        return eps * real + (1.0 - eps) * ops.cast(fake, real.dtype)

    def penalty(self, critic_fn, real, fake, noise):
        x_hat = self.interpolate(real, fake, noise)
        grads = backend.input_gradient(critic_fn, x_hat)
        axes = tuple(range(1, len(x_hat.shape)))
        norms = ops.sqrt(ops.sum(ops.square(grads), axis=axes) + 1e-12)
        return self.weight * ops.mean(ops.square(norms - 1.0))

    def get_config(self):
        return {"weight": self.weight}


@keras.saving.register_keras_serializable(package="keras_gen")
class WeightClipping(CriticRegularizer):
    """WGAN's weight clipping: after each critic update, w <- clip(w, -c, c) for every trainable
    weight of the critic (normalisation scales and offsets included), c = 0.01 in the paper."""

    def __init__(self, clip_value=0.01):
        self.clip_value = checks.number("clip_value", clip_value, exclusive_minimum=0.0)

    def after_update(self, critic):
        for variable in critic.trainable_variables:
            variable.assign(ops.clip(variable, -self.clip_value, self.clip_value))

    def get_config(self):
        return {"clip_value": self.clip_value}


@keras.saving.register_keras_serializable(package="keras_gen")
class SpectralNorm(CriticRegularizer):
    """Declares a spectrally normalised critic and checks it: every kernel of the critic must sit
    inside a `keras_gen.layers.SpectralNormalization` wrapper (build it with spectral_norm=True)."""

    def check(self, critic):
        normalized = {
            id(layer.kernel_variable) for layer in critic._flatten_layers() if isinstance(layer, SpectralNormalization)
        }
        bare = [v.path for v in critic.trainable_variables if v.name == "kernel" and id(v) not in normalized]
        if bare:
            raise ValueError(
                f"SpectralNorm needs every kernel of the critic spectrally normalised, but {len(bare)} are not "
                f"(e.g. {bare[0]}). Build the critic with spectral_norm=True, or wrap each layer in "
                f"keras_gen.layers.SpectralNormalization."
            )
