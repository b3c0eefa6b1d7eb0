"""Image utilities: model outputs in [-1, 1] to uint8, sample grids and 2-D scatter plots as PNG."""

import math
import os

import numpy as np
from keras import ops
from PIL import Image, ImageDraw


def to_uint8(images):
    """Float images in [-1, 1] (any array-like, NHWC or HWC) to uint8 0..255, clipping outliers."""
    images = np.asarray(images, dtype=np.float32)
    return np.round((np.clip(images, -1.0, 1.0) + 1.0) * 127.5).astype(np.uint8)


def make_grid(images, nrow=None, padding=2):
    """Tile N images (NHWC in [-1, 1], C = 1 or 3) into one uint8 image, `nrow` images per row."""
    images = np.asarray(images)
    if images.ndim == 3:
        images = images[..., None]
    if images.ndim != 4 or images.shape[-1] not in (1, 3):
        raise ValueError(
            f"Expected images of shape (N, H, W, C) with C = 1 or 3 (or (N, H, W)); got {images.shape}."
        )
    count, height, width, channels = images.shape
    nrow = nrow or math.ceil(math.sqrt(count))
    ncol = math.ceil(count / nrow)
    grid = np.zeros(
        (ncol * (height + padding) + padding, nrow * (width + padding) + padding, channels), np.uint8
    )
    for index, image in enumerate(to_uint8(images)):
        row, col = divmod(index, nrow)
        top, left = padding + row * (height + padding), padding + col * (width + padding)
        grid[top : top + height, left : left + width] = image
    return grid[..., 0] if channels == 1 else grid


def save_grid(images, path, nrow=None):
    """Save N images (NHWC in [-1, 1]) as one PNG grid with `nrow` images per row; returns path."""
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    Image.fromarray(make_grid(images, nrow)).save(path)
    return path


def save_scatter(points, path, reference=None, size=400, extent=None):
    """Save 2-D points as a PNG scatter plot (white dots), with `reference` points (e.g. the modes
    of a mixture) drawn as red circles. `extent` is the half-width of the square view."""
    points = np.asarray(points, dtype=np.float64)
    if points.ndim != 2 or points.shape[1] != 2:
        raise ValueError(f"save_scatter expects points of shape (N, 2); got {points.shape}.")
    everything = points if reference is None else np.concatenate([points, np.asarray(reference)])
    extent = extent or 1.1 * float(np.abs(everything).max() or 1.0)
    to_pixel = lambda p: (size / 2 + p[:, 0] / extent * size / 2, size / 2 - p[:, 1] / extent * size / 2)
    image = Image.new("RGB", (size, size), "black")
    draw = ImageDraw.Draw(image)
    for x, y in zip(*to_pixel(points)):
        draw.point((x, y), fill="white")
    if reference is not None:
        for x, y in zip(*to_pixel(np.asarray(reference, dtype=np.float64))):
            draw.ellipse((x - 4, y - 4, x + 4, y + 4), outline="red")
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    image.save(path)
    return path


def pixels_to_unit(images):
    """keras-gen's image convention, for backend tensors: uint8 0..255 -> float32 in [-1, 1];
    float images are taken to be in [-1, 1] already and only cast."""
    images = ops.convert_to_tensor(images)
    if "int" in str(images.dtype):
        return ops.cast(images, "float32") / 127.5 - 1.0
    return ops.cast(images, "float32")


def unit_to_uint8(images):
    """The inverse of `pixels_to_unit` for backend tensors: [-1, 1] -> uint8, clipping outliers."""
    return ops.cast(ops.round((ops.clip(images, -1.0, 1.0) + 1.0) * 127.5), "uint8")
