"""Gaussian kernel density (Parzen window) log-densities, the one implementation shared by the
`kde` zoo entry and `keras_gen.metrics.parzen_log_likelihood`.

    log p(x) = logsumexp_n(-|x - c_n|^2 / (2 sigma^2)) - log N - D/2 log(2 pi sigma^2)

for N centers c_n in D dimensions (Parzen 1962; used to score generators by Breuleux et al. 2011
and Goodfellow et al. 2014). NumPy and SciPy in float64: squared distances come from one matrix
product per batch, and every candidate bandwidth reuses them, so choosing sigma from a grid costs
about as much as one evaluation. (benchmarks/pixelrnn_parzen.py compares this with keras.ops.)
"""

import warnings

import numpy as np
from scipy.special import logsumexp


def as_flat_array(data, name="data"):
    """(N, ...) array-like to float64 (N, D); uint8 images become [-1, 1] like the zoo's data."""
    data = np.asarray(data)
    if data.ndim < 2 or len(data) == 0:
        raise ValueError(f"{name} must be a non-empty array of shape (N, ...) with one example per row; got shape {data.shape}.")
    if data.dtype == np.uint8:
        data = data.astype(np.float64) / 127.5 - 1.0
    elif not np.issubdtype(data.dtype, np.number):
        raise TypeError(f"{name} must be numeric (uint8 images or floats); got dtype {data.dtype}.")
    flat = data.reshape(len(data), -1).astype(np.float64)
    if not np.all(np.isfinite(flat)):
        raise ValueError(f"{name} contains NaN or infinite values.")
    return flat


def _check_sigmas(sigma):
    sigmas = np.atleast_1d(np.asarray(sigma, dtype=np.float64))
    if sigmas.ndim != 1 or not np.all(sigmas > 0):
        raise ValueError(f"Bandwidths must be positive numbers; got {sigma!r}.")
    return sigmas


def log_density(x, centers, sigma, batch_size=256):
    """Log-density of each row of `x` under the Gaussian kernel density on `centers`.

    `x` (M, D) and `centers` (N, D) are float arrays (see `as_flat_array`). `sigma` is one
    bandwidth, giving shape (M,), or a 1-D array of S bandwidths, giving shape (S, M). Rows of `x`
    are processed `batch_size` at a time, so memory stays at batch_size x N.
    """
    x, centers = np.asarray(x, np.float64), np.asarray(centers, np.float64)
    if x.ndim != 2 or centers.ndim != 2 or x.shape[1] != centers.shape[1]:
        raise ValueError(
            f"x and centers must be (M, D) and (N, D) with the same D; got {x.shape} and {centers.shape}."
        )
    sigmas = _check_sigmas(sigma)
    count, dim = centers.shape
    center_norms = np.sum(centers**2, axis=1)
    out = np.empty((len(sigmas), len(x)))
    for start in range(0, len(x), batch_size):
        rows = x[start : start + batch_size]
        distances = np.sum(rows**2, axis=1)[:, None] + center_norms[None, :] - 2.0 * rows @ centers.T
        np.maximum(distances, 0.0, out=distances)  # round-off can make |x - c|^2 slightly negative
        for s, value in enumerate(sigmas):
            out[s, start : start + len(rows)] = logsumexp(-distances / (2.0 * value**2), axis=1)
    out -= (np.log(count) + 0.5 * dim * np.log(2.0 * np.pi * sigmas**2))[:, None]
    return out[0] if np.ndim(sigma) == 0 else out


def default_bandwidths(centers, num=41):
    """A log-spaced grid of candidate bandwidths, 1e-3 to 10 times the data's standard deviation."""
    scale = float(np.std(centers)) or 1.0
    return scale * np.logspace(-3, 1, num)


def select_bandwidth(centers, validation, sigmas=None, batch_size=256):
    """The bandwidth (from `sigmas`, default `default_bandwidths`) maximising the mean held-out
    log-likelihood of `validation` under the kernel density on `centers`.

    Returns (sigma, sigmas, mean validation log-likelihood per sigma). A choice at the edge of the
    grid means the grid was too narrow: pass a wider `sigmas`.
    """
    sigmas = default_bandwidths(centers) if sigmas is None else _check_sigmas(sigmas)
    scores = log_density(validation, centers, sigmas, batch_size).mean(axis=1)
    best = int(np.argmax(scores))
    if len(sigmas) > 1 and best in (0, len(sigmas) - 1):
        warnings.warn(
            f"The best bandwidth {sigmas[best]:.4g} is at the edge of the grid "
            f"[{sigmas[0]:.4g}, {sigmas[-1]:.4g}]; pass a wider `sigmas` grid.",
            stacklevel=2,
        )
    return float(sigmas[best]), sigmas, scores
