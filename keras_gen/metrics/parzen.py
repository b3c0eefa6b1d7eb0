"""Parzen-window log-likelihood of held-out data under a generator's samples.

The protocol of Breuleux et al. (2011) and Goodfellow et al. (2014, Table 1): fit a Gaussian kernel
density to samples from the model, choose its bandwidth sigma by the log-likelihood of a
validation set of real data, then report the mean log-likelihood of the test set and its standard
error. Theis et al. (2016, "A note on the evaluation of generative models") show that this
estimate is a poor proxy for the model's true likelihood in high dimensions: it can rank models
wrongly and even a k-means summary of the data can outscore the true model. Report it beside the
real data's own score, never alone.
"""

from collections import namedtuple

import numpy as np

from keras_gen import density

ParzenResult = namedtuple("ParzenResult", "mean std_error sigma num_test num_generated")
ParzenResult.__doc__ = """Mean test log-likelihood (nats per example, on the scale of the data given),
its standard error std / sqrt(num_test), the bandwidth used, and the sizes of the two sets."""


def parzen_log_likelihood(
    generated,
    test,
    sigma=None,
    validation=None,
    validation_fraction=0.2,
    sigmas=None,
    batch_size=256,
    seed=0,
):
    """Parzen-window estimate of the mean log-likelihood of `test` under samples `generated`.

    Args:
        generated: (N, ...) samples from the model (images or vectors), uint8 0..255 images (taken
            to [-1, 1]) or floats on the same scale as `test`.
        test: (M, ...) held-out real data.
        sigma: the kernel bandwidth; None chooses it from `sigmas` by the mean log-likelihood of
            `validation`.
        validation: real data for choosing sigma, disjoint from `test` and from the model's
            training data. None holds out a random `validation_fraction` of `test` for it, and
            scores only the rest (`num_test` in the result says how many).
        sigmas: candidate bandwidths (default: `keras_gen.density.default_bandwidths`).
        batch_size: test points per batch of the log-sum-exp.
        seed: seed of the validation split.

    Returns:
        ParzenResult(mean, std_error, sigma, num_test, num_generated).
    """
    generated = density.as_flat_array(generated, "generated")
    test = density.as_flat_array(test, "test")
    if generated.shape[1] != test.shape[1]:
        raise ValueError(
            f"generated and test must have the same size per example; got {generated.shape[1]} and "
            f"{test.shape[1]} values. Compare samples and data of the same shape and scale."
        )
    if sigma is None:
        if validation is None:
            if not 0.0 < validation_fraction < 1.0 or len(test) < 2:
                raise ValueError(
                    f"Choosing sigma needs validation data: pass `validation`, or a test set of at least "
                    f"2 points and 0 < validation_fraction < 1 (got {len(test)} points and "
                    f"validation_fraction={validation_fraction})."
                )
            order = np.random.default_rng(seed).permutation(len(test))
            cut = min(max(1, int(round(validation_fraction * len(test)))), len(test) - 1)
            validation, test = test[order[:cut]], test[order[cut:]]
        else:
            validation = density.as_flat_array(validation, "validation")
        sigma, _, _ = density.select_bandwidth(generated, validation, sigmas, batch_size)
    scores = density.log_density(test, generated, float(sigma), batch_size)
    std_error = float(np.std(scores) / np.sqrt(len(scores)))
    return ParzenResult(float(np.mean(scores)), std_error, float(sigma), len(test), len(generated))
