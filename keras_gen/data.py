"""Datasets as `tf.data` pipelines that `fit` accepts on every backend.

    keras_gen.data.load("mnist-5k", batch_size=64)         # bundled real digits, works offline
    keras_gen.data.load("cifar10", split="train")          # any tensorflow-datasets image dataset
    keras_gen.data.load(images_uint8)                       # NumPy arrays, or (images, labels)
    keras_gen.data.load("path/to/folder")                   # image files, labels from subfolders
    keras_gen.data.load("ring8")                            # 2-D mixtures for mode-collapse tests

Images come out float32 in [-1, 1], NHWC; with labels the elements are `(images, labels)` with
int32 labels, otherwise just images. Vectors (2-D points) come out float32 as they are.
"""

import difflib
import importlib.resources
import os

import numpy as np
import tensorflow as tf

MNIST_5K_TEST_SIZE = 1000
IMAGE_EXTENSIONS = (".png", ".jpg", ".jpeg", ".bmp", ".gif")


def mixture(name):
    """(centers, std) of a 2-D Gaussian mixture of the PacGAN protocol (Lin et al. 2018)."""
    if name == "ring8":
        angles = 2 * np.pi * np.arange(8) / 8
        return np.stack([np.cos(angles), np.sin(angles)], axis=1).astype(np.float32), 0.01
    if name == "grid25":
        ticks = np.array([-4.0, -2.0, 0.0, 2.0, 4.0], np.float32)
        return np.stack(np.meshgrid(ticks, ticks, indexing="ij"), axis=-1).reshape(-1, 2), 0.05
    raise ValueError(f"Unknown mixture {name!r}; expected 'ring8' or 'grid25'.")


MIXTURES = ("ring8", "grid25")


def sample_mixture(name, n, seed=0):
    """`n` points from mixture `name` (equal weights), with the index of each point's mode."""
    centers, std = mixture(name)
    rng = np.random.default_rng(seed)
    modes = rng.integers(len(centers), size=n)
    points = centers[modes] + std * rng.standard_normal((n, 2)).astype(np.float32)
    return points.astype(np.float32), modes.astype(np.int32)


def load_mnist_5k(split="all"):
    """The bundled 5,000 real MNIST digits as uint8 (N, 28, 28, 1) images and int32 labels.

    `split` is "train" (4,000), "test" (1,000 held out, 100 per class) or "all". The split is fixed:
    the same digits on every machine.
    """
    path = importlib.resources.files("keras_gen") / "datasets" / "mnist_5k.npz"
    with importlib.resources.as_file(path) as file, np.load(file) as npz:
        images, labels = npz["images"][..., None], npz["labels"].astype(np.int32)
    order = np.random.default_rng(0).permutation(len(images))
    test = np.sort(np.concatenate([order[labels[order] == c][:100] for c in range(10)]))
    keep = {"test": test, "train": np.setdiff1d(np.arange(len(images)), test), "all": np.arange(len(images))}
    if split not in keep:
        raise ValueError(f"mnist-5k has splits 'train' (4,000), 'test' (1,000) and 'all'; got {split!r}.")
    return images[keep[split]], labels[keep[split]]


def _images_to_unit_range(images):
    """uint8 0..255 images to float32 [-1, 1]; float images must already be in [-1, 1]."""
    if images.dtype == np.uint8:
        return images.astype(np.float32) / 127.5 - 1.0
    if not np.issubdtype(images.dtype, np.floating):
        raise TypeError(f"Images must be uint8 (0..255) or float in [-1, 1]; got dtype {images.dtype}.")
    low, high = float(np.min(images)), float(np.max(images))
    if low < -1.0 - 1e-6 or high > 1.0 + 1e-6:
        raise ValueError(
            f"Float images must lie in [-1, 1]; these span [{low:.3g}, {high:.3g}]. Pass uint8 0..255 "
            f"images, or rescale (e.g. x / 127.5 - 1 for 0..255, 2 * x - 1 for 0..1)."
        )
    return images.astype(np.float32)


def _check_arrays(data, labels):
    data = np.asarray(data)
    if data.ndim == 3:  # (N, H, W) grayscale
        data = data[..., None]
    if data.ndim == 4:
        if data.shape[-1] not in (1, 3):
            raise ValueError(
                f"Images must be NHWC with 1 or 3 channels; got shape {data.shape}. "
                f"Channels-first data can be transposed with np.transpose(x, (0, 2, 3, 1))."
            )
        data = _images_to_unit_range(data)
    elif data.ndim == 2:
        if not np.issubdtype(data.dtype, np.number):
            raise TypeError(f"Vectors must be numeric; got dtype {data.dtype}.")
        data = data.astype(np.float32)
    else:
        raise ValueError(
            f"Expected images (N, H, W, C) or (N, H, W), or vectors (N, D); got an array of shape {data.shape}."
        )
    if labels is not None:
        labels = np.asarray(labels)
        if labels.shape != (len(data),) or not np.issubdtype(labels.dtype, np.integer):
            raise ValueError(
                f"Labels must be integers of shape ({len(data)},), one per example; "
                f"got dtype {labels.dtype} and shape {labels.shape}."
            )
        labels = labels.astype(np.int32)
    return data, labels


