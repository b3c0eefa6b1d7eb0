"""Export zoo models as TensorFlow SavedModels with serving signatures, from any backend.

    model.export("exported/dcgan")                        # a SavedModel at that path
    keras_gen.export.export_for_serving(model, "served/dcgan")   # served/dcgan/1/, then 2/, ...

Every endpoint is a deterministic function of its inputs, so a client controls randomness
through the latent `z` it sends. The signatures, by what a model can do:

- generators (GANs): `serving_default` = `generate`: `z` (float32 [batch, latent]) and, for
  conditional models, `label` (int32 [batch]) -> `images` (float32 NHWC in [-1, 1]) and
  `images_uint8`;
- autoencoders and VAEs: `encode`, `decode` (also `serving_default`), `reconstruct`;
- exact-likelihood models (PixelCNN, PixelRNN): `log_prob`: `images` -> `log_prob` in nats (a
  VAE's importance-weighted bound is random, so it is not served).

TensorFlow and JAX export in-process through `keras.export.ExportArchive` (JAX via jax2tf). Keras
cannot export from PyTorch, so a torch model is saved to a `.keras` file and exported by a
TensorFlow-backend subprocess (`python -m keras_gen.export MODEL.keras PATH`).
"""

import os
import shutil
import subprocess
import sys
import tempfile

import keras
from keras import ops


def _uint8(images):
    return ops.cast(ops.round((ops.clip(images, -1.0, 1.0) + 1.0) * 127.5), "uint8")


def _spec(shape, dtype, name):
    import tensorflow as tf

    return tf.TensorSpec(shape, dtype, name=name)


def _images_out(images):
    return {"images": images, "images_uint8": _uint8(images)}


def serving_endpoints(model):
    """{endpoint name: (function, input signature)} for what `model` can do."""
    conditional = getattr(model, "num_classes", None) is not None
    label = [_spec((None,), "int32", "label")] if conditional else []
    z = [_spec((None, getattr(model, "latent_dim", 0)), "float32", "z")]
    images = [_spec((None, *model.data_shape), "float32", "images")]
    endpoints = {}
    if hasattr(model, "generate"):
        endpoints["serving_default"] = (lambda *args: _images_out(model.generate(*args)), z + label)
    if hasattr(model, "encode") and hasattr(model, "decode"):

        def encode(*args):
            code = model.encode(*args)
            return {"mean": code[0], "log_var": code[1]} if isinstance(code, (tuple, list)) else {"code": code}

        endpoints["encode"] = (encode, images + label)
        endpoints["decode"] = (lambda *args: _images_out(model.decode(*args)), z + label)
        endpoints["reconstruct"] = (lambda *args: _images_out(model.reconstruct(*args)), images + label)
        endpoints["serving_default"] = endpoints["decode"]
    if hasattr(model, "log_prob_graph"):  # exact likelihoods; a VAE's bound is random, so not served
        endpoints["log_prob"] = (lambda *args: {"log_prob": model.log_prob_graph(*args)}, images + label)
    if not endpoints:
        raise ValueError(
            f"{type(model).__name__} has none of generate, encode/decode or an exact log_prob, so "
            f"keras-gen does not know which signatures to export. Use keras.export.ExportArchive directly."
        )
    return endpoints


def _prepare_target(path, overwrite):
    if os.path.exists(path) and (not os.path.isdir(path) or os.listdir(path)):
        if not overwrite:
            raise FileExistsError(f"{path} already exists. Export elsewhere, or pass overwrite=True to replace it.")
        shutil.rmtree(path) if os.path.isdir(path) else os.remove(path)


def export_saved_model(model, path, overwrite=False, verbose=False):
    """Write `model` as a SavedModel with keras-gen's serving signatures at `path`."""
    if not model.built:
        raise ValueError(
            f"{type(model).__name__} is not built, so its signatures have no shapes. Build it (zoo "
            f"models are built on creation), train it, or call it once on data, then export."
        )
    _prepare_target(path, overwrite)
    if keras.backend.backend() == "torch":
        return _export_in_tensorflow_process(model, path)
    archive = keras.export.ExportArchive()
    archive.track(model)
    for name, (fn, signature) in serving_endpoints(model).items():
        archive.add_endpoint(name, fn, input_signature=signature)
    archive.write_out(path, verbose=verbose)
    return path


def _export_in_tensorflow_process(model, path):
    with tempfile.TemporaryDirectory() as tmp:
        saved = os.path.join(tmp, "model.keras")
        model.save(saved)
        env = {**os.environ, "KERAS_BACKEND": "tensorflow"}
        result = subprocess.run(
            [sys.executable, "-m", "keras_gen.export", saved, path], env=env, capture_output=True, text=True
        )
        if result.returncode != 0:
            raise RuntimeError(f"Export through the TensorFlow backend failed:\n{result.stderr[-3000:]}")
    return path


def next_version(base_dir):
    """The next free TF Serving version number under `base_dir` (1 for a new folder)."""
    versions = [int(name) for name in os.listdir(base_dir) if name.isdigit()] if os.path.isdir(base_dir) else []
    return max(versions, default=0) + 1


def export_for_serving(model, base_dir, version=None, overwrite=False):
    """Write the layout TF Serving expects, `<base_dir>/<version>/`, and return that path.

    `model` is a model or a `.keras` file. Without `version`, the next free number is used; an
    existing version is only replaced with `overwrite=True`.
    """
    if isinstance(model, (str, os.PathLike)):
        import keras_gen.models  # noqa: F401  (registers the zoo's classes for loading)

        model = keras.models.load_model(model)
    version = next_version(base_dir) if version is None else int(version)
    return export_saved_model(model, os.path.join(base_dir, str(version)), overwrite=overwrite)


def _main(argv):
    import keras_gen.models  # noqa: F401

    source, target = argv
    export_saved_model(keras.models.load_model(source), target)


if __name__ == "__main__":
    _main(sys.argv[1:])
