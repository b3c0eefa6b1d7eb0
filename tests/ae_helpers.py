"""Small data and checks shared by the autoencoder, VAE, PixelCNN and latent tests."""

import math

import numpy as np

from keras_gen import data


def tiny_digits(n=64, split="train"):
    """`n` real digits shrunk to 8x8 (3x3 means of the central 24x24), uint8, with labels."""
    images, labels = data.load_mnist_5k(split)
    crop = images[:n, 2:26, 2:26, 0].astype(np.float32)
    small = crop.reshape(n, 8, 3, 8, 3).mean(axis=(2, 4))
    return np.round(small).astype(np.uint8)[..., None], labels[:n]


def to_unit(images_uint8):
    return images_uint8.astype(np.float32) / 127.5 - 1.0


def halves(n=64, seed=0):
    """A conditional toy set: label 0 lights the top half of an 8x8 image, label 1 the bottom."""
    labels = np.random.default_rng(seed).integers(0, 2, size=n).astype(np.int32)
    images = -np.ones((n, 8, 8, 1), np.float32)
    images[labels == 0, :4] = 1.0
    images[labels == 1, 4:] = 1.0
    return images, labels


def weights(model):
    return [np.array(v.numpy() if hasattr(v, "numpy") else v.value) for v in model.trainable_variables]


def assert_fit_works(model, x, y=None, epochs=1, batch_size=16):
    """One tiny fit: finite reported losses under the model's names, and the weights moved."""
    before = weights(model)
    history = model.fit(x, y, batch_size=batch_size, epochs=epochs, verbose=0) if y is not None else model.fit(
        x, batch_size=batch_size, epochs=epochs, verbose=0
    )
    assert set(history.history) == set(model.loss_names), history.history.keys()
    for name, values in history.history.items():
        assert all(math.isfinite(v) for v in values), (name, values)
    after = weights(model)
    assert any(not np.allclose(a, b) for a, b in zip(before, after)), "no weight changed"
    return history
