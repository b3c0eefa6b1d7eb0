"""WGAN, WGAN-GP and SN-GAN on the current KERAS_BACKEND: the critic's constraints and the
training loop's counts, on tiny networks."""

import keras
import numpy as np
import pytest
from keras import layers

from keras_gen import backend, data, zoo
from keras_gen.layers import SpectralNormalization
from keras_gen.models import SNGAN, WGAN, WGANGP
from keras_gen.regularizers import GradientPenalty, WeightClipping

IMAGE = (8, 8, 1)


def images(n=16, seed=0):
    return np.random.default_rng(seed).uniform(-1, 1, (n, *IMAGE)).astype("float32")


def linear_critic_model(w, bias=0.3):
    """A WGANGP whose critic is f(x) = w . flatten(x) + b, so grad_x f = w for every x."""
    x = keras.Input(IMAGE)
    critic = keras.Model(x, layers.Dense(1)(layers.Flatten()(x)))
    critic.layers[-1].set_weights([np.asarray(w, "float32").reshape(-1, 1), np.array([bias], "float32")])
    z = keras.Input((2,))
    generator = keras.Model(z, layers.Reshape(IMAGE)(layers.Dense(int(np.prod(IMAGE)))(z)))
    return WGANGP(generator, critic, regularizers=[GradientPenalty(10.0)])


def weights(network):
    return [np.array(keras.ops.convert_to_numpy(v)) for v in network.trainable_variables]


def penalty(model, x):
    return model.regularizers[0].penalty(lambda inputs: model.discriminate(inputs, None)[0], x, x, model.training_noise)


def changed(before, network):
    return any(not np.allclose(a, b) for a, b in zip(before, weights(network)))


def test_gradient_penalty_equals_closed_form_on_a_linear_critic():
    w = np.random.default_rng(1).normal(size=64) * 0.2  # ||w|| about 1.6
    model = linear_critic_model(w)
    value = float(keras.ops.convert_to_numpy(penalty(model, keras.ops.convert_to_tensor(images(5)))))
    assert value == pytest.approx(10.0 * (np.linalg.norm(w) - 1.0) ** 2, rel=1e-4)


def test_gradient_penalty_is_finite_where_the_critic_gradient_is_zero():
    model = linear_critic_model(np.zeros(64))
    x = keras.ops.convert_to_tensor(images(5))
    value = float(keras.ops.convert_to_numpy(penalty(model, x)))
    assert value == pytest.approx(10.0, rel=1e-4)  # 10 * (sqrt(0 + 1e-12) - 1)^2
    critic = model.discriminator
    (value, _), grads = backend.value_and_grad(
        lambda: (penalty(model, x), None), critic.trainable_variables, model.variables
    )
    grads = [keras.ops.convert_to_numpy(g) for g in grads if g is not None]  # TF: None for the bias
    assert np.isfinite(keras.ops.convert_to_numpy(value))
    assert all(np.isfinite(g).all() for g in grads)
    np.testing.assert_allclose(grads[0], 0.0, atol=1e-4)  # d/dw of lambda (|w| - 1)^2 at w = 0


def test_wgan_clips_every_critic_weight_and_counts_critic_steps():
    keras.utils.set_random_seed(0)
    model = zoo.build("wgan", data_shape=IMAGE, width=4, latent_dim=8, clip_value=0.01, learning_rate=0.05)
    critic = model.discriminator
    assert max(np.abs(w).max() for w in weights(critic)) > 0.01  # batch-norm gamma starts at 1
    before_g, before_d = weights(model.generator), weights(critic)
    history = model.fit(data.load(images(), batch_size=4), epochs=1, verbose=0)  # 4 generator steps
    assert all(np.isfinite(v).all() for v in history.history.values())
    for variable in critic.trainable_variables:
        assert np.abs(keras.ops.convert_to_numpy(variable)).max() <= 0.01 + 1e-7, variable.path
    assert int(model.generator_optimizer.iterations) == 4
    assert int(model.discriminator_optimizer.iterations) == 5 * 4  # n_critic = 5
    assert changed(before_g, model.generator) and changed(before_d, critic)


def test_wgan_gp_fit_counts_n_critic_and_trains_both_networks():
    keras.utils.set_random_seed(0)
    model = zoo.build("wgan-gp", data_shape=IMAGE, width=4, latent_dim=8, n_critic=3)
    before_g, before_d = weights(model.generator), weights(model.discriminator)
    history = model.fit(data.load(images(), batch_size=8), epochs=1, verbose=0)  # 2 generator steps
    assert set(history.history) == {"loss", "d_loss", "g_loss", "gradient_penalty"}
    assert all(np.isfinite(v).all() and v[-1] != 0 for v in history.history.values())
    assert int(model.generator_optimizer.iterations) == 2
    assert int(model.discriminator_optimizer.iterations) == 3 * 2
    assert changed(before_g, model.generator) and changed(before_d, model.discriminator)


def largest_singular_values(network, effective=True):
    """Of each spectrally normalised layer's kernel: W / sigma(W) as used in calls, or the stored W."""
    values = []
    for layer in network.layers:
        if isinstance(layer, SpectralNormalization):
            kernel = layer.normalized_kernel()[0] if effective else layer.kernel_variable
            kernel = keras.ops.convert_to_numpy(kernel)
            values.append(np.linalg.svd(kernel.reshape(-1, kernel.shape[-1]), compute_uv=False)[0])
    return values


