"""Self-conditioned GANs (Liu et al. 2020): clusters of the unlabelled data as the networks' labels."""

import keras
import numpy as np
import pytest

from keras_gen import zoo
from keras_gen.layers import Clusters


def blobs(sizes, seed=0):
    """Points of 2-D blobs far apart, blob i holding sizes[i] points, with their blob index."""
    rng = np.random.default_rng(seed)
    centres = np.array([[0.0, 0.0], [10.0, 0.0], [0.0, 10.0], [10.0, 10.0]])[: len(sizes)]
    points = np.concatenate([centre + 0.3 * rng.standard_normal((size, 2)) for centre, size in zip(centres, sizes)])
    return points.astype("float32"), np.repeat(np.arange(len(sizes)), sizes)


def test_clusters_find_separated_groups_and_their_shares():
    points, blob = blobs([200, 100, 100])
    clusters = Clusters(3, (2,))
    assert not clusters.adapted
    clusters.adapt(points)
    assigned = keras.ops.convert_to_numpy(clusters(points))
    assert clusters.adapted
    # one cluster per blob, whatever their numbering
    assert len(set(zip(blob.tolist(), assigned.tolist()))) == 3
    frequencies = keras.ops.convert_to_numpy(clusters.frequencies)
    np.testing.assert_allclose(frequencies[assigned[[0, 200, 300]]], [0.5, 0.25, 0.25], atol=1e-6)


def test_draw_picks_clusters_with_their_frequencies_from_the_first_coordinate():
    clusters = Clusters(3, (2,))
    clusters.frequencies.assign(np.array([0.5, 0.3, 0.2], "float32"))
    z = np.random.default_rng(0).standard_normal((20_000, 5)).astype("float32")
    drawn, rest = (keras.ops.convert_to_numpy(v) for v in clusters.draw(z))
    np.testing.assert_allclose(np.bincount(drawn, minlength=3) / len(drawn), [0.5, 0.3, 0.2], atol=0.01)
    np.testing.assert_array_equal(rest, z[:, 1:])
    assert np.all(np.diff(drawn[np.argsort(z[:, 0])]) >= 0)  # cluster order follows z_0


def test_a_self_conditioned_gan_trains_on_unlabelled_images_and_reloads(tmp_path, digits):
    images, _ = digits
    model = zoo.build("dcgan", clusters=4, latent_dim=8, width=4)
    assert model.latent_dim == 8 and model.generator.inputs[0].shape[-1] == 7
    assert not model.conditional
    model.fit(images[:64], batch_size=16, epochs=1, verbose=0)  # clusters the images first
    assert model.clusters.adapted
    assert int(model.generator_optimizer.iterations) == 4
    z = np.random.default_rng(1).standard_normal((6, 8)).astype("float32")
    cluster, rest = model.clusters.draw(z)
    by_hand = model.averaged_generator([rest, cluster], training=False)
    np.testing.assert_allclose(keras.ops.convert_to_numpy(model.generate(z)), keras.ops.convert_to_numpy(by_hand), atol=1e-6)
    with pytest.raises(ValueError, match="unconditional"):
        model.sample(2, labels=[0, 1])
    model.save(tmp_path / "m.keras")
    loaded = keras.models.load_model(tmp_path / "m.keras")
    np.testing.assert_allclose(loaded.sample(4, seed=3), model.sample(4, seed=3), atol=1e-6)
    np.testing.assert_array_equal(keras.ops.convert_to_numpy(loaded.clusters(images)), keras.ops.convert_to_numpy(model.clusters(images)))


def test_real_examples_train_with_their_cluster_as_label(digits):
    images, labels = digits
    model = zoo.build("sngan", clusters=3, latent_dim=4, width=4)
    model.adapt_clusters(images)
    _, unpacked, _ = model.unpack((images[:8], labels[:8]))  # the data's own labels are ignored
    np.testing.assert_array_equal(keras.ops.convert_to_numpy(unpacked), keras.ops.convert_to_numpy(model.clusters(images[:8])))


def test_refused_data_leaves_the_clusters_unfitted(digits):
    images, _ = digits
    model = zoo.build("dcgan", clusters=4, latent_dim=8, width=4)
    pixels = np.round((images + 1.0) * 127.5).astype("uint8")
    with pytest.raises(ValueError, match=r"floats in \[-1, 1\]"):
        model.fit(pixels, batch_size=16, epochs=1, verbose=0)
    assert not model.clusters.adapted


def test_bad_self_conditioning_options_are_clear_errors(digits):
    images, _ = digits
    with pytest.raises(ValueError, match="Pass one of them"):
        zoo.build("sngan", clusters=10, num_classes=10)
    with pytest.raises(ValueError, match="clusters must be"):
        zoo.build("dcgan", clusters=1)
    with pytest.raises(ValueError, match="64 examples are too few for 50 clusters"):
        zoo.build("dcgan", clusters=50, latent_dim=8, width=4).adapt_clusters(images[:64])
    with pytest.raises(ValueError, match="no clusters to adapt"):
        zoo.build("dcgan", latent_dim=8, width=4).adapt_clusters(images)


def test_a_self_conditioned_mlp_gan_on_points():
    points, _ = blobs([64, 64, 64, 64])
    model = zoo.build("gan", data_shape=(2,), hidden_units=(8,), latent_dim=3, clusters=4)
    model.fit(points, batch_size=32, epochs=1, verbose=0)
    assert sorted(np.unique(keras.ops.convert_to_numpy(model.clusters(points))).tolist()) == [0, 1, 2, 3]
    assert model.sample(10, seed=0).shape == (10, 2)
