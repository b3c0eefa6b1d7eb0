"""Evaluation metrics for generative models."""

from keras_gen.metrics.mode_coverage import ModeCoverage, mode_coverage
from keras_gen.metrics.parzen import ParzenResult, parzen_log_likelihood

__all__ = ["ModeCoverage", "ParzenResult", "mode_coverage", "parzen_log_likelihood"]