def test_sngan_keeps_every_layer_spectral_norm_near_one():
    keras.utils.set_random_seed(0)
    model = zoo.build("sngan", data_shape=(2,), hidden_units=(32, 32), latent_dim=2, learning_rate=1e-2)
    assert len(largest_singular_values(model.discriminator)) == 3  # every Dense layer is wrapped
    assert max(largest_singular_values(model.discriminator, effective=False)) > 1.3  # Glorot init
    before_g, before_d = weights(model.generator), weights(model.discriminator)
    points, _ = data.sample_mixture("ring8", 640)
    history = model.fit(data.load(points, batch_size=32), epochs=1, verbose=0)  # 20 steps
    assert all(np.isfinite(v).all() for v in history.history.values())
    np.testing.assert_allclose(largest_singular_values(model.discriminator), 1.0, atol=0.1)
    assert max(largest_singular_values(model.discriminator, effective=False)) > 1.3  # W is never overwritten
    assert int(model.generator_optimizer.iterations) == int(model.discriminator_optimizer.iterations) == 20
    assert changed(before_g, model.generator) and changed(before_d, model.discriminator)


@pytest.mark.parametrize("name", ["wgan", "wgan-gp", "sngan"])
def test_entries_build_for_vectors_and_images(name):
    vectors = zoo.build(name, data_shape=(2,), hidden_units=(8,), latent_dim=2)
    assert vectors.sample(3, seed=0).shape == (3, 2)
    conv = zoo.build(name, data_shape=(32, 32, 3), width=4, latent_dim=4)
    assert conv.discriminator.output.shape[-1] == 1
    assert conv.generate(keras.random.normal((2, 4), seed=1)).shape == (2, 32, 32, 3)


def test_wgan_gp_refuses_batch_norm_in_the_critic():
    with pytest.raises(ValueError, match="batch norm"):
        zoo.build("wgan-gp", normalization="batch")


@pytest.mark.parametrize("name", ["wgan", "wgan-gp"])
def test_save_and_load_give_the_same_samples(tmp_path, name):
    model = zoo.build(name, data_shape=(2,), hidden_units=(8,), latent_dim=2, seed=3)
    path = str(tmp_path / "model.keras")
    model.save(path)
    loaded = keras.models.load_model(path)
    assert type(loaded) is type(model) and loaded.discriminator_steps == 5
    np.testing.assert_allclose(loaded.sample(16, seed=7), model.sample(16, seed=7), rtol=1e-6)
    expected = WeightClipping if name == "wgan" else GradientPenalty
    assert [type(r) for r in loaded.regularizers] == [expected]


def tiny_networks(spectral_norm=False):
    from keras_gen.models.gan import gan_networks

    return gan_networks((2,), 2, None, (8,), "none", spectral_norm, None, "concat")


def test_configurations_keep_their_defining_constraint_whoever_builds_them():
    model = WGAN(*tiny_networks())  # by hand, not by the zoo: still clips, with the paper's defaults
    assert [type(r) for r in model.regularizers] == [WeightClipping] and model.discriminator_steps == 5
    model.compile()
    assert type(model.discriminator_optimizer).__name__.endswith("RMSprop")
    model.fit(np.random.default_rng(0).normal(size=(20, 2)).astype("float32"), batch_size=10, epochs=1, verbose=0)
    assert max(np.abs(w).max() for w in weights(model.discriminator)) <= 0.01 + 1e-7
    with pytest.raises(ValueError, match="weight clipping"):
        WGAN(*tiny_networks(), regularizers=[])
    with pytest.raises(ValueError, match="spectrally normalised"):
        SNGAN(*tiny_networks(spectral_norm=False))
    assert SNGAN(*tiny_networks(spectral_norm=True)).adversarial_loss_name == "hinge"


def test_recompiling_with_one_role_keeps_the_other_roles_default():
    model = zoo.build("wgan", data_shape=(2,), hidden_units=(8,), latent_dim=2)
    model.compile(optimizer={"generator": keras.optimizers.Adam(1e-3)})
    assert type(model.generator_optimizer).__name__.endswith("Adam")
    assert type(model.discriminator_optimizer).__name__.endswith("RMSprop")
    assert float(model.discriminator_optimizer.learning_rate) == pytest.approx(5e-5)
    with pytest.raises(ValueError, match="roles are"):
        model.compile(optimizer={"critic": "adam"})


def test_each_critic_step_sees_its_own_real_minibatch():
    model = zoo.build("wgan-gp", data_shape=(2,), hidden_units=(8,), latent_dim=2, n_critic=3)
    model.compile(run_eagerly=True)
    seen = []
    objective = model.discriminator_objective
    model.discriminator_objective = lambda real, *args, **kw: (seen.append(keras.ops.convert_to_numpy(real)), objective(real, *args, **kw))[1]
    points = np.arange(12, dtype="float32").reshape(6, 2)
    model.fit(points, batch_size=6, epochs=1, shuffle=False, verbose=0)
    np.testing.assert_array_equal(np.concatenate(seen), points)  # 3 minibatches of 2, in turn
    assert model.minibatches_per_step == 3
