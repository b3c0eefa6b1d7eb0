"""Seconds to export a small DCGAN from the JAX backend as a SavedModel that a GPU server can run,
by the two routes keras_gen.export weighed:

- in-process jax2tf, lowered for CPU and CUDA (`XlaCallModule` ops; tf2onnx cannot convert them);
- keras-gen's route: save a `.keras` file and export it in a TensorFlow-backend subprocess (a plain
  TensorFlow graph).

    KERAS_BACKEND=jax PYTHONPATH=. python benchmarks/jax_export_time.py [--repeats 3]
"""

import argparse
import os
import tempfile
import time

os.environ.setdefault("KERAS_BACKEND", "jax")

import keras  # noqa: E402

from keras_gen import export, zoo  # noqa: E402


def jax2tf_cpu_and_cuda(model, path):
    archive = keras.export.ExportArchive()
    archive.track(model)
    platforms = {"native_serialization_platforms": ("cpu", "cuda")}
    for name, (fn, signature) in export.serving_endpoints(model).items():
        archive.add_endpoint(name, fn, input_signature=signature, jax2tf_kwargs=platforms)
    archive.write_out(path, verbose=False)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    if keras.backend.backend() != "jax":
        raise SystemExit(f"Run with KERAS_BACKEND=jax (this process has {keras.backend.backend()}).")
    model = zoo.build("dcgan", latent_dim=8, width=4, seed=0)
    routes = {"jax2tf in-process, cpu+cuda": jax2tf_cpu_and_cuda,
              "TensorFlow subprocess (keras-gen)": export.export_saved_model}
    with tempfile.TemporaryDirectory() as tmp:
        for number, (label, route) in enumerate(routes.items()):
            seconds = []
            for repeat in range(args.repeats):
                start = time.perf_counter()
                route(model, os.path.join(tmp, f"route{number}-{repeat}"))
                seconds.append(time.perf_counter() - start)
            print(f"{label:<36} " + "  ".join(f"{s:5.1f} s" for s in seconds))


if __name__ == "__main__":
    main()
