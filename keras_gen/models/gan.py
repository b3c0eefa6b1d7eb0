"""The GAN family: one training algorithm, with the parts that vary given as values.

`GAN.train_step` is Algorithm 1 of Goodfellow et al. (2014), which WGAN (Arjovsky et al. 2017)
and WGAN-GP (Gulrajani et al. 2017) keep: k times, sample a real minibatch and noise and update
the discriminator (critic); then sample noise and update the generator. What changes between the
papers is chosen, not subclassed:

- the adversarial loss, by name (`keras_gen.losses`): "non-saturating", "minimax", "hinge",
  "wasserstein";
- critic regularisers (`keras_gen.regularizers`): `GradientPenalty`, `WeightClipping`,
  `SpectralNorm`;
- conditioning, a property of the networks (`keras_gen.networks`): with `num_classes` the generator
  takes [z, labels] and the discriminator either takes [x, labels] ("concat" as in cGAN, Mirza &
  Osindero 2014; "projection", Miyato & Koyama 2018) or predicts the class with 1 + num_classes
  logits (AC-GAN, Odena et al. 2017), or both; with `clusters` an unconditional GAN conditions its
  networks on clusters of its own data (self-conditioned GAN, Liu et al. 2020);
- the networks: MLPs for vectors, DCGAN convolutions (Radford et al. 2015) for images.

`WGAN`, `WGANGP` and `SNGAN` are configurations of `GAN`: the paper's defaults (loss, regulariser,
n_critic, optimizers), and a check of the defining regulariser, whoever builds them.
"""

import keras
from keras import ops

from keras_gen import augment as augmentation
from keras_gen import checks, losses, networks
from keras_gen.layers.clusters import MAX_EXAMPLES, Clusters
from keras_gen.models.base import GenerativeModel, first_batch, read_examples
from keras_gen.models.capabilities import LatentVariableModel
from keras_gen.regularizers import GradientPenalty, SpectralNorm, WeightClipping
from keras_gen.zoo import register


