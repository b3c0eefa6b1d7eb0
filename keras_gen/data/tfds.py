"""Image datasets of tensorflow-datasets, with an offline message only when the network is the cause."""

import difflib
import socket
import urllib.error

import tensorflow as tf

NETWORK_ERRORS = (ConnectionError, TimeoutError, socket.gaierror, urllib.error.URLError)


def is_network_error(error):
    """Whether a network failure is among the causes of `error` (requests' and tfds' download
    errors are recognised by name, so neither needs importing)."""
    while error is not None:
        if isinstance(error, NETWORK_ERRORS) or type(error).__name__ in ("ConnectionError", "DownloadError", "MaxRetryError"):
            return True
        error = error.__cause__ or error.__context__
    return False


def from_tfds(name, split, data_dir):
    import tensorflow_datasets as tfds

    if name not in tfds.list_builders():
        close = difflib.get_close_matches(name, tfds.list_builders(), n=3)
        hint = f" Close matches in tensorflow-datasets: {close}." if close else ""
        raise ValueError(
            f"Unknown dataset {name!r}. keras-gen knows 'mnist-5k', 'mnist-5k-binary', 'ring8', 'grid25', "
            f"a folder of images, NumPy arrays, and tensorflow-datasets names.{hint}"
        )
    try:
        dataset, info = tfds.load(name, split=split, data_dir=data_dir, with_info=True)
    except Exception as error:
        if not is_network_error(error):
            raise  # the real cause, not a guess about the network
        raise RuntimeError(
            f"Could not download tensorflow-datasets '{name}' (split {split!r}): {error}\n"
            f"This machine seems to be offline: download it where there is internet "
            f"(python -c \"import tensorflow_datasets as tfds; tfds.load('{name}')\") and copy the "
            f"folder ~/tensorflow_datasets/{name} here, or point data_dir / TFDS_DATA_DIR at it. "
            f"The bundled 'mnist-5k' works offline."
        ) from error
    if "image" not in info.features:
        raise ValueError(f"tensorflow-datasets '{name}' has no 'image' feature; keras-gen needs image data.")
    has_labels = "label" in info.features
    count = info.splits[split].num_examples if split in info.splits else None
    dataset = dataset.map(
        lambda ex: (ex["image"], tf.cast(ex["label"], tf.int32)) if has_labels else ex["image"],
        num_parallel_calls=tf.data.AUTOTUNE,
    )
    return dataset, has_labels, count
