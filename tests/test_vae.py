import math

import keras
import numpy as np
import pytest
from keras import ops

from ae_helpers import assert_fit_works, halves, tiny_digits, to_unit
from keras_gen import data, zoo
from keras_gen.losses import gaussian_kl

TINY = {"data_shape": (8, 8, 1), "latent_dim": 4, "hidden_units": (32,), "width": 4, "seed": 0}


def test_kl_matches_its_closed_form_and_a_monte_carlo_estimate():
    mean = np.array([[0.0, 0.0], [1.0, 0.0], [0.5, -2.0]], np.float32)
    log_var = np.array([[0.0, 0.0], [0.0, math.log(4.0)], [math.log(0.25), 0.3]], np.float32)
    kl = ops.convert_to_numpy(gaussian_kl(ops.convert_to_tensor(mean), ops.convert_to_tensor(log_var)))
    var = np.exp(log_var.astype(np.float64))
    expected = 0.5 * np.sum(var + mean**2 - 1.0 - np.log(var), axis=1)
    np.testing.assert_allclose(kl, expected, rtol=1e-5)
    np.testing.assert_allclose(kl[:2], [0.0, 0.5 + 0.5 * (3.0 - math.log(4.0))], rtol=1e-5)
    rng = np.random.default_rng(0)  # E_q[log q(z) - log p(z)] by sampling, 200k draws per row
    z = mean[:, None] + np.sqrt(var)[:, None] * rng.standard_normal((3, 200_000, 2))
    log_q = -0.5 * np.sum((z - mean[:, None]) ** 2 / var[:, None] + np.log(2 * np.pi * var[:, None]), axis=-1)
    log_p = -0.5 * np.sum(z**2 + np.log(2 * np.pi), axis=-1)
    np.testing.assert_allclose(kl, np.mean(log_q - log_p, axis=1), atol=0.02)


@pytest.mark.parametrize("name,options", [("vae", {}), ("vae", {"network": "conv"}), ("beta-vae", {}), ("cvae", {})])
def test_each_entry_fits(name, options):
    model = zoo.build(name, **TINY, **options)
    x, y = tiny_digits(32)
    history = assert_fit_works(model, to_unit(x), y if name == "cvae" else None)
    assert set(history.history) == {"loss", "reconstruction", "kl"}


def test_encode_decode_sample_api():
    model = zoo.build("vae", **TINY)
    mean, log_var = model.encode(tiny_digits(5)[0])
    assert tuple(mean.shape) == (5, 4) and tuple(log_var.shape) == (5, 4)
    images = ops.convert_to_numpy(model.decode(mean))
    assert images.shape == (5, 8, 8, 1) and images.min() >= -1 and images.max() <= 1
    samples = model.sample(6, seed=3)
    assert samples.shape == (6, 8, 8, 1) and samples.dtype == np.float32
    np.testing.assert_array_equal(samples, model.sample(6, seed=3))


def test_beta_weights_the_kl_and_shrinks_it():
    x = to_unit(tiny_digits(64)[0])
    kls = {}
    for beta in (1.0, 8.0):
        keras.utils.set_random_seed(0)
        model = zoo.build("beta-vae", **TINY, beta=beta, network="dense", learning_rate=3e-3)
        history = model.fit(x, batch_size=16, epochs=4, verbose=0).history
        np.testing.assert_allclose(history["loss"][-1], history["reconstruction"][-1] + beta * history["kl"][-1], rtol=1e-4)
        kls[beta] = history["kl"][-1]
    assert kls[8.0] < 0.7 * kls[1.0]


def test_cvae_label_controls_the_decoded_image():
    images, labels = halves(128)
    keras.utils.set_random_seed(0)
    model = zoo.build("cvae", **TINY, num_classes=2, learning_rate=1e-2)
    model.fit(images, labels, batch_size=16, epochs=10, verbose=0)
    z = np.zeros((2, 4), np.float32)
    decoded = ops.convert_to_numpy(model.decode(z, labels=np.array([0, 1])))
    top, bottom = decoded[:, :4].mean(axis=(1, 2, 3)), decoded[:, 4:].mean(axis=(1, 2, 3))
    assert top[0] > bottom[0] + 0.5 and bottom[1] > top[1] + 0.5
    with pytest.raises(ValueError, match=r"\[0, 2\)"):
        model.encode(images[:2], labels=[0, 2])


def test_iwae_bound_with_more_samples_is_not_below_the_elbo():
    x, _ = tiny_digits(256)
    binary = data.binarize(x)
    keras.utils.set_random_seed(0)
    model = zoo.build("vae", **TINY, learning_rate=3e-3)
    model.fit(to_unit(binary), batch_size=32, epochs=5, verbose=0)
    test = binary[:64]
    elbo = np.mean([model.log_prob(test, k=1, seed=s).mean() for s in range(4)])
    iwae = model.log_prob(test, k=50, seed=0).mean()
    assert np.isfinite(elbo) and iwae > elbo
    bpd = model.bits_per_dim(test, k=50, seed=0)
    np.testing.assert_allclose(bpd, -model.log_prob(test, k=50, seed=0) / (64 * math.log(2)), rtol=1e-6)


def test_log_prob_refuses_grey_pixels():
    model = zoo.build("vae", **TINY)
    with pytest.raises(ValueError, match="binar"):
        model.log_prob(tiny_digits(4)[0])


def test_save_load_round_trip(tmp_path):
    images, labels = halves(16)
    model = zoo.build("cvae", **TINY, num_classes=2)
    model.fit(images, labels, batch_size=8, epochs=1, verbose=0)
    path = str(tmp_path / "cvae.keras")
    model.save(path)
    loaded = keras.models.load_model(path)
    assert loaded.num_classes == 2 and loaded.beta == 1.0
    for a, b in zip(model.encode(images, labels=labels), loaded.encode(images, labels=labels)):
        np.testing.assert_allclose(ops.convert_to_numpy(a), ops.convert_to_numpy(b), atol=1e-5)
    loaded.fit(images, labels, batch_size=8, epochs=1, verbose=0)
