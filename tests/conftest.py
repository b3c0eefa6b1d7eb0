"""Shared fixtures. The backend is the process's KERAS_BACKEND: CI runs the suite once per backend."""

import keras
import numpy as np
import pytest


@pytest.fixture(autouse=True)
def _seed_everything():
    keras.utils.set_random_seed(0)


@pytest.fixture
def digits():
    """128 real digits as float32 (N, 28, 28, 1) in [-1, 1], with their labels."""
    from keras_gen import data

    images, labels = data.load_mnist_5k("train")
    return images[:128].astype("float32") / 127.5 - 1.0, labels[:128]


def to_numpy(values):
    return [keras.ops.convert_to_numpy(v) for v in values]


def weights_changed(before, after):
    return any(not np.allclose(b, a) for b, a in zip(before, after))
