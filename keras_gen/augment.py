"""Differentiable augmentation of what a GAN's discriminator sees (DiffAugment, Zhao et al. 2020).

On a small dataset the discriminator memorises the real examples, and its feedback to the
generator degrades. DiffAugment applies one random transform T to every image the discriminator
sees, real or generated, in both networks' updates: D learns on T(x) and T(G(z)), and G's gradient
flows back through T. Because the fakes are transformed too, G is not taught to draw the
transforms (as it would be if only the real data were augmented).

The transforms, chosen by name as the paper's policies, take images in [-1, 1], channels last,
and a function `uniform(shape)` that draws U[0, 1) noise:

- "color": brightness shift in [-0.5, 0.5], saturation scale in [0, 2], contrast scale in [0.5, 1.5];
- "translation": a shift of up to 1/8 of the height and width, zero padding;
- "cutout": a zero square of half the height and width, at a random place.
"""

from keras import ops


def color(images, uniform):
    batch = ops.shape(images)[0]
    images = images + (uniform((batch, 1, 1, 1)) - 0.5)
    channel_mean = ops.mean(images, axis=-1, keepdims=True)
    images = (images - channel_mean) * (2.0 * uniform((batch, 1, 1, 1))) + channel_mean
    image_mean = ops.mean(images, axis=(1, 2, 3), keepdims=True)
    return (images - image_mean) * (uniform((batch, 1, 1, 1)) + 0.5) + image_mean


def _shift_matrices(size, max_shift, uniform, batch):
    """(batch, size, size) 0/1 matrices M with M @ v = v shifted by a random s in [-max_shift,
    max_shift], zero-filled: row i picks entry i - s, or none when that is outside."""
    shift = ops.floor(uniform((batch, 1, 1)) * (2 * max_shift + 1)) - max_shift
    rows = ops.reshape(ops.arange(size, dtype="float32"), (1, size, 1))
    columns = ops.reshape(ops.arange(size, dtype="float32"), (1, 1, size))
    return ops.cast(ops.equal(columns, rows - shift), "float32")


def translation(images, uniform, ratio=0.125):
    batch, height, width = ops.shape(images)[0], images.shape[1], images.shape[2]
    vertical = ops.cast(_shift_matrices(height, int(height * ratio + 0.5), uniform, batch), images.dtype)
    horizontal = ops.cast(_shift_matrices(width, int(width * ratio + 0.5), uniform, batch), images.dtype)
    images = ops.einsum("bij,bjwc->biwc", vertical, images)
    return ops.einsum("bkw,biwc->bikc", horizontal, images)


def _inside_window(size, window, uniform, batch, axis_shape):
    """1 where an index in [0, size) falls in a window of `window` indices placed at random
    (its centre anywhere in the image, so the window may be cut by the border), else 0."""
    centre = ops.floor(uniform((batch, 1, 1, 1)) * (size + 1 - window % 2))
    start = centre - window // 2
    index = ops.reshape(ops.arange(size, dtype="float32"), axis_shape)
    return ops.cast(ops.logical_and(index >= start, index < start + window), "float32")


def cutout(images, uniform, ratio=0.5):
    batch, height, width = ops.shape(images)[0], images.shape[1], images.shape[2]
    rows = _inside_window(height, int(height * ratio + 0.5), uniform, batch, (1, height, 1, 1))
    columns = _inside_window(width, int(width * ratio + 0.5), uniform, batch, (1, 1, width, 1))
    return images * ops.cast(1.0 - rows * columns, images.dtype)


TRANSFORMS = {"color": color, "translation": translation, "cutout": cutout}


def parse_policy(policy):
    """A policy, "translation,cutout" or ("translation", "cutout"), as a tuple of transform names
    (None or "" for none), checked."""
    if policy is None:
        return ()
    names = policy.split(",") if isinstance(policy, str) else list(policy)
    names = tuple(name.strip() for name in names if name.strip())
    unknown = [name for name in names if name not in TRANSFORMS]
    if unknown:
        raise ValueError(
            f"Unknown augmentation {', '.join(map(repr, unknown))}: choose from {', '.join(TRANSFORMS)}, "
            f"comma-separated (DiffAugment's low-data policy is 'color,translation,cutout')."
        )
    return names


def apply(images, policy, uniform):
    """`images` through each transform of `policy` (names, see `parse_policy`), in order."""
    for name in policy:
        images = TRANSFORMS[name](images, uniform)
    return images
