"""Clusters of a training set: the pseudo-labels of a self-conditioned GAN (Liu et al. 2020).

A GAN whose z ~ N(0, I) is unimodal must stretch it over data made of separate modes (ten digit
classes), and what lies between two modes comes out as strokes between two digits. Liu et al.
("Diverse Image Generation via Self-Conditioned GANs", CVPR 2020) cluster the training data and
train a class-conditional GAN on the cluster labels, with no human labels; sampling draws the
cluster from the clusters' frequencies. Here the data are clustered once, before training, by
k-means on their leading principal components (the paper clusters discriminator features and
re-clusters during training).
"""

import keras
import numpy as np
from keras import ops
from scipy.cluster.vq import kmeans2

MAX_EXAMPLES = 20_000  # examples clustered at most (k-means on more gains little)


@keras.saving.register_keras_serializable(package="keras_gen")
class Clusters(keras.layers.Layer):
    """`num_clusters` clusters of examples of `data_shape`: `adapt(examples)` finds them,
    `call(x)` gives each example's cluster, `draw(z)` splits a latent z ~ N(0, I) into a cluster,
    drawn with the clusters' frequencies, and the rest of z.

    Args:
        num_clusters: k of k-means.
        data_shape: the shape of one example.
        components: principal components the examples are projected on before k-means (at most
            the data's dimension).
    """

    def __init__(self, num_clusters, data_shape, components=50, **kwargs):
        super().__init__(dtype="float32", **{k: v for k, v in kwargs.items() if k != "dtype"})  # float32 under mixed precision too
        self.num_clusters = int(num_clusters)
        self.data_shape = tuple(int(d) for d in data_shape)
        size = int(np.prod(self.data_shape))
        self.components = min(int(components), size)
        fixed = dict(trainable=False, initializer="zeros")
        self.mean = self.add_weight(shape=(size,), name="mean", **fixed)
        self.basis = self.add_weight(shape=(size, self.components), name="basis", **fixed)
        self.centroids = self.add_weight(shape=(self.num_clusters, self.components), name="centroids", **fixed)
        self.frequencies = self.add_weight(shape=(self.num_clusters,), name="frequencies", **fixed)
        self.built = True  # its weights' shapes do not depend on the input's

    @property
    def adapted(self):
        return bool(np.any(ops.convert_to_numpy(self.frequencies) > 0))

    def adapt(self, examples, seed=0):
        """Find the clusters of `examples` (N, *data_shape): the principal components, k-means
        (k-means++ seeding) on them, and each cluster's share."""
        examples = np.asarray(examples, np.float32)
        if examples.shape[1:] != self.data_shape:
            raise ValueError(f"Clusters of examples of shape {self.data_shape} cannot adapt to examples of shape {examples.shape[1:]}.")
        if len(examples) < 2 * self.num_clusters:
            raise ValueError(
                f"{len(examples)} examples are too few for {self.num_clusters} clusters: use at least twice as many "
                f"examples as clusters, or fewer clusters."
            )
        flat = examples.reshape(len(examples), -1).astype(np.float64)
        mean = flat.mean(axis=0)
        _, _, rows = np.linalg.svd(flat - mean, full_matrices=False)
        basis = np.zeros((flat.shape[1], self.components))  # fewer examples than components: zero columns
        basis[:, : min(self.components, len(rows))] = rows[: self.components].T
        centroids, assignment = kmeans2((flat - mean) @ basis, self.num_clusters, iter=50, minit="++", seed=seed)
        frequencies = np.bincount(assignment, minlength=self.num_clusters) / len(assignment)
        for weight, value in zip((self.mean, self.basis, self.centroids, self.frequencies), (mean, basis, centroids, frequencies)):
            weight.assign(value.astype(np.float32))

    def call(self, x):
        """The cluster (int32) of each example: the nearest centroid in the projection."""
        flat = ops.reshape(ops.cast(x, "float32"), (-1, self.mean.shape[0]))
        projected = ops.matmul(flat - self.mean, self.basis)
        distances = ops.sum(ops.square(projected[:, None, :] - self.centroids[None]), axis=-1)
        return ops.cast(ops.argmin(distances, axis=-1), "int32")

    def draw(self, z):
        """(clusters, z[:, 1:]) from z (batch, d) ~ N(0, I): the first coordinate picks the cluster,
        the one whose interval of the cumulative frequencies holds Phi(z_0), so clusters come with
        their frequencies, independent of the other d - 1 coordinates, the generator's latent."""
        z = ops.cast(z, "float32")
        cumulative = ops.cumsum(self.frequencies) / ops.sum(self.frequencies)
        u = 0.5 * (1.0 + ops.erf(z[:, 0] / np.sqrt(2.0)))
        clusters = ops.sum(ops.cast(u[:, None] >= cumulative[None, :-1], "int32"), axis=-1)
        return clusters, z[:, 1:]

    def compute_output_shape(self, input_shape):
        return (input_shape[0],)

    def get_config(self):
        return {**super().get_config(), "num_clusters": self.num_clusters, "data_shape": self.data_shape,
                "components": self.components}
