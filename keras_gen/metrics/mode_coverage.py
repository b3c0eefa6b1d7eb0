"""Mode coverage of samples from a known Gaussian mixture: the 2-D mode-collapse benchmark.

Protocol of Srivastava et al. 2017 (VEEGAN) and Lin et al. 2018 (PacGAN): a sample is high quality
if it lies within 3 standard deviations of its nearest mode; a mode is captured if it is the nearest
mode of at least one high-quality sample. Both papers draw 2,500 samples.
"""

from typing import NamedTuple

import numpy as np


class ModeCoverage(NamedTuple):
    modes: int  # modes captured
    high_quality: float  # share of samples within 3 std of their nearest mode, in [0, 1]
    reverse_kl: float  # KL(model's histogram over modes || uniform over modes)
    num_modes: int  # modes in the mixture


def mode_coverage(samples, centers, std, threshold=3.0):
    """Score `samples` (N, D) against a mixture with equal-weight modes `centers` (K, D) and
    isotropic `std`.

    The reverse KL is computed on the high-quality samples' histogram over their nearest modes,
    q_k, against the uniform p_k = 1/K: sum_k q_k log(q_k K), 0 when every mode holds an equal share,
    log K when all fall in one mode, and infinite when no sample is high quality.
    """
    samples = np.asarray(samples, dtype=np.float64)
    centers = np.asarray(centers, dtype=np.float64)
    if samples.ndim != 2 or centers.ndim != 2 or samples.shape[1] != centers.shape[1]:
        raise ValueError(
            f"Expected samples (N, D) and centers (K, D) of the same D; got {samples.shape} and {centers.shape}."
        )
    if len(samples) == 0 or std <= 0:
        raise ValueError(f"Need at least one sample and a positive std; got {len(samples)} samples, std={std}.")
    distances = np.linalg.norm(samples[:, None, :] - centers[None, :, :], axis=-1)
    nearest = distances.argmin(axis=1)
    good = distances[np.arange(len(samples)), nearest] <= threshold * std
    counts = np.bincount(nearest[good], minlength=len(centers))
    if counts.sum() == 0:
        reverse_kl = float("inf")
    else:
        q = counts[counts > 0] / counts.sum()
        reverse_kl = float(np.sum(q * np.log(q * len(centers))))
    return ModeCoverage(int((counts > 0).sum()), float(good.mean()), reverse_kl, len(centers))
