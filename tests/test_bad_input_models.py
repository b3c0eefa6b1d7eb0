"""Nothing silently wrong, on the current KERAS_BACKEND: a NaN stops training, bad data and bad
options are refused before training with a message that says what would be right, a refused call
leaves the model usable, and saving and loading resume training exactly."""

import keras
import numpy as np
import pytest

from keras_gen import callbacks, zoo

IMAGES = np.random.default_rng(0).uniform(-1, 1, (16, 8, 8, 1)).astype("float32")
LABELS = (np.arange(16) % 3).astype("int32")


def tiny(name, **options):
    defaults = {
        "gan": dict(data_shape=(8, 8, 1), latent_dim=2, hidden_units=(8,)),
        "cgan": dict(data_shape=(8, 8, 1), latent_dim=2, width=2, num_classes=3),
        "vae": dict(data_shape=(8, 8, 1), latent_dim=2, hidden_units=(8,)),
        "dcgan": dict(data_shape=(8, 8, 1), latent_dim=2, width=2),
    }[name]
    return zoo.build(name, **{**defaults, **options})


def poison(network):
    """NaN in the last bias of `network`, the output layer's. (Not in a weight feeding a ReLU: on
    some CPUs TensorFlow's fused MatMul+BiasAdd+ReLU (oneDNN) turns NaN into 0 in a compiled step.)"""
    variable = network.trainable_variables[-1]
    variable.assign(np.full(variable.shape, np.nan, "float32"))


def poisoned(name):
    """A model whose discriminator's (or encoder's) output bias is NaN: its first batch's losses are NaN."""
    model = tiny(name)
    poison(model.discriminator if name == "gan" else model.encoder)
    return model


@pytest.mark.parametrize("name", ["gan", "vae"])
def test_keras_terminate_on_nan_stops_every_family_at_the_first_bad_batch(name):
    model = poisoned(name)
    history = model.fit(IMAGES, batch_size=4, epochs=3, callbacks=[keras.callbacks.TerminateOnNaN()], verbose=0)
    assert len(history.history["loss"]) == 1 and int(model.optimizer.iterations) == 1


def test_stop_on_non_finite_loss_names_the_loss_and_keeps_the_last_good_model(tmp_path):
    model = tiny("gan")
    guard = callbacks.StopOnNonFiniteLoss(str(tmp_path / "model.keras"))
    model.fit(IMAGES, batch_size=4, epochs=1, callbacks=[guard], verbose=0)
    assert guard.stopped_at is None and (tmp_path / "model.keras").exists()
    saved = (tmp_path / "model.keras").read_bytes()
    poison(model.discriminator)
    model.fit(IMAGES, batch_size=4, epochs=2, callbacks=[guard], verbose=0)
    epoch, batch, bad = guard.stopped_at
    assert (epoch, batch) == (0, 0) and "d_loss" in bad and "g_loss" in bad
    assert (tmp_path / "model.keras").read_bytes() == saved  # never overwritten with NaN weights


@pytest.mark.parametrize(
    "data, match",
    [
        (np.zeros((0, 8, 8, 1), "float32"), "no examples"),
        (np.full((16, 8, 8, 1), 200, "uint8"), r"127\.5"),
        (np.full((16, 8, 8, 1), 200.0, "float32"), r"\[-1, 1\]"),
        (np.where(np.arange(16 * 64).reshape(16, 8, 8, 1) == 5, np.nan, 0.0).astype("float32"), "non-finite"),
    ],
)
def test_bad_data_is_refused_before_training(data, match):
    model = tiny("vae")
    with pytest.raises((ValueError, TypeError), match=match):
        model.fit(data, batch_size=4, epochs=1, verbose=0)
    assert int(model.optimizer.iterations) == 0


def test_an_empty_dataset_is_refused():
    import tensorflow as tf

    empty = tf.data.Dataset.from_tensor_slices(IMAGES).batch(32, drop_remainder=True)
    with pytest.raises(ValueError, match="batch_size"):
        tiny("vae").fit(empty, epochs=1, verbose=0)


