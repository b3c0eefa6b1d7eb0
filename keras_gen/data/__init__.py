"""Datasets as `tf.data` pipelines that `fit` accepts on every backend.

    keras_gen.data.load("mnist-5k", batch_size=64)         # bundled real digits, works offline
    keras_gen.data.load("mnist-5k-binary")                  # the same, binarised (likelihood models)
    keras_gen.data.load("cifar10", split="train")          # any tensorflow-datasets image dataset
    keras_gen.data.load(images_uint8)                       # NumPy arrays, or (images, labels)
    keras_gen.data.load("path/to/folder")                   # image files, labels from subfolders
    keras_gen.data.load("ring8")                            # 2-D mixtures for mode-collapse tests

Images come out float32 in [-1, 1], NHWC; with labels the elements are `(images, labels)` with
int32 labels, otherwise just images. Vectors (2-D points) come out float32 as they are.
"""

import os

import numpy as np
import tensorflow as tf

from keras_gen.data.arrays import check_arrays
from keras_gen.data.folders import IMAGE_EXTENSIONS, from_folder
from keras_gen.data.mixtures import MIXTURES, mixture, sample_mixture
from keras_gen.data.mnist import load_mnist_5k
from keras_gen.data.tfds import from_tfds

__all__ = ["IMAGE_EXTENSIONS", "MIXTURES", "binarize", "load", "load_mnist_5k", "mixture", "sample_mixture"]


def _scale_and_resize(image_size):
    def convert(images):
        images = tf.cast(images, tf.float32) / 127.5 - 1.0
        if image_size is not None:
            images = tf.clip_by_value(tf.image.resize(images, image_size, antialias=True), -1.0, 1.0)
        return images

    return convert


def load(
    name,
    split="train",
    batch_size=64,
    shuffle=True,
    image_size=None,
    require_labels=False,
    num_classes=None,
    num_samples=20_000,
    drop_remainder=True,
    seed=0,
    data_dir=None,
):
    """Load a dataset as a batched `tf.data.Dataset` ready for `model.fit`.

    Args:
        name: "mnist-5k", "mnist-5k-binary" (the same digits through `binarize`, for models whose
            likelihood is Bernoulli), "ring8", "grid25", a tensorflow-datasets name, a folder of
            image files, an array of images (uint8 0..255 or float in [-1, 1]) or vectors, or
            `(array, labels)`.
        split: "train", "test" or "all" for mnist-5k(-binary); any tfds split string for tfds datasets.
        image_size: (height, width) to resize images to, e.g. (64, 64) for celeb_a.
        require_labels: raise if the data has no labels (conditional models need them).
        num_classes: check that array labels lie in [0, num_classes) (a conditional model's).
        num_samples: how many points to draw for "ring8" / "grid25".
        drop_remainder: drop the last partial batch (keeps one compiled step shape per run); a
            source of fewer examples than one batch is then refused, as it would give none.
    """
    labels, count = None, None
    if isinstance(name, tuple) and len(name) == 2:
        name, labels = name
    if isinstance(name, str) and name in MIXTURES:
        points, labels = sample_mixture(name, num_samples, seed=seed)
        dataset, has_labels, count = tf.data.Dataset.from_tensor_slices((points, labels)), True, len(points)
    elif isinstance(name, str) and name in ("mnist-5k", "mnist-5k-binary"):
        images, labels = load_mnist_5k(split)
        if name == "mnist-5k-binary":
            images = binarize(images)
        dataset, has_labels, count = tf.data.Dataset.from_tensor_slices((images, labels)), True, len(images)
    elif isinstance(name, str) and os.path.isdir(name):
        dataset, has_labels, count = from_folder(name, image_size)
    elif isinstance(name, str):
        dataset, has_labels, count = from_tfds(name, split, data_dir)
    else:
        data, labels = check_arrays(name, labels, num_classes)
        has_labels, count = labels is not None, len(data)
        dataset = tf.data.Dataset.from_tensor_slices((data, labels) if has_labels else data)
        if data.ndim == 4 and image_size is not None:
            resize = lambda images: tf.image.resize(images, image_size, antialias=True)  # noqa: E731
            dataset = dataset.map((lambda x, y: (resize(x), y)) if has_labels else resize)
        name = None  # arrays are already converted
    if require_labels and not has_labels:
        raise ValueError(
            "This model is conditional and needs labels, but the data has none. Use a labelled "
            "dataset (mnist-5k, a tfds dataset with a 'label' feature, a folder with one subfolder "
            "per class, or (images, labels) arrays)."
        )
    if drop_remainder and count is not None and count < batch_size:
        raise ValueError(
            f"The data holds {count} examples, fewer than one batch of {batch_size}: with drop_remainder=True "
            f"it would give no batch at all. Use batch_size <= {count}, or drop_remainder=False."
        )
    convert = _scale_and_resize(image_size) if name is not None and name not in MIXTURES else None
    if convert is not None:
        dataset = dataset.map(
            (lambda x, y: (convert(x), y)) if has_labels else convert, num_parallel_calls=tf.data.AUTOTUNE
        )
    if shuffle:
        dataset = dataset.shuffle(10_000, seed=seed, reshuffle_each_iteration=True)
    return dataset.batch(batch_size, drop_remainder=drop_remainder).prefetch(tf.data.AUTOTUNE)


def binarize(images, threshold=128):
    """Fixed binarisation for likelihood benchmarks: uint8 pixels >= `threshold` become 255, the
    rest 0 (deterministic, so every run and backend sees the same digits). Floats in [-1, 1] are
    read on the 0..255 scale first. Returns uint8 images with values 0 and 255."""
    images = np.asarray(images)
    if np.issubdtype(images.dtype, np.floating):
        images = np.round((np.clip(images, -1.0, 1.0) + 1.0) * 127.5)
    return np.where(images >= threshold, 255, 0).astype(np.uint8)
