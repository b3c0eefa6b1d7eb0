"""GAN (Goodfellow et al. 2014) and DCGAN (Radford et al. 2015).

Both are the same algorithm; DCGAN only swaps the MLPs for convolutional networks. The training
step is the paper's Algorithm 1: `discriminator_steps` (k) updates of D, ascending
log D(x) + log(1 - D(G(z))), then one update of G.
"""

import keras
from keras import ops

from keras_gen import networks
from keras_gen.models.base import GenerativeModel
from keras_gen.zoo import register

GENERATOR_LOSSES = ("non-saturating", "minimax")


def unpack_inputs(data):
    """fit hands a train step either `x` or `(x, y)` (labels); return `x`."""
    return data[0] if isinstance(data, (tuple, list)) else data


def check_batch_shape(batch, data_shape, model_name):
    """Fail at trace time, with what would be right, when the data does not fit the model."""
    if tuple(batch.shape[1:]) != tuple(data_shape):
        raise ValueError(
            f"{model_name} was built for data of shape {tuple(data_shape)} but received batches of "
            f"shape {tuple(batch.shape[1:])}. Build it with data_shape={tuple(batch.shape[1:])}, "
            f"or load the data at the model's size (e.g. keras_gen.data.load(..., image_size=...))."
        )


@keras.saving.register_keras_serializable(package="keras_gen")
class GAN(GenerativeModel):
    """A generator G(z) and a discriminator D(x) (logits) trained adversarially.

    Args:
        generator: a Keras model mapping z (batch, latent_dim) to data.
        discriminator: a Keras model mapping data to one logit per example.
        latent_dim: size of z ~ N(0, I).
        discriminator_steps: k, the discriminator updates per generator update. Each of the k
            steps sees the batch `fit` provides with fresh noise.
        generator_loss: "non-saturating" (minimise -log D(G(z)), the standard in practice) or
            "minimax" (minimise log(1 - D(G(z))), the paper's value function).
        seed: seed of the model's own noise stream (the latent vectors drawn during training).
    """

    loss_names = ("d_loss", "g_loss")

    def __init__(
        self,
        generator,
        discriminator,
        latent_dim,
        discriminator_steps=1,
        generator_loss="non-saturating",
        seed=None,
        **kwargs,
    ):
        super().__init__(**kwargs)
        if generator_loss not in GENERATOR_LOSSES:
            raise ValueError(f"generator_loss must be one of {GENERATOR_LOSSES}; got {generator_loss!r}.")
        if int(discriminator_steps) < 1:
            raise ValueError(f"discriminator_steps must be at least 1; got {discriminator_steps}.")
        self.generator = generator
        self.discriminator = discriminator
        self.latent_dim = int(latent_dim)
        self.discriminator_steps = int(discriminator_steps)
        self.generator_loss_type = generator_loss
        self.seed = seed
        self.data_shape = tuple(generator.output.shape[1:])
        self.noise = keras.random.SeedGenerator(seed)
        self.built = True  # both networks are built; fit must not try to build the GAN on data

    def compile(self, generator_optimizer=None, discriminator_optimizer=None, **kwargs):
        """Defaults: Adam(2e-4, beta_1=0.5) for both networks (Radford et al. 2015)."""
        self.compile_with_optimizers(
            {
                "generator": generator_optimizer or keras.optimizers.Adam(2e-4, beta_1=0.5),
                "discriminator": discriminator_optimizer or keras.optimizers.Adam(2e-4, beta_1=0.5),
            },
            **kwargs,
        )

    @property
    def generator_optimizer(self):
        return self.optimizers_by_role["generator"]

    @property
    def discriminator_optimizer(self):
        return self.optimizers_by_role["discriminator"]

    def call(self, z, training=False):
        return self.generator(z, training=training)

    def generate(self, z):
        """Deterministic: the generator's output for latent batch `z`, in inference mode."""
        return self.generator(z, training=False)

    def sample_latent(self, batch_size, seed=None):
        return keras.random.normal((batch_size, self.latent_dim), seed=self.noise if seed is None else seed)

    def sample(self, n, seed=None, batch_size=256):
        """`n` samples from the model as a NumPy float32 array (images NHWC in [-1, 1]).

        The same integer `seed` gives the same samples on the same backend; None draws fresh ones.
        """
        z = keras.random.normal((n, self.latent_dim), seed=seed)
        return self.generator.predict(z, batch_size=batch_size, verbose=0)

    def discriminator_loss(self, real, z):
        """-[log D(x) + log(1 - D(G(z)))] on logits, averaged over the batch.

        Returns `(loss, extra_logs)`: subclasses put what else they want reported (e.g. WGAN-GP's
        penalty) in the dict, whose keys must be in `loss_names`; GAN reports nothing more.
        """
        fake = ops.stop_gradient(self.generator(z, training=True))
        real_logits = self.discriminator(real, training=True)
        fake_logits = self.discriminator(fake, training=True)
        return ops.mean(ops.softplus(-real_logits)) + ops.mean(ops.softplus(fake_logits)), {}

    def generator_loss(self, z):
        fake_logits = self.discriminator(self.generator(z, training=True), training=True)
        if self.generator_loss_type == "minimax":
            return ops.mean(-ops.softplus(fake_logits))  # log(1 - D(G(z)))
        return ops.mean(ops.softplus(-fake_logits))  # -log D(G(z))

    def train_step(self, data):
        real = unpack_inputs(data)
        check_batch_shape(real, self.data_shape, type(self).__name__)
        batch_size = ops.shape(real)[0]
        for _ in range(self.discriminator_steps):
            z = self.sample_latent(batch_size)
            d_loss, extra_logs = self.minimize(
                lambda: self.discriminator_loss(real, z),
                self.discriminator.trainable_variables,
                self.discriminator_optimizer,
            )
        z = self.sample_latent(batch_size)
        g_loss, _ = self.minimize(
            lambda: (self.generator_loss(z), None),
            self.generator.trainable_variables,
            self.generator_optimizer,
        )
        return self.track_losses(d_loss=d_loss, g_loss=g_loss, **extra_logs)

    def get_config(self):
        return {
            **super().get_config(),
            "generator": keras.saving.serialize_keras_object(self.generator),
            "discriminator": keras.saving.serialize_keras_object(self.discriminator),
            "latent_dim": self.latent_dim,
            "discriminator_steps": self.discriminator_steps,
            "generator_loss": self.generator_loss_type,
            "seed": self.seed,
        }

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        for key in ("generator", "discriminator"):
            config[key] = keras.saving.deserialize_keras_object(config[key])
        return cls(**config)


