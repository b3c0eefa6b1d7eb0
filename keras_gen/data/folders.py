"""A folder of image files; one subfolder per class gives labels."""

import os

import tensorflow as tf

IMAGE_EXTENSIONS = (".png", ".jpg", ".jpeg", ".bmp", ".gif")


def from_folder(path, image_size):
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
    return dataset, with_subfolders, len(files)
