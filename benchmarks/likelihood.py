"""Test negative log-likelihood on binarised mnist-5k, and PixelCNN sampling speed.

Protocol: the bundled mnist-5k digits, train split (4,000) for training and the held-out test
split (1,000) for evaluation, binarised once with keras_gen.data.binarize (pixel >= 128 -> 1, a
fixed threshold). Each model trains for a wall-clock budget, then we report the mean test NLL in
nats per image: the VAE by its ELBO (k = 1) and the importance-weighted bound with k = 50
(Burda et al. 2016) -- both are upper bounds on the true NLL -- and the PixelCNNs exactly.

    KERAS_BACKEND=tensorflow python benchmarks/likelihood.py --minutes 3 --out runs/likelihood
    KERAS_BACKEND=jax python benchmarks/likelihood.py --speed-only

Published full-MNIST numbers (NOTES.md) trained for hours on 60,000 digits and tested on the
10,000 official test digits, mostly with stochastically binarised or the fixed Larochelle
binarisation: VAE ~89.8 nats (ELBO-based), IWAE(50) ~86.8, PixelCNN ~81.3. Numbers here are
not comparable beyond their order of magnitude: 15x less data, minutes of CPU, a threshold
binarisation (which gives cleaner, easier digits than stochastic binarisation), 1,000 test digits.
"""

import argparse
import json
import os
import time

import keras
import numpy as np

from keras_gen import data, images, latent, zoo

PUBLISHED = {"vae": {"elbo": 89.8, "iwae50": 86.8}, "pixelcnn": {"nll": 81.3}}
MODELS = {
    "vae": {"network": "dense", "latent_dim": 32, "seed": 0},
    "pixelcnn": {"distribution": "bernoulli"},
    "gated-pixelcnn": {"distribution": "bernoulli"},
}


class TimeBudget(keras.callbacks.Callback):
    """Stop `fit` once `seconds` of wall time have passed (checked after every batch)."""

    def __init__(self, seconds):
        super().__init__()
        self.seconds = seconds

    def on_train_begin(self, logs=None):
        self.start = time.perf_counter()
        self.steps = 0

    def on_train_batch_end(self, batch, logs=None):
        self.steps += 1
        if time.perf_counter() - self.start > self.seconds:
            self.model.stop_training = True


def binarised_split(split):
    x, y = data.load_mnist_5k(split)
    return data.binarize(x), y


def train(name, seconds, batch_size=64):
    train_x, _ = binarised_split("train")
    model = zoo.build(name, **MODELS[name])
    budget = TimeBudget(seconds)
    start = time.perf_counter()
    history = model.fit(
        data.load(train_x, batch_size=batch_size), epochs=10_000, callbacks=[budget], verbose=0
    )
    wall = time.perf_counter() - start
    epochs = len(history.history["loss"])
    return model, {"train_seconds": round(wall, 1), "steps": budget.steps, "epochs": epochs,
                   "final_train_loss": round(float(history.history["loss"][-1]), 2)}


def evaluate(name, model, out_dir):
    test_x, _ = binarised_split("test")
    result = {}
    start = time.perf_counter()
    if name == "vae":
        result["test_nll_elbo"] = round(float(-model.log_prob(test_x, k=1, seed=0).mean()), 2)
        result["test_nll_iwae50"] = round(float(-model.log_prob(test_x, k=50, seed=0).mean()), 2)
        if out_dir:
            images.save_grid(model.sample(64, seed=0), os.path.join(out_dir, "vae_samples.png"))
            pairs = test_x[:8].astype(np.float32) / 127.5 - 1
            latent.save_interpolation_grid(
                latent.interpolate(model, pairs[:4], pairs[4:8], steps=8, method="linear"),
                os.path.join(out_dir, "vae_interpolation.png"),
            )
    else:
        result["test_nll"] = round(float(-model.log_prob(test_x).mean()), 2)
        if out_dir:
            t = time.perf_counter()
            samples = model.sample(16, seed=0)
            result["sample_16_seconds"] = round(time.perf_counter() - t, 1)
            images.save_grid(samples, os.path.join(out_dir, f"{name}_samples.png"), nrow=8)
    result["eval_seconds"] = round(time.perf_counter() - start, 1)
    return result


def sampling_speed(name, n, repeats=2):
    """Pixels per second of `sample` on an untrained 28x28 model (speed does not depend on the
    weights): the best of `repeats` timed calls after one warm-up call that compiles the step."""
    model = zoo.build(name, distribution="bernoulli")
    model.sample(n, seed=0)
    best = min(_timed(lambda: model.sample(n, seed=1)) for _ in range(repeats))
    pixels = n * int(np.prod(model.data_shape[:2]))
    return {"batch": n, "seconds": round(best, 2), "pixels_per_second": round(pixels / best, 1)}


def _timed(fn):
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--minutes", type=float, default=3.0, help="training budget per model")
    parser.add_argument("--models", default="vae,pixelcnn,gated-pixelcnn")
    parser.add_argument("--speed-only", action="store_true", help="only measure PixelCNN sampling speed")
    parser.add_argument("--speed-batch", type=int, default=16)
    parser.add_argument("--out", default=None, help="folder for results.json and sample PNGs")
    args = parser.parse_args()
    backend = keras.backend.backend()
    report = {"backend": backend, "protocol": "mnist-5k train 4,000 / test 1,000, binarised at 128"}
    if args.out:
        os.makedirs(args.out, exist_ok=True)
    for name in args.models.split(","):
        entry = {}
        if not args.speed_only:
            keras.utils.set_random_seed(0)
            model, entry = train(name, args.minutes * 60)
            entry.update(evaluate(name, model, args.out))
        if "pixelcnn" in name:
            entry["sampling"] = sampling_speed(name, args.speed_batch)
        report[name] = entry
        print(name, json.dumps(entry), flush=True)
    report["published_full_mnist"] = PUBLISHED
    if args.out:
        with open(os.path.join(args.out, f"results_{backend}{'_speed' if args.speed_only else ''}.json"), "w") as f:
            json.dump(report, f, indent=2)


if __name__ == "__main__":
    main()