@register("gan", "GAN (Goodfellow et al. 2014): MLP generator and discriminator, Algorithm 1 with k D-steps.")
def gan(
    data_shape=(28, 28, 1),
    latent_dim=64,
    hidden_units=(256, 256),
    discriminator_steps=1,
    generator_loss="non-saturating",
    learning_rate=2e-4,
    beta_1=0.5,
    seed=None,
):
    data_shape = networks.check_data_shape(data_shape)
    model = GAN(
        networks.mlp_generator(latent_dim, data_shape, hidden_units),
        networks.mlp_discriminator(data_shape, hidden_units),
        latent_dim=latent_dim,
        discriminator_steps=discriminator_steps,
        generator_loss=generator_loss,
        seed=seed,
        name="gan",
    )
    model.compile(
        generator_optimizer=keras.optimizers.Adam(learning_rate, beta_1=beta_1),
        discriminator_optimizer=keras.optimizers.Adam(learning_rate, beta_1=beta_1),
    )
    return model


@register("dcgan", "DCGAN (Radford et al. 2015): strided (transposed) convolutions, batch norm, Adam(2e-4, 0.5).")
def dcgan(
    data_shape=(28, 28, 1),
    latent_dim=100,
    width=64,
    discriminator_steps=1,
    generator_loss="non-saturating",
    learning_rate=2e-4,
    beta_1=0.5,
    seed=None,
):
    data_shape = networks.check_data_shape(data_shape)
    if not networks.is_image_shape(data_shape):
        raise ValueError(f"dcgan is convolutional and needs image data (H, W, C); for vectors use 'gan'. Got {data_shape}.")
    model = GAN(
        networks.conv_generator(latent_dim, data_shape, width),
        networks.conv_discriminator(data_shape, width, normalization="batch"),
        latent_dim=latent_dim,
        discriminator_steps=discriminator_steps,
        generator_loss=generator_loss,
        seed=seed,
        name="dcgan",
    )
    model.compile(
        generator_optimizer=keras.optimizers.Adam(learning_rate, beta_1=beta_1),
        discriminator_optimizer=keras.optimizers.Adam(learning_rate, beta_1=beta_1),
    )
    return model
