"""NumPy arrays of images (uint8 0..255 or float in [-1, 1]) or vectors, with optional labels."""

import numpy as np

def images_to_unit_range(images):
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


def check_arrays(data, labels, num_classes=None):
    """(examples as float32, labels as int32 or None), checked: shapes, finiteness, pixel range,
    labels one per example and, with `num_classes`, in [0, num_classes)."""
    data = np.asarray(data)
    if np.issubdtype(data.dtype, np.number) and not np.isfinite(data).all():
        bad = np.argwhere(~np.isfinite(data.reshape(len(data), -1)).all(axis=1)).ravel()
        raise ValueError(
            f"The data holds non-finite values (NaN or inf) in {len(bad)} example(s), e.g. index {bad[:5].tolist()}. "
            f"Remove or repair them before training."
        )
    if data.ndim == 3:  # (N, H, W) grayscale
        data = data[..., None]
    if data.ndim == 4:
        if data.shape[-1] not in (1, 3):
            raise ValueError(
                f"Images must be NHWC with 1 or 3 channels; got shape {data.shape}. "
                f"Channels-first data can be transposed with np.transpose(x, (0, 2, 3, 1))."
            )
        data = images_to_unit_range(data)
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
        check_label_range(labels, num_classes)
    return data, labels


def check_label_range(labels, num_classes):
    if num_classes is None:
        return
    bad = labels[(labels < 0) | (labels >= num_classes)]
    if bad.size:
        raise ValueError(
            f"Labels must lie in [0, {num_classes}) for num_classes={num_classes}; got {sorted(set(bad.tolist()))[:5]}."
        )
