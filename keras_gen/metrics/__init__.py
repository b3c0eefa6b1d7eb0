"""Sample-quality metrics: FID, KID, Inception Score, precision/recall, density/coverage."""

from keras_gen.metrics.statistics import (
    density_coverage,
    frechet_distance,
    gaussian_statistics,
    inception_score_from_logits,
    kernel_inception_distance,
    load_statistics,
    precision_recall,
    save_statistics,
)
