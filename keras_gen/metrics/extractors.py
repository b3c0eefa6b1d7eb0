"""Feature extractors by name, and `features()`: images, datasets or models -> feature arrays.

    extractor = keras_gen.metrics.extractors.get("mnist-lenet")
    feats = keras_gen.metrics.features(model, "mnist-lenet", n=5000, seed=0)   # model.sample(...)

Every extractor is a Keras model taking pixel values 0..255 (float32 NHWC, 1 or 3 channels) and
returning {"features": ..., "logits": ...}. It runs in float32 and inference mode whatever the
global dtype policy. Which extractor produced a number changes the number: report it.

- "inception": the reference FID network (`keras_gen.metrics.inception`); comparable to
  published FIDs. Logits for the Inception Score need pytorch-fid's weights file.
- "inception-imagenet": `keras.applications.InceptionV3` with ImageNet weights; NOT comparable
  to published FIDs (another checkpoint, 1000 classes, other pooling and resizing).
- "mnist-lenet": a small digit classifier trained on mnist-5k by scripts/train_mnist_lenet.py and
  shipped with keras-gen; a domain FID for 28x28 digits (as TF-GAN's "MNIST Frechet distance").
"""

import contextlib
import os

import keras
import numpy as np
from keras import layers, ops

from keras_gen.metrics import inception
from keras_gen.models.capabilities import Sampler

LENET_WEIGHTS = os.path.join(os.path.dirname(os.path.dirname(__file__)), "weights", "mnist_lenet.weights.h5")


@contextlib.contextmanager
def float32_policy():
    """Build layers in float32 even when a mixed-precision policy is set globally."""
    previous = keras.config.dtype_policy()
    keras.config.set_dtype_policy("float32")
    try:
        yield
    finally:
        keras.config.set_dtype_policy(previous)


class Extractor(keras.Model):
    """`network` applied to `preprocess(pixels)` in inference mode; pixels are 0..255 float32 NHWC.

    Attributes: `extractor_name`, `description`, `comparable_to_published` (bool), `outputs_available`.
    """

    def __init__(self, network, preprocess, extractor_name, description, comparable_to_published=False):
        super().__init__(name=extractor_name.replace("-", "_"), dtype="float32")
        self.network = network
        self.preprocess = preprocess
        self.extractor_name = extractor_name
        self.description = description
        self.comparable_to_published = comparable_to_published
        self.outputs_available = tuple(network.output.keys())
        # Compiling (XLA on JAX, torch.compile) took longer than it saved on CPU (benchmarks/).
        self.compile(jit_compile=False)

    def call(self, pixels):
        return self.network(self.preprocess(pixels), training=False)


def _build_inception(weights=None, download=True):
    return Extractor(
        inception.load_network(weights, download),
        inception.preprocess,
        "inception",
        "reference FID Inception (TF inception-2015-12-05, pool_3, 2048-d); comparable to published FIDs",
        comparable_to_published=True,
    )


def _build_inception_imagenet(weights="imagenet"):
    try:
        network = keras.applications.InceptionV3(weights=weights, classifier_activation=None)
    except Exception as error:
        raise RuntimeError(
            f"keras.applications.InceptionV3(weights={weights!r}) failed ({error}). Its ImageNet weights are "
            f"downloaded on first use into ~/.keras/models; offline, copy "
            f"inception_v3_weights_tf_dim_ordering_tf_kernels.h5 there, or use the 'inception' extractor."
        ) from error
    network = keras.Model(
        network.input, {"features": network.get_layer("avg_pool").output, "logits": network.output}
    )

    def preprocess(pixels):
        pixels = ops.cast(pixels, "float32")
        if pixels.shape[-1] == 1:
            pixels = ops.repeat(pixels, 3, axis=-1)
        return ops.image.resize(pixels, (299, 299), interpolation="bilinear") / 127.5 - 1.0

    return Extractor(
        network,
        preprocess,
        "inception-imagenet",
        "keras.applications.InceptionV3 (ImageNet, avg_pool, 2048-d); NOT comparable to published FIDs",
    )


def build_lenet():
    """The mnist-lenet classifier: 28x28x1 pixels 0..255 -> {"features": 128-d, "logits": 10}."""
    pixels = keras.Input((28, 28, 1))
    x = layers.Rescaling(1 / 127.5, offset=-1.0)(pixels)
    x = layers.Conv2D(32, 5, activation="relu")(x)
    x = layers.MaxPooling2D()(x)
    x = layers.Conv2D(64, 5, activation="relu")(x)
    x = layers.MaxPooling2D()(x)
    x = layers.Flatten()(x)
    features = layers.Dense(128, activation="relu", name="features")(x)
    logits = layers.Dense(10, name="logits")(layers.Dropout(0.5)(features))
    return keras.Model(pixels, {"features": features, "logits": logits}, name="mnist_lenet")


def _lenet_preprocess(pixels):
    pixels = ops.cast(pixels, "float32")
    if pixels.shape[-1] == 3:
        pixels = ops.mean(pixels, axis=-1, keepdims=True)
    if tuple(pixels.shape[1:3]) != (28, 28):
        pixels = ops.image.resize(pixels, (28, 28), interpolation="bilinear")
    return pixels


