"""Combinations the parts allow that no class was written for: each trains through fit on the
current KERAS_BACKEND, and its conditioning is wired as declared."""

import keras
import numpy as np
import pytest

from keras_gen import zoo
from keras_gen.layers import SpectralNormalization
from keras_gen.regularizers import GradientPenalty, SpectralNorm

COMBINATIONS = {
    "conditional wgan-gp": ("wgan-gp", dict(num_classes=3, n_critic=2)),
    "acgan, hinge loss, spectral norm": ("acgan", dict(num_classes=3, loss="hinge", spectral_norm=True)),
    "projection-discriminator cgan": ("cgan", dict(num_classes=3, conditioning="projection")),
    "conditional sngan (projection)": ("sngan", dict(num_classes=3)),
}


def labelled(n=16, shape=(16, 16, 1)):
    rng = np.random.default_rng(0)
    return rng.uniform(-1, 1, (n, *shape)).astype("float32"), (np.arange(n) % 3).astype("int32")


@pytest.mark.parametrize("combination", sorted(COMBINATIONS))
def test_conditional_gan_combinations_train_through_fit(combination):
    entry, options = COMBINATIONS[combination]
    model = zoo.build(entry, data_shape=(16, 16, 1), latent_dim=4, width=2, **options)
    images, labels = labelled()
    history = model.fit(images, labels, batch_size=4 * model.minibatches_per_step, epochs=1, verbose=0)
    assert all(np.isfinite(v).all() for v in history.history.values())
    steps = len(images) // (4 * model.minibatches_per_step)
    assert int(model.generator_optimizer.iterations) == steps
    assert int(model.discriminator_optimizer.iterations) == steps * model.discriminator_steps
    z = keras.random.normal((3, 4), seed=0)
    first, second = (keras.ops.convert_to_numpy(model.generate(z, np.array(y))) for y in ([0, 1, 2], [2, 0, 1]))
    assert not np.allclose(first, second)  # the label reaches the generator


def test_each_combination_is_what_it_says():
    acgan = zoo.build("acgan", data_shape=(16, 16, 1), latent_dim=4, width=2, num_classes=3, loss="hinge", spectral_norm=True)
    assert acgan.auxiliary_classifier and not acgan.discriminator_takes_labels
    assert acgan.adversarial_loss_name == "hinge" and any(isinstance(r, SpectralNorm) for r in acgan.regularizers)
    assert any(isinstance(layer, SpectralNormalization) for layer in acgan.discriminator.layers)
    assert "class_loss" in acgan.loss_names
    projection = zoo.build("cgan", data_shape=(16, 16, 1), latent_dim=4, width=2, num_classes=3, conditioning="projection")
    assert projection.discriminator_takes_labels and "label_projection" in [l.name for l in projection.discriminator.layers]
    images, labels = labelled(3)
    judge = lambda y: keras.ops.convert_to_numpy(projection.discriminator([images, y], training=False))
    assert not np.allclose(judge(labels), judge((labels + 1) % 3))  # the projection term depends on y
    wgan_gp = zoo.build("wgan-gp", data_shape=(16, 16, 1), latent_dim=4, width=2, num_classes=3)
    assert wgan_gp.conditional and isinstance(wgan_gp.regularizers[0], GradientPenalty)


def test_conditional_pixelrnn_trains_and_samples_the_class_it_is_given():
    model = zoo.build("pixelrnn", data_shape=(8, 8, 1), hidden_units=2, num_layers=1, head_filters=4,
                      distribution="bernoulli", num_classes=2, learning_rate=3e-2)
    # Class 0 is all black, class 1 all white: the label alone decides every pixel.
    images = np.concatenate([-np.ones((16, 8, 8, 1)), np.ones((16, 8, 8, 1))]).astype("float32")
    labels = np.repeat([0, 1], 16).astype("int32")
    history = model.fit(images, labels, batch_size=8, epochs=20, verbose=0)
    assert history.history["loss"][-1] < 0.5 * history.history["loss"][0]
    black, white = model.sample(4, labels=0, seed=0).mean(), model.sample(4, labels=1, seed=0).mean()
    assert white - black > 1.0, (black, white)  # of a possible 2: the label decides most pixels
