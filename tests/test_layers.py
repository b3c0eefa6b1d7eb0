"""keras_gen.layers.SpectralNormalization on the current KERAS_BACKEND: W / sigma(W) computed in the
call (Miyato et al. 2018), its gradient through sigma, u updated only by training calls, and the
stored kernel left as it is."""

import keras
import numpy as np
import pytest

from keras_gen import backend
from keras_gen.layers import SpectralNormalization

W = np.array([[1.0, -2.0], [0.5, 3.0], [-1.5, 0.25]], "float32")
U = np.array([[0.6, -0.8]], "float32")
X = np.array([[1.0, 2.0, -1.0], [0.5, -0.5, 2.0]], "float32")
C = np.array([[1.0, -1.0], [2.0, 0.5]], "float32")


def tiny_dense():
    layer = SpectralNormalization(keras.layers.Dense(2, bias_initializer="ones"))
    layer.build((None, 3))
    layer.layer.kernel.assign(W)
    layer.vector_u.assign(U)
    return layer


def power_step(w, u):
    v = u @ w.T
    v /= np.linalg.norm(v)
    u = v @ w
    return v, u / np.linalg.norm(u)


def test_output_and_gradient_match_the_closed_form_with_the_sigma_term():
    layer = tiny_dense()
    x, c = keras.ops.convert_to_tensor(X), keras.ops.convert_to_tensor(C)
    (loss, _), grads = backend.value_and_grad(
        lambda: (keras.ops.sum(layer(x, training=True) * c), None), [layer.layer.kernel], layer.variables
    )
    v, u = power_step(W.astype(np.float64), U.astype(np.float64))
    sigma = (v @ W @ u.T).item()
    a = X.T @ C  # loss = <A, W / sigma> + sum(C) (the bias is 1)
    assert float(loss) == pytest.approx(np.sum(a * W) / sigma + C.sum(), rel=1e-5)
    expected = a / sigma - np.sum(a * W) / sigma**2 * (v.T @ u)
    np.testing.assert_allclose(keras.ops.convert_to_numpy(grads[0]), expected, rtol=1e-4, atol=1e-5)
    assert not np.allclose(expected, a / sigma, atol=1e-2)  # the sigma term matters here


def test_training_calls_update_u_and_never_write_the_kernel():
    layer = tiny_dense()
    x = keras.ops.convert_to_tensor(X)
    layer(x, training=False)
    np.testing.assert_array_equal(keras.ops.convert_to_numpy(layer.vector_u), U)
    for _ in range(30):
        layer(x, training=True)
    np.testing.assert_array_equal(keras.ops.convert_to_numpy(layer.layer.kernel), W)
    kernel, _ = layer.normalized_kernel()
    np.testing.assert_allclose(np.linalg.svd(keras.ops.convert_to_numpy(kernel), compute_uv=False)[0], 1.0, rtol=1e-4)
    # Inference output is the Dense layer with W / sigma(W).
    np.testing.assert_allclose(
        keras.ops.convert_to_numpy(layer(x)), X @ keras.ops.convert_to_numpy(kernel) + 1.0, rtol=1e-5
    )


def test_conv_layers_and_save_load(tmp_path):
    inputs = keras.Input((8, 8, 1))
    h = SpectralNormalization(keras.layers.Conv2D(3, 3, strides=2, padding="same"))(inputs)
    model = keras.Model(inputs, SpectralNormalization(keras.layers.Dense(1))(keras.layers.Flatten()(h)))
    x = np.random.default_rng(0).normal(size=(2, 8, 8, 1)).astype("float32")
    path = str(tmp_path / "sn.keras")
    model.save(path)
    loaded = keras.models.load_model(path)
    np.testing.assert_allclose(keras.ops.convert_to_numpy(loaded(x)), keras.ops.convert_to_numpy(model(x)), rtol=1e-5)
    with pytest.raises(ValueError, match="kernel"):
        SpectralNormalization(keras.layers.ReLU())(x)
