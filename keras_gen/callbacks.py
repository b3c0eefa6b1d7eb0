"""Keras callbacks that show what a generative model learns while `fit` runs."""

import importlib.util
import os

import keras
import numpy as np
from keras import ops

from keras_gen import images
from keras_gen.images import pixels_to_unit


def sample_for_grid(model, num, seed):
    """(samples, images per row or None): `num` samples, or, from a conditional model, one class
    per row (`num // num_classes` per class, at least 1)."""
    if not model.conditional:
        return model.sample(num, seed=seed), None
    per_row = max(1, num // model.num_classes)
    labels = np.repeat(np.arange(model.num_classes), per_row)
    return model.sample(len(labels), labels=labels, seed=seed), per_row


class StopOnNonFiniteLoss(keras.callbacks.Callback):
    """Stop `fit` at the first batch whose logs hold a NaN or infinite value (any loss, not only
    `loss`), and keep the last good model: with `checkpoint`, the model is saved there at the end of
    every epoch whose losses stayed finite, and never after a non-finite one.

    After training, `stopped_at` is None, or (epoch, batch, {name: value}) of the bad batch.
    """

    def __init__(self, checkpoint=None):
        super().__init__()
        self.checkpoint = checkpoint
        self.stopped_at = None
        self._epoch = 0

    def on_epoch_begin(self, epoch, logs=None):
        self._epoch = epoch

    def on_train_batch_end(self, batch, logs=None):
        bad = {name: float(value) for name, value in (logs or {}).items() if not np.all(np.isfinite(value))}
        if bad and self.stopped_at is None:
            self.stopped_at = (self._epoch, batch, bad)
            self.model.stop_training = True

    def on_epoch_end(self, epoch, logs=None):
        if self.checkpoint is not None and self.stopped_at is None:
            self.model.save(self.checkpoint)


class SampleGrid(keras.callbacks.Callback):
    """Save `num` samples from the model as a PNG after every epoch (`epoch_001.png`, ...).

    The samples are drawn with the same `seed` every epoch (so the same latent vectors for GANs and
    VAEs), which makes epochs comparable. Conditional models (with `num_classes`) get one class per
    row. 2-D vector data is drawn as a scatter plot instead. With `log_dir`, image grids also go to
    TensorBoard (tag "samples"); that needs TensorFlow and the tensorboard package.
    """

    def __init__(self, out_dir, num=64, seed=0, reference=None, log_dir=None):
        super().__init__()
        self.out_dir = out_dir
        self.num = num
        self.seed = seed
        self.reference = reference  # e.g. the modes of a 2-D mixture, drawn on scatter plots
        if log_dir is not None and not all(importlib.util.find_spec(m) for m in ("tensorflow", "tensorboard")):
            raise ImportError(f"SampleGrid(log_dir={log_dir!r}) writes TensorBoard images: pip install tensorflow tensorboard.")
        self.log_dir = log_dir
        self._writer = None

    def on_epoch_end(self, epoch, logs=None):
        samples, per_row = sample_for_grid(self.model, self.num, self.seed)
        path = os.path.join(self.out_dir, f"epoch_{epoch + 1:03d}.png")
        if samples.ndim == 2 and samples.shape[1] == 2:
            images.save_scatter(samples, path, reference=self.reference)
        else:
            images.save_grid(samples, path, nrow=per_row)
            self._log_image(samples, per_row, epoch)

    def _log_image(self, samples, per_row, epoch):
        if self.log_dir is None:
            return
        import tensorflow as tf

        if self._writer is None:
            self._writer = tf.summary.create_file_writer(self.log_dir)
        grid = images.make_grid(samples, nrow=per_row)
        grid = grid[..., None] if grid.ndim == 2 else grid
        with self._writer.as_default():
            tf.summary.image("samples", grid[None], step=epoch + 1)
        self._writer.flush()


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
        originals = ops.convert_to_numpy(pixels_to_unit(self.images))
        rebuilt = ops.convert_to_numpy(self.model.reconstruct(originals))
        rows = []
        for start in range(0, len(originals), self.per_row):
            rows += [originals[start : start + self.per_row], rebuilt[start : start + self.per_row]]
        path = os.path.join(self.out_dir, f"epoch_{epoch + 1:03d}.png")
        images.save_grid(np.concatenate(rows), path, nrow=self.per_row)


class Evaluation(keras.callbacks.Callback):
    """Every `every` epochs, add sample-quality metrics of the model to the epoch logs.

    Draws `n` samples with `model.sample(n, seed=seed)` and compares them with `real` (images, a
    tf.data dataset, or, for FID only, reference statistics from `keras_gen.metrics.save_statistics`)
    through `extractor`. The logs gain "fid", "kid" and "kid_std", "precision" and "recall",
    "density" and "coverage", or "is" and "is_std" (see `keras_gen.metrics.METRICS`), so
    History, CSVLogger, EarlyStopping and ModelCheckpoint(monitor="fid", mode="min") see them (Keras
    cannot guess the mode of a custom key: pass mode="min", or "max" for recall etc.). Put this callback
    before those in the list. Epochs without an evaluation log NaN, which keeps the CSV columns fixed.
    Real features are computed once, at the start of training.
    """

    def __init__(self, real, metrics=("fid",), extractor="inception", n=1000, every=1, seed=0, batch_size=50, verbose=0):
        super().__init__()
        from keras_gen.metrics.scores import METRIC_KEYS

        unknown = sorted(set(metrics) - set(METRIC_KEYS))
        if unknown:
            raise ValueError(f"Unknown metric(s) {unknown}; choose from {sorted(METRIC_KEYS)}.")
        self.real = real
        self.metric_names = tuple(metrics)
        self.extractor = extractor
        self.n = int(n)
        self.every = int(every)
        self.seed = seed
        self.batch_size = batch_size
        self.verbose = verbose
        self._real_features = None
        self.log_keys = tuple(key for name in self.metric_names for key in METRIC_KEYS[name])

    def _reference(self):
        from keras_gen.metrics import extractors, scores

        if self._real_features is None:
            if scores.is_statistics(self.real):
                self._real_features = scores.load_reference(self.real)
            else:
                self._real_features = extractors.features(
                    self.real, self.extractor, self.n, self.batch_size, verbose=self.verbose
                )
        return self._real_features

    def on_train_begin(self, logs=None):
        self._reference()

    def on_epoch_end(self, epoch, logs=None):
        from keras_gen.metrics import extractors, scores_from_features

        if logs is None:
            return
        if (epoch + 1) % self.every:
            logs.update({key: float("nan") for key in self.log_keys})
            return
        outputs = ("features", "logits") if "is" in self.metric_names else "features"
        generated = extractors.features(self.model, self.extractor, self.n, self.batch_size, self.seed, outputs, self.verbose)
        features = generated["features"] if "is" in self.metric_names else generated
        scores = scores_from_features(
            self._reference(), features, self.metric_names, generated["logits"] if "is" in self.metric_names else None
        )
        logs.update(scores)


class FID(Evaluation):
    """Add "fid" (and "kid", "kid_std" with `kid=True`) to the epoch logs every `every` epochs.

    FID: Heusel et al. 2017; KID: Binkowski et al. 2018. With `extractor="mnist-lenet"` it is a
    domain FID for digits; report the extractor and `n` with the numbers.
    """

    def __init__(self, real, extractor="inception", n=1000, every=1, kid=False, seed=0, batch_size=50, verbose=0):
        super().__init__(real, ("fid", "kid") if kid else ("fid",), extractor, n, every, seed, batch_size, verbose)
