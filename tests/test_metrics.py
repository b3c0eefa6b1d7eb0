"""Statistics of keras_gen.metrics against closed forms and constructed sets."""

import numpy as np
import pytest

from keras_gen import metrics
from keras_gen.metrics import statistics


def test_equal_covariances_give_squared_mean_distance():
    rng = np.random.default_rng(0)
    a = rng.normal(size=(6, 6))
    sigma = a @ a.T + np.eye(6)
    mu1, mu2 = rng.normal(size=6), rng.normal(size=6)
    assert metrics.frechet_distance(mu1, sigma, mu2, sigma) == pytest.approx(np.sum((mu1 - mu2) ** 2), rel=1e-8)


def test_diagonal_covariances_closed_form():
    a, b = np.array([1.0, 4.0, 0.25]), np.array([9.0, 1.0, 2.0])
    mu1, mu2 = np.array([0.0, 1.0, 2.0]), np.array([1.0, 1.0, -1.0])
    expected = np.sum((mu1 - mu2) ** 2) + np.sum((np.sqrt(a) - np.sqrt(b)) ** 2)
    assert metrics.frechet_distance(mu1, np.diag(a), mu2, np.diag(b)) == pytest.approx(expected, rel=1e-10)


def test_identical_sets_give_about_zero_and_singular_covariance_is_handled():
    rng = np.random.default_rng(1)
    features = rng.normal(size=(20, 8))
    assert abs(metrics.fid_from_features(features, features)) < 1e-6
    few = rng.normal(size=(5, 8))  # rank-deficient covariance (5 samples in 8 dimensions)
    assert np.isfinite(metrics.fid_from_features(few, rng.normal(size=(5, 8))))


def test_mismatched_shapes_are_rejected():
    with pytest.raises(ValueError, match="same extractor"):
        metrics.frechet_distance(np.zeros(3), np.eye(3), np.zeros(4), np.eye(4))


def test_saved_statistics_round_trip(tmp_path):
    features = np.random.default_rng(2).normal(size=(50, 4))
    path = tmp_path / "ref.npz"
    metrics.save_statistics(path, features, extractor="mnist-lenet")
    loaded = metrics.load_statistics(path)
    mu, sigma = statistics.gaussian_statistics(features)
    np.testing.assert_allclose(loaded["mu"], mu)
    np.testing.assert_allclose(loaded["sigma"], sigma)
    assert loaded["extractor"] == "mnist-lenet" and loaded["num_samples"] == 50


def test_kid_near_zero_for_same_distribution_and_positive_when_shifted():
    rng = np.random.default_rng(3)
    x, y = rng.normal(size=(300, 16)), rng.normal(size=(300, 16))
    same_mean, same_std = metrics.kid_from_features(x, y, num_subsets=20, subset_size=100)
    shifted_mean, _ = metrics.kid_from_features(x, y + 1.0, num_subsets=20, subset_size=100)
    assert abs(same_mean) < 3 * same_std + 1e-3
    assert shifted_mean > 0.5 and shifted_mean > 20 * abs(same_mean)


def test_inception_score_bounds():
    constant = np.tile([2.0, 1.0, 0.5, 0.0], (40, 1))
    assert metrics.inception_score_from_logits(constant, splits=4)[0] == pytest.approx(1.0)
    confident = np.tile(np.eye(4) * 50.0, (8, 1))  # each split of 8 holds every class twice
    mean, std = metrics.inception_score_from_logits(confident, splits=4)
    assert mean == pytest.approx(4.0, rel=1e-6) and std < 1e-6


def test_precision_recall_on_constructed_sets_and_not_swapped():
    rng = np.random.default_rng(4)
    real = rng.normal(size=(200, 2))
    collapsed = rng.normal(size=(200, 2)) * 0.05  # inside the real manifold, covering little of it
    scores = metrics.precision_recall_from_features(real, collapsed, k=3)
    assert scores["precision"] > 0.95 and scores["recall"] < 0.3
    far = real + 100.0
    assert metrics.precision_recall_from_features(real, far, k=3) == {"precision": 0.0, "recall": 0.0}


def test_density_coverage_on_constructed_sets():
    rng = np.random.default_rng(5)
    real = rng.normal(size=(300, 2))
    same = metrics.density_coverage_from_features(real, rng.normal(size=(300, 2)), k=5)
    assert 0.7 < same["density"] < 1.3 and same["coverage"] > 0.9
    collapsed = metrics.density_coverage_from_features(real, rng.normal(size=(300, 2)) * 0.05, k=5)
    assert collapsed["coverage"] < 0.2 and collapsed["density"] > 0.5  # realistic, not diverse
    assert metrics.density_coverage_from_features(real, real + 100.0, k=5) == {"density": 0.0, "coverage": 0.0}
