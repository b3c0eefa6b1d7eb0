"""mode_coverage on samples whose answers are known by construction (PacGAN protocol)."""

import numpy as np
import pytest

from keras_gen import data
from keras_gen.metrics import mode_coverage


def test_samples_exactly_on_every_mode():
    centers, std = data.mixture("ring8")
    result = mode_coverage(np.repeat(centers, 5, axis=0), centers, std)
    assert (result.modes, result.high_quality, result.num_modes) == (8, 1.0, 8)
    assert result.reverse_kl == pytest.approx(0.0, abs=1e-12)


def test_collapse_onto_one_mode_and_far_samples():
    centers, std = data.mixture("grid25")
    samples = np.concatenate([np.tile(centers[3], (30, 1)), np.full((10, 2), 1.0)])  # (1, 1): between modes
    result = mode_coverage(samples, centers, std)
    assert result.modes == 1
    assert result.high_quality == pytest.approx(0.75)
    assert result.reverse_kl == pytest.approx(np.log(25))


def test_three_std_threshold_and_uneven_histogram():
    centers, std = data.mixture("ring8")
    direction = np.array([0.0, 1.0])
    inside = centers[[0, 0, 0, 1]] + 2.9 * std * direction
    outside = centers[[2, 5]] + 3.1 * std * direction
    result = mode_coverage(np.concatenate([inside, outside]), centers, std)
    assert result.modes == 2
    assert result.high_quality == pytest.approx(4 / 6)
    q = np.array([0.75, 0.25])
    assert result.reverse_kl == pytest.approx(np.sum(q * np.log(q * 8)))


def test_no_high_quality_sample():
    centers, std = data.mixture("ring8")
    result = mode_coverage(np.zeros((5, 2)), centers, std)
    assert (result.modes, result.high_quality, result.reverse_kl) == (0, 0.0, float("inf"))


@pytest.mark.parametrize("name", ["ring8", "grid25"])
def test_real_mixture_samples(name):
    centers, std = data.mixture(name)
    points, _ = data.sample_mixture(name, 2500, seed=1)
    result = mode_coverage(points, centers, std)
    assert result.modes == len(centers)
    # A 2-D Gaussian puts 1 - exp(-9/2) = 98.9% of its mass within 3 std of its mean.
    assert result.high_quality == pytest.approx(1 - np.exp(-4.5), abs=0.01)
    assert result.reverse_kl < 0.02


def test_shape_mismatch_is_a_clear_error():
    with pytest.raises(ValueError, match="same D"):
        mode_coverage(np.zeros((4, 3)), np.zeros((8, 2)), 0.01)
