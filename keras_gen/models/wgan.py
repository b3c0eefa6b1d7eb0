"""Wasserstein GANs and SN-GAN: critics whose Lipschitz constant is kept in check.

- WGAN (Arjovsky et al. 2017, Algorithm 1): the critic maximises E[f(x)] - E[f(G(z))] and its
  weights are clipped to [-c, c] after every update; n_critic critic updates per generator update.
- WGAN-GP (Gulrajani et al. 2017, Algorithm 1): clipping replaced by the penalty
  lambda * (||grad f(x_hat)|| - 1)^2 on per-sample interpolates x_hat = eps x + (1 - eps) G(z).
- SN-GAN (Miyato et al. 2018): spectral normalisation on every discriminator layer, hinge loss.

All three keep `GAN.train_step` (k = n_critic discriminator steps, then one generator step) and
change only the losses; clipping is a Keras constraint, applied by the optimizer after each update.
"""

import keras
from keras import ops

from keras_gen import backend, networks
from keras_gen.models.gan import GAN
from keras_gen.zoo import register


@keras.saving.register_keras_serializable(package="keras_gen")
class ClipWeights(keras.constraints.Constraint):
    """WGAN's weight clipping: after each optimizer update, w <- clip(w, -c, c)."""

    def __init__(self, clip_value):
        if clip_value <= 0:
            raise ValueError(f"clip_value must be positive; got {clip_value}.")
        self.clip_value = float(clip_value)

    def __call__(self, w):
        return ops.clip(w, -self.clip_value, self.clip_value)

    def get_config(self):
        return {"clip_value": self.clip_value}


@keras.saving.register_keras_serializable(package="keras_gen")
class WGAN(GAN):
    """WGAN (Arjovsky et al. 2017). The discriminator is the critic f (one unbounded score).

    Critic loss E[f(G(z))] - E[f(x)] (its negative estimates the Wasserstein-1 distance when f is
    1-Lipschitz), generator loss -E[f(G(z))]. Lipschitz-ness comes from the critic's weights being
    clipped (a `ClipWeights` constraint, set when the critic is built); `discriminator_steps` is
    n_critic. GAN's `generator_loss` option does not apply (its only value is the default).
    """

    def __init__(self, generator, discriminator, latent_dim, generator_loss="non-saturating", **kwargs):
        if generator_loss != "non-saturating":
            raise ValueError(f"{type(self).__name__} has its own generator loss; generator_loss={generator_loss!r} does not apply.")
        super().__init__(generator, discriminator, latent_dim, **kwargs)

    def critic_loss(self, real, fake):
        """E[f(G(z))] - E[f(x)]: the negative of the critic's Wasserstein estimate."""
        return ops.mean(self.discriminator(fake, training=True)) - ops.mean(self.discriminator(real, training=True))

    def discriminator_loss(self, real, z):
        fake = ops.stop_gradient(self.generator(z, training=True))
        return self.critic_loss(real, fake), {}

    def generator_loss(self, z):
        return -ops.mean(self.discriminator(self.generator(z, training=True), training=True))


@keras.saving.register_keras_serializable(package="keras_gen")
class WGANGP(WGAN):
    """WGAN-GP (Gulrajani et al. 2017): WGAN's losses plus a gradient penalty on the critic.

    Args:
        gradient_penalty_weight: lambda (10 in the paper).
        Other arguments as for `GAN`; `discriminator_steps` is n_critic (5 in the paper).
    """

    loss_names = ("d_loss", "g_loss", "gradient_penalty")

    def __init__(self, generator, discriminator, latent_dim, gradient_penalty_weight=10.0, **kwargs):
        super().__init__(generator, discriminator, latent_dim, **kwargs)
        self.gradient_penalty_weight = float(gradient_penalty_weight)

    def gradient_penalty(self, x_hat):
        """lambda * mean((||grad_x f(x_hat)||_2 - 1)^2), the norm taken per example as
        sqrt(sum g^2 + 1e-12) so that it stays differentiable where the gradient is zero."""
        grads = backend.input_gradient(lambda x: self.discriminator(x, training=True), x_hat)
        axes = tuple(range(1, len(x_hat.shape)))
        norms = ops.sqrt(ops.sum(ops.square(grads), axis=axes) + 1e-12)
        return self.gradient_penalty_weight * ops.mean(ops.square(norms - 1.0))

    def interpolate(self, real, fake):
        """x_hat = eps x + (1 - eps) G(z), eps ~ U[0, 1] drawn once per example."""
        eps_shape = (ops.shape(real)[0],) + (1,) * (len(real.shape) - 1)
        eps = keras.random.uniform(eps_shape, seed=self.noise)
        return eps * real + (1.0 - eps) * fake

    def discriminator_loss(self, real, z):
        fake = ops.stop_gradient(self.generator(z, training=True))
        penalty = self.gradient_penalty(self.interpolate(real, fake))
        return self.critic_loss(real, fake) + penalty, {"gradient_penalty": ops.stop_gradient(penalty)}

    def get_config(self):
        return {**super().get_config(), "gradient_penalty_weight": self.gradient_penalty_weight}


