"""Loss terms of the zoo, written once in `keras.ops`, each per example (so a model can average
them, weighted or not).

Adversarial losses come in pairs, chosen by name (`get("hinge")`): the discriminator's loss on
the logits (scores) of real and generated examples, and the generator's loss on the scores of
generated examples.

- "minimax" (Goodfellow et al. 2014): D minimises -log D(x) - log(1 - D(G(z))), G minimises
  log(1 - D(G(z))), the paper's value function.
- "non-saturating" (Goodfellow et al. 2014, §3): the same D loss; G minimises -log D(G(z)), the
  standard in practice since its gradient does not vanish when D wins.
- "hinge" (Lim & Ye 2017; Miyato et al. 2018): D minimises max(0, 1 - D(x)) + max(0, 1 + D(G(z))),
  G minimises -D(G(z)).
- "wasserstein" (Arjovsky et al. 2017): the critic minimises f(G(z)) - f(x), whose negative
  estimates the Wasserstein-1 distance when f is 1-Lipschitz; G minimises -f(G(z)).

With D(.) = sigmoid(logit): -log D = softplus(-logit) and -log(1 - D) = softplus(logit).
"""

import collections
import math

from keras import ops

LOG_2PI = math.log(2.0 * math.pi)

AdversarialLoss = collections.namedtuple("AdversarialLoss", ["discriminator", "generator"])


def logistic_discriminator_loss(real_logits, fake_logits):
    """-log D(x) - log(1 - D(G(z))), per example."""
    return ops.softplus(-real_logits) + ops.softplus(fake_logits)


def minimax_generator_loss(fake_logits):
    """log(1 - D(G(z))), per example."""
    return -ops.softplus(fake_logits)


def non_saturating_generator_loss(fake_logits):
    """-log D(G(z)), per example."""
    return ops.softplus(-fake_logits)


def hinge_discriminator_loss(real_logits, fake_logits):
    return ops.relu(1.0 - real_logits) + ops.relu(1.0 + fake_logits)


def wasserstein_discriminator_loss(real_scores, fake_scores):
    return fake_scores - real_scores


def score_generator_loss(fake_scores):
    """-D(G(z)): the generator loss of the hinge and Wasserstein GANs."""
    return -fake_scores


ADVERSARIAL_LOSSES = {
    "non-saturating": AdversarialLoss(logistic_discriminator_loss, non_saturating_generator_loss),
    "minimax": AdversarialLoss(logistic_discriminator_loss, minimax_generator_loss),
    "hinge": AdversarialLoss(hinge_discriminator_loss, score_generator_loss),
    "wasserstein": AdversarialLoss(wasserstein_discriminator_loss, score_generator_loss),
}


def get(name):
    """The `AdversarialLoss` pair called `name` (see the module docstring)."""
    if name not in ADVERSARIAL_LOSSES:
        raise ValueError(f"Unknown adversarial loss {name!r}; choose from {sorted(ADVERSARIAL_LOSSES)}.")
    return ADVERSARIAL_LOSSES[name]


def class_cross_entropy(labels, class_logits):
    """-log p(y | x) per example from class logits (AC-GAN's auxiliary classifier)."""
    return ops.sparse_categorical_crossentropy(labels, class_logits, from_logits=True)


def per_example_sum(values):
    return ops.sum(ops.reshape(values, (ops.shape(values)[0], -1)), axis=1)


def per_example_mean(values):
    return ops.mean(ops.reshape(values, (ops.shape(values)[0], -1)), axis=1)


def bernoulli_nll(x, logits):
    """-log p(x | logits) per element for data in [-1, 1] read as probabilities (x + 1) / 2 (the
    binary cross-entropy); a normalised log-likelihood when x is binary (-1 or 1)."""
    targets = (x + 1.0) / 2.0
    return ops.softplus(logits) - targets * logits


def gaussian_kl(mean, log_var):
    """KL(N(mean, exp(log_var)) || N(0, I)) per example, in nats:
    0.5 * sum(sigma^2 + mean^2 - 1 - log sigma^2) over the last axis (Kingma & Welling 2014)."""
    return 0.5 * ops.sum(ops.exp(log_var) + ops.square(mean) - 1.0 - log_var, axis=-1)


def standard_normal_log_density(z):
    return -0.5 * ops.sum(ops.square(z) + LOG_2PI, axis=-1)
