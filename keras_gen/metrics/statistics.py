"""Sample-quality statistics computed from features (NumPy/SciPy, float64).

Every function here takes feature arrays of shape (n, d) (or logits for the Inception Score); the
networks that produce them live in `keras_gen.metrics.extractors`.

- Frechet distance / FID: Heusel et al. 2017, "GANs Trained by a Two Time-Scale Update Rule
  Converge to a Local Nash Equilibrium".
- KID: Binkowski et al. 2018, "Demystifying MMD GANs".
- Inception Score: Salimans et al. 2016, "Improved Techniques for Training GANs".
- Precision/recall: Kynkaanniemi et al. 2019, "Improved Precision and Recall Metric for Assessing
  Generative Models".
- Density/coverage: Naeem et al. 2020, "Reliable Fidelity and Diversity Metrics for Generative
  Models".
"""

import warnings

import numpy as np
from scipy import linalg
from scipy.spatial.distance import cdist


def _as_features(features, name="features"):
    features = np.asarray(features, dtype=np.float64)
    if features.ndim != 2:
        raise ValueError(f"{name} must be a 2-D array (num_samples, feature_dim); got shape {features.shape}.")
    return features


def gaussian_statistics(features):
    """Mean and covariance (np.cov, rowvar=False) of `features` (n, d), in float64."""
    features = _as_features(features)
    if len(features) < 2:
        raise ValueError(f"A covariance needs at least 2 samples; got {len(features)}.")
    return features.mean(axis=0), np.cov(features, rowvar=False)


def frechet_distance(mu1, sigma1, mu2, sigma2, eps=1e-6):
    """Squared Frechet distance between N(mu1, sigma1) and N(mu2, sigma2), in float64.

    d^2 = |mu1 - mu2|^2 + Tr(S1 + S2 - 2 sqrt(S1 S2)). As in the reference implementations: when
    the matrix square root is not finite, `eps * I` is added to both covariances; a complex square
    root (from numerical error) keeps its real part only if the imaginary part of its diagonal is
    below 1e-3, and raises otherwise. Non-finite statistics (e.g. from a model whose samples are
    NaN) or a square root that fails give NaN with a warning, not an exception, so that a
    training run's metric callback reports the failure instead of crashing the run.
    """
    mu1, mu2 = np.atleast_1d(np.asarray(mu1, np.float64)), np.atleast_1d(np.asarray(mu2, np.float64))
    sigma1, sigma2 = np.atleast_2d(np.asarray(sigma1, np.float64)), np.atleast_2d(np.asarray(sigma2, np.float64))
    if mu1.shape != mu2.shape or sigma1.shape != sigma2.shape or sigma1.shape != (len(mu1), len(mu1)):
        raise ValueError(
            f"Means must both be (d,) and covariances both (d, d); got {mu1.shape}, {sigma1.shape}, "
            f"{mu2.shape}, {sigma2.shape}. Were the two sets extracted with the same extractor?"
        )
    if not all(np.isfinite(a).all() for a in (mu1, sigma1, mu2, sigma2)):
        warnings.warn("The features hold NaN or inf (NaN samples?): the Frechet distance is NaN.", RuntimeWarning)
        return float("nan")
    diff = mu1 - mu2
    covmean = _sqrtm(sigma1 @ sigma2)
    if not np.isfinite(covmean).all():
        offset = np.eye(len(mu1)) * eps
        covmean = _sqrtm((sigma1 + offset) @ (sigma2 + offset))
    if not np.isfinite(covmean).all():
        warnings.warn("The matrix square root of sigma1 @ sigma2 failed: the Frechet distance is NaN.", RuntimeWarning)
        return float("nan")
    if np.iscomplexobj(covmean):
        max_imag = np.max(np.abs(np.diagonal(covmean).imag))
        if max_imag > 1e-3:
            raise ValueError(
                f"The square root of sigma1 @ sigma2 has an imaginary component of {max_imag:.3g} on its "
                f"diagonal; the covariances are ill-conditioned (too few samples for the feature size?)."
            )
        covmean = covmean.real
    return float(diff @ diff + np.trace(sigma1) + np.trace(sigma2) - 2.0 * np.trace(covmean))


