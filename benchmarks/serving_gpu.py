"""GPU latency and throughput of an exported SavedModel's signature, as TF Serving would run it.

    python benchmarks/serving_gpu.py exported/dcgan [--signature serving_default]

Batch 1: median latency over repeated calls; batches 64 and 256: images (or examples) per second.
Inputs are random, built from the signature (`z` normal, `images` uniform in [-1, 1], `label` 0).
Runs in a TensorFlow-only process (no keras_gen import); on a machine without a GPU it says so and
exits with status 0.
"""

import argparse
import time

import numpy as np
import tensorflow as tf

REPEATS = {1: 200, 64: 50, 256: 20}


def random_inputs(specs, batch, rng):
    inputs = {}
    for name, spec in specs.items():
        shape = (batch, *spec.shape[1:])
        if spec.dtype.is_integer:
            inputs[name] = tf.zeros(shape, spec.dtype)
        elif name == "z":
            inputs[name] = tf.constant(rng.normal(size=shape), spec.dtype)
        else:
            inputs[name] = tf.constant(rng.uniform(-1, 1, size=shape), spec.dtype)
    return inputs


def to_host(outputs):
    return [value.numpy() for value in outputs.values()]


def timed(function, inputs, repeats):
    """Median seconds per call; each call waits for its outputs to reach the host, as a server's would."""
    to_host(function(**inputs))  # warm-up: graph optimisation and kernel selection
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        to_host(function(**inputs))
        times.append(time.perf_counter() - start)
    return float(np.median(times))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("saved_model", help="a SavedModel folder written by model.export or keras-gen export")
    parser.add_argument("--signature", default="serving_default")
    args = parser.parse_args()
    gpus = tf.config.list_physical_devices("GPU")
    if not gpus:
        print("No GPU visible to TensorFlow: serving_gpu.py measures GPU serving only, so nothing was run.")
        return
    details = tf.config.experimental.get_device_details(gpus[0])
    with tf.device("/GPU:0"):
        function = tf.saved_model.load(args.saved_model).signatures[args.signature]
        specs = function.structured_input_signature[1]
        rng = np.random.default_rng(0)
        print(f"{args.saved_model} [{args.signature}] on {details.get('device_name', gpus[0].name)}")
        print(f"{'batch':>6}{'median ms':>12}{'examples/s':>14}")
        for batch, repeats in REPEATS.items():
            seconds = timed(function, random_inputs(specs, batch, rng), repeats)
            print(f"{batch:>6}{1000 * seconds:>12.3f}{batch / seconds:>14.0f}")


if __name__ == "__main__":
    main()
