"""Evaluation metrics for generative models."""

from keras_gen.metrics.mode_coverage import ModeCoverage, mode_coverage  # noqa: F401
