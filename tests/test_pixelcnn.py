import keras
import numpy as np
import pytest
from keras import ops

from ae_helpers import assert_fit_works, halves, tiny_digits, to_unit
from keras_gen import data, zoo
from keras_gen.layers import MaskedConv2D, causal_mask
from keras_gen.models import PixelCNN

SIDE = 8
PLAIN = {"data_shape": (SIDE, SIDE, 1), "filters": 8, "num_layers": 3, "kernel_size": 3, "first_kernel_size": 3}
GATED = {"data_shape": (SIDE, SIDE, 1), "filters": 8, "num_layers": 3, "kernel_size": 3}


def dependencies(fn, shape, seed=0):
    """D[j, i] = True when output pixel i changes as input pixel j is perturbed (raster indices).

    One batch: the base image and one copy per pixel with that pixel (all its channels) changed."""
    height, width, channels = shape
    rng = np.random.default_rng(seed)
    base = rng.uniform(-1, 1, shape).astype(np.float32)
    batch = np.repeat(base[None], height * width + 1, axis=0)
    for j in range(height * width):
        r, c = divmod(j, width)
        batch[j + 1, r, c] = -base[r, c] + 0.5
    out = ops.convert_to_numpy(fn(ops.convert_to_tensor(batch)))
    change = np.abs(out[1:] - out[:1]).reshape(height * width + 1 - 1, height, width, -1).max(axis=-1)
    return change.reshape(height * width, height * width) > 1e-6


def earlier(i, j):
    return j < i


def test_causal_masks():
    np.testing.assert_array_equal(causal_mask(3, "A"), [[1, 1, 1], [1, 0, 0], [0, 0, 0]])
    np.testing.assert_array_equal(causal_mask(3, "B"), [[1, 1, 1], [1, 1, 0], [0, 0, 0]])
    np.testing.assert_array_equal(causal_mask(3, "vertical_A"), [[1, 1, 1], [0, 0, 0], [0, 0, 0]])
    np.testing.assert_array_equal(causal_mask(3, "vertical_B"), [[1, 1, 1], [1, 1, 1], [0, 0, 0]])
    np.testing.assert_array_equal(causal_mask(5, "horizontal_A"), [[1, 1, 0, 0, 0]])
    np.testing.assert_array_equal(causal_mask(5, "horizontal_B"), [[1, 1, 1, 0, 0]])
    with pytest.raises(ValueError, match="odd"):
        causal_mask(4, "A")


@pytest.mark.parametrize("mask_type", ["A", "B"])
def test_masked_convolution_is_causal(mask_type):
    layer = MaskedConv2D(4, 5, mask_type)
    deps = dependencies(layer, (SIDE, SIDE, 2))
    n = SIDE * SIDE
    for i in range(n):
        for j in range(n):
            if j > i or (j == i and mask_type == "A"):
                assert not deps[j, i], (mask_type, j, i)
    assert deps.diagonal().all() == (mask_type == "B")
    assert deps[0, SIDE + 1]  # the pixel up-left is seen


def test_vertical_stack_sees_only_rows_above():
    first, second = MaskedConv2D(4, 3, "vertical_A"), MaskedConv2D(4, 3, "vertical_B")
    deps = dependencies(lambda x: second(first(x)), (SIDE, SIDE, 1))
    rows = np.arange(SIDE * SIDE) // SIDE
    assert not deps[rows[:, None] >= rows[None, :]].any()  # input row >= output row: never
    assert deps[0 * SIDE + 5, 2 * SIDE + 3]  # two rows up, two columns right: seen after two layers


@pytest.mark.parametrize("options", [PLAIN, GATED, {**PLAIN, "data_shape": (SIDE, SIDE, 3)}], ids=["plain", "gated", "rgb"])
def test_pixelcnn_logits_ignore_the_pixel_and_later_ones(options):
    model = PixelCNN(distribution="bernoulli", gated=options is GATED, **options)
    deps = dependencies(model.network, options["data_shape"])
    n = SIDE * SIDE
    later_or_same = np.arange(n)[:, None] >= np.arange(n)[None, :]
    assert not deps[later_or_same].any()
    assert deps[~later_or_same].mean() > 0.3  # and it does look at earlier pixels


def test_gated_pixelcnn_has_no_blind_spot():
    plain = dependencies(PixelCNN(distribution="bernoulli", **PLAIN).network, (SIDE, SIDE, 1))
    gated = dependencies(PixelCNN(distribution="bernoulli", gated=True, **GATED).network, (SIDE, SIDE, 1))
    r, c, reach = 5, 3, GATED["num_layers"]  # reach: one row / column per 3x3 layer
    i = r * SIDE + c
    in_reach = [
        (rr, cc)
        for rr in range(SIDE)
        for cc in range(SIDE)
        if (r - reach <= rr < r and abs(cc - c) <= reach) or (rr == r and c - reach <= cc < c)
    ]
    assert all(gated[rr * SIDE + cc, i] for rr, cc in in_reach)
    # Stacked masked 3x3 convolutions never reach two columns right in the row above: the blind spot.
    assert not plain[(r - 1) * SIDE + c + 2, i] and gated[(r - 1) * SIDE + c + 2, i]
    assert plain[(r - 1) * SIDE + c + 1, i]


