"""Fast samplers draw what the reference samplers draw: the autoregressive models' row-by-row
sampler against one full network evaluation per pixel, and compiled `generate` against eager."""

import keras
import numpy as np
import pytest

from keras_gen import zoo

TINY = {
    "pixelcnn": {"filters": 8, "num_layers": 2, "kernel_size": 3, "first_kernel_size": 5},
    "gated-pixelcnn": {"filters": 8, "num_layers": 3, "kernel_size": 3},
    "pixelrnn": {"hidden_units": 4, "num_layers": 2, "head_filters": 8},
}


@pytest.mark.parametrize("num_classes", [None, 3])
@pytest.mark.parametrize("distribution", ["categorical", "bernoulli"])
@pytest.mark.parametrize("name", sorted(TINY))
def test_fast_sampler_draws_what_the_naive_sampler_draws(name, distribution, num_classes):
    model = zoo.build(name, data_shape=(8, 10, 3), distribution=distribution, num_classes=num_classes, **TINY[name])
    labels = model.check_labels(None, 5)
    fast = model.draw(5, labels, 3, 4)  # two batches: 4 and 1
    naive = model.draw(5, labels, 3, 4, naive=True)
    np.testing.assert_array_equal(fast, naive)
    np.testing.assert_array_equal(model.sample(5, seed=3, batch_size=4), fast)


def _trained(model, x):
    model.fit(x, epochs=1, batch_size=16, verbose=0)
    return model


@pytest.mark.parametrize("name", ["gan", "vae"])
def test_compiled_generate_matches_eager_and_follows_training(name, digits):
    images, _ = digits
    model = zoo.build(name, seed=0)
    z = np.random.default_rng(0).standard_normal((8, model.latent_dim)).astype("float32")
    eager = lambda: keras.ops.convert_to_numpy(model.generate(keras.ops.convert_to_tensor(z)))
    before = keras.ops.convert_to_numpy(model.generate(z))
    np.testing.assert_allclose(before, eager(), atol=1e-6)
    _trained(model, images[:32])
    after = keras.ops.convert_to_numpy(model.generate(z))
    assert not np.allclose(before, after)
    np.testing.assert_allclose(after, eager(), atol=1e-6)
    np.testing.assert_allclose(model.sample(8, seed=1), model.sample(8, seed=1, batch_size=3), atol=1e-6)


def test_compiled_generate_takes_labels():
    model = zoo.build("cgan", seed=0)
    z = np.random.default_rng(0).standard_normal((4, model.latent_dim)).astype("float32")
    labels = np.array([0, 1, 2, 3], "int32")
    compiled = keras.ops.convert_to_numpy(model.generate(z, labels))
    eager = model.generate(keras.ops.convert_to_tensor(z), keras.ops.convert_to_tensor(labels))
    np.testing.assert_allclose(compiled, keras.ops.convert_to_numpy(eager), atol=1e-6)
