import os

import numpy as np
import pytest
from keras import ops
from PIL import Image

from ae_helpers import halves, tiny_digits, to_unit
from keras_gen import callbacks, latent, zoo

VAE = {"data_shape": (8, 8, 1), "latent_dim": 4, "hidden_units": (16,), "seed": 0}


def test_slerp_keeps_the_norm_between_orthogonal_vectors_and_hits_the_ends():
    a, b = np.array([[2.0, 0.0, 0.0]]), np.array([[0.0, 2.0, 0.0]])
    path = latent.slerp(a, b, np.linspace(0, 1, 5))[0]
    np.testing.assert_allclose(path[0], a[0], atol=1e-12)
    np.testing.assert_allclose(path[-1], b[0], atol=1e-12)
    np.testing.assert_allclose(np.linalg.norm(path, axis=1), 2.0, rtol=1e-12)
    np.testing.assert_allclose(path[2], [np.sqrt(2), np.sqrt(2), 0.0], rtol=1e-12)
    same = latent.slerp(a, a, np.linspace(0, 1, 3))[0]  # parallel: the linear path, no NaN
    np.testing.assert_allclose(same, np.repeat(a, 3, axis=0))


@pytest.mark.parametrize("method", ["linear", "slerp"])
def test_interpolate_decodes_the_path_from_a_to_b(method):
    model = zoo.build("vae", **VAE)
    rng = np.random.default_rng(0)
    a, b = rng.standard_normal((2, 4)).astype(np.float32)
    strip = latent.interpolate(model, a, b, steps=5, method=method)
    assert strip.shape == (5, 8, 8, 1)
    ends = ops.convert_to_numpy(model.decode(np.stack([a, b])))
    np.testing.assert_allclose(strip[[0, -1]], ends, atol=1e-5)
    if method == "linear":
        middle = ops.convert_to_numpy(model.decode(((a + b) / 2)[None]))[0]
        np.testing.assert_allclose(strip[2], middle, atol=1e-5)
    batch = latent.interpolate(model, np.stack([a, b]), np.stack([b, a]), steps=3, method=method)
    assert batch.shape == (2, 3, 8, 8, 1)


def test_interpolate_between_images_encodes_them_first():
    model = zoo.build("conv-autoencoder", data_shape=(8, 8, 1), code_dim=4, width=4)
    images = to_unit(tiny_digits(2)[0])
    strip = latent.interpolate(model, images[0], images[1], steps=4)
    np.testing.assert_allclose(strip[[0, -1]], ops.convert_to_numpy(model.reconstruct(images)), atol=1e-5)


def test_interpolate_works_for_a_gan_and_a_cvae_and_refuses_pixelcnn():
    gan = zoo.build("gan", data_shape=(8, 8, 1), latent_dim=4, hidden_units=(8,))
    assert latent.interpolate(gan, np.zeros(4), np.ones(4), steps=3).shape == (3, 8, 8, 1)
    cvae = zoo.build("cvae", **VAE, num_classes=2)
    strips = latent.interpolate(cvae, np.zeros((2, 4)), np.ones((2, 4)), steps=3, labels=[0, 1])
    assert strips.shape == (2, 3, 8, 8, 1)
    with pytest.raises(TypeError, match="latent"):
        latent.interpolate(zoo.build("pixelcnn", data_shape=(8, 8, 1), filters=4, num_layers=1), np.zeros(4), np.ones(4))


def test_grid_helper_and_callback_write_pngs(tmp_path):
    model = zoo.build("cvae", **VAE, num_classes=2)
    strips = latent.random_interpolations(model, rows=3, steps=5, labels=[0, 1, 0])
    path = latent.save_interpolation_grid(strips, str(tmp_path / "grid.png"))
    assert Image.open(path).size == (5 * 10 + 2, 3 * 10 + 2)  # 8-pixel tiles with 2-pixel padding
    images, labels = halves(16)
    out = str(tmp_path / "interp")
    model.fit(images, labels, batch_size=8, epochs=2, verbose=0,
              callbacks=[callbacks.LatentInterpolation(out, rows=2, steps=4, labels=[0, 1])])
    assert sorted(os.listdir(out)) == ["interp_001.png", "interp_002.png"]