def _sqrtm(matrix):
    """scipy's sqrtm, quiet about singular products (an untrained model's features often give
    one): the caller checks the result and regularises, as the reference implementations do."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", linalg.LinAlgWarning)
        try:
            return linalg.sqrtm(matrix)
        except (linalg.LinAlgError, ValueError):
            return np.full_like(matrix, np.nan)


def fid_from_features(features1, features2):
    """FID-style distance between two feature sets (n1, d) and (n2, d)."""
    return frechet_distance(*gaussian_statistics(features1), *gaussian_statistics(features2))


def save_statistics(path, features, **metadata):
    """Save the mean, covariance and sample count of `features` (plus string/number `metadata`,
    e.g. extractor="inception") as a .npz file, reusable as a reference set by `fid`."""
    mu, sigma = gaussian_statistics(features)
    np.savez(path, mu=mu, sigma=sigma, num_samples=len(features), **metadata)


def load_statistics(path):
    """Load a .npz written by `save_statistics` as a dict (mu, sigma, num_samples, metadata...)."""
    with np.load(path, allow_pickle=False) as data:
        missing = {"mu", "sigma"} - set(data.files)
        if missing:
            raise ValueError(f"{path} holds {sorted(data.files)}; reference statistics need 'mu' and 'sigma'.")
        return {key: (data[key] if data[key].ndim else data[key].item()) for key in data.files}


def _polynomial_kernel(x, y):
    return (x @ y.T / x.shape[1] + 1.0) ** 3


def kid_from_features(real, generated, num_subsets=100, subset_size=1000, seed=0):
    """KID: unbiased MMD^2 with the kernel (x.y / d + 1)^3, over `num_subsets` random subsets of
    `subset_size` (capped at the smaller set). Returns (mean, std) over the subsets."""
    real, generated = _as_features(real, "real"), _as_features(generated, "generated")
    m = min(int(subset_size), len(real), len(generated))
    if m < 2:
        raise ValueError(f"KID needs at least 2 samples per set; got {len(real)} and {len(generated)}.")
    rng = np.random.default_rng(seed)
    estimates = []
    for _ in range(int(num_subsets)):
        x = real[rng.choice(len(real), m, replace=False)]
        y = generated[rng.choice(len(generated), m, replace=False)]
        k_xx, k_yy, k_xy = _polynomial_kernel(x, x), _polynomial_kernel(y, y), _polynomial_kernel(x, y)
        within = (k_xx.sum() - np.trace(k_xx) + k_yy.sum() - np.trace(k_yy)) / (m * (m - 1))
        estimates.append(within - 2.0 * k_xy.mean())
    return float(np.mean(estimates)), float(np.std(estimates))


def inception_score_from_logits(logits, splits=10):
    """Inception Score exp(E_x KL(p(y|x) || p(y))) on each of `splits` parts; returns (mean, std)."""
    logits = _as_features(logits, "logits")
    if len(logits) < splits:
        raise ValueError(f"splits={splits} needs at least that many samples; got {len(logits)}.")
    log_p = logits - logits.max(axis=1, keepdims=True)
    log_p -= np.log(np.exp(log_p).sum(axis=1, keepdims=True))
    scores = []
    for part in np.array_split(log_p, splits):
        log_py = np.log(np.exp(part).mean(axis=0))
        kl = (np.exp(part) * (part - log_py)).sum(axis=1)
        scores.append(np.exp(kl.mean()))
    return float(np.mean(scores)), float(np.std(scores))


def _pairwise_distances(x, y, chunk=2048):
    return np.concatenate([cdist(x[i : i + chunk], y) for i in range(0, len(x), chunk)])


def _knn_radii(features, k):
    """Distance from each sample to its k-th nearest other sample of the same set."""
    if len(features) <= k:
        raise ValueError(f"k={k} nearest neighbours need more than {k} samples; got {len(features)}.")
    distances = _pairwise_distances(features, features)
    return np.partition(distances, k, axis=1)[:, k]  # index 0 is the sample itself


def precision_recall_from_features(real, generated, k=3):
    """Improved precision and recall (k-NN manifolds). Returns {"precision", "recall"}.

    Precision: the fraction of generated samples inside the real manifold (within the k-NN radius
    of some real sample). Recall: the fraction of real samples inside the generated manifold.
    """
    real, generated = _as_features(real, "real"), _as_features(generated, "generated")
    real_radii, fake_radii = _knn_radii(real, k), _knn_radii(generated, k)
    distances = _pairwise_distances(generated, real)  # (n_generated, n_real)
    precision = (distances <= real_radii[None, :]).any(axis=1).mean()
    recall = (distances <= fake_radii[:, None]).any(axis=0).mean()
    return {"precision": float(precision), "recall": float(recall)}


def density_coverage_from_features(real, generated, k=5):
    """Density and coverage (k-NN balls around real samples). Returns {"density", "coverage"}.

    Density: the mean number of real k-NN balls holding a generated sample, divided by k (about 1
    when the distributions match). Coverage: the fraction of real balls holding a generated sample.
    """
    real, generated = _as_features(real, "real"), _as_features(generated, "generated")
    real_radii = _knn_radii(real, k)
    inside = _pairwise_distances(real, generated) <= real_radii[:, None]  # (n_real, n_generated)
    return {"density": float(inside.sum() / (k * len(generated))), "coverage": float(inside.any(axis=1).mean())}
