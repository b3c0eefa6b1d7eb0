"""Latency and throughput of an exported DCGAN generator in TensorFlow (the SavedModel's
`serving_default`, as TF Serving runs it) next to the Keras model's `predict` on each backend.

    python benchmarks/export_latency.py              # all backends, one subprocess each

Batch 1: median latency over repeated calls; batch 64: images/s. The SavedModel is exported once
(from TensorFlow) and timed in a TensorFlow process that does not import keras_gen.
"""

import json
import os
import subprocess
import sys
import tempfile
import time

import numpy as np

REPEATS = {1: 200, 64: 30}


def timed(call, batch):
    call(batch)  # warm-up: tracing and compilation
    times = []
    for _ in range(REPEATS[len(batch)]):
        start = time.perf_counter()
        call(batch)
        times.append(time.perf_counter() - start)
    median = float(np.median(times))
    return {"batch": len(batch), "median_ms": 1000 * median, "images_per_second": len(batch) / median}


def keras_predict(model_file):
    import keras

    import keras_gen  # noqa: F401  (registers keras-gen's classes for loading)

    model = keras.models.load_model(model_file)
    z = np.random.default_rng(0).normal(size=(64, model.latent_dim)).astype("float32")
    call = lambda batch: model.predict(batch, batch_size=len(batch), verbose=0)
    return [timed(call, z[:1]), timed(call, z)]


def saved_model(path):
    import tensorflow as tf

    serve = tf.saved_model.load(path).signatures["serving_default"]
    z = np.random.default_rng(0).normal(size=(64, 100)).astype("float32")
    call = lambda batch: serve(z=tf.constant(batch))["images"].numpy()
    return [timed(call, z[:1]), timed(call, z)]


def run(kind, argument):
    env = {**os.environ, "KERAS_BACKEND": kind if kind != "saved_model" else "tensorflow", "TF_CPP_MIN_LOG_LEVEL": "3"}
    out = subprocess.run([sys.executable, __file__, "--inner", kind, argument], env=env, check=True,
                         capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def main():
    if sys.argv[1:2] == ["--inner"]:
        kind, argument = sys.argv[2:4]
        print(json.dumps(saved_model(argument) if kind == "saved_model" else keras_predict(argument)))
        return
    os.environ["KERAS_BACKEND"] = "tensorflow"
    import keras_gen

    with tempfile.TemporaryDirectory() as tmp:
        model = keras_gen.zoo.build("dcgan", seed=0)
        model_file = os.path.join(tmp, "dcgan.keras")
        model.save(model_file)
        model.export(os.path.join(tmp, "exported"))
        rows = {"SavedModel serving_default (TF)": run("saved_model", os.path.join(tmp, "exported"))}
        for backend in ("tensorflow", "jax", "torch"):
            rows[f"Keras predict, {backend}"] = run(backend, model_file)
    print("DCGAN generator (z: 100 -> 28x28x1), default width 64")
    print(f"{'':<34}{'batch 1: ms':>12}{'batch 64: ms':>14}{'batch 64: img/s':>17}")
    for name, (one, many) in rows.items():
        print(f"{name:<34}{one['median_ms']:>12.2f}{many['median_ms']:>14.2f}{many['images_per_second']:>17.0f}")


if __name__ == "__main__":
    main()