@keras.saving.register_keras_serializable(package="keras_gen")
class GAN(LatentVariableModel, GenerativeModel):
    """A generator G(z[, y]) and a discriminator D(x[, y]) trained adversarially.

    Args:
        generator: a Keras model from z (batch, latent_dim), and integer labels when conditional,
            to data.
        discriminator: a Keras model from data (and labels, if it takes them) to one score per
            example, or to 1 + num_classes logits (an auxiliary classifier).
        loss: the adversarial loss, a name from `keras_gen.losses.ADVERSARIAL_LOSSES`.
        regularizers: critic regularisers (`keras_gen.regularizers`), applied in order.
        discriminator_steps: k (n_critic), discriminator updates per generator update.
        fresh_real_batches: True (the papers' Algorithm 1): each of the k discriminator steps uses
            its own real minibatch, so a batch from `fit` of k * m examples gives k minibatches
            of m (use `minibatches_per_step` to size fit's batches). False: every step reuses
            the whole batch.
        class_loss_weight: weight of the auxiliary classifier's cross-entropy (AC-GAN).
        classify_fakes: whether the discriminator's classifier also learns the class asked of
            each generated example (Odena et al. 2017: True) or only the real examples' classes
            (False). Learning from fakes, it can learn to call a badly drawn class by the label
            asked, artefacts and all, and then the generator is never pushed to draw that class.
        augment: None, or the DiffAugment policy (Zhao et al. 2020), e.g. "translation,cutout": a
            random differentiable transform of every image the discriminator sees in training, real
            or fake, in the losses and the critic regularisers alike, so that it cannot memorise a
            small training set (`keras_gen.augment`).
        ema: None, or the decay of an exponential moving average of the generator's weights
            (e.g. 0.999), kept beside the trained generator and used to generate: averaged
            weights give smoother, better samples than the last iterate (Yazici et al. 2019;
            an option of StudioGAN).
        num_classes: class-conditional when set (see `GenerativeModel`).
        clusters: None, or a `keras_gen.layers.Clusters` of the training data (Liu et al. 2020):
            the networks take cluster labels as a conditional GAN's take classes, real examples
            are labelled with their cluster, and the GAN stays unconditional to its user:
            z's first coordinate picks the cluster (`Clusters.draw`) and the rest is the
            generator's latent. `fit` adapts the clusters to its data first unless
            `adapt_clusters` already did.
        seed: seed of the training noise.

    `fit` reports `d_loss`, `g_loss` (and `class_loss`, the penalties), and `loss`, their sum d_loss
    + g_loss: no network's objective, but the key Keras callbacks such as `TerminateOnNaN` watch,
    so that a NaN in either network stops training.
    """

    optimizer_roles = ("generator", "discriminator")
    network_names = ("generator", "discriminator")

    def __init__(
        self,
        generator,
        discriminator,
        loss="non-saturating",
        regularizers=(),
        discriminator_steps=1,
        fresh_real_batches=True,
        class_loss_weight=1.0,
        classify_fakes=True,
        augment=None,
        ema=None,
        num_classes=None,
        clusters=None,
        seed=None,
        **kwargs,
    ):
        regularizers = list(regularizers)
        class_logits = num_classes is not None and discriminator.output.shape[-1] == 1 + num_classes
        loss_names = ("loss", "d_loss", "g_loss", *(["class_loss"] if class_logits else []), *(r.name for r in regularizers if r.name))
        super().__init__(num_classes=num_classes, seed=seed, loss_names=loss_names, **kwargs)
        self.generator = generator
        self.discriminator = discriminator
        self.clusters = clusters
        self.regularizers = regularizers
        self.adversarial_loss_name = loss
        self.adversarial_loss = losses.get(loss)
        self.discriminator_steps = checks.integer("discriminator_steps", discriminator_steps, minimum=1)
        self.fresh_real_batches = bool(fresh_real_batches)
        self.ema = None if ema is None else checks.number("ema (the average's decay)", ema, minimum=0.0)
        if self.ema is not None and self.ema >= 1.0:
            raise ValueError(f"ema is the decay of the average of the generator's weights, below 1 (e.g. 0.999); got {ema}.")
        self.averaged_generator = None
        if self.ema is not None:
            self.averaged_generator = keras.models.clone_model(generator)
            self.averaged_generator.set_weights(generator.get_weights())
            self.averaged_generator.trainable = False  # updated by averaging, never by an optimizer
        self.class_loss_weight = checks.number("class_loss_weight", class_loss_weight, minimum=0.0)
        self.classify_fakes = bool(classify_fakes)
        self.generator_latent_dim = int(generator.inputs[0].shape[-1])
        self.latent_dim = self.generator_latent_dim + (clusters is not None)  # z_0 picks the cluster
        self.data_shape = tuple(generator.output.shape[1:])
        self._check_conditioning()
        self.augmentation = augmentation.parse_policy(augment)
        if self.augmentation and not networks.is_image_shape(self.data_shape):
            raise ValueError(f"augment transforms images (H, W, C); this GAN makes {self.data_shape}. Leave augment=None.")
        for regularizer in self.regularizers:
            regularizer.check(discriminator)
        self.built = True  # both networks are built; fit must not try to build the GAN on data

    def _check_conditioning(self):
        self.generator_takes_labels = len(self.generator.inputs) == 2
        self.discriminator_takes_labels = len(self.discriminator.inputs) == 2
        outputs = self.discriminator.output.shape[-1]
        self.auxiliary_classifier = self.conditional and outputs == 1 + self.num_classes
        if self.clusters is not None:
            if self.conditional:
                raise ValueError(
                    "clusters makes an unconditional GAN label its data with clusters of its own; num_classes makes "
                    "it take given labels. Pass one of them."
                )
            if not (self.generator_takes_labels and self.discriminator_takes_labels and outputs == 1):
                raise ValueError(
                    f"A self-conditioned GAN's generator takes [z, cluster] and its discriminator [x, cluster] "
                    f"(build the networks with num_classes={self.clusters.num_clusters})."
                )
            return
        if not self.conditional:
            if self.generator_takes_labels or self.discriminator_takes_labels:
                raise ValueError("These networks take labels: pass num_classes to make a conditional GAN.")
            if outputs != 1:
                raise ValueError(f"The discriminator must give one score per example; it gives {outputs}.")
            return
        if not self.generator_takes_labels:
            raise ValueError("A conditional GAN's generator must take [z, labels] (build it with num_classes).")
        if outputs != 1 and not self.auxiliary_classifier:
            raise ValueError(
                f"A conditional discriminator gives 1 score, or 1 + num_classes = {1 + self.num_classes} "
                f"logits (an auxiliary classifier); this one gives {outputs}."
            )
        if not (self.discriminator_takes_labels or self.auxiliary_classifier):
            raise ValueError(
                "A conditional GAN's discriminator must see the label (take [x, labels]) or predict it "
                "(1 + num_classes logits, AC-GAN); this one does neither."
            )

    def default_optimizers(self):
        """Adam(2e-4, beta_1=0.5) for both networks (Radford et al. 2015)."""
        return {role: keras.optimizers.Adam(2e-4, beta_1=0.5) for role in self.optimizer_roles}

    @property
    def generator_optimizer(self):
        return self.optimizers_by_role["generator"]

    @property
    def discriminator_optimizer(self):
        return self.optimizers_by_role["discriminator"]

    @property
    def minibatches_per_step(self):
        """How many minibatches one train step consumes: fit's batch size is this times the
        minibatch size."""
        return self.discriminator_steps if self.fresh_real_batches else 1

    # -- the networks ------------------------------------------------------------------------

    def call(self, z, labels=None, training=False):
        if self.clusters is not None:
            labels, z = self.clusters.draw(z)
        return self.generator(self._with_labels(z, labels), training=training)

    @staticmethod
    def _with_labels(x, labels):
        return x if labels is None else [x, labels]

    def generate(self, z, labels=None):
        """Deterministic: G(z[, labels]) in inference mode, as a backend tensor; with `ema`, the
        generator with averaged weights. NumPy `z` goes through `compiled_generate`."""
        if not ops.is_tensor(z):
            return self.compiled_generate(z, labels)
        z = ops.convert_to_tensor(z, "float32")
        labels = self.label_tensor(labels, ops.shape(z)[0])
        if self.clusters is not None:
            labels, z = self.clusters.draw(z)
        generator = self.generator if self.averaged_generator is None else self.averaged_generator
        return generator(self._with_labels(z, labels), training=False)

    def update_average(self):
        """w_avg <- d * w_avg + (1 - d) * w after generator step t, with d = min(ema, (1 + t) / (10 + t))
        so that early steps, far from the final weights, are soon forgotten (the warm-up of
        TensorFlow's ExponentialMovingAverage); the batch-norm statistics are the generator's own."""
        steps = ops.cast(self.generator_optimizer.iterations, "float32")
        decay = ops.minimum(self.ema, (1.0 + steps) / (10.0 + steps))
        for average, weight in zip(self.averaged_generator.weights, self.generator.weights):
            if weight.trainable:
                average.assign(decay * average + (1.0 - decay) * weight)
            else:
                average.assign(weight)

    def discriminate(self, x, labels, training=True):
        """(scores (batch,), class logits (batch, num_classes) or None) of the discriminator; in
        training, of the images through the `augment` policy's random transform."""
        if training and self.augmentation:
            x = augmentation.apply(x, self.augmentation, lambda shape: self.training_noise("uniform", shape))
        outputs = self.discriminator(self._with_labels(x, labels) if self.discriminator_takes_labels else x, training=training)
        outputs = ops.cast(outputs, "float32")  # losses in float32 under a mixed-precision policy
        return outputs[:, 0], (outputs[:, 1:] if self.auxiliary_classifier else None)

    def sample_latent(self, batch_size):
        """The generator's latent input in training (a self-conditioned GAN's takes the cluster apart)."""
        return self.training_noise("normal", (batch_size, self.generator_latent_dim))

    # -- the objectives ----------------------------------------------------------------------

    def discriminator_objective(self, real, fake, labels, training=True):
        """The discriminator's loss on a real and a generated minibatch, with its logs."""
        real_scores, real_classes = self.discriminate(real, labels, training)
        fake_scores, fake_classes = self.discriminate(fake, labels, training)
        loss = ops.mean(self.adversarial_loss.discriminator(real_scores, fake_scores))
        logs = {}
        if self.auxiliary_classifier:
            real_class_loss = ops.mean(losses.class_cross_entropy(labels, real_classes))
            class_loss = real_class_loss
            if self.classify_fakes:
                class_loss = class_loss + ops.mean(losses.class_cross_entropy(labels, fake_classes))
            loss = loss + self.class_loss_weight * class_loss
            logs["class_loss"] = real_class_loss
        for regularizer in self.regularizers:
            penalty = regularizer.penalty(lambda x: self.discriminate(x, labels, training)[0], real, fake, self.training_noise)
            if penalty is not None:
                loss = loss + penalty
                logs[regularizer.name] = penalty
        return loss, logs

    def generator_objective(self, z, labels, training=True):
        fake = self.generator(self._with_labels(z, labels), training=training)
        fake_scores, fake_classes = self.discriminate(fake, labels, training)
        loss = ops.mean(self.adversarial_loss.generator(fake_scores))
        if self.auxiliary_classifier:
            loss = loss + self.class_loss_weight * ops.mean(losses.class_cross_entropy(labels, fake_classes))
        return loss

    def real_minibatches(self, real, labels):
        """The k real minibatches (with their labels) of one train step: consecutive slices of
        batch // k examples. A batch of fewer than k examples (an epoch's last, partial batch)
        gives minibatches of one example, taken in turn."""
        k = self.discriminator_steps
        if not self.fresh_real_batches:
            return [(real, labels)] * k
        batch = ops.shape(real)[0]  # an int, or a tensor where TensorFlow traces a dynamic batch size
        size = max(batch // k, 1) if isinstance(batch, int) else ops.maximum(batch // k, 1)
        minibatches = []
        for i in range(k):
            rows = (ops.arange(size) + i * size) % batch
            minibatches.append((ops.take(real, rows, axis=0), None if labels is None else ops.take(labels, rows, axis=0)))
        return minibatches

    def adapt_clusters(self, x, seed=0):
        """Cluster the training data `x` (an array or a tf.data dataset, labelled or not; its first
        `MAX_EXAMPLES` examples) for a self-conditioned GAN (see `keras_gen.layers.Clusters`);
        `fit` calls it when it has not run."""
        if self.clusters is None:
            raise ValueError(f"{self.name} has no clusters to adapt: build it with clusters=K (e.g. 50).")
        self.clusters.adapt(read_examples(x, limit=MAX_EXAMPLES), seed=seed)

    def fit(self, x=None, y=None, *args, **kwargs):
        if self.clusters is not None and not self.clusters.adapted:
            self.check_batch(*first_batch(x, y, kwargs.get("batch_size")))  # refuse bad data before clustering it
            self.adapt_clusters(x)
        return super().fit(x, y, *args, **kwargs)

    def unpack(self, data):
        """fit's batch as `(x, labels, sample_weight)`; a self-conditioned GAN's labels are the
        examples' clusters."""
        real, labels, sample_weight = super().unpack(data)
        return real, (labels if self.clusters is None else self.clusters(real)), sample_weight

    def train_step(self, data):
        """Algorithm 1 (Goodfellow et al. 2014): k discriminator steps, each on its own real
        minibatch and fresh noise, then one generator step."""
        real, labels, sample_weight = self.unpack(data)
        if sample_weight is not None:
            raise ValueError(f"{self.name} does not use sample_weight: a GAN matches the data's distribution; resample the data instead.")
        for real_batch, batch_labels in self.real_minibatches(real, labels):
            z = self.sample_latent(ops.shape(real_batch)[0])
            fake = ops.stop_gradient(self.generator(self._with_labels(z, batch_labels), training=True))
            d_loss, logs = self.minimize(
                lambda: self.discriminator_objective(real_batch, fake, batch_labels),
                self.discriminator.trainable_variables,
                self.discriminator_optimizer,
            )
            for regularizer in self.regularizers:
                regularizer.after_update(self.discriminator)
        z = self.sample_latent(ops.shape(real_batch)[0])
        g_loss, _ = self.minimize(
            lambda: (self.generator_objective(z, batch_labels), None),
            self.generator.trainable_variables,
            self.generator_optimizer,
        )
        if self.averaged_generator is not None:
            self.update_average()
        return self.track_losses(loss=d_loss + g_loss, d_loss=d_loss, g_loss=g_loss, **logs)

    def test_step(self, data):
        """Both networks' losses on held-out data, without updates."""
        real, labels, _ = self.unpack(data)
        z = self.sample_latent(ops.shape(real)[0])
        fake = self.generator(self._with_labels(z, labels), training=False)
        d_loss, logs = self.discriminator_objective(real, fake, labels, training=False)
        g_loss = self.generator_objective(z, labels, training=False)
        return self.track_losses(loss=d_loss + g_loss, d_loss=d_loss, g_loss=g_loss, **logs)

    def get_config(self):
        return {
            **super().get_config(),
            "loss": self.adversarial_loss_name,
            "regularizers": [keras.saving.serialize_keras_object(r) for r in self.regularizers],
            "discriminator_steps": self.discriminator_steps,
            "fresh_real_batches": self.fresh_real_batches,
            "class_loss_weight": self.class_loss_weight,
            "classify_fakes": self.classify_fakes,
            "augment": ",".join(self.augmentation) or None,
            "ema": self.ema,
            "clusters": None if self.clusters is None else keras.saving.serialize_keras_object(self.clusters),
        }

    @classmethod
    def from_config(cls, config):
        clusters = config.get("clusters")
        config = {
            **config,
            "regularizers": [keras.saving.deserialize_keras_object(r) for r in config["regularizers"]],
            "clusters": None if clusters is None else keras.saving.deserialize_keras_object(clusters),
        }
        return super().from_config(config)


def _require(model, regularizer_type, what):
    if not any(isinstance(r, regularizer_type) for r in model.regularizers):
        raise ValueError(f"{type(model).__name__} is defined by {what}: pass a {regularizer_type.__name__} in regularizers.")


@keras.saving.register_keras_serializable(package="keras_gen")
class WGAN(GAN):
    """WGAN (Arjovsky et al. 2017, Algorithm 1): the Wasserstein loss, every critic weight clipped
    to [-c, c] (c = 0.01) after each update, n_critic = 5, RMSProp(5e-5)."""

    def __init__(self, generator, discriminator, loss="wasserstein", regularizers=None, discriminator_steps=5, **kwargs):
        regularizers = [WeightClipping(0.01)] if regularizers is None else regularizers
        super().__init__(generator, discriminator, loss, regularizers, discriminator_steps, **kwargs)
        _require(self, WeightClipping, "weight clipping")

    def default_optimizers(self):
        return {role: keras.optimizers.RMSprop(5e-5) for role in self.optimizer_roles}


@keras.saving.register_keras_serializable(package="keras_gen")
class WGANGP(GAN):
    """WGAN-GP (Gulrajani et al. 2017, Algorithm 1): the Wasserstein loss with the gradient penalty
    (lambda = 10), n_critic = 5, Adam(1e-4, beta_1=0, beta_2=0.9), no batch norm in the critic."""

    def __init__(self, generator, discriminator, loss="wasserstein", regularizers=None, discriminator_steps=5, **kwargs):
        regularizers = [GradientPenalty(10.0)] if regularizers is None else regularizers
        super().__init__(generator, discriminator, loss, regularizers, discriminator_steps, **kwargs)
        _require(self, GradientPenalty, "the gradient penalty")

    def default_optimizers(self):
        return {role: keras.optimizers.Adam(1e-4, beta_1=0.0, beta_2=0.9) for role in self.optimizer_roles}


@keras.saving.register_keras_serializable(package="keras_gen")
class SNGAN(GAN):
    """SN-GAN (Miyato et al. 2018): a spectrally normalised discriminator, the hinge loss, one D
    step per G step, Adam(2e-4, beta_1=0.5, beta_2=0.999) (the paper's setting C)."""

    def __init__(self, generator, discriminator, loss="hinge", regularizers=None, discriminator_steps=1, **kwargs):
        regularizers = [SpectralNorm()] if regularizers is None else regularizers
        super().__init__(generator, discriminator, loss, regularizers, discriminator_steps, **kwargs)
        _require(self, SpectralNorm, "spectral normalisation")

    def default_optimizers(self):
        return {role: keras.optimizers.Adam(2e-4, beta_1=0.5, beta_2=0.999) for role in self.optimizer_roles}


# -- zoo entries ------------------------------------------------------------------------------


def gan_networks(data_shape, latent_dim, width, hidden_units, normalization, spectral_norm, num_classes, conditioning,
                 discriminator_dropout=0.0, generator_batch_norm=False):
    """(generator, discriminator): DCGAN convolutions for images (or MLPs when `width` is None),
    MLPs for vectors; `discriminator_dropout` in the MLP discriminator's hidden layers and
    `generator_batch_norm` in the MLP generator's."""
    data_shape = networks.check_data_shape(data_shape)
    latent_dim = checks.integer("latent_dim", latent_dim, minimum=1)
    labels = {"num_classes": num_classes, "conditioning": conditioning}
    if networks.is_image_shape(data_shape) and width is not None:
        width = checks.integer("width", width, minimum=1)
        return (
            networks.conv_generator(latent_dim, data_shape, width, num_classes=num_classes),
            networks.conv_discriminator(data_shape, width, normalization, spectral_norm, **labels),
        )
    hidden_units = checks.integers("hidden_units", hidden_units)
    return (
        networks.mlp_generator(latent_dim, data_shape, hidden_units, num_classes=num_classes,
                               batch_norm=generator_batch_norm),
        networks.mlp_discriminator(data_shape, hidden_units, spectral_norm, dropout=discriminator_dropout, **labels),
    )


def build_gan(model_class, name, optimizer, *, data_shape, latent_dim, width, hidden_units, normalization="batch",
              spectral_norm=False, num_classes=None, conditioning="concat", clusters=None, discriminator_dropout=0.0,
              generator_batch_norm=False, **model_options):
    """A compiled `model_class` with `gan_networks`; `model_options` go to the model. `clusters=K`
    makes it self-conditioned: networks conditional on K clusters of the data (`Clusters`)."""
    if clusters is not None:
        if num_classes is not None:
            raise ValueError(
                "clusters=K labels the data with K clusters of its own (an unconditional, self-conditioned GAN); "
                "num_classes makes a GAN conditional on given labels. Pass one of them."
            )
        clusters = Clusters(checks.integer("clusters", clusters, minimum=2), networks.check_data_shape(data_shape))
        latent_dim = checks.integer("latent_dim", latent_dim, minimum=2) - 1  # z_0 picks the cluster
    network_classes = num_classes if clusters is None else clusters.num_clusters
    generator, discriminator = gan_networks(
        data_shape, latent_dim, width, hidden_units, normalization, spectral_norm, network_classes, conditioning,
        discriminator_dropout, generator_batch_norm,
    )
    model = model_class(generator, discriminator, num_classes=num_classes, clusters=clusters, name=name, **model_options)
    model.compile(optimizer=optimizer)
    return model


def _adam(learning_rate, beta_1, beta_2=0.999):
    learning_rate = checks.number("learning_rate", learning_rate, exclusive_minimum=0.0)
    return keras.optimizers.Adam(learning_rate, beta_1=checks.number("beta_1", beta_1, minimum=0.0), beta_2=beta_2)


@register("gan", "GAN (Goodfellow et al. 2014): MLP generator and discriminator, Algorithm 1 with k D-steps.")
def gan(data_shape=(28, 28, 1), latent_dim=64, hidden_units=(256, 256), discriminator_steps=1, loss="non-saturating",
        num_classes=None, clusters=None, learning_rate=2e-4, beta_1=0.5, augment=None, ema=None, discriminator_dropout=0.0,
        generator_batch_norm=False, seed=None):
    discriminator_dropout = checks.number("discriminator_dropout (the rate of dropped units)", discriminator_dropout,
                                          minimum=0.0, exclusive_maximum=1.0)
    generator_batch_norm = checks.boolean("generator_batch_norm", generator_batch_norm)
    return build_gan(GAN, "gan", _adam(learning_rate, beta_1), data_shape=data_shape, latent_dim=latent_dim, width=None,
                     hidden_units=hidden_units, num_classes=num_classes, clusters=clusters, loss=loss,
                     discriminator_steps=discriminator_steps, augment=augment, ema=ema,
                     discriminator_dropout=discriminator_dropout, generator_batch_norm=generator_batch_norm, seed=seed)


@register("dcgan", "DCGAN (Radford et al. 2015): strided (transposed) convolutions, batch norm, Adam(4e-4, 0.5), EMA.")
def dcgan(data_shape=(28, 28, 1), latent_dim=64, width=32, discriminator_steps=1, loss="non-saturating",
          num_classes=None, clusters=None, learning_rate=4e-4, beta_1=0.5, augment=None, ema=0.999, seed=None):
    """The paper's architecture and Adam's beta_1, tuned for small digit sets (measured in
    zoo/dcgan): width 32 and latent 64 (28x28 digits need fewer filters than 64x64 photos), twice
    the paper's learning rate (a few thousand steps, not the paper's tens of thousands) and an EMA
    of the generator's weights."""
    if not networks.is_image_shape(networks.check_data_shape(data_shape)):
        raise ValueError(f"dcgan is convolutional and needs image data (H, W, C); for vectors use 'gan'. Got {data_shape}.")
    return build_gan(GAN, "dcgan", _adam(learning_rate, beta_1), data_shape=data_shape, latent_dim=latent_dim,
                     width=width, hidden_units=None, num_classes=num_classes, clusters=clusters, loss=loss,
                     discriminator_steps=discriminator_steps, augment=augment, ema=ema, seed=seed)


@register("wgan", "WGAN (Arjovsky et al. 2017): critic with weight clipping c=0.01, RMSProp(5e-5), n_critic=5.")
def wgan(data_shape=(28, 28, 1), latent_dim=100, width=64, hidden_units=(256, 256), n_critic=5, clip_value=0.01,
         num_classes=None, clusters=None, learning_rate=5e-5, augment=None, ema=None, seed=None):
    """DCGAN nets with batch norm in the critic (as in the paper) for images, MLPs for vectors."""
    optimizer = keras.optimizers.RMSprop(checks.number("learning_rate", learning_rate, exclusive_minimum=0.0))
    return build_gan(WGAN, "wgan", optimizer, data_shape=data_shape, latent_dim=latent_dim, width=width,
                     hidden_units=hidden_units, num_classes=num_classes, clusters=clusters,
                     regularizers=[WeightClipping(clip_value)],
                     discriminator_steps=n_critic, augment=augment, ema=ema, seed=seed)


@register("wgan-gp", "WGAN-GP (Gulrajani et al. 2017): gradient penalty lambda=10, Adam(1e-4, 0, 0.9), n_critic=5.")
def wgan_gp(data_shape=(28, 28, 1), latent_dim=100, width=64, hidden_units=(256, 256), n_critic=5,
            gradient_penalty_weight=10.0, normalization="layer", num_classes=None, conditioning="concat", clusters=None,
            learning_rate=1e-4, beta_1=0.0, beta_2=0.9, augment=None, ema=None, seed=None):
    """Layer norm (or none) in the critic, never batch norm, which would couple the per-example
    penalty across the batch. With num_classes, a conditional WGAN-GP."""
    return build_gan(WGANGP, "wgan_gp", _adam(learning_rate, beta_1, beta_2), data_shape=data_shape,
                     latent_dim=latent_dim, width=width, hidden_units=hidden_units, normalization=normalization,
                     num_classes=num_classes, conditioning=conditioning, clusters=clusters,
                     regularizers=[GradientPenalty(gradient_penalty_weight)], discriminator_steps=n_critic,
                     augment=augment, ema=ema, seed=seed)


@register("sngan", "SN-GAN (Miyato et al. 2018): spectral norm on every D layer, hinge loss, Adam(2e-4, 0.5, 0.999).")
def sngan(data_shape=(28, 28, 1), latent_dim=100, width=64, hidden_units=(256, 256), discriminator_steps=1,
          num_classes=None, conditioning="projection", clusters=None, learning_rate=2e-4, beta_1=0.5, beta_2=0.999,
          augment=None, ema=None, seed=None):
    """No other normalisation in the discriminator; conditional models use the projection
    discriminator by default (Miyato & Koyama 2018)."""
    return build_gan(SNGAN, "sngan", _adam(learning_rate, beta_1, beta_2), data_shape=data_shape,
                     latent_dim=latent_dim, width=width, hidden_units=hidden_units, normalization="none",
                     spectral_norm=True, num_classes=num_classes, conditioning=conditioning, clusters=clusters,
                     discriminator_steps=discriminator_steps, augment=augment, ema=ema, seed=seed)


@register("cgan", "Conditional GAN (Mirza & Osindero 2014): label given to G and D ('concat' or 'projection').")
def cgan(data_shape=(28, 28, 1), num_classes=10, latent_dim=100, width=64, hidden_units=(256, 256),
         conditioning="concat", loss="non-saturating", learning_rate=2e-4, beta_1=0.5, augment=None, ema=None, seed=None):
    """DCGAN nets for images, MLPs for vectors; conditioning="projection" gives the projection
    discriminator of Miyato & Koyama (2018)."""
    if conditioning == "auxiliary":
        raise ValueError("cgan's discriminator sees the label; for an auxiliary classifier use the 'acgan' entry.")
    return build_gan(GAN, "cgan", _adam(learning_rate, beta_1), data_shape=data_shape, latent_dim=latent_dim,
                     width=width, hidden_units=hidden_units, num_classes=num_classes, conditioning=conditioning,
                     loss=loss, augment=augment, ema=ema, seed=seed)


@register("acgan", "AC-GAN (Odena et al. 2017): label given to G, D also predicts the class; DCGAN nets for images.")
def acgan(data_shape=(28, 28, 1), num_classes=10, latent_dim=100, width=64, hidden_units=(256, 256),
          loss="non-saturating", spectral_norm=False, classify_fakes=False, learning_rate=2e-4, beta_1=0.5, augment=None,
          ema=None, seed=None):
    """The auxiliary classifier learns from real examples only (classify_fakes=False; the paper's
    True also trains it on the generated ones, and then drew the class asked for 80.7% of the time
    against 97.2% on mnist-5k, see zoo/acgan). loss="hinge" with spectral_norm=True gives the
    AC-GAN variant of Miyato et al.'s recipe."""
    return build_gan(GAN, "acgan", _adam(learning_rate, beta_1), data_shape=data_shape, latent_dim=latent_dim,
                     width=width, hidden_units=hidden_units, normalization="none" if spectral_norm else "batch",
                     spectral_norm=spectral_norm, num_classes=num_classes, conditioning="auxiliary", loss=loss,
                     regularizers=[SpectralNorm()] if spectral_norm else [], classify_fakes=classify_fakes, augment=augment, ema=ema,
                     seed=seed)
