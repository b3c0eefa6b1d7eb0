import os

import keras
import numpy as np
import pytest
from keras import ops

from ae_helpers import assert_fit_works, tiny_digits, to_unit
from keras_gen import cli, zoo

TINY = {"data_shape": (8, 8, 1), "code_dim": 8}
ENTRIES = {
    "autoencoder": {"hidden_units": (16,)},
    "conv-autoencoder": {"width": 4},
    "denoising-autoencoder": {"width": 4, "noise": "masking", "noise_level": 0.3, "seed": 0},
    "sparse-autoencoder": {"hidden_units": (16,), "sparsity": 1e-2},
}


@pytest.mark.parametrize("name", sorted(ENTRIES))
def test_each_entry_fits(name):
    model = zoo.build(name, **TINY, **ENTRIES[name])
    assert_fit_works(model, to_unit(tiny_digits(32)[0]))


def test_sample_raises_and_points_to_vae():
    model = zoo.build("autoencoder", **TINY, hidden_units=(16,))
    with pytest.raises(TypeError, match="vae"):
        model.sample(4)


def test_encode_decode_reconstruct_shapes():
    model = zoo.build("conv-autoencoder", **TINY, width=4, loss="bce")
    x = tiny_digits(4)[0]  # uint8 is accepted
    code = model.encode(x)
    assert tuple(code.shape) == (4, 8)
    out = ops.convert_to_numpy(model.decode(code))
    assert out.shape == (4, 8, 8, 1) and out.min() >= -1 and out.max() <= 1
    np.testing.assert_allclose(ops.convert_to_numpy(model.reconstruct(x)), out, atol=1e-6)


def test_denoising_training_reduces_error_against_clean_inputs():
    keras.utils.set_random_seed(0)
    clean = to_unit(tiny_digits(64)[0])
    model = zoo.build("denoising-autoencoder", **TINY, network="dense", hidden_units=(32,), noise="gaussian",
                      noise_level=0.5, learning_rate=3e-3, seed=0)
    noisy = np.clip(clean + 0.5 * np.random.default_rng(1).standard_normal(clean.shape), -1, 1).astype(np.float32)

    def error():
        return float(np.mean((ops.convert_to_numpy(model.reconstruct(noisy)) - clean) ** 2))

    before = error()
    model.fit(clean, batch_size=16, epochs=8, verbose=0)
    assert error() < 0.6 * before


def test_masking_noise_drops_about_nu():
    model = zoo.build("denoising-autoencoder", **TINY, width=4, noise="masking", noise_level=0.25, seed=0)
    x = np.ones((64, 8, 8, 1), np.float32)
    dropped = float(np.mean(ops.convert_to_numpy(model.corrupt(ops.convert_to_tensor(x))) == -1.0))
    assert 0.2 < dropped < 0.3


def test_sparsity_penalty_shrinks_the_code():
    x = to_unit(tiny_digits(64)[0])
    codes = {}
    for sparsity in (0.0, 0.05):
        keras.utils.set_random_seed(0)
        model = zoo.build("sparse-autoencoder", **TINY, hidden_units=(32,), sparsity=sparsity, learning_rate=3e-3)
        history = model.fit(x, batch_size=16, epochs=4, verbose=0)
        codes[sparsity] = float(np.mean(np.abs(ops.convert_to_numpy(model.encode(x)))))
        if sparsity == 0.0:
            assert history.history["l1"][-1] == 0.0
        else:
            assert history.history["l1"][-1] > 0.0
            np.testing.assert_allclose(
                history.history["loss"][-1], history.history["reconstruction"][-1] + history.history["l1"][-1], rtol=1e-4
            )
    assert codes[0.05] < 0.5 * codes[0.0]


def test_save_load_round_trip(tmp_path):
    model = zoo.build("denoising-autoencoder", **TINY, width=4, seed=3)
    x = to_unit(tiny_digits(8)[0])
    model.fit(x, batch_size=8, epochs=1, verbose=0)
    path = str(tmp_path / "dae.keras")
    model.save(path)
    loaded = keras.models.load_model(path)
    assert type(loaded).__name__ == "DenoisingAutoencoder" and loaded.noise_type == "gaussian"
    np.testing.assert_allclose(
        ops.convert_to_numpy(loaded.reconstruct(x)), ops.convert_to_numpy(model.reconstruct(x)), atol=1e-5
    )
    loaded.fit(x, batch_size=8, epochs=1, verbose=0)


def test_cli_trains_an_autoencoder_and_previews_reconstructions(tmp_path):
    out = str(tmp_path / "run")
    cli.main(["train", "autoencoder", "--epochs", "1", "--out", out, "--batch-size", "256",
              "--set", "code_dim=4", "hidden_units=(8,)"])
    assert os.path.exists(os.path.join(out, "model.keras"))
    assert os.path.exists(os.path.join(out, "samples", "epoch_001.png"))
    with pytest.raises(SystemExit, match="vae"):
        cli.main(["sample", os.path.join(out, "model.keras"), "--out", str(tmp_path / "s.png")])
