"""GAN and DCGAN train through model.fit on the current backend, and the training core counts right."""

import keras
import numpy as np
import pytest

from keras_gen import zoo
from tests.conftest import to_numpy, weights_changed

TINY = {
    "gan": dict(latent_dim=8, hidden_units=(16,)),
    "dcgan": dict(latent_dim=8, width=4),
}


@pytest.mark.parametrize("name", ["gan", "dcgan"])
def test_fit_updates_both_networks_and_counts_every_step(name, digits):
    images, _ = digits
    model = zoo.build(name, seed=0, **TINY[name])
    g_before = to_numpy(model.generator.trainable_variables)
    d_before = to_numpy(model.discriminator.trainable_variables)

    history = model.fit(images[:64], batch_size=16, epochs=2, verbose=0)

    assert set(history.history) == {"loss", "d_loss", "g_loss"}
    assert all(np.isfinite(v) for values in history.history.values() for v in values)
    assert weights_changed(g_before, to_numpy(model.generator.trainable_variables))
    assert weights_changed(d_before, to_numpy(model.discriminator.trainable_variables))
    # 2 epochs x 4 batches: on JAX this fails if an optimizer's state is not carried by fit.
    assert int(model.generator_optimizer.iterations) == 8
    assert int(model.discriminator_optimizer.iterations) == 8


def test_k_discriminator_steps_per_generator_step():
    points = np.random.default_rng(0).normal(size=(48, 2)).astype("float32")
    model = zoo.build("gan", data_shape=(2,), latent_dim=4, hidden_units=(8,), discriminator_steps=3)
    model.fit(points, batch_size=16, epochs=1, verbose=0)
    assert int(model.discriminator_optimizer.iterations) == 9
    assert int(model.generator_optimizer.iterations) == 3


def test_learning_rates_decay_linearly_to_zero_over_the_given_steps():
    """keras-gen train --decay: after `steps` generator steps (and k times as many critic steps)
    both learning rates are 0, half-way they are half the initial rate."""
    points = np.random.default_rng(0).normal(size=(48, 2)).astype("float32")
    model = zoo.build("gan", data_shape=(2,), latent_dim=4, hidden_units=(8,), discriminator_steps=3, learning_rate=1e-3)
    model.decay_learning_rates(6)
    model.fit(points, batch_size=16, epochs=1, verbose=0)
    assert float(model.generator_optimizer.learning_rate) == pytest.approx(5e-4)
    assert float(model.discriminator_optimizer.learning_rate) == pytest.approx(5e-4)
    model.fit(points, batch_size=16, epochs=1, verbose=0)
    assert float(model.generator_optimizer.learning_rate) == pytest.approx(0.0, abs=1e-12)
    assert float(model.discriminator_optimizer.learning_rate) == pytest.approx(0.0, abs=1e-12)


def test_gan_learns_a_shifted_gaussian():
    """Not just finite losses: on 2-D data the generator moves its samples to the data's mean."""
    rng = np.random.default_rng(0)
    points = (rng.normal(size=(2048, 2)) * 0.3 + 2.0).astype("float32")
    model = zoo.build("gan", data_shape=(2,), latent_dim=4, hidden_units=(32, 32), learning_rate=1e-3, seed=0)
    start = model.sample(1000, seed=1).mean(axis=0)
    model.fit(points, batch_size=64, epochs=8, verbose=0)
    mean = model.sample(1000, seed=1).mean(axis=0)
    assert np.all(np.abs(start - 2.0) > 1.0), start  # the untrained generator is far away ...
    assert np.all(np.abs(mean - 2.0) < 0.75), mean  # ... and training brings it to the data


@pytest.mark.parametrize("loss", ["non-saturating", "minimax", "hinge", "wasserstein"])
def test_generator_objective_is_the_chosen_loss_of_the_scores(loss):
    model = zoo.build("gan", data_shape=(2,), latent_dim=4, hidden_units=(8,), loss=loss)
    z = keras.random.normal((32, 4), seed=1)
    scores = keras.ops.convert_to_numpy(model.discriminator(model.generator(z, training=True), training=True))[:, 0]
    d_of_g = 1 / (1 + np.exp(-scores))
    expected = {
        "minimax": np.mean(np.log(1 - d_of_g)),
        "non-saturating": np.mean(-np.log(d_of_g)),
        "hinge": -np.mean(scores),
        "wasserstein": -np.mean(scores),
    }[loss]
    assert float(keras.ops.convert_to_numpy(model.generator_objective(z, None))) == pytest.approx(expected, rel=1e-4)


def test_sample_and_generate():
    model = zoo.build("dcgan", latent_dim=8, width=4)
    samples = model.sample(5, seed=3)
    assert samples.shape == (5, 28, 28, 1) and samples.dtype == np.float32
    assert samples.min() >= -1.0 and samples.max() <= 1.0
    np.testing.assert_allclose(samples, model.sample(5, seed=3))
    z = keras.random.normal((2, 8), seed=0)
    np.testing.assert_allclose(keras.ops.convert_to_numpy(model.generate(z)),
                               keras.ops.convert_to_numpy(model.generate(z)))


@pytest.mark.parametrize("shape", [(32, 32, 3), (64, 64, 3), (28, 28, 1)])
def test_dcgan_image_sizes(shape):
    model = zoo.build("dcgan", data_shape=shape, latent_dim=8, width=4)
    assert model.sample(2, seed=0).shape == (2, *shape)
    assert model.discriminator(np.zeros((2, *shape), "float32")).shape == (2, 1)


