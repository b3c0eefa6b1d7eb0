"""The kde zoo entry: exact log-density, bandwidth choice, sampling, fit and save/load."""

import keras
import numpy as np
import pytest
from scipy import stats
from scipy.special import logsumexp

from keras_gen import data, density, zoo


def direct_log_density(x, centers, sigma):
    """log (1/N) sum_n N(x; c_n, sigma^2 I) with scipy.stats, one point at a time."""
    dim = centers.shape[1]
    return np.array(
        [logsumexp([stats.multivariate_normal(c, sigma**2 * np.eye(dim)).logpdf(p) for c in centers]) - np.log(len(centers)) for p in x]
    )


def test_log_prob_matches_a_direct_computation():
    rng = np.random.default_rng(0)
    train = rng.normal(size=(30, 5)).astype(np.float32)
    queries = rng.normal(size=(7, 5)) * 2
    model = zoo.build("kde", bandwidth=0.7)
    model.fit(train)
    np.testing.assert_allclose(model.log_prob(queries, batch_size=3), direct_log_density(queries, train, 0.7), rtol=1e-6)
    assert model.history.history["sigma"] == [0.7]


def test_bandwidth_chosen_on_held_out_data_recovers_a_known_density():
    rng = np.random.default_rng(1)
    model = zoo.build("kde")
    model.fit(rng.normal(size=(2000, 2)))
    assert 0.1 < model.sigma < 0.6  # Silverman's rule gives about 0.28 for n = 2000, d = 2
    fresh = rng.normal(size=(2000, 2))
    true = stats.multivariate_normal(np.zeros(2), np.eye(2)).logpdf(fresh)
    assert abs(model.log_prob(fresh).mean() - true.mean()) < 0.1  # about -2.84 nats


def test_samples_are_draws_from_the_mixture():
    rng = np.random.default_rng(2)
    train = rng.normal(loc=[3.0, -1.0], scale=[1.0, 0.5], size=(500, 2))
    model = zoo.build("kde", bandwidth=0.3)
    model.fit(train)
    samples = model.sample(20000, seed=0)
    assert samples.shape == (20000, 2) and samples.dtype == np.float32
    np.testing.assert_allclose(samples.mean(0), train.mean(0), atol=0.03)
    np.testing.assert_allclose(samples.var(0), train.var(0) + 0.3**2, rtol=0.05)  # data variance + sigma^2
    np.testing.assert_array_equal(model.sample(5, seed=1), model.sample(5, seed=1))


def test_fit_on_a_dataset_images_and_save_load(tmp_path):
    images, labels = data.load_mnist_5k("test")
    images, labels = images[:200, ::2, ::2][:, :8, :8], labels[:200]  # small 8x8 digits
    model = zoo.build("kde")
    history = model.fit(data.load((images, labels), batch_size=64, drop_remainder=False), epochs=1)
    assert model.centers.shape == (200, 8, 8, 1) and np.isfinite(history.history["val_log_likelihood"][0])
    samples = model.sample(16, seed=0)
    assert samples.shape == (16, 8, 8, 1) and samples.min() >= -1 and samples.max() <= 1
    path = str(tmp_path / "kde.keras")
    model.save(path)
    loaded = keras.models.load_model(path)
    assert loaded.sigma == model.sigma
    np.testing.assert_allclose(loaded.log_prob(images[:5]), model.log_prob(images[:5]))


def test_select_bandwidth_warns_at_the_edge_of_the_grid():
    rng = np.random.default_rng(3)
    with pytest.warns(UserWarning, match="edge of the grid"):
        density.select_bandwidth(rng.normal(size=(50, 2)), rng.normal(size=(20, 2)), sigmas=[1e-3, 2e-3])


def test_clear_errors():
    model = zoo.build("kde")
    with pytest.raises(RuntimeError, match="fit"):
        model.sample(1)
    with pytest.raises(ValueError, match="bandwidth must be positive"):
        zoo.build("kde", bandwidth=0.0)
    model.fit(np.zeros((10, 3)) + np.arange(10)[:, None])
    with pytest.raises(ValueError, match="shape"):
        model.log_prob(np.zeros((2, 4)))
