"""Export zoo models as TensorFlow SavedModels with serving signatures, from any backend.

    model.export("exported/dcgan")                        # a SavedModel at that path
    keras_gen.export.export_for_serving(model, "served/dcgan")   # served/dcgan/1/, then 2/, ...

Every endpoint is a deterministic function of its inputs, so a client controls randomness
through the latent `z` it sends. The signatures, by what a model can do:

- latent decoders (GANs, VAEs, autoencoders): `generate`: `z` (float32 [batch, latent_dim]) ->
  `images` (float32 NHWC in [-1, 1]) and `images_uint8`;
- encoders (autoencoders, VAEs): `encode` (`images` -> `code`, or `mean` and `log_var`) and
  `reconstruct` (`images` -> `images`, `images_uint8`);
- exact-likelihood models (PixelCNN, PixelRNN): `log_prob`: `images` -> `log_prob` in nats (a
  VAE's importance-weighted bound is random, so it is not served).

Conditional models' signatures also take `labels` (int32 [batch]); `serving_default` is the first
signature (`generate`, or `log_prob`). Each class declares its signatures
(`GenerativeModel.serving_endpoints`); this module only writes archives.

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


def serving_endpoints(model):
    """{signature name: (function, input signature as tf.TensorSpecs)} of `model`: the ones its
    class declares (`GenerativeModel.serving_endpoints`), with `labels` (int32 [batch]) added for a
    conditional model, and `serving_default` the first of them."""
    import tensorflow as tf

    declared = model.serving_endpoints()
    if not declared:
        raise ValueError(
            f"{type(model).__name__} declares no serving signatures (it is no latent decoder, encoder or "
            f"exact-likelihood model), so keras-gen does not know what to export. Use keras.export.ExportArchive directly."
        )
    labels = [tf.TensorSpec((None,), "int32", name="labels")] if model.conditional else []
    endpoints = {
        name: (function, [tf.TensorSpec(shape, dtype, name=input_name) for input_name, shape, dtype in inputs] + labels)
        for name, (function, inputs) in declared.items()
    }
    return {"serving_default": next(iter(endpoints.values())), **endpoints}


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
        model = keras.models.load_model(model)
    version = next_version(base_dir) if version is None else int(version)
    return export_saved_model(model, os.path.join(base_dir, str(version)), overwrite=overwrite)


def _main(argv):
    import keras_gen  # noqa: F401  (registers keras-gen's classes for loading)

    source, target = argv
    export_saved_model(keras.models.load_model(source), target)


if __name__ == "__main__":
    _main(sys.argv[1:])
