"""Class-conditional GANs: cGAN (Mirza & Osindero 2014) and AC-GAN (Odena et al. 2017).

- cGAN: the label y is an input of both networks; D judges pairs, minimising
  -[log D(x, y) + log(1 - D(G(z, y), y))], and G minimises -log D(G(z, y), y).
- AC-GAN: only G takes y; D outputs a real/fake logit and class logits. With
  L_S = source log-likelihood and L_C = class log-likelihood (of real and generated examples),
  D maximises L_S + L_C and G maximises L_C - L_S (non-saturating form here).

Generated examples in a training step take the labels of the real batch, so they follow the
data's class frequencies.
"""

import keras
import numpy as np
from keras import ops

from keras_gen import networks
from keras_gen.models.gan import GAN, check_batch_shape
from keras_gen.zoo import register


def check_labels(labels, n, num_classes):
    """`labels` (an int, or n ints) as an int32 NumPy array of shape (n,), each in [0, num_classes)."""
    if labels is None:
        raise ValueError(
            f"This model is conditional: pass labels=..., an int in [0, {num_classes}) or one per "
            f"example (e.g. labels=np.arange({n}) % {num_classes})."
        )
    labels = np.asarray(labels)
    if not np.issubdtype(labels.dtype, np.integer):
        raise TypeError(f"labels must be integers in [0, {num_classes}); got dtype {labels.dtype}.")
    if labels.ndim == 0:
        labels = np.full((n,), labels)
    if labels.shape != (n,):
        raise ValueError(f"Expected one label per example, shape ({n},), or a single int; got shape {labels.shape}.")
    bad = labels[(labels < 0) | (labels >= num_classes)]
    if bad.size:
        raise ValueError(
            f"Labels must lie in [0, {num_classes}) for this model (num_classes={num_classes}); "
            f"got {sorted(set(bad.tolist()))[:5]}."
        )
    return labels.astype(np.int32)


def unpack_labelled(data, model_name):
    """fit's `(x, y)` batch; a batch without labels gets an error saying what to load instead."""
    if not isinstance(data, (tuple, list)) or len(data) < 2 or data[1] is None:
        raise ValueError(
            f"{model_name} is conditional and trains on (examples, labels) pairs, but the data has "
            f"no labels. Load labelled data, e.g. keras_gen.data.load('mnist-5k', require_labels=True) "
            f"or keras_gen.data.load((images, labels))."
        )
    return data[0], data[1]


@keras.saving.register_keras_serializable(package="keras_gen")
class ConditionalGAN(GAN):
    """cGAN (Mirza & Osindero 2014): generator G([z, y]) and discriminator D([x, y]) (one logit).

    Args:
        num_classes: number of classes; labels are ints in [0, num_classes).
        Other arguments as for `GAN` (`generator_loss` chooses G's loss in the same way).
    """

    def __init__(self, generator, discriminator, latent_dim, num_classes, **kwargs):
        super().__init__(generator, discriminator, latent_dim, **kwargs)
        if int(num_classes) < 2:
            raise ValueError(f"num_classes must be at least 2; got {num_classes}.")
        self.num_classes = int(num_classes)

    def call(self, inputs, training=False):
        z, labels = inputs
        return self.generator([z, labels], training=training)

    def generate(self, z, labels):
        """Deterministic: the generator's output for latent batch `z` and class `labels`.

        Labels given as Python or NumPy values are checked; backend tensors (e.g. inside an
        exported serving function) go to the generator as they are.
        """
        if isinstance(labels, (int, np.integer, list, tuple, np.ndarray)):
            labels = ops.convert_to_tensor(check_labels(labels, ops.shape(z)[0], self.num_classes))
        return self.generator([ops.convert_to_tensor(z, "float32"), labels], training=False)

    def sample(self, n, labels=None, seed=None, batch_size=256):
        """`n` samples of the given classes as a NumPy float32 array (images NHWC in [-1, 1]).

        `labels` is an int (all of one class) or n ints in [0, num_classes); the same integer
        `seed` gives the same samples on the same backend.
        """
        labels = check_labels(labels, n, self.num_classes)
        z = keras.random.normal((n, self.latent_dim), seed=seed)
        return self.generator.predict([z, labels], batch_size=batch_size, verbose=0)

    def discriminator_loss(self, real, labels, z):
        """-[log D(x, y) + log(1 - D(G(z, y), y))] on logits; returns (loss, extra logs)."""
        fake = ops.stop_gradient(self.generator([z, labels], training=True))
        real_logits = self.discriminator([real, labels], training=True)
        fake_logits = self.discriminator([fake, labels], training=True)
        return ops.mean(ops.softplus(-real_logits)) + ops.mean(ops.softplus(fake_logits)), {}

    def generator_loss(self, z, labels):
        fake_logits = self.discriminator([self.generator([z, labels], training=True), labels], training=True)
        if self.generator_loss_type == "minimax":
            return ops.mean(-ops.softplus(fake_logits))
        return ops.mean(ops.softplus(-fake_logits))

    def train_step(self, data):
        """Algorithm 1 of Goodfellow et al. 2014 with the real batch's labels given to both nets."""
        real, labels = unpack_labelled(data, type(self).__name__)
        check_batch_shape(real, self.data_shape, type(self).__name__)
        batch_size = ops.shape(real)[0]
        for _ in range(self.discriminator_steps):
            z = self.sample_latent(batch_size)
            d_loss, extra = self.minimize(
                lambda: self.discriminator_loss(real, labels, z),
                self.discriminator.trainable_variables,
                self.discriminator_optimizer,
            )
        z = self.sample_latent(batch_size)
        g_loss, _ = self.minimize(
            lambda: (self.generator_loss(z, labels), None),
            self.generator.trainable_variables,
            self.generator_optimizer,
        )
        return self.track_losses(d_loss=d_loss, g_loss=g_loss, **extra)

    def get_config(self):
        return {**super().get_config(), "num_classes": self.num_classes}


