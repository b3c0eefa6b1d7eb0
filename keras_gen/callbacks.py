"""Keras callbacks that show what a generative model learns while `fit` runs."""

import os

import keras
import numpy as np

from keras_gen import images


def class_rows(num_classes, num):
    """Labels for a grid of about `num` samples from a conditional model, one class per row:
    returns (images per row, labels), with `num // num_classes` (at least 1) per class."""
    per_row = max(1, num // num_classes)
    return per_row, [label for label in range(num_classes) for _ in range(per_row)]


def sample_for_grid(model, num, seed):
    """(samples, images per row or None): `num` samples, or one class per row from a conditional
    model (one with `num_classes`)."""
    num_classes = getattr(model, "num_classes", None)
    if not num_classes:
        return np.asarray(model.sample(num, seed=seed)), None
    per_row, labels = class_rows(num_classes, num)
    return np.asarray(model.sample(len(labels), labels=np.array(labels), seed=seed)), per_row


class SampleGrid(keras.callbacks.Callback):
    """Save `num` samples from the model as a PNG after every epoch (`epoch_001.png`, ...).

    The samples are drawn with the same `seed` every epoch (so the same latent vectors for GANs and
    VAEs), which makes epochs comparable. Conditional models (with `num_classes`) get one class per
    row. 2-D vector data is drawn as a scatter plot instead.
    """

    def __init__(self, out_dir, num=64, seed=0, reference=None):
        super().__init__()
        self.out_dir = out_dir
        self.num = num
        self.seed = seed
        self.reference = reference  # e.g. the modes of a 2-D mixture, drawn on scatter plots

    def on_epoch_end(self, epoch, logs=None):
        samples, per_row = sample_for_grid(self.model, self.num, self.seed)
        path = os.path.join(self.out_dir, f"epoch_{epoch + 1:03d}.png")
        if samples.ndim == 2 and samples.shape[1] == 2:
            images.save_scatter(samples, path, reference=self.reference)
        else:
            images.save_grid(samples, path, nrow=per_row)


class LatentInterpolation(keras.callbacks.Callback):
    """Save a grid of decoded latent interpolations after every epoch (`interp_001.png`, ...).

    Each row runs between two latent vectors drawn from N(0, I) with the same `seed` every epoch,
    so epochs are comparable. Works for any model with a decoder or generator and a `latent_dim`
    (conditional VAEs get `labels`, one per row).
    """

    def __init__(self, out_dir, rows=4, steps=8, method="slerp", seed=0, labels=None):
        super().__init__()
        self.out_dir = out_dir
        self.rows = rows
        self.steps = steps
        self.method = method
        self.seed = seed
        self.labels = labels

    def on_epoch_end(self, epoch, logs=None):
        from keras_gen import latent

        strips = latent.random_interpolations(self.model, self.rows, self.steps, self.method, self.seed, self.labels)
        latent.save_interpolation_grid(strips, os.path.join(self.out_dir, f"interp_{epoch + 1:03d}.png"))


class Reconstructions(keras.callbacks.Callback):
    """Save originals (odd rows) above their reconstructions (even rows) after every epoch
    (`epoch_001.png`, ...): what to watch for a model that cannot sample, such as an autoencoder."""

    def __init__(self, out_dir, images, per_row=8):
        super().__init__()
        self.out_dir = out_dir
        self.images = np.asarray(images)
        self.per_row = per_row

    def on_epoch_end(self, epoch, logs=None):
        from keras import ops

        originals = self.images.astype(np.float32)
        rebuilt = ops.convert_to_numpy(self.model.reconstruct(originals))
        rows = []
        for start in range(0, len(originals), self.per_row):
            rows += [originals[start : start + self.per_row], rebuilt[start : start + self.per_row]]
        path = os.path.join(self.out_dir, f"epoch_{epoch + 1:03d}.png")
        images.save_grid(np.concatenate(rows), path, nrow=self.per_row)
