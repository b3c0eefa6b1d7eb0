"""Evaluation metrics for generative models.

`fid`, `kid`, `inception_score`, `precision_recall`, `density_coverage` and `evaluate` take images,
datasets or models; the `*_from_features` functions and `frechet_distance` take feature arrays;
`features` and `extractors.get` give the feature extractors ("inception", "inception-imagenet",
"mnist-lenet"). `mode_coverage` (2-D mixtures) and `parzen_log_likelihood` take samples.
"""

from keras_gen.metrics import extractors
from keras_gen.metrics.extractors import features
from keras_gen.metrics.mode_coverage import ModeCoverage, mode_coverage
from keras_gen.metrics.parzen import ParzenResult, parzen_log_likelihood
from keras_gen.metrics.scores import (
    METRICS,
    density_coverage,
    evaluate,
    fid,
    inception_score,
    kid,
    precision_recall,
    reference_statistics,
    scores_from_features,
)
from keras_gen.metrics.statistics import (
    density_coverage_from_features,
    fid_from_features,
    frechet_distance,
    gaussian_statistics,
    inception_score_from_logits,
    kid_from_features,
    load_statistics,
    precision_recall_from_features,
    save_statistics,
)

__all__ = [
    "METRICS", "ModeCoverage", "ParzenResult", "density_coverage", "density_coverage_from_features",
    "evaluate", "extractors", "features", "fid", "fid_from_features", "frechet_distance",
    "gaussian_statistics", "inception_score", "inception_score_from_logits", "kid", "kid_from_features",
    "load_statistics", "mode_coverage", "parzen_log_likelihood", "precision_recall",
    "precision_recall_from_features", "reference_statistics", "save_statistics", "scores_from_features",
]  # fmt: skip