@keras.saving.register_keras_serializable(package="keras_gen")
class ACGAN(ConditionalGAN):
    """AC-GAN (Odena et al. 2017): G([z, y]); D(x) gives 1 + num_classes logits, the first
    real-vs-fake, the others the class. Reports D's class loss on real data as `class_loss`."""

    loss_names = ("d_loss", "g_loss", "class_loss")

    def split_logits(self, x):
        logits = self.discriminator(x, training=True)
        return logits[:, 0], logits[:, 1:]

    def class_loss(self, class_logits, labels):
        return ops.mean(ops.sparse_categorical_crossentropy(labels, class_logits, from_logits=True))

    def discriminator_loss(self, real, labels, z):
        """-(L_S + L_C): source and class log-likelihoods of real and generated examples."""
        fake = ops.stop_gradient(self.generator([z, labels], training=True))
        real_source, real_class = self.split_logits(real)
        fake_source, fake_class = self.split_logits(fake)
        source = ops.mean(ops.softplus(-real_source)) + ops.mean(ops.softplus(fake_source))
        real_class_loss = self.class_loss(real_class, labels)
        loss = source + real_class_loss + self.class_loss(fake_class, labels)
        return loss, {"class_loss": ops.stop_gradient(real_class_loss)}

    def generator_loss(self, z, labels):
        """-L_C - log D_source(G(z, y)) (or + log(1 - D_source) for "minimax")."""
        fake_source, fake_class = self.split_logits(self.generator([z, labels], training=True))
        if self.generator_loss_type == "minimax":
            source = ops.mean(-ops.softplus(fake_source))
        else:
            source = ops.mean(ops.softplus(-fake_source))
        return source + self.class_loss(fake_class, labels)


def _conditional_networks(data_shape, num_classes, latent_dim, width, hidden_units, discriminator_labels):
    """Generator taking [z, y]; discriminator taking [x, y] (cGAN) or x with 1 + num_classes
    logits (AC-GAN). DCGAN-style convolutions for images, MLPs for vectors."""
    data_shape = networks.check_data_shape(data_shape)
    d_options = (
        {"num_classes": num_classes} if discriminator_labels else {"outputs": 1 + num_classes}
    )
    if networks.is_image_shape(data_shape):
        return (
            networks.conv_generator(latent_dim, data_shape, width, num_classes=num_classes),
            networks.conv_discriminator(data_shape, width, normalization="batch", **d_options),
        )
    return (
        networks.mlp_generator(latent_dim, data_shape, hidden_units, num_classes=num_classes),
        networks.mlp_discriminator(data_shape, hidden_units, **d_options),
    )


def _build(cls, name, data_shape, num_classes, latent_dim, width, hidden_units, learning_rate, beta_1, seed):
    generator, discriminator = _conditional_networks(
        data_shape, num_classes, latent_dim, width, hidden_units, discriminator_labels=cls is ConditionalGAN
    )
    model = cls(generator, discriminator, latent_dim=latent_dim, num_classes=num_classes, seed=seed, name=name)
    model.compile(
        generator_optimizer=keras.optimizers.Adam(learning_rate, beta_1=beta_1),
        discriminator_optimizer=keras.optimizers.Adam(learning_rate, beta_1=beta_1),
    )
    return model


@register("cgan", "Conditional GAN (Mirza & Osindero 2014): class label given to G and D; DCGAN nets for images.")
def cgan(
    data_shape=(28, 28, 1),
    num_classes=10,
    latent_dim=100,
    width=64,
    hidden_units=(256, 256),
    learning_rate=2e-4,
    beta_1=0.5,
    seed=None,
):
    return _build(ConditionalGAN, "cgan", data_shape, num_classes, latent_dim, width, hidden_units, learning_rate, beta_1, seed)


@register("acgan", "AC-GAN (Odena et al. 2017): label given to G, D also predicts the class; DCGAN nets for images.")
def acgan(
    data_shape=(28, 28, 1),
    num_classes=10,
    latent_dim=100,
    width=64,
    hidden_units=(256, 256),
    learning_rate=2e-4,
    beta_1=0.5,
    seed=None,
):
    return _build(ACGAN, "acgan", data_shape, num_classes, latent_dim, width, hidden_units, learning_rate, beta_1, seed)
