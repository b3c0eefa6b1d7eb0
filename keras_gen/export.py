"""Export zoo models as TensorFlow SavedModels with serving signatures, or as ONNX, from any backend.

    model.export("exported/dcgan")                        # a SavedModel at that path
    model.export("exported/dcgan-onnx", format="onnx")    # one ONNX file per signature
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

Only the TensorFlow backend exports in-process (`keras.export.ExportArchive`). A JAX or torch
model is saved to a `.keras` file and exported by a TensorFlow-backend subprocess
(`python -m keras_gen.export MODEL.keras PATH`), so every backend writes the same plain
TensorFlow graph, which runs on any device TF Serving has (CPU, CUDA) and which tf2onnx can
convert. Keras' in-process JAX export (jax2tf) would instead embed `XlaCallModule` ops lowered
for the exporting platform only (a CPU-exported model is refused by a GPU server); lowering for
both (`jax2tf_kwargs={"native_serialization_platforms": ("cpu", "cuda")}` on
`ExportArchive.add_endpoint`) fixes serving but not ONNX, which tf2onnx cannot convert from
those ops. The subprocess costs about 6 s per export against 0.7-3.7 s in-process for a small DCGAN
(`benchmarks/jax_export_time.py`, numbers in the README).

ONNX export converts each signature of that SavedModel with tf2onnx (the `onnx` extra), one
`<signature>.onnx` per signature with a dynamic batch dimension and the signature's input and
output names (`reconstruct` returns `images_output`: ONNX names are unique in a graph);
`serving_default` is left out where it only repeats another signature.
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


def _check_built(model):
    if not model.built:
        raise ValueError(
            f"{type(model).__name__} is not built, so its signatures have no shapes. Build it (zoo "
            f"models are built on creation), train it, or call it once on data, then export."
        )


def export_saved_model(model, path, overwrite=False, verbose=False):
    """Write `model` as a SavedModel with keras-gen's serving signatures at `path`."""
    _check_built(model)
    _prepare_target(path, overwrite)
    if keras.backend.backend() != "tensorflow":
        return _export_in_tensorflow_process(model, path)
    archive = keras.export.ExportArchive()
    archive.track(model)
    for name, (fn, signature) in serving_endpoints(model).items():
        archive.add_endpoint(name, fn, input_signature=signature)
    archive.write_out(path, verbose=verbose)
    return path


def _export_in_tensorflow_process(model, path):
    """Export through the TensorFlow backend: a plain TF graph, whatever the model was trained on."""
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


def onnx_signatures(endpoints):
    """The endpoint names worth one ONNX file each: `serving_default` only where it is no alias."""
    return [
        name
        for name, (fn, _) in endpoints.items()
        if name != "serving_default" or not any(fn is other for key, (other, _) in endpoints.items() if key != name)
    ]


def export_onnx(model, path, overwrite=False, opset=17):
    """Write one ONNX file per serving signature of `model`, `<path>/<signature>.onnx`.

    The inputs and outputs keep the SavedModel's names (`z`, `labels`, `images`, ...) and a dynamic
    batch dimension. Needs the `onnx` extra (`pip install keras-gen[onnx]`).
    """
    _check_built(model)
    _prepare_target(path, overwrite)
    signatures = onnx_signatures(serving_endpoints(model))
    with tempfile.TemporaryDirectory() as tmp:
        saved = export_saved_model(model, os.path.join(tmp, "saved_model"))
        return saved_model_to_onnx(saved, path, signatures, opset=opset)


def saved_model_to_onnx(saved_model, path, signatures, opset=17, overwrite=False):
    """Convert the named signatures of a SavedModel to `<path>/<signature>.onnx` with tf2onnx."""
    _prepare_target(path, overwrite)
    try:
        import tf2onnx
    except ImportError as error:
        raise ImportError("ONNX export needs tf2onnx and onnx: pip install 'keras-gen[onnx]'.") from error
    import warnings

    import tensorflow as tf
    from keras.src.export.tf2onnx_lib import patch_tf2onnx

    with warnings.catch_warnings():  # the patch's own `hasattr(np, "object")` warns on NumPy 2
        warnings.simplefilter("ignore", FutureWarning)
        patch_tf2onnx()  # tf2onnx 1.17 still calls NumPy 1 names (np.object, np.cast), as Keras' ONNX export patches
    loaded = tf.saved_model.load(saved_model)
    os.makedirs(path, exist_ok=True)
    for name in signatures:
        function = loaded.signatures[name]
        specs = function.structured_input_signature[1]
        input_signature = [tf.TensorSpec(spec.shape, spec.dtype, name=key) for key, spec in specs.items()]
        tf2onnx.convert.from_function(
            _positional(function, list(specs)),
            input_signature=input_signature,
            opset=opset,
            output_path=os.path.join(path, f"{name}.onnx"),
        )
    return path


def _positional(signature, names):
    """A tf.function taking a signature's keyword inputs positionally, as tf2onnx calls it.

    ONNX names must be unique in a graph, so an output named like an input (`reconstruct`'s
    `images`) is renamed `<name>_output`.
    """
    import tensorflow as tf

    def call(*args):
        outputs = signature(**dict(zip(names, args)))
        return {f"{key}_output" if key in names else key: value for key, value in outputs.items()}

    return tf.function(call)


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
