"""keras_gen.metrics.parzen_log_likelihood against a direct computation and a known density."""

import numpy as np
import pytest
from scipy import stats
from scipy.special import logsumexp

from keras_gen.metrics import parzen_log_likelihood


def test_matches_a_direct_computation_with_a_given_sigma():
    rng = np.random.default_rng(0)
    generated, test = rng.normal(size=(40, 3)), rng.normal(size=(9, 3)) + 0.5
    sigma = 0.4
    direct = np.array(
        [logsumexp(stats.multivariate_normal(np.zeros(3), sigma**2 * np.eye(3)).logpdf(generated - t)) - np.log(40) for t in test]
    )
    result = parzen_log_likelihood(generated, test, sigma=sigma, batch_size=4)
    np.testing.assert_allclose(result.mean, direct.mean(), rtol=1e-9)
    np.testing.assert_allclose(result.std_error, direct.std() / 3.0, rtol=1e-9)
    assert (result.sigma, result.num_test, result.num_generated) == (sigma, 9, 40)


def test_recovers_a_known_density_and_ranks_a_wrong_model_lower():
    rng = np.random.default_rng(1)
    test = rng.normal(size=(1000, 2))
    expected = -(1.0 + np.log(2 * np.pi))  # E[log N(x; 0, I_2)] = -d/2 (1 + log 2 pi)
    good = parzen_log_likelihood(rng.normal(size=(5000, 2)), test)
    assert abs(good.mean - expected) < 0.1 and good.num_test == 800  # 200 held out to choose sigma
    shifted = parzen_log_likelihood(rng.normal(size=(5000, 2)) + 1.0, test)
    assert shifted.mean < good.mean - 0.5


def test_validation_set_and_uint8_images():
    rng = np.random.default_rng(2)
    generated = rng.integers(0, 256, size=(100, 8, 8, 1)).astype(np.uint8)
    test = rng.integers(0, 256, size=(20, 8, 8, 1)).astype(np.uint8)
    validation = rng.integers(0, 256, size=(20, 8, 8, 1)).astype(np.uint8)
    result = parzen_log_likelihood(generated, test, validation=validation, sigmas=np.linspace(0.2, 2.0, 10))
    assert result.num_test == 20 and 0.2 < result.sigma < 2.0 and np.isfinite(result.mean)
    same = parzen_log_likelihood(generated.astype(np.float32) / 127.5 - 1, test.astype(np.float32) / 127.5 - 1, sigma=result.sigma)
    np.testing.assert_allclose(same.mean, result.mean, rtol=1e-6)


def test_clear_errors():
    with pytest.raises(ValueError, match="same size per example"):
        parzen_log_likelihood(np.zeros((5, 3)), np.zeros((5, 4)), sigma=1.0)
    with pytest.raises(ValueError, match="positive"):
        parzen_log_likelihood(np.zeros((5, 3)), np.zeros((5, 3)), sigma=-1.0)
    with pytest.raises(ValueError, match="validation"):
        parzen_log_likelihood(np.zeros((5, 3)), np.zeros((1, 3)))
