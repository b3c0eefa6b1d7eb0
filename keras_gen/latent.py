"""Latent-space interpolation for any model with a decoder (autoencoders, VAEs) or a generator (GANs).

    strip = keras_gen.latent.interpolate(vae, z_a, z_b, steps=8, method="slerp")
    strip = keras_gen.latent.interpolate(vae, image_a, image_b, steps=8)   # encoded first
    keras_gen.latent.save_interpolation_grid(vae, "interp.png", rows=4, steps=8, seed=0)

"slerp" (spherical, Shoemake 1985; White 2016 for generative models) keeps the norm profile of
Gaussian latent vectors, which linear paths shrink towards the origin where a N(0, I) prior puts
little mass; "linear" suits any code space.
"""

import numpy as np
from keras import ops

from keras_gen import images as image_utils
from keras_gen.models.capabilities import Encoder, LatentDecoder

METHODS = ("linear", "slerp")


def interpolation_weights(steps):
    if int(steps) < 2:
        raise ValueError(f"steps must be at least 2 (both end points); got {steps}.")
    return np.linspace(0.0, 1.0, int(steps), dtype=np.float64)


def slerp(a, b, t):
    """Spherical interpolation between rows of `a` and `b` (N, D) at fractions `t` (T,): (N, T, D).
    Nearly parallel vectors fall back to the linear path."""
    a_unit = a / np.maximum(np.linalg.norm(a, axis=-1, keepdims=True), 1e-12)
    b_unit = b / np.maximum(np.linalg.norm(b, axis=-1, keepdims=True), 1e-12)
    omega = np.arccos(np.clip(np.sum(a_unit * b_unit, axis=-1), -1.0, 1.0))[:, None, None]  # (N, 1, 1)
    t = t[None, :, None]
    sin_omega = np.sin(omega)
    safe = sin_omega > 1e-6
    spherical = (np.sin((1.0 - t) * omega) * a[:, None] + np.sin(t * omega) * b[:, None]) / np.where(safe, sin_omega, 1.0)
    linear = (1.0 - t) * a[:, None] + t * b[:, None]
    return np.where(safe, spherical, linear)


def _check_latent_decoder(model):
    if not isinstance(model, LatentDecoder):
        raise TypeError(
            f"{type(model).__name__} has no latent space to interpolate in; latent interpolation needs a latent "
            f"decoder (GANs, VAEs, autoencoders). PixelCNN and PixelRNN model pixels directly."
        )


def _to_latent(model, points, labels):
    """Latent vectors (N, D) from latent vectors or from images (encoded; a VAE gives its mean)."""
    points = np.asarray(points)
    data_shape = model.data_shape
    if points.shape[-len(data_shape):] == data_shape and points.ndim in (len(data_shape), len(data_shape) + 1):
        if not isinstance(model, Encoder):
            raise TypeError(f"{type(model).__name__} cannot encode images; pass latent vectors instead.")
        batch = points if points.ndim == len(data_shape) + 1 else points[None]
        code = model.encode(batch, labels=labels)
        code = code[0] if isinstance(code, (tuple, list)) else code
        return ops.convert_to_numpy(code).astype(np.float64)
    return np.atleast_2d(points).astype(np.float64)


def interpolate(model, a, b, steps=8, method="linear", labels=None):
    """Decoded images along the path from `a` to `b`.

    `a` and `b` are latent vectors ((D,) or a batch (N, D)) or images of the model's data shape
    (encoded first: the mean code of a VAE). `labels` (one per pair) for conditional models.
    Returns NumPy float32 (steps, H, W, C) for one pair, (N, steps, H, W, C) for a batch.
    """
    if method not in METHODS:
        raise ValueError(f"method must be one of {METHODS}; got {method!r}.")
    _check_latent_decoder(model)
    single = np.asarray(a).ndim in (1, len(model.data_shape))
    za, zb = _to_latent(model, a, labels), _to_latent(model, b, labels)
    if za.shape != zb.shape:
        raise ValueError(f"The end points have different shapes: {za.shape} and {zb.shape}.")
    t = interpolation_weights(steps)
    path = slerp(za, zb, t) if method == "slerp" else (1.0 - t[None, :, None]) * za[:, None] + t[None, :, None] * zb[:, None]
    count, steps = path.shape[:2]
    z = ops.convert_to_tensor(path.reshape(count * steps, -1).astype(np.float32))
    pair_labels = model.check_labels(labels, count)  # a conditional model: one class per path
    path_labels = None if pair_labels is None else np.repeat(pair_labels, steps)
    decoded = ops.convert_to_numpy(model.generate(z, labels=path_labels)).astype(np.float32)
    decoded = decoded.reshape(count, steps, *decoded.shape[1:])
    return decoded[0] if single else decoded


def random_interpolations(model, rows=4, steps=8, method="slerp", seed=0, labels=None):
    """`rows` interpolations between pairs of latent vectors drawn from N(0, I) with NumPy `seed`:
    (rows, steps, H, W, C)."""
    _check_latent_decoder(model)
    rng = np.random.default_rng(seed)
    a, b = rng.standard_normal((2, rows, model.latent_dim))
    return interpolate(model, a, b, steps=steps, method=method, labels=labels)


def save_interpolation_grid(strips, path):
    """Save interpolations (N, steps, H, W, C) (or one strip (steps, H, W, C)) as a PNG, one row
    per pair; returns the path."""
    strips = np.asarray(strips)
    if strips.ndim == 4:
        strips = strips[None]
    if strips.ndim != 5:
        raise ValueError(f"Expected interpolations of shape (N, steps, H, W, C); got {strips.shape}.")
    return image_utils.save_grid(strips.reshape(-1, *strips.shape[2:]), path, nrow=strips.shape[1])