def _build_mnist_lenet(weights=LENET_WEIGHTS):
    if not os.path.exists(weights):
        raise FileNotFoundError(
            f"mnist-lenet weights not found at {weights}; they ship with keras-gen (regenerate them with "
            f"`python scripts/train_mnist_lenet.py`)."
        )
    network = build_lenet()
    network.load_weights(weights)
    return Extractor(
        network,
        _lenet_preprocess,
        "mnist-lenet",
        "digit classifier trained on mnist-5k (penultimate layer, 128-d); a domain FID for digits only",
    )


_BUILDERS = {
    "inception": _build_inception,
    "inception-imagenet": _build_inception_imagenet,
    "mnist-lenet": _build_mnist_lenet,
}
_CACHE = {}


def names():
    return sorted(_BUILDERS)


def get(name, **options):
    """The extractor `name` ("inception", "inception-imagenet" or "mnist-lenet"), built once per
    name and options; `options` go to its builder (e.g. weights=path)."""
    if isinstance(name, Extractor):
        return name
    if name not in _BUILDERS:
        raise KeyError(f"Unknown extractor {name!r}; available: {', '.join(names())}.")
    key = (name, tuple(sorted(options.items())))
    if key not in _CACHE:
        with float32_policy():
            _CACHE[key] = _BUILDERS[name](**options)
    return _CACHE[key]


def to_pixels(images):
    """keras-gen images (float in [-1, 1]) or uint8 images -> float32 pixel values 0..255, quantised
    to integers as images saved to disk would be (the reference FID pipelines read PNGs)."""
    images = np.asarray(images)
    if images.dtype == np.uint8:
        return images.astype(np.float32)
    if images.size and (images.min() < -1.01 or images.max() > 1.01):
        raise ValueError(
            f"Float images must be in [-1, 1] (keras-gen's convention); got values in "
            f"[{images.min():.3g}, {images.max():.3g}]. Pass uint8 arrays for 0..255 pixels."
        )
    return np.clip(np.round((images.astype(np.float32) + 1.0) * 127.5), 0, 255)


def _image_batches(source, n, batch_size, seed):
    """Yield NumPy image batches (as the source gives them) until `n` images (all if n is None).
    A conditional model draws its classes in balance, as the data has them."""
    if isinstance(source, Sampler):
        if n is None:
            raise ValueError("Sampling from a model needs n, the number of samples.")
        chunk = max(batch_size, 500)
        for i, start in enumerate(range(0, n, chunk)):
            yield source.sample(min(chunk, n - start), seed=None if seed is None else seed + i)
        return
    if hasattr(source, "as_numpy_iterator"):  # tf.data.Dataset of x or (x, y), batched or not
        for element in source.as_numpy_iterator():
            images = element[0] if isinstance(element, tuple) else element
            yield images[None] if images.ndim == 3 else images
        return
    images = ops.convert_to_numpy(source) if not isinstance(source, np.ndarray) else source
    if images.ndim != 4:
        raise ValueError(f"Images must be NHWC (num, height, width, channels); got shape {images.shape}.")
    yield images[:n]


def features(source, extractor="inception", n=None, batch_size=50, seed=0, output="features", verbose=1):
    """Features of `n` images from `source` (for data: at most `n`, all of it when n is None).

    Args:
        source: an image array (NHWC, float in [-1, 1] or uint8), a tf.data.Dataset of images or
            (images, labels), or a model with `sample(n, seed=...)`.
        extractor: a name for `get` or an `Extractor`.
        batch_size: images per forward pass (does not change the result).
        seed: seed of the model's samples (chunk i uses seed + i); ignored for data.
        output: "features", "logits", or a tuple of both (then a dict is returned).
        verbose: 1 shows a progress bar.
    Returns: float32 array (num_images, dim), or {output: array} for a tuple.
    """
    extractor = get(extractor)
    wanted = (output,) if isinstance(output, str) else tuple(output)
    missing = [o for o in wanted if o not in extractor.outputs_available]
    if missing:
        raise ValueError(
            f"Extractor {extractor.extractor_name!r} has no {missing} output; it has {extractor.outputs_available}. "
            f"(The reference 'inception' network has logits only when converted from pytorch-fid's weights file.)"
        )
    progress = keras.utils.Progbar(n, unit_name="image") if verbose else None
    collected = {o: [] for o in wanted}
    seen = 0
    for images in _image_batches(source, n, batch_size, seed):
        images = images[: None if n is None else n - seen]
        for start in range(0, len(images), batch_size):
            pixels = to_pixels(images[start : start + batch_size])
            outputs = extractor.predict_on_batch(pixels)
            # An image with a NaN or inf pixel has NaN features, whatever the kernels make of it
            # (oneDNN's ReLU and max-pool turn NaN into numbers on some CPUs), so metrics say NaN.
            broken = ~np.isfinite(pixels.reshape(len(pixels), -1)).all(axis=1)
            for o in wanted:
                values = np.array(outputs[o], np.float32)
                values[broken] = np.nan
                collected[o].append(values)
        seen += len(images)
        if progress:
            progress.update(seen)
        if n is not None and seen >= n:
            break
    if seen < 2:
        raise ValueError(f"The source gave {seen} image(s); the metrics need at least 2.")
    result = {o: np.concatenate(collected[o]) if collected[o] else np.zeros((0, 0), np.float32) for o in wanted}
    return result[output] if isinstance(output, str) else result
