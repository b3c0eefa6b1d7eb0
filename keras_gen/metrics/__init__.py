"""Sample-quality metrics: FID, KID, Inception Score, precision/recall, density/coverage.

`fid`, `kid`, `inception_score`, `precision_recall`, `density_coverage` and `evaluate` take images,
datasets or models; the `*_from_features` functions and `frechet_distance` take feature arrays;
`features` and `extractors.get` give the feature extractors ("inception", "inception-imagenet",
"mnist-lenet").
"""

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
from keras_gen.metrics import extractors
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
from keras_gen.metrics.extractors import features