@keras.saving.register_keras_serializable(package="keras_gen")
class SNGAN(WGAN):
    """SN-GAN (Miyato et al. 2018) with the hinge loss.

    Every discriminator layer is wrapped in `keras_gen.layers.SpectralNormalization` when the
    network is built (W / sigma(W) computed in each call, one power iteration per training call).
    Discriminator loss E[max(0, 1 - D(x))] + E[max(0, 1 + D(G(z)))]; generator loss -E[D(G(z))],
    as in WGAN.
    """

    def discriminator_loss(self, real, z):
        fake = ops.stop_gradient(self.generator(z, training=True))
        real_logits = self.discriminator(real, training=True)
        fake_logits = self.discriminator(fake, training=True)
        return ops.mean(ops.relu(1.0 - real_logits)) + ops.mean(ops.relu(1.0 + fake_logits)), {}


def _networks(data_shape, latent_dim, width, hidden_units, **critic):
    """DCGAN-style convolutional nets for images, MLPs for vectors; `critic` options go to D."""
    data_shape = networks.check_data_shape(data_shape)
    if networks.is_image_shape(data_shape):
        return (
            networks.conv_generator(latent_dim, data_shape, width),
            networks.conv_discriminator(data_shape, width, **critic),
        )
    critic.pop("normalization", None)  # the MLP critics have no normalization layers
    return (
        networks.mlp_generator(latent_dim, data_shape, hidden_units),
        networks.mlp_discriminator(data_shape, hidden_units, **critic),
    )


@register("wgan", "WGAN (Arjovsky et al. 2017): critic with weight clipping c=0.01, RMSProp(5e-5), n_critic=5.")
def wgan(
    data_shape=(28, 28, 1),
    latent_dim=100,
    width=64,
    hidden_units=(256, 256),
    n_critic=5,
    clip_value=0.01,
    learning_rate=5e-5,
    seed=None,
):
    """Convolutional nets (DCGAN, with batch norm in the critic as in the paper) for images, MLPs
    for vectors. Every critic weight, batch-norm scales and offsets included, is clipped."""
    generator, critic = _networks(
        data_shape, latent_dim, width, hidden_units, normalization="batch", weight_constraint=ClipWeights(clip_value)
    )
    model = WGAN(generator, critic, latent_dim=latent_dim, discriminator_steps=n_critic, seed=seed, name="wgan")
    model.compile(
        generator_optimizer=keras.optimizers.RMSprop(learning_rate),
        discriminator_optimizer=keras.optimizers.RMSprop(learning_rate),
    )
    return model


@register("wgan-gp", "WGAN-GP (Gulrajani et al. 2017): gradient penalty lambda=10, Adam(1e-4, 0, 0.9), n_critic=5.")
def wgan_gp(
    data_shape=(28, 28, 1),
    latent_dim=100,
    width=64,
    hidden_units=(256, 256),
    n_critic=5,
    gradient_penalty_weight=10.0,
    normalization="layer",
    learning_rate=1e-4,
    beta_1=0.0,
    beta_2=0.9,
    seed=None,
):
    """Convolutional nets for images (layer norm or none in the critic: never batch norm, which
    would couple the per-example penalty across the batch), MLPs for vectors."""
    if normalization == "batch":
        raise ValueError(
            "wgan-gp's penalty is per example, so its critic must not use batch norm "
            "(Gulrajani et al. 2017); use normalization='layer' or 'none'."
        )
    generator, critic = _networks(data_shape, latent_dim, width, hidden_units, normalization=normalization)
    model = WGANGP(
        generator,
        critic,
        latent_dim=latent_dim,
        gradient_penalty_weight=gradient_penalty_weight,
        discriminator_steps=n_critic,
        seed=seed,
        name="wgan_gp",
    )
    model.compile(
        generator_optimizer=keras.optimizers.Adam(learning_rate, beta_1=beta_1, beta_2=beta_2),
        discriminator_optimizer=keras.optimizers.Adam(learning_rate, beta_1=beta_1, beta_2=beta_2),
    )
    return model


@register("sngan", "SN-GAN (Miyato et al. 2018): spectral norm on every D layer, hinge loss, Adam(2e-4, 0.5, 0.999).")
def sngan(
    data_shape=(28, 28, 1),
    latent_dim=100,
    width=64,
    hidden_units=(256, 256),
    discriminator_steps=1,
    learning_rate=2e-4,
    beta_1=0.5,
    beta_2=0.999,
    seed=None,
):
    """Miyato et al.'s setting C (Adam(2e-4, 0.5, 0.999), one D step per G step); no other
    normalization in the discriminator."""
    generator, discriminator = _networks(
        data_shape, latent_dim, width, hidden_units, normalization="none", spectral_norm=True
    )
    model = SNGAN(
        generator, discriminator, latent_dim=latent_dim, discriminator_steps=discriminator_steps, seed=seed, name="sngan"
    )
    model.compile(
        generator_optimizer=keras.optimizers.Adam(learning_rate, beta_1=beta_1, beta_2=beta_2),
        discriminator_optimizer=keras.optimizers.Adam(learning_rate, beta_1=beta_1, beta_2=beta_2),
    )
    return model
