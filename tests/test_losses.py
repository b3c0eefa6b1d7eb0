"""The adversarial losses as functions, against their formulas (Goodfellow et al. 2014; Lim & Ye
2017; Arjovsky et al. 2017)."""

import numpy as np
import pytest
from keras import ops

from keras_gen import losses

REAL = np.array([2.0, -0.5, 0.0, 3.0], "float32")
FAKE = np.array([-1.0, 0.5, 1.5, -3.0], "float32")


def sigmoid(x):
    return 1 / (1 + np.exp(-x))


@pytest.mark.parametrize(
    "name, discriminator, generator",
    [
        ("minimax", -np.log(sigmoid(REAL)) - np.log(1 - sigmoid(FAKE)), np.log(1 - sigmoid(FAKE))),
        ("non-saturating", -np.log(sigmoid(REAL)) - np.log(1 - sigmoid(FAKE)), -np.log(sigmoid(FAKE))),
        ("hinge", np.maximum(0, 1 - REAL) + np.maximum(0, 1 + FAKE), -FAKE),
        ("wasserstein", FAKE - REAL, -FAKE),
    ],
)
def test_losses_per_example_match_their_formulas(name, discriminator, generator):
    loss = losses.get(name)
    np.testing.assert_allclose(ops.convert_to_numpy(loss.discriminator(REAL, FAKE)), discriminator, rtol=1e-5)
    np.testing.assert_allclose(ops.convert_to_numpy(loss.generator(FAKE)), generator, rtol=1e-5)


def test_unknown_loss_names_the_choices():
    with pytest.raises(ValueError, match="hinge"):
        losses.get("least-squares")