def _from_tfds(name, split, data_dir):
    import tensorflow_datasets as tfds

    if name not in tfds.list_builders():
        close = difflib.get_close_matches(name, tfds.list_builders(), n=3)
        hint = f" Close matches in tensorflow-datasets: {close}." if close else ""
        raise ValueError(
            f"Unknown dataset {name!r}. keras-gen knows 'mnist-5k', 'ring8', 'grid25', a folder of "
            f"images, NumPy arrays, and tensorflow-datasets names.{hint}"
        )
    try:
        dataset, info = tfds.load(name, split=split, data_dir=data_dir, with_info=True)
    except Exception as error:  # tfds raises several types for "not downloaded and no network"
        raise RuntimeError(
            f"Could not load tensorflow-datasets '{name}' (split {split!r}): {error}\n"
            f"If this machine is offline, download it where there is internet "
            f"(python -c \"import tensorflow_datasets as tfds; tfds.load('{name}')\") and copy the "
            f"folder ~/tensorflow_datasets/{name} here, or point data_dir / TFDS_DATA_DIR at it. "
            f"The bundled 'mnist-5k' works offline."
        ) from error
    if "image" not in info.features:
        raise ValueError(f"tensorflow-datasets '{name}' has no 'image' feature; keras-gen needs image data.")
    has_labels = "label" in info.features
    dataset = dataset.map(
        lambda ex: (ex["image"], tf.cast(ex["label"], tf.int32)) if has_labels else ex["image"],
        num_parallel_calls=tf.data.AUTOTUNE,
    )
    return dataset, has_labels


def _from_folder(path, image_size):
    import keras

    files = [os.path.join(r, f) for r, _, fs in os.walk(path) for f in fs if f.lower().endswith(IMAGE_EXTENSIONS)]
    if not files:
        raise ValueError(f"No image files ({', '.join(IMAGE_EXTENSIONS)}) found under {path!r}.")
    with_subfolders = all(os.path.dirname(f) != os.path.normpath(path) for f in files)
    from PIL import Image

    with Image.open(files[0]) as first:
        color_mode = "grayscale" if first.mode in ("L", "1", "I;16") else "rgb"
        size = image_size or (first.height, first.width)
    dataset = keras.utils.image_dataset_from_directory(
        path,
        labels="inferred" if with_subfolders else None,
        color_mode=color_mode,
        image_size=size,
        batch_size=None,
        shuffle=False,
    )
    if with_subfolders:
        dataset = dataset.map(lambda x, y: (tf.cast(tf.round(x), tf.uint8), tf.cast(y, tf.int32)))
    else:
        dataset = dataset.map(lambda x: tf.cast(tf.round(x), tf.uint8))
    return dataset, with_subfolders


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
    num_samples=20_000,
    drop_remainder=True,
    seed=0,
    data_dir=None,
):
    """Load a dataset as a batched `tf.data.Dataset` ready for `model.fit`.

    Args:
        name: "mnist-5k", "ring8", "grid25", a tensorflow-datasets name, a folder of image files,
            an array of images (uint8 0..255 or float in [-1, 1]) or vectors, or `(array, labels)`.
        split: "train", "test" or "all" for mnist-5k; any tfds split string for tfds datasets.
        image_size: (height, width) to resize images to, e.g. (64, 64) for celeb_a.
        require_labels: raise if the data has no labels (conditional models need them).
        num_samples: how many points to draw for "ring8" / "grid25".
        drop_remainder: drop the last partial batch (keeps one compiled step shape per run).
    """
    labels = None
    if isinstance(name, tuple) and len(name) == 2:
        name, labels = name
    if isinstance(name, str) and name in MIXTURES:
        points, labels = sample_mixture(name, num_samples, seed=seed)
        dataset, has_labels = tf.data.Dataset.from_tensor_slices((points, labels)), True
    elif isinstance(name, str) and name == "mnist-5k":
        images, labels = load_mnist_5k(split)
        dataset, has_labels = tf.data.Dataset.from_tensor_slices((images, labels)), True
    elif isinstance(name, str) and os.path.isdir(name):
        dataset, has_labels = _from_folder(name, image_size)
    elif isinstance(name, str):
        dataset, has_labels = _from_tfds(name, split, data_dir)
    else:
        data, labels = _check_arrays(name, labels)
        has_labels = labels is not None
        dataset = tf.data.Dataset.from_tensor_slices((data, labels) if has_labels else data)
        if data.ndim == 4 and image_size is not None:
            dataset = dataset.map(lambda *xs: (tf.image.resize(xs[0], image_size, antialias=True), *xs[1:]))
        name = None  # arrays are already converted
    if require_labels and not has_labels:
        raise ValueError(
            "This model is conditional and needs labels, but the data has none. Use a labelled "
            "dataset (mnist-5k, a tfds dataset with a 'label' feature, a folder with one subfolder "
            "per class, or (images, labels) arrays)."
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