def test_save_and_load_give_the_same_samples(tmp_path, digits):
    images, _ = digits
    model = zoo.build("dcgan", latent_dim=8, width=4)
    model.fit(images[:32], batch_size=16, epochs=1, verbose=0)
    model.save(tmp_path / "m.keras")
    loaded = keras.models.load_model(tmp_path / "m.keras")
    np.testing.assert_allclose(loaded.sample(4, seed=7), model.sample(4, seed=7), atol=1e-6)
    assert float(loaded.generator_optimizer.learning_rate) == pytest.approx(4e-4)
    loaded.fit(images[:32], batch_size=16, epochs=1, verbose=0)  # a reloaded model trains on


def test_wrong_data_shape_is_a_clear_error(digits):
    images, _ = digits
    model = zoo.build("dcgan", data_shape=(32, 32, 3), latent_dim=8, width=4)
    with pytest.raises(ValueError, match=r"built for data of shape \(32, 32, 3\).*\(28, 28, 1\)"):
        model.fit(images[:16], batch_size=16, epochs=1, verbose=0)


def test_bad_options_are_clear_errors():
    with pytest.raises(ValueError, match="Unknown adversarial loss 'wasserstain'"):
        zoo.build("gan", loss="wasserstain")
    with pytest.raises(ValueError, match="needs image data"):
        zoo.build("dcgan", data_shape=(2,))
    with pytest.raises(ValueError, match="data_shape must be"):
        zoo.build("dcgan", data_shape=(28, 28, 2))


def test_ema_generates_with_the_average_of_the_generators_weights(tmp_path, digits):
    images, _ = digits
    model = zoo.build("dcgan", latent_dim=8, width=4, ema=0.9, seed=0)
    initial = [keras.ops.convert_to_numpy(w).copy() for w in model.generator.trainable_weights]
    averages = [initial]
    for _ in range(3):  # one generator step per fit: follow the average by hand
        model.fit(images[:16], batch_size=16, epochs=1, shuffle=False, verbose=0)
        t = int(model.generator_optimizer.iterations) - 1  # the step just taken, counted before it
        decay = min(0.9, (1 + t + 1) / (10 + t + 1))
        current = [keras.ops.convert_to_numpy(w) for w in model.generator.trainable_weights]
        averages.append([decay * a + (1 - decay) * w for a, w in zip(averages[-1], current)])
    averaged_weights = [a for a, w in zip(model.averaged_generator.weights, model.generator.weights) if w.trainable]
    for expected, variable in zip(averages[-1], averaged_weights):
        np.testing.assert_allclose(keras.ops.convert_to_numpy(variable), expected, rtol=1e-4, atol=1e-6)
    z = np.random.default_rng(0).normal(size=(2, 8)).astype("float32")
    averaged = keras.ops.convert_to_numpy(model.generate(z))
    assert not np.allclose(averaged, keras.ops.convert_to_numpy(model.generator(z, training=False)))
    model.save(tmp_path / "m.keras")
    np.testing.assert_allclose(keras.ops.convert_to_numpy(keras.models.load_model(tmp_path / "m.keras").generate(z)), averaged, atol=1e-5)


def test_discriminator_dropout_acts_in_training_only_and_survives_saving(tmp_path, digits):
    images, _ = digits
    model = zoo.build("gan", latent_dim=8, hidden_units=(32,), discriminator_dropout=0.5, seed=0)

    def scores(gan, training=False):
        return keras.ops.convert_to_numpy(gan.discriminator(images[:8], training=training))

    np.testing.assert_allclose(scores(model), scores(model), rtol=1e-6)
    assert np.abs(scores(model, training=True) - scores(model)).max() > 1e-4  # units dropped
    model.fit(images[:16], batch_size=16, epochs=1, verbose=0)
    model.save(tmp_path / "m.keras")
    loaded = keras.models.load_model(tmp_path / "m.keras")
    np.testing.assert_allclose(scores(loaded), scores(model), rtol=1e-5)
    assert any(isinstance(layer, keras.layers.Dropout) for layer in loaded.discriminator.layers)
    with pytest.raises(ValueError, match=r"discriminator_dropout .* must be below 1.0"):
        zoo.build("gan", discriminator_dropout=1.0)


def test_generator_batch_norm_trains_its_statistics_and_survives_saving(tmp_path, digits):
    images, _ = digits
    model = zoo.build("gan", latent_dim=8, hidden_units=(32,), generator_batch_norm=True, seed=0)
    norms = [layer for layer in model.generator.layers if isinstance(layer, keras.layers.BatchNormalization)]
    assert len(norms) == 1
    before = keras.ops.convert_to_numpy(norms[0].moving_mean).copy()
    model.fit(images[:32], batch_size=16, epochs=1, verbose=0)
    assert np.abs(keras.ops.convert_to_numpy(norms[0].moving_mean) - before).max() > 1e-6  # statistics learned
    z = np.random.default_rng(0).normal(size=(4, 8)).astype("float32")
    model.save(tmp_path / "m.keras")
    loaded = keras.models.load_model(tmp_path / "m.keras")
    np.testing.assert_allclose(
        keras.ops.convert_to_numpy(loaded.generator(z)), keras.ops.convert_to_numpy(model.generator(z)), atol=1e-5
    )
    with pytest.raises(TypeError, match=r"generator_batch_norm must be True or False; got 'yes'"):
        zoo.build("gan", generator_batch_norm="yes")
