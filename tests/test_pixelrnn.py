"""PixelRNN (Row LSTM): causality, training through fit, likelihood and sampling, save/load."""

import math

import keras
import numpy as np
import pytest
from keras import ops

from keras_gen import zoo

TINY = dict(hidden_units=4, num_layers=2, head_filters=8, first_kernel_size=3)


def tiny(data_shape=(8, 8, 1), **options):
    keras.utils.set_random_seed(0)
    return zoo.build("pixelrnn", data_shape=data_shape, **{**TINY, **options})


@pytest.fixture(scope="module")
def categorical():
    """Shared by the tests below (building is the slow part on JAX); none relies on its weights."""
    return tiny()


@pytest.fixture(scope="module")
def bernoulli_rgb():
    return tiny((8, 8, 3), distribution="bernoulli")


def images(n, shape=(8, 8, 1), seed=0):
    return np.random.default_rng(seed).integers(0, 256, size=(n, *shape)).astype(np.uint8)


@pytest.mark.parametrize("which", ["categorical", "bernoulli_rgb"])
def test_logits_at_a_pixel_ignore_that_pixel_and_later_ones(which, request):
    model = request.getfixturevalue(which)
    shape = model.data_shape
    height, width, channels = shape
    pixels = height * width
    cuts = (0, 5, width + 3, pixels - 1)  # includes the first and last pixels
    x = images(1, shape).reshape(1, pixels, channels)
    rng = np.random.default_rng(1)
    batch = np.repeat(x, 1 + len(cuts), axis=0)  # one call: the image, then one changed copy per cut
    for row, cut in enumerate(cuts, start=1):
        batch[row, cut:] = rng.integers(0, 256, size=batch[row, cut:].shape)
    logits = ops.convert_to_numpy(model(batch.reshape(-1, *shape))).reshape(len(batch), pixels, -1)
    for row, cut in enumerate(cuts, start=1):
        np.testing.assert_allclose(logits[row, : cut + 1], logits[0, : cut + 1], atol=1e-5)
        if cut < pixels - 1:  # the check can fail: later logits do depend on the change
            assert np.abs(logits[row, cut + 1 :] - logits[0, cut + 1 :]).max() > 1e-4
    below = np.zeros(pixels, bool)
    below[3 * width + 3] = True  # pixel (3, 3) sees (2, 4), up and to the right, through the Row LSTM
    changed = batch[:1].copy()
    changed[0, 2 * width + 4] = 255 - changed[0, 2 * width + 4]
    delta = ops.convert_to_numpy(model(changed.reshape(-1, *shape))).reshape(1, pixels, -1) - logits[:1]
    assert np.abs(delta[0, below]).max() > 1e-5


def test_fit_trains_with_finite_loss(categorical):
    model = categorical
    before = [ops.convert_to_numpy(v).copy() for v in model.trainable_variables]
    x = images(16).astype(np.float32) / 127.5 - 1.0
    history = model.fit(x, batch_size=8, epochs=2)
    losses = history.history["loss"]
    assert all(np.isfinite(losses)) and losses[-1] < losses[0]
    after = [ops.convert_to_numpy(v) for v in model.trainable_variables]
    assert all(not np.allclose(a, b) for a, b in zip(before, after))
    np.testing.assert_allclose(history.history["bits_per_dim"][-1], losses[-1] / (64 * math.log(2)), rtol=1e-5)


@pytest.mark.parametrize("which", ["categorical", "bernoulli_rgb"])
def test_log_prob_is_the_sum_of_per_pixel_log_probabilities(which, request):
    model = request.getfixturevalue(which)
    distribution, dims = model.distribution, int(np.prod(model.data_shape))
    x = images(3, model.data_shape)
    logits = ops.convert_to_numpy(model(x)).astype(np.float64)
    if distribution == "categorical":
        top = logits.max(-1, keepdims=True)
        log_softmax = logits - top - np.log(np.exp(logits - top).sum(-1, keepdims=True))
        expected = np.take_along_axis(log_softmax, x[..., None].astype(np.int64), axis=-1).sum(axis=(1, 2, 3, 4))
    else:
        bits = (x >= 128).astype(np.float64)
        expected = (bits * -np.logaddexp(0, -logits) + (1 - bits) * -np.logaddexp(0, logits)).sum(axis=(1, 2, 3))
    log_prob = model.log_prob(x)
    np.testing.assert_allclose(log_prob, expected, rtol=1e-5)
    floats = x.astype(np.float32) / 127.5 - 1.0  # uint8 and [-1, 1] floats are the same images
    np.testing.assert_allclose(model.bits_per_dim(floats, batch_size=2), -log_prob / (dims * math.log(2)), rtol=1e-5)


def test_samples_follow_the_first_pixels_distribution(bernoulli_rgb):
    model = bernoulli_rgb
    logit = float(ops.convert_to_numpy(model(np.zeros((1, 8, 8, 3), np.uint8)))[0, 0, 0, 0])
    samples = model.sample(300, seed=3, batch_size=300)
    assert samples.shape == (300, 8, 8, 3) and samples.dtype == np.float32
    assert set(np.unique(samples)) <= {-1.0, 1.0}
    p = 1 / (1 + math.exp(-logit))
    assert abs(np.mean(samples[:, 0, 0, 0] > 0) - p) < 4 * math.sqrt(p * (1 - p) / 300) + 1e-3
    np.testing.assert_array_equal(model.sample(4, seed=3, batch_size=300), samples[:4])


def test_save_load_and_categorical_samples(categorical, tmp_path):
    model = categorical
    x = images(2)
    path = str(tmp_path / "pixelrnn.keras")
    model.save(path)
    loaded = keras.models.load_model(path)
    np.testing.assert_allclose(loaded.log_prob(x), model.log_prob(x), rtol=1e-5)
    assert loaded.get_config()["hidden_units"] == 4
    samples = loaded.sample(2, seed=0)
    values = (samples + 1.0) * 127.5
    assert samples.min() >= -1.0 and samples.max() <= 1.0
    np.testing.assert_allclose(values, np.round(values), atol=1e-3)


def test_clear_errors():
    with pytest.raises(ValueError, match="distribution must be one of"):
        zoo.build("pixelrnn", distribution="gaussian")
    with pytest.raises(ValueError, match="odd"):
        zoo.build("pixelrnn", kernel_size=2)
    with pytest.raises(ValueError, match="images"):
        zoo.build("pixelrnn", data_shape=(2,))

def test_log_prob_rejects_other_shapes(categorical):
    with pytest.raises(ValueError, match="shape"):
        categorical.log_prob(images(1, (16, 16, 1)))
