"""DiffAugment (keras_gen.augment) on the current KERAS_BACKEND: each transform does what the paper
defines, the discriminator sees transformed images in training only, and the policy is saved."""

import os

import keras
import numpy as np
import pytest

from keras_gen import augment, data, zoo

from tests.conftest import to_numpy, weights_changed


def uniform_from(rng):
    return lambda shape: keras.ops.convert_to_tensor(rng.uniform(size=shape).astype("float32"))


def shifted(image, dy, dx):
    """image moved down dy and right dx rows/columns, zero-filled."""
    out = np.zeros_like(image)
    h, w = image.shape[:2]
    out[max(dy, 0):h + min(dy, 0), max(dx, 0):w + min(dx, 0)] = image[max(-dy, 0):h - max(dy, 0), max(-dx, 0):w - max(dx, 0)]
    return out


def test_translation_moves_each_image_by_at_most_an_eighth_zero_filled(digits):
    images = digits[0][:16]
    moved = keras.ops.convert_to_numpy(augment.translation(keras.ops.convert_to_tensor(images), uniform_from(np.random.default_rng(0))))
    shifts = []
    for image, result in zip(images, moved):
        matches = [(dy, dx) for dy in range(-4, 5) for dx in range(-4, 5) if np.array_equal(result, shifted(image, dy, dx))]
        assert matches, "not a shift of at most 4 pixels (28 / 8, rounded) of the image"
        shifts.append(matches[0])
    assert len(set(shifts)) > 4  # a random shift per image


def test_cutout_zeroes_one_window_of_half_the_image(digits):
    images = digits[0][:16] * 0.5 + 1.5  # in [1, 2]: no zero before the cutout
    cut = keras.ops.convert_to_numpy(augment.cutout(keras.ops.convert_to_tensor(images), uniform_from(np.random.default_rng(0))))
    for image, result in zip(images, cut):
        zero = result[..., 0] == 0
        rows, columns = np.flatnonzero(zero.any(axis=1)), np.flatnonzero(zero.any(axis=0))
        assert 7 <= len(rows) <= 14 and 7 <= len(columns) <= 14  # 14 x 14, cut by the border
        window = np.zeros_like(zero)
        window[rows[0]:rows[-1] + 1, columns[0]:columns[-1] + 1] = True
        assert np.array_equal(zero, window)  # one rectangle, nothing else
        np.testing.assert_array_equal(result[~zero], image[~zero])


@pytest.mark.parametrize("draw,expected", [
    (0.5, lambda x: x),  # brightness +0, saturation x1, contrast x1
    (1.0, lambda x: (x + 0.5 - (x + 0.5).mean(axis=(1, 2, 3), keepdims=True)) * 1.5 + (x + 0.5).mean(axis=(1, 2, 3), keepdims=True)),
])
def test_color_shifts_brightness_and_scales_contrast(digits, draw, expected):
    """One channel: the saturation step (around the mean over channels) leaves it unchanged."""
    images = digits[0][:4]
    result = augment.color(keras.ops.convert_to_tensor(images), lambda shape: keras.ops.full(shape, draw))
    np.testing.assert_allclose(keras.ops.convert_to_numpy(result), expected(images), atol=1e-5)


def test_the_discriminator_sees_transformed_images_in_training_only(digits):
    images = keras.ops.convert_to_tensor(digits[0][:32])
    plain = zoo.build("dcgan", width=4, latent_dim=4)
    augmented = zoo.build("dcgan", width=4, latent_dim=4, augment="translation,cutout")
    augmented.discriminator.set_weights(plain.discriminator.get_weights())
    for training in (False, True):
        untouched = keras.ops.convert_to_numpy(plain.discriminate(images, None, training)[0])
        seen = keras.ops.convert_to_numpy(augmented.discriminate(images, None, training)[0])
        assert np.allclose(seen, untouched) == (not training)


def test_fit_trains_through_the_transforms_and_load_model_keeps_the_policy(tmp_path, digits):
    model = zoo.build("dcgan", width=4, latent_dim=4, augment=["translation", "cutout"])
    before = to_numpy(model.generator.trainable_variables)
    history = model.fit(data.load(digits, batch_size=32), epochs=1, verbose=0)
    assert np.isfinite(history.history["loss"]).all()
    assert weights_changed(before, to_numpy(model.generator.trainable_variables))
    path = os.path.join(tmp_path, "model.keras")
    model.save(path)
    assert keras.models.load_model(path).augmentation == ("translation", "cutout")


def test_bad_policies_say_what_would_be_right():
    with pytest.raises(ValueError, match="Unknown augmentation 'flip': choose from color, translation, cutout"):
        zoo.build("dcgan", width=4, latent_dim=4, augment="translation,flip")
    with pytest.raises(ValueError, match=r"augment transforms images .* makes \(2,\)"):
        zoo.build("gan", data_shape=(2,), augment="cutout")
