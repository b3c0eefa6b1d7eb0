"""Mixed precision on the current KERAS_BACKEND: every trained entry takes steps under
mixed_float16 (with one dynamic loss scale per network's optimizer) and mixed_bfloat16, with
float32 variables and losses; an overflow skips the step, halves the scale, and training goes on."""

import keras
import numpy as np
import pytest
from test_contract import TINY, TRAINED, training_data

from keras_gen import zoo
from keras_gen.models import Sampler


@pytest.fixture
def policy(request):
    keras.config.set_dtype_policy(request.param)
    yield request.param
    keras.config.set_dtype_policy("float32")


def compute_dtypes(model):
    return {layer.compute_dtype for layer in model._flatten_layers() if layer.weights}


def fit_finite(model, n=16):
    images, labels = training_data(model, n)
    history = model.fit(images, labels, batch_size=8, verbose=0)
    assert all(np.isfinite(values).all() for values in history.history.values()), history.history
    return history


def values(variables):
    return [keras.ops.convert_to_numpy(v) for v in variables]


@pytest.mark.parametrize("policy", ["mixed_float16"], indirect=True)
@pytest.mark.parametrize("name", TRAINED)
def test_every_entry_trains_under_mixed_float16_with_a_loss_scale_per_optimizer(name, policy):
    model = zoo.build(name, **TINY[name])
    fit_finite(model, n=8)  # one step
    assert "float16" in compute_dtypes(model)
    assert {v.dtype for v in model.trainable_variables} == {"float32"}
    optimizers = model.optimizers_by_role or {"model": model.optimizer}
    assert len(model.loss_scales) == len(optimizers)
    for optimizer in optimizers.values():
        scale = model.loss_scales[id(optimizer)].scale
        assert any(v is scale for v in optimizer.variables)  # saved and restored with the slots
    if isinstance(model, Sampler):
        assert model.sample(2, seed=0).dtype == np.float32


@pytest.mark.parametrize("policy", ["mixed_bfloat16"], indirect=True)
@pytest.mark.parametrize("name", ["dcgan", "vae", "pixelcnn"])
def test_families_train_under_mixed_bfloat16_without_loss_scaling(name, policy):
    model = zoo.build(name, **TINY[name])
    fit_finite(model, n=8)
    assert "bfloat16" in compute_dtypes(model)
    assert {v.dtype for v in model.trainable_variables} == {"float32"}
    assert model.loss_scales == {}


@pytest.mark.parametrize("policy", ["mixed_float16"], indirect=True)
def test_an_overflow_skips_the_step_halves_the_scale_and_training_goes_on(policy):
    model = zoo.build("wgan-gp", **TINY["wgan-gp"])  # two optimizers, k = 2 critic steps per step
    fit_finite(model)
    generator_scale = model.loss_scales[id(model.generator_optimizer)].scale
    critic_scale = model.loss_scales[id(model.discriminator_optimizer)].scale
    for scale in (generator_scale, critic_scale):
        scale.assign(2.0**120)  # S * loss overflows float16 in the backward pass
    before = values(model.trainable_variables)
    slots = values(model.optimizer.variables)
    images, _ = training_data(model, n=8)
    model.fit(images, batch_size=8, epochs=1, verbose=0)  # one step: 2 critic updates, 1 generator update

    for old, new in zip(before, values(model.trainable_variables)):
        np.testing.assert_array_equal(old, new)
    assert float(keras.ops.convert_to_numpy(generator_scale)) == 2.0**119
    assert float(keras.ops.convert_to_numpy(critic_scale)) == 2.0**118
    moved = [
        v.path for v, old in zip(model.optimizer.variables, slots)
        if "loss_scale" not in v.path and "iteration" not in v.path and not np.array_equal(old, keras.ops.convert_to_numpy(v))
    ]
    assert moved == []  # Adam's moments were not updated either

    for scale in (generator_scale, critic_scale):
        scale.assign(2.0**10)
    fit_finite(model)
    assert any(not np.array_equal(old, new) for old, new in zip(before, values(model.trainable_variables)))


@pytest.mark.parametrize("policy", ["mixed_float16"], indirect=True)
def test_the_scale_doubles_after_its_growth_steps(policy):
    model = zoo.build("vae", **TINY["vae"])
    loss_scale = model.loss_scales[id(model.optimizer)]
    loss_scale.growth_steps = 2
    fit_finite(model)  # 2 steps
    assert float(keras.ops.convert_to_numpy(loss_scale.scale)) == 2.0**16
    assert int(keras.ops.convert_to_numpy(loss_scale.finite_steps)) == 0


@pytest.mark.parametrize("policy", ["mixed_float16"], indirect=True)
def test_a_saved_float16_model_reloads_with_its_loss_scales(tmp_path, policy):
    model = zoo.build("dcgan", **TINY["dcgan"])
    fit_finite(model)
    scale = model.loss_scales[id(model.generator_optimizer)].scale
    scale.assign(1024.0)
    model.save(str(tmp_path / "m.keras"))
    keras.config.set_dtype_policy("float32")  # the saved layers keep their own policy
    loaded = keras.models.load_model(str(tmp_path / "m.keras"))
    assert "float16" in compute_dtypes(loaded)
    assert float(keras.ops.convert_to_numpy(loaded.loss_scales[id(loaded.generator_optimizer)].scale)) == 1024.0
    fit_finite(loaded)


def test_the_cli_trains_under_mixed_float16_and_records_it(tmp_path):
    import json

    from keras_gen import cli

    out = tmp_path / "run"
    try:
        cli.main(["train", "vae", "--data", "mnist-5k-binary", "--epochs", "1", "--steps-per-epoch", "3",
                  "--fid-every", "0", "--mixed-precision", "float16", "--set", "hidden_units=(32,)", "--out", str(out)])
    finally:
        keras.config.set_dtype_policy("float32")
    with open(out / "history.json") as f:
        run = json.load(f)
    assert run["mixed_precision"] == "float16" and np.isfinite(run["history"]["loss"]).all()
    loaded = keras.models.load_model(str(out / "model.keras"))
    assert "float16" in compute_dtypes(loaded) and len(loaded.loss_scales) == 1