@pytest.mark.parametrize(
    "name,options",
    [("pixelcnn", PLAIN), ("gated-pixelcnn", GATED), ("pixelcnn", {**PLAIN, "distribution": "bernoulli"})],
    ids=["pixelcnn", "gated", "bernoulli"],
)
def test_each_entry_fits(name, options):
    model = zoo.build(name, **options)
    assert_fit_works(model, to_unit(tiny_digits(32)[0]))


def test_log_prob_is_the_sum_of_per_pixel_log_softmax():
    model = zoo.build("pixelcnn", **PLAIN)
    x = tiny_digits(4)[0]
    logits = ops.convert_to_numpy(model(x)).astype(np.float64)
    assert logits.shape == (4, SIDE, SIDE, 1, 256)
    log_softmax = logits - np.log(np.exp(logits - logits.max(-1, keepdims=True)).sum(-1, keepdims=True)) - logits.max(-1, keepdims=True)
    expected = np.take_along_axis(log_softmax, x[..., None].astype(np.int64), axis=-1).sum(axis=(1, 2, 3, 4))
    np.testing.assert_allclose(model.log_prob(x), expected, rtol=1e-4)
    np.testing.assert_allclose(model.bits_per_dim(x), -expected / (SIDE * SIDE * np.log(2)), rtol=1e-4)


def test_sampling_is_seeded_discrete_and_uses_current_weights():
    model = zoo.build("pixelcnn", **PLAIN)
    first = model.sample(3, seed=1)
    assert first.shape == (3, SIDE, SIDE, 1) and first.min() >= -1 and first.max() <= 1
    levels = (first + 1) * 127.5
    np.testing.assert_allclose(levels, np.round(levels), atol=1e-3)
    np.testing.assert_array_equal(first, model.sample(3, seed=1))
    for variable in model.trainable_variables:  # new weights after the step was compiled
        variable.assign(variable * 4.0)
    assert not np.array_equal(first, model.sample(3, seed=1))  # no stale compiled weights


def test_class_conditional_pixelcnn_uses_the_label():
    images, labels = halves(128)
    keras.utils.set_random_seed(0)
    model = zoo.build("gated-pixelcnn", **GATED, distribution="bernoulli", num_classes=2, learning_rate=1e-2)
    assert_fit_works(model, images, labels, epochs=8)
    # The first pixel has no earlier pixels: only the label can say whether it is lit (class 0).
    first_pixel = ops.convert_to_numpy(ops.sigmoid(model(images[:2], labels=np.array([0, 1]))))[:, 0, 0, 0]
    assert first_pixel[0] > 0.65 and first_pixel[1] < 0.35, first_pixel
    right = model.log_prob(images[:16], labels=labels[:16])
    assert right.mean() > model.log_prob(images[:16], labels=1 - labels[:16]).mean()
    balanced = np.array([0, 1, 0, 1])  # no labels: balanced classes in turn
    np.testing.assert_allclose(model.log_prob(images[:4]), model.log_prob(images[:4], labels=balanced), rtol=1e-6)


def test_save_load_round_trip(tmp_path):
    model = zoo.build("gated-pixelcnn", **GATED, distribution="bernoulli")
    x = data.binarize(tiny_digits(8)[0])
    model.fit(to_unit(x), batch_size=8, epochs=1)
    path = str(tmp_path / "gated.keras")
    model.save(path)
    loaded = keras.models.load_model(path)
    assert loaded.gated and loaded.distribution == "bernoulli"
    np.testing.assert_allclose(loaded.log_prob(x), model.log_prob(x), rtol=1e-5)


@pytest.mark.parametrize("name,options", [("pixelcnn", PLAIN), ("gated-pixelcnn", GATED)], ids=["pixelcnn", "gated"])
def test_dropout_acts_in_training_only_and_keeps_the_samplers_exact(name, options, tmp_path):
    model = zoo.build(name, **options, distribution="bernoulli", num_classes=2, dropout=0.5)
    x, labels = to_unit(tiny_digits(4)[0]), np.array([0, 1, 0, 1])
    inference = ops.convert_to_numpy(model(x, labels=labels))
    np.testing.assert_allclose(ops.convert_to_numpy(model(x, labels=labels)), inference, rtol=1e-6)
    training = ops.convert_to_numpy(model(x, labels=labels, training=True))
    assert np.abs(training - inference).max() > 1e-3  # units dropped
    np.testing.assert_array_equal(model.draw(3, labels[:3], 5, 3), model.draw(3, labels[:3], 5, 3, naive=True))
    path = str(tmp_path / "dropout.keras")
    model.save(path)
    assert keras.models.load_model(path).dropout == 0.5


def test_dropout_rate_must_be_below_one():
    with pytest.raises(ValueError, match=r"dropout .* must be below 1.0; got 1.0"):
        zoo.build("gated-pixelcnn", **GATED, dropout=1.0)
