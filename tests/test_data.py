import numpy as np
import pytest
import tensorflow_datasets as tfds
from PIL import Image

from keras_gen import data


def first_batch(dataset):
    batch = next(iter(dataset))
    return [np.asarray(t) for t in (batch if isinstance(batch, tuple) else (batch,))]


def test_mnist_5k_images_labels_and_fixed_disjoint_splits():
    x, y = first_batch(data.load("mnist-5k", batch_size=32))
    assert x.shape == (32, 28, 28, 1) and x.dtype == np.float32
    assert x.min() == -1.0 and x.max() == 1.0
    assert y.dtype == np.int32 and set(np.unique(y)) <= set(range(10))
    train, _ = data.load_mnist_5k("train")
    test, test_labels = data.load_mnist_5k("test")
    assert len(train) == 4000 and len(test) == 1000
    assert np.bincount(test_labels).tolist() == [100] * 10
    train_keys = {t.tobytes() for t in train}
    assert sum(t.tobytes() in train_keys for t in test) < 5  # MNIST has a few duplicate digits
    with pytest.raises(ValueError, match="splits 'train'"):
        data.load("mnist-5k", split="validation")


def test_mnist_5k_binary_is_the_same_digits_binarised_at_128():
    grey, grey_labels = first_batch(data.load("mnist-5k", split="test", batch_size=64, shuffle=False))
    binary, labels = first_batch(data.load("mnist-5k-binary", split="test", batch_size=64, shuffle=False))
    assert set(np.unique(binary)) == {-1.0, 1.0}
    np.testing.assert_array_equal(labels, grey_labels)
    np.testing.assert_array_equal(binary == 1.0, grey >= 128 / 127.5 - 1.0 - 1e-6)


def test_tfds_dataset_through_mock_data():
    with tfds.testing.mock_data(num_examples=8):
        x, y = first_batch(data.load("mnist", batch_size=4))
    assert x.shape == (4, 28, 28, 1) and x.dtype == np.float32
    assert -1.0 <= x.min() and x.max() <= 1.0 and y.dtype == np.int32


def test_tfds_resize_for_celeb_a_sized_data():
    with tfds.testing.mock_data(num_examples=4):
        x, _ = first_batch(data.load("cifar10", batch_size=2, image_size=(16, 16)))
    assert x.shape == (2, 16, 16, 3)


def test_unknown_name_suggests_tfds_names():
    with pytest.raises(ValueError, match="cifar10"):
        data.load("cifar11")


def test_tfds_offline_error_says_how_to_fix(monkeypatch):
    def offline(*args, **kwargs):
        raise ConnectionError("no network")

    monkeypatch.setattr(tfds, "load", offline)
    with pytest.raises(RuntimeError, match="offline.*tensorflow_datasets"):
        data.load("cifar10")


def test_arrays_uint8_and_float_with_labels():
    images = np.random.default_rng(0).integers(0, 256, (10, 8, 8, 3), dtype=np.uint8)
    x, y = first_batch(data.load((images, np.arange(10)), batch_size=10, shuffle=False))
    np.testing.assert_allclose(x, images / 127.5 - 1.0, atol=1e-6)
    np.testing.assert_array_equal(y, np.arange(10))
    (x,) = first_batch(data.load(np.zeros((4, 8, 8), np.float32), batch_size=4))
    assert x.shape == (4, 8, 8, 1)


@pytest.mark.parametrize(
    "bad, error, message",
    [
        (np.zeros((4, 8, 8, 2), np.uint8), ValueError, "1 or 3 channels"),
        (np.zeros((4, 3, 8, 8, 1), np.uint8), ValueError, "Expected images"),
        (np.full((4, 8, 8, 1), 255.0, np.float32), ValueError, r"must lie in \[-1, 1\]"),
        (np.zeros((4, 8, 8, 1), np.int64), TypeError, "uint8"),
    ],
)
def test_bad_arrays_get_clear_errors(bad, error, message):
    with pytest.raises(error, match=message):
        data.load(bad)


def test_labels_must_match_the_images():
    with pytest.raises(ValueError, match=r"shape \(4,\)"):
        data.load((np.zeros((4, 8, 8, 1), np.uint8), np.arange(3)))


def test_require_labels():
    with pytest.raises(ValueError, match="needs labels"):
        data.load(np.zeros((4, 8, 8, 1), np.uint8), require_labels=True)


def test_folder_with_class_subfolders(tmp_path):
    for label, value in (("cats", 0), ("dogs", 255)):
        (tmp_path / label).mkdir()
        for i in range(3):
            Image.fromarray(np.full((12, 12), value, np.uint8)).save(tmp_path / label / f"{i}.png")
    x, y = first_batch(data.load(str(tmp_path), batch_size=6, shuffle=False))
    assert x.shape == (6, 12, 12, 1)
    np.testing.assert_array_equal(y, [0, 0, 0, 1, 1, 1])
    np.testing.assert_allclose(x[y == 0], -1.0) and np.testing.assert_allclose(x[y == 1], 1.0)


def test_folder_without_subfolders_has_no_labels(tmp_path):
    for i in range(4):
        Image.fromarray(np.zeros((10, 10, 3), np.uint8)).save(tmp_path / f"{i}.jpg")
    (x,) = first_batch(data.load(str(tmp_path), batch_size=4, image_size=(8, 8)))
    assert x.shape == (4, 8, 8, 3)


def test_empty_folder(tmp_path):
    with pytest.raises(ValueError, match="No image files"):
        data.load(str(tmp_path))


@pytest.mark.parametrize("name, modes, radius", [("ring8", 8, 1.0), ("grid25", 25, 4 * 2**0.5)])
def test_mixtures(name, modes, radius):
    centers, std = data.mixture(name)
    assert centers.shape == (modes, 2)
    assert np.abs(np.linalg.norm(centers, axis=1).max() - radius) < 1e-5
    points, mode = data.sample_mixture(name, 5000)
    assert np.abs(points - centers[mode]).max() < 6 * std
    assert len(np.unique(mode)) == modes
