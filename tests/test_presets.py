"""Pretrained presets, the Keras way, on the current KERAS_BACKEND: a preset trained on one
backend loads and samples on every backend, weights= takes a preset name, folder or weights
file, and a preset's architecture cannot be changed by accident."""

import json
import os
import keras
import numpy as np
import pytest

from keras_gen import cli, data, metrics, presets, zoo
from keras_gen.models import Sampler
from tests.conftest import load_script

SHIPPED = [(entry, preset) for entry in zoo.list_entries() for preset in zoo.presets(entry)]


@pytest.mark.parametrize("entry,preset", SHIPPED, ids=[f"{e}/{p}" for e, p in SHIPPED])
def test_every_preset_loads_and_samples_on_this_backend(entry, preset, digits):
    """Whatever backend trained it (its metadata says which): built with its options, it samples
    (or, for an autoencoder, reconstructs) finite values of its data's shape."""
    metadata = zoo.presets(entry)[preset]
    for key in ("command", "backend", "steps", "wall_seconds", "keras_gen_version", "keras_version", "options", "quality"):
        assert key in metadata, key
    model = zoo.build(entry, weights=preset)
    outputs = model.sample(8, seed=0) if isinstance(model, Sampler) else model.reconstruct(digits[0][:8])
    outputs = keras.ops.convert_to_numpy(outputs)
    assert outputs.shape == (8, *model.data_shape) and np.all(np.isfinite(outputs))


MIXTURE_PRESETS = [(e, p) for e, p in SHIPPED if zoo.presets(e)[p]["data"] in data.MIXTURES]


@pytest.mark.parametrize("entry,preset", MIXTURE_PRESETS, ids=[f"{e}/{p}" for e, p in MIXTURE_PRESETS])
def test_a_2d_preset_covers_the_modes_its_metadata_records(entry, preset):
    """The noise of `sample(seed=0)` is NumPy's, the same on every backend: the figures recorded on
    the training backend hold within float16 and backend rounding (one mode, 5 points)."""
    quality = zoo.presets(entry)[preset]["quality"]
    centers, std = data.mixture(zoo.presets(entry)[preset]["data"])
    score = metrics.mode_coverage(zoo.build(entry, weights=preset).sample(quality["samples"], seed=0), centers, std)
    assert score.modes >= quality["modes"] - 1
    assert score.high_quality >= quality["high_quality"] - 0.05


HELD_OUT_FIGURES = [(e, p) for e, p in SHIPPED if {"nll_exact", "nll_elbo", "reconstruction_mse"} & set(zoo.presets(e)[p]["quality"])]


@pytest.mark.parametrize("entry,preset", HELD_OUT_FIGURES, ids=[f"{e}/{p}" for e, p in HELD_OUT_FIGURES])
def test_a_preset_gives_its_recorded_held_out_figures_on_this_backend(entry, preset):
    """The held-out NLL or reconstruction error recorded on the training backend (by
    benchmarks/zoo_quality.py, on the 1,000 held-out digits) holds here: exact figures to float16
    and backend rounding, the one-sample ELBO estimate (its noise is the backend's) to 1 nat."""
    quality = zoo.presets(entry)[preset]["quality"]
    model = zoo.build(entry, weights=preset)
    held_out, labels = data.load_mnist_5k("test")
    labels = labels if model.conditional else None
    if "reconstruction_mse" in quality:
        clean = held_out.astype("float32") / 127.5 - 1.0
        error = np.mean(np.square(keras.ops.convert_to_numpy(model.reconstruct(clean)) - clean))
        assert error == pytest.approx(quality["reconstruction_mse"], rel=0.02)
    elif "nll_exact" in quality:
        nll = -model.log_prob(data.binarize(held_out), labels=labels).mean()
        assert nll == pytest.approx(quality["nll_exact"], abs=0.1)
    else:
        nll = -model.log_prob(data.binarize(held_out), k=1, labels=labels, seed=0).mean()
        assert nll == pytest.approx(quality["nll_elbo"], abs=1.0)


def test_presets_are_listed_with_their_metadata():
    shipped = zoo.presets("dcgan")
    assert "mnist-5k" in shipped
    metadata = shipped["mnist-5k"]
    for key in ("command", "backend", "steps", "wall_seconds", "keras_gen_version", "keras_version", "options"):
        assert key in metadata, key
    assert zoo.presets("kde") == {}