@pytest.mark.parametrize("labels, error", [(LABELS + 10, ValueError), (LABELS - 1, ValueError), (LABELS + 0.5, TypeError)])
def test_bad_labels_are_refused_in_fit(labels, error):
    model = tiny("cgan")
    with pytest.raises(error, match=r"\[0, 3\)"):
        model.fit(IMAGES, labels, batch_size=4, epochs=1, verbose=0)


def test_a_refused_call_leaves_the_model_able_to_train():
    model = tiny("cgan")
    with pytest.raises(ValueError, match="no labels"):
        model.fit(IMAGES, batch_size=4, epochs=1, verbose=0)
    with pytest.raises(ValueError, match="built for data of shape"):
        model.fit(np.zeros((8, 16, 16, 1), "float32"), LABELS[:8], batch_size=4, epochs=1, verbose=0)
    history = model.fit(IMAGES, LABELS, batch_size=4, epochs=1, verbose=0)
    assert np.isfinite(history.history["loss"]).all() and int(model.optimizer.iterations) == 4


@pytest.mark.parametrize(
    "name, options, match",
    [
        ("dcgan", dict(latent_dim=0), "latent_dim must be at least 1"),
        ("dcgan", dict(latent_dim="big"), "latent_dim must be an integer"),
        ("dcgan", dict(latent_dim=2.5), "latent_dim must be an integer"),
        ("dcgan", dict(width=-3), "width must be at least 1"),
        ("dcgan", dict(width="wide"), "width must be an integer"),
        ("dcgan", dict(learning_rate=-1.0), "learning_rate must be greater than 0"),
        ("gan", dict(hidden_units=16), r"hidden_units=\(16,\)"),
        ("cgan", dict(num_classes=0), "num_classes must be at least 2"),
        ("vae", dict(latent_dim=-1), "latent_dim must be at least 1"),
    ],
)
def test_bad_zoo_options_name_the_option_and_the_valid_values(name, options, match):
    with pytest.raises((ValueError, TypeError), match=match):
        tiny(name, **options)


@pytest.mark.parametrize("name", ["dcgan", "vae"])
def test_two_epochs_saved_loaded_and_two_more_equal_four_straight(name, tmp_path):
    def fresh():
        keras.utils.set_random_seed(1)
        return tiny(name, seed=3)

    straight = fresh()
    straight.fit(IMAGES, batch_size=4, epochs=4, shuffle=False, verbose=0)
    resumed = fresh()
    resumed.fit(IMAGES, batch_size=4, epochs=2, shuffle=False, verbose=0)
    resumed.save(str(tmp_path / "m.keras"))
    resumed = keras.models.load_model(str(tmp_path / "m.keras"))
    resumed.fit(IMAGES, batch_size=4, epochs=2, shuffle=False, verbose=0)
    for a, b in zip(straight.trainable_variables, resumed.trainable_variables):
        np.testing.assert_allclose(keras.ops.convert_to_numpy(a), keras.ops.convert_to_numpy(b), atol=1e-5, err_msg=a.path)


def test_a_loaded_model_uses_the_loading_backends_jit_compile(tmp_path):
    model = tiny("gan")
    model.compile(jit_compile=False)
    model.save(str(tmp_path / "m.keras"))
    assert keras.models.load_model(str(tmp_path / "m.keras")).jit_compile == tiny("gan").jit_compile


def test_reconstructions_show_uint8_originals_as_they_are(tmp_path):
    from PIL import Image

    model = tiny("vae")
    originals = np.full((2, 8, 8, 1), 64, "uint8")
    grid = callbacks.Reconstructions(str(tmp_path), originals, per_row=2)
    grid.set_model(model)
    grid.on_epoch_end(0)
    picture = np.asarray(Image.open(tmp_path / "epoch_001.png"))
    assert picture[2, 2] == 64  # the first original's first pixel, inside the 2-pixel padding
