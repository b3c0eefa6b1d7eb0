"""Metrics on images, datasets or models: FID, KID, IS, precision/recall, density/coverage.

    keras_gen.metrics.fid(real_images, model, extractor="mnist-lenet", n=5000)
    keras_gen.metrics.evaluate(dataset, model, metrics=("fid", "kid", "pr"), extractor="mnist-lenet", n=5000)

`real` and `generated` are anything `keras_gen.metrics.features` takes (arrays in [-1, 1] or uint8,
tf.data datasets, models with `sample`); for FID, `real` may also be reference statistics (a .npz
path from `save_statistics`, or its loaded dict). FID is biased upward at small n: report n, the
reference set and the extractor with every number (`evaluate` returns them in its dict).
"""

import os

from keras_gen.metrics import extractors, statistics

METRICS = {
    "fid": "Frechet distance of extractor features (Heusel et al. 2017)",
    "kid": "kernel distance, unbiased MMD^2, mean and std over subsets (Binkowski et al. 2018)",
    "is": "Inception Score, mean and std over 10 splits (Salimans et al. 2016)",
    "pr": "precision and recall, k=3 (Kynkaanniemi et al. 2019)",
    "dc": "density and coverage, k=5 (Naeem et al. 2020)",
}


METRIC_KEYS = {
    "fid": ("fid",),
    "kid": ("kid", "kid_std"),
    "is": ("is", "is_std"),
    "pr": ("precision", "recall"),
    "dc": ("density", "coverage"),
}


def is_statistics(real):
    """Whether `real` is reference statistics (a .npz path or a dict with "mu"), not data."""
    return isinstance(real, (str, os.PathLike)) or (isinstance(real, dict) and "mu" in real)


def load_reference(real):
    """Reference statistics as a dict (loaded from a path when given one)."""
    return statistics.load_statistics(real) if isinstance(real, (str, os.PathLike)) else real


def _statistics(real):
    stats = load_reference(real)
    return stats["mu"], stats["sigma"]


def scores_from_features(real, generated, metrics, generated_logits=None, kid_subsets=100, kid_subset_size=1000):
    """{metric: value} from real features (or statistics, FID only) and generated features."""
    unknown = sorted(set(metrics) - set(METRICS))
    if unknown:
        raise ValueError(f"Unknown metric(s) {unknown}; choose from {sorted(METRICS)}.")
    if is_statistics(real) and set(metrics) - {"fid", "is"}:
        raise ValueError(f"Reference statistics (mu, sigma) only give FID; {sorted(set(metrics) - {'fid', 'is'})} need real images.")
    scores = {}
    if "fid" in metrics:
        real_stats = _statistics(real) if is_statistics(real) else statistics.gaussian_statistics(real)
        scores["fid"] = statistics.frechet_distance(*real_stats, *statistics.gaussian_statistics(generated))
    if "kid" in metrics:
        scores["kid"], scores["kid_std"] = statistics.kid_from_features(real, generated, kid_subsets, kid_subset_size)
    if "is" in metrics:
        scores["is"], scores["is_std"] = statistics.inception_score_from_logits(generated_logits)
    if "pr" in metrics:
        scores.update(statistics.precision_recall_from_features(real, generated))
    if "dc" in metrics:
        scores.update(statistics.density_coverage_from_features(real, generated))
    return scores


def evaluate(real, generated, metrics=("fid",), extractor="inception", n=None, batch_size=50, seed=0, verbose=1):
    """Compute several metrics with one feature pass over each set.

    Returns {"extractor": name, "n_real": ..., "n_generated": ..., metric: value, ...}; KID and IS
    add "kid_std" and "is_std", "pr" adds "precision" and "recall", "dc" "density" and "coverage".
    """
    metrics = tuple(metrics)
    extractor = extractors.get(extractor)
    if is_statistics(real):
        real_features = real = load_reference(real)
        saved_with = str(real.get("extractor", extractor.extractor_name))
        if saved_with != extractor.extractor_name:
            raise ValueError(
                f"The reference statistics were computed with extractor {saved_with!r}, not "
                f"{extractor.extractor_name!r}: FIDs across extractors are meaningless. Use extractor={saved_with!r}."
            )
        n_real = int(real.get("num_samples", 0))
    elif metrics == ("is",):
        real_features, n_real = None, 0
    else:
        real_features = extractors.features(real, extractor, n, batch_size, seed, "features", verbose)
        n_real = len(real_features)
    outputs = ("features", "logits") if "is" in metrics else "features"
    generated_out = extractors.features(generated, extractor, n, batch_size, seed, outputs, verbose)
    generated_features = generated_out["features"] if "is" in metrics else generated_out
    scores = scores_from_features(
        real_features, generated_features, metrics, generated_out["logits"] if "is" in metrics else None
    )
    return {"extractor": extractor.extractor_name, "n_real": n_real, "n_generated": len(generated_features), **scores}


def fid(real, generated, extractor="inception", n=None, batch_size=50, seed=0, verbose=1):
    """FID between `real` (data, a model, or reference statistics) and `generated`, with `extractor`."""
    return evaluate(real, generated, ("fid",), extractor, n, batch_size, seed, verbose)["fid"]


def kid(real, generated, extractor="inception", n=None, batch_size=50, seed=0, verbose=1):
    """KID (mean, std) over 100 subsets of up to 1000 samples."""
    scores = evaluate(real, generated, ("kid",), extractor, n, batch_size, seed, verbose)
    return scores["kid"], scores["kid_std"]


def inception_score(generated, extractor="inception", n=None, batch_size=50, seed=0, verbose=1):
    """Inception Score (mean, std) over 10 splits. Meaningful only for ImageNet-like images with the
    'inception' extractor (which needs pytorch-fid's weights for its logits)."""
    scores = evaluate(None, generated, ("is",), extractor, n, batch_size, seed, verbose)
    return scores["is"], scores["is_std"]


def precision_recall(real, generated, extractor="inception", n=None, batch_size=50, seed=0, verbose=1):
    """{"precision", "recall"} with k=3."""
    scores = evaluate(real, generated, ("pr",), extractor, n, batch_size, seed, verbose)
    return {"precision": scores["precision"], "recall": scores["recall"]}


def density_coverage(real, generated, extractor="inception", n=None, batch_size=50, seed=0, verbose=1):
    """{"density", "coverage"} with k=5."""
    scores = evaluate(real, generated, ("dc",), extractor, n, batch_size, seed, verbose)
    return {"density": scores["density"], "coverage": scores["coverage"]}


def reference_statistics(real, path, extractor="inception", n=None, batch_size=50, verbose=1):
    """Compute and save the FID statistics of a reference set to `path` (.npz), naming the extractor."""
    real_features = extractors.features(real, extractor, n, batch_size, 0, "features", verbose)
    statistics.save_statistics(path, real_features, extractor=extractors.get(extractor).extractor_name)
    return path