def test_the_shipped_presets_stay_under_the_size_budgets():
    """Issue 13 keeps the presets under 40 MB in the wheel (they are stored compressed already), and
    the repository takes no file over 5 MB."""
    root = os.path.join(os.path.dirname(presets.__file__), "presets")
    sizes = {os.path.join(folder, name): os.path.getsize(os.path.join(folder, name))
             for folder, _, names in os.walk(root) for name in names}
    assert sum(sizes.values()) < 40e6, f"the presets take {sum(sizes.values()) / 1e6:.1f} MB"
    oversized = [path for path, size in sizes.items() if size > 5e6]
    assert not oversized, f"preset files over 5 MB: {oversized}"


def test_the_dcgan_preset_makes_digits_on_this_backend():
    """Not golden values (backends differ in the last bits): the judge of zoo_quality, mnist-lenet,
    is confident about most samples, as for real digits (0.93), and no class dominates."""
    model = zoo.build("dcgan", weights="mnist-5k")
    samples = model.sample(300, seed=0)
    logits = metrics.features(samples, "mnist-lenet", batch_size=300, output="logits", verbose=0)
    probabilities = keras.ops.convert_to_numpy(keras.ops.softmax(logits, axis=-1))
    assert np.mean(probabilities.max(axis=1) > 0.9) > 0.5
    assert np.bincount(probabilities.argmax(axis=1), minlength=10).max() / 300 < 0.25


def test_weights_from_a_preset_folder_or_a_weights_file(tmp_path):
    model = zoo.build("gan", data_shape=(2,), hidden_units=(8,), latent_dim=2, seed=0)
    model.save_weights(str(tmp_path / "gan.weights.h5"))
    loaded = zoo.build("gan", data_shape=(2,), hidden_units=(8,), latent_dim=2, weights=str(tmp_path / "gan.weights.h5"))
    np.testing.assert_allclose(loaded.sample(5, seed=1), model.sample(5, seed=1), atol=1e-6)
    folder = tmp_path / "preset"
    folder.mkdir()
    presets.save_weights(model, str(folder / presets.WEIGHTS_FILE))
    options = {"data_shape": [2], "hidden_units": [8], "latent_dim": 2}
    (folder / "metadata.json").write_text(json.dumps({"entry": "gan", "options": options}))
    from_folder = zoo.build("gan", weights=str(folder))  # the preset's options shape the networks
    np.testing.assert_allclose(from_folder.sample(5, seed=1), model.sample(5, seed=1), atol=1e-2)  # float16
    with pytest.raises(ValueError, match=r"latent_dim=4 \(the preset has 2\)"):
        zoo.build("gan", weights=str(folder), latent_dim=4)
    assert zoo.build("gan", weights=str(folder), learning_rate=1e-3).latent_dim == 2  # training options may change
    with pytest.raises(ValueError, match="is for zoo entry 'gan'"):
        zoo.build("vae", weights=str(folder))


def test_unknown_presets_name_what_is_shipped():
    with pytest.raises(ValueError, match="'mnist-5k'"):
        zoo.build("dcgan", weights="imagenet")


def test_sample_from_a_preset_on_the_command_line(tmp_path):
    out = tmp_path / "grid.png"
    cli.main(["sample", "dcgan", "--weights", "mnist-5k", "-n", "16", "--out", str(out), "--seed", "0"])
    assert os.path.getsize(out) > 0


def test_the_cgan_preset_draws_the_class_it_is_asked_for_on_this_backend():
    model = zoo.build("cgan", weights="mnist-5k")
    labels = np.repeat(np.arange(10), 20)
    logits = metrics.features(model.sample(200, labels=labels, seed=0), "mnist-lenet", batch_size=200, output="logits", verbose=0)
    assert np.mean(np.asarray(logits).argmax(axis=1) == labels) > 0.9


def test_retraining_a_shipped_preset_needs_replace(tmp_path, capsys, monkeypatch):
    """scripts/train_presets.py stops before training when the preset it would write exists."""
    script = load_script("train_presets")
    existing = tmp_path / "dcgan" / "mnist-5k"
    existing.mkdir(parents=True)
    (existing / presets.METADATA_FILE).write_text("{}")
    monkeypatch.setattr(script, "train", lambda *args: pytest.fail("trained over an existing preset"))
    with pytest.raises(SystemExit):
        script.main(["dcgan/mnist-5k", "--out", str(tmp_path)])
    error = capsys.readouterr().err
    assert "dcgan/mnist-5k already exists" in error and "--replace" in error
    assert (existing / presets.METADATA_FILE).read_text() == "{}"
