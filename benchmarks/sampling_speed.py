"""Seconds to sample 64 images from untrained zoo models, next to the slow paths they replace.

    python benchmarks/sampling_speed.py                      # the active backend (KERAS_BACKEND)
    python benchmarks/sampling_speed.py --all-backends       # tensorflow, jax, torch: a subprocess each
    python benchmarks/sampling_speed.py --naive-images 4 --json out.json

For each model, `model.sample(64, seed=0)`: the first call (tracing and compilation included)
and the warm time (median of `--repeats` later calls). Beside it, the path it replaces:

- GAN, DCGAN, VAE: Keras `predict` on the generator (the averaged one with EMA) or the decoder,
  warm, on the same 64 codes.
- PixelCNN, gated PixelCNN, PixelRNN: the naive sampler, `draw(..., naive=True)`: one compiled
  full network evaluation per pixel. It takes minutes for 64 images on a CPU, so it runs on
  `--naive-images` images (default 64) and is compared with the fast sampler on as many. Also
  one warm full forward pass on 64 images times H * W: what the naive sampler costs at 64.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import time

MODELS = ("gan", "dcgan", "vae", "pixelcnn", "gated-pixelcnn", "pixelrnn")
PIXEL_MODELS = ("pixelcnn", "gated-pixelcnn", "pixelrnn")
BACKENDS = ("tensorflow", "jax", "torch")


def seconds(fn, repeats=1):
    """The median wall time of `repeats` calls of `fn`."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def build(name):
    import keras

    from keras_gen import zoo

    keras.utils.set_random_seed(0)  # the autoregressive entries take no seed option
    return zoo.build(name, seed=0) if name not in PIXEL_MODELS else zoo.build(name)


def measure(name, n, naive_images, repeats):
    """{timing name: seconds} for one model on the active backend."""
    import numpy as np
    from keras import ops

    from keras_gen import backend

    model = build(name)
    result = {"first": seconds(lambda: model.sample(n, seed=0))}
    result["warm"] = seconds(lambda: model.sample(n, seed=0), repeats)
    if name not in PIXEL_MODELS:
        network = getattr(model, "averaged_generator", None) or getattr(model, "generator", None) or model.decoder
        z = np.random.default_rng(0).standard_normal((n, model.latent_dim)).astype(np.float32)
        network.predict(z, batch_size=n, verbose=0)  # builds predict's function
        result["predict"] = seconds(lambda: network.predict(z, batch_size=n, verbose=0), repeats)
        return result

    forward = backend.inference_function(lambda x: model.network(x, training=False), model.network.variables)
    images = ops.convert_to_tensor(np.zeros((n, *model.data_shape), np.float32))
    ops.convert_to_numpy(forward(images))
    height, width, _ = model.data_shape
    result["forward_x_pixels"] = height * width * seconds(lambda: ops.convert_to_numpy(forward(images)), repeats)
    if naive_images:
        labels = model.check_labels(None, naive_images)
        model.draw(naive_images, labels, 0, naive_images)  # the fast sampler compiled for this batch
        result["fast_small"] = seconds(lambda: model.draw(naive_images, labels, 0, naive_images), repeats)
        result["naive_small"] = seconds(lambda: model.draw(naive_images, labels, 0, naive_images, naive=True))
    return result


def print_table(backend_name, results, n, naive_images):
    print(f"\nSampling {n} images, keras-gen on {backend_name} (seconds; first call includes compilation)")
    print(f"{'model':<16}{'first':>8}{'warm':>8}{'predict':>9}{'fwd*H*W':>10}{'x':>6}"
          f"{f'naive({naive_images})':>11}{f'fast({naive_images})':>10}{'x':>6}")
    for name, r in results.items():
        cells = [f"{name:<16}{r['first']:>8.2f}{r['warm']:>8.3f}"]
        cells.append(f"{r['predict']:>9.3f}" if "predict" in r else f"{'':>9}")
        if "forward_x_pixels" in r:
            cells.append(f"{r['forward_x_pixels']:>10.1f}{r['forward_x_pixels'] / r['warm']:>6.0f}")
        if "naive_small" in r:
            cells.append(f"{r['naive_small']:>11.1f}{r['fast_small']:>10.2f}{r['naive_small'] / r['fast_small']:>6.0f}")
        print("".join(cells))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--models", nargs="+", default=list(MODELS), choices=MODELS)
    parser.add_argument("-n", type=int, default=64, help="images per sample() call")
    parser.add_argument("--naive-images", type=int, default=64, help="images for the naive sampler; 0 skips it")
    parser.add_argument("--repeats", type=int, default=3, help="warm calls per timing (the median is kept)")
    parser.add_argument("--all-backends", action="store_true", help="run every backend in its own subprocess")
    parser.add_argument("--json", help="also write the results to this file")
    args = parser.parse_args()

    if args.all_backends:
        results = {}
        for name in BACKENDS:
            command = [sys.executable, __file__, "--models", *args.models, "-n", str(args.n),
                       "--naive-images", str(args.naive_images), "--repeats", str(args.repeats), "--json", "-"]
            env = {**os.environ, "KERAS_BACKEND": name, "TF_CPP_MIN_LOG_LEVEL": "3"}
            out = subprocess.run(command, env=env, check=True, capture_output=True, text=True).stdout
            results[name] = json.loads(out.strip().splitlines()[-1])[name]
            print_table(name, results[name], args.n, args.naive_images)
    else:
        import keras

        name = keras.backend.backend()
        results = {name: {model: measure(model, args.n, args.naive_images, args.repeats) for model in args.models}}
        if args.json != "-":
            print_table(name, results[name], args.n, args.naive_images)
    if args.json == "-":
        print(json.dumps(results))
    elif args.json:
        with open(args.json, "w") as f:
            json.dump({"n": args.n, "naive_images": args.naive_images, "results": results}, f, indent=2)


if __name__ == "__main__":
    main()
