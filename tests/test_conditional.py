"""cGAN and AC-GAN on the current KERAS_BACKEND: they generate the classes asked for, refuse bad
labels and unlabelled data clearly, and train both networks."""

import keras
import numpy as np
import pytest

from keras_gen import callbacks, data, zoo

ENTRIES = ["cgan", "acgan"]


def two_blobs(n=512, seed=0):
    """Class 0 around (-2, 0), class 1 around (+2, 0)."""
    rng = np.random.default_rng(seed)
    labels = rng.integers(2, size=n).astype("int32")
    points = np.stack([4.0 * labels - 2.0, np.zeros(n)], axis=1) + 0.1 * rng.standard_normal((n, 2))
    return points.astype("float32"), labels


def weights(network):
    return [np.array(keras.ops.convert_to_numpy(v)) for v in network.trainable_variables]


@pytest.mark.parametrize("name", ENTRIES)
def test_trained_model_generates_the_requested_class(name):
    keras.utils.set_random_seed(0)
    model = zoo.build(name, data_shape=(2,), num_classes=2, hidden_units=(32, 32), latent_dim=2, learning_rate=5e-3)
    before_g, before_d = weights(model.generator), weights(model.discriminator)
    history = model.fit(data.load(two_blobs(), batch_size=32).repeat(), steps_per_epoch=120, epochs=1, verbose=0)
    assert all(np.isfinite(v).all() for v in history.history.values())
    assert int(model.generator_optimizer.iterations) == int(model.discriminator_optimizer.iterations) == 120
    assert all(not np.allclose(a, b) for a, b in zip(before_g[:1] + before_d[:1], weights(model.generator)[:1] + weights(model.discriminator)[:1]))
    left, right = model.sample(200, labels=0, seed=1), model.sample(200, labels=1, seed=1)
    assert np.mean(left[:, 0] < 0) > 0.9 and np.mean(right[:, 0] > 0) > 0.9


@pytest.mark.parametrize("name", ENTRIES)
def test_images_for_the_labels_asked_and_clear_label_errors(name):
    model = zoo.build(name, data_shape=(28, 28, 1), num_classes=10, width=4, latent_dim=4)
    z = keras.random.normal((3, 4), seed=0)
    labels = np.array([0, 5, 9])
    out = keras.ops.convert_to_numpy(model.generate(z, labels))
    assert out.shape == (3, 28, 28, 1)
    np.testing.assert_allclose(out, keras.ops.convert_to_numpy(model.generate(z, labels)))
    # The label is an input that matters: another class from the same z gives another image.
    other = keras.ops.convert_to_numpy(model.generate(z, np.array([1, 6, 0])))
    assert not np.allclose(out, other)
    if name == "cgan":  # D sees the label as one-hot planes: another label, another judgement
        judge = lambda y: keras.ops.convert_to_numpy(model.discriminator([out, y], training=False))
        assert not np.allclose(judge(labels), judge(np.array([1, 6, 0])))
    assert model.sample(4, labels=7, seed=0).shape == (4, 28, 28, 1)
    with pytest.raises(ValueError, match=r"\[0, 10\)"):
        model.sample(2, labels=[3, 10])
    with pytest.raises(ValueError, match=r"\[0, 10\)"):
        model.generate(z, np.array([0, -1, 2]))
    with pytest.raises(ValueError, match="one label per example"):
        model.sample(3, labels=[1, 2])
    with pytest.raises(TypeError, match="integers"):
        model.sample(2, labels=[0.5, 1.0])


@pytest.mark.parametrize("name", ENTRIES)
def test_training_without_labels_fails_clearly(name):
    model = zoo.build(name, data_shape=(2,), num_classes=2, hidden_units=(8,), latent_dim=2)
    points, _ = two_blobs(64)
    with pytest.raises(ValueError, match="no labels"):
        model.fit(data.load(points, batch_size=16), epochs=1, verbose=0)


def test_save_load_and_sample_grid_one_class_per_row(tmp_path):
    model = zoo.build("cgan", data_shape=(2,), num_classes=3, hidden_units=(8,), latent_dim=2, seed=1)
    path = str(tmp_path / "cgan.keras")
    model.save(path)
    loaded = keras.models.load_model(path)
    assert loaded.num_classes == 3
    labels = np.array([0, 1, 2, 2])
    np.testing.assert_allclose(loaded.sample(4, labels=labels, seed=5), model.sample(4, labels=labels, seed=5), rtol=1e-6)
    samples, per_row = callbacks.sample_for_grid(loaded, 9, seed=0)
    assert samples.shape == (9, 2) and per_row == 3
    image_model = zoo.build("acgan", data_shape=(28, 28, 1), num_classes=10, width=4, latent_dim=4)
    grid = callbacks.SampleGrid(str(tmp_path / "grid"), num=20)
    grid.set_model(image_model)
    grid.on_epoch_end(0)
    assert (tmp_path / "grid" / "epoch_001.png").exists()


def test_acgan_by_default_trains_its_classifier_on_real_examples_only():
    """classify_fakes=False (acgan's default; the paper's is True) drops the generated examples' term from D's class loss: D's loss is
    lower by exactly the cross-entropy of the fakes' class logits, and the option is saved."""
    from keras_gen import losses

    model = zoo.build("acgan", data_shape=(2,), num_classes=2, hidden_units=(8,), latent_dim=2)  # the default
    paper = zoo.build("acgan", data_shape=(2,), num_classes=2, hidden_units=(8,), latent_dim=2, classify_fakes=True)
    paper.set_weights(model.get_weights())
    real, labels = two_blobs(16)
    fake = keras.ops.convert_to_numpy(model.generator([np.zeros((16, 2), "float32"), labels]))
    real_only, _ = model.discriminator_objective(real, fake, labels, training=False)
    both, _ = paper.discriminator_objective(real, fake, labels, training=False)
    _, fake_classes = model.discriminate(fake, labels, False)
    fake_term = keras.ops.mean(losses.class_cross_entropy(labels, fake_classes))
    both, real_only, fake_term = (float(keras.ops.convert_to_numpy(x)) for x in (both, real_only, fake_term))
    np.testing.assert_allclose(both - real_only, fake_term, rtol=1e-5)
    assert fake_term > 0
    assert model.get_config()["classify_fakes"] is False and paper.get_config()["classify_fakes"] is True
