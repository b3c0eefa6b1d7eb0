"""Evaluation metrics for generative models."""

from keras_gen.metrics.parzen import ParzenResult, parzen_log_likelihood

__all__ = ["ParzenResult", "parzen_log_likelihood"]
