"""Nothing silently wrong where data enters and in the command line, on the current KERAS_BACKEND:
bad data is refused by data.load, metrics survive NaN samples, and every user error of the CLI is
one clear line and a non-zero exit, without a traceback."""

import os
import subprocess
import sys
import warnings

import numpy as np
import pytest
import tensorflow_datasets as tfds

from keras_gen import cli, data, metrics, zoo

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def test_data_load_refuses_non_finite_pixels_and_says_where():
    images = np.zeros((8, 8, 8, 1), "float32")
    images[3, 2, 2, 0] = np.nan
    with pytest.raises(ValueError, match=r"non-finite.*index \[3\]"):
        data.load(images, batch_size=4)


def test_images_only_arrays_stay_images_when_resized():
    dataset = data.load(np.zeros((8, 8, 8, 1), "uint8"), batch_size=4, image_size=(16, 16))
    batch = next(iter(dataset))
    assert not isinstance(batch, tuple) and tuple(batch.shape) == (4, 16, 16, 1)


def test_fewer_examples_than_one_batch_are_refused_with_both_numbers():
    with pytest.raises(ValueError, match=r"holds 5 examples, fewer than one batch of 64"):
        data.load(np.zeros((5, 8, 8, 1), "uint8"))
    assert len(list(data.load(np.zeros((5, 8, 8, 1), "uint8"), drop_remainder=False))) == 1


def test_labels_are_checked_against_num_classes():
    images = np.zeros((8, 8, 8, 1), "uint8")
    with pytest.raises(ValueError, match=r"\[0, 10\).*\[10, 11\]"):
        data.load((images, np.array([0, 1, 2, 10, 11, 3, 4, 5])), batch_size=4, num_classes=10)


def test_tfds_offline_message_only_when_the_network_is_the_cause(monkeypatch):
    def offline(*args, **kwargs):
        raise RuntimeError("download failed") from ConnectionError("Name or service not known")

    monkeypatch.setattr(tfds, "load", offline)
    with pytest.raises(RuntimeError, match="seems to be offline"):
        data.load("mnist")

    def broken(*args, **kwargs):
        raise ModuleNotFoundError("No module named 'importlib_resources'")

    monkeypatch.setattr(tfds, "load", broken)
    with pytest.raises(ModuleNotFoundError, match="importlib_resources"):  # the real cause, not "offline"
        data.load("mnist")


def test_tfds_download_path_has_what_it_imports():
    import importlib_resources  # noqa: F401  (tensorflow-datasets imports it to download, without requiring it)


def test_fid_of_nan_samples_is_nan_with_a_warning_and_a_clean_fid_warns_nothing():
    real = np.random.default_rng(0).uniform(-1, 1, (64, 28, 28, 1)).astype("float32")
    with pytest.warns(RuntimeWarning, match="NaN"):
        assert np.isnan(metrics.fid(real, np.full_like(real, np.nan), extractor="mnist-lenet", verbose=0))
    from scipy.linalg import LinAlgWarning

    with warnings.catch_warnings():
        warnings.simplefilter("error", LinAlgWarning)  # a singular covariance product (64 samples, 128-d)
        assert np.isfinite(metrics.fid(real[:32], real[32:], extractor="mnist-lenet", verbose=0))


@pytest.mark.parametrize(
    "args, match",
    [
        (["train", "dcgann", "--out", "{tmp}/run"], "Did you mean 'dcgan'"),
        (["train", "dcgan", "--out", "{tmp}/run", "--set", "latent_dim=big"], "latent_dim must be an integer"),
        (["sample", "{tmp}/missing.keras"], "No model file"),
        (["sample", "{tmp}/random.keras"], "not a valid Keras archive"),
        (["train", "dcgan", "--out", "{tmp}/random.keras"], "is a file"),
        (["export", "{tmp}/model.keras", "--out", "{tmp}/taken"], "already exists"),
        (["sample", "dcgan", "--weights", "imagenet"], "Unknown weights 'imagenet'"),
    ],
)
def test_user_errors_are_one_clear_line(tmp_path, args, match):
    (tmp_path / "random.keras").write_bytes(os.urandom(256))
    zoo.build("gan", hidden_units=(8,), latent_dim=2).save(tmp_path / "model.keras")
    (tmp_path / "taken").mkdir()
    (tmp_path / "taken" / "saved_model.pb").write_bytes(b"")
    with pytest.raises(SystemExit, match=match) as exit_info:
        cli.main([arg.format(tmp=tmp_path) for arg in args])
    assert "\n" not in str(exit_info.value.code)


def test_the_command_exits_non_zero_without_a_traceback_and_debug_shows_it(tmp_path):
    (tmp_path / "random.keras").write_bytes(os.urandom(256))
    command = [sys.executable, "-m", "keras_gen.cli", "sample", str(tmp_path / "random.keras")]
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode != 0 and "not a valid Keras archive" in result.stderr
    assert "Traceback" not in result.stderr
    result = subprocess.run(command + ["--debug"], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode != 0 and "Traceback" in result.stderr


def test_a_run_whose_loss_goes_nan_exits_non_zero_naming_the_loss_and_step(tmp_path):
    out = tmp_path / "run"
    with pytest.raises(SystemExit, match=r"epoch 1, batch \d+: .*loss = nan") as exit_info:
        cli.main(["train", "vae", "--out", str(out), "--epochs", "2", "--steps-per-epoch", "5",
                  "--set", "latent_dim=2", "hidden_units=(8,)", "learning_rate=1e6"])
    assert exit_info.value.code != 0
    assert not (out / "model.keras").exists()  # no epoch ended well: nothing saved, NaN weights least of all
