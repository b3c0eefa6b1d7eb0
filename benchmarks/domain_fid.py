"""Domain FID (extractor mnist-lenet) of zoo entries trained on mnist-5k, beside the noise floor.

    KERAS_BACKEND=tensorflow python benchmarks/domain_fid.py --entries dcgan gan --epochs 10 -n 2500

The noise floor is the FID between the two halves of the 5,000 real digits (n each), the best a
model can score at this n. Each model trains on the "train" split (4,000 digits) and is compared
with n digits of the "all" split; its samples use seed 0.
"""

import argparse
import json
import time

import keras
import numpy as np

from keras_gen import data, metrics, zoo


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", nargs="+", default=["dcgan", "gan"])
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("-n", type=int, default=2500)
    args = parser.parse_args()
    keras.utils.set_random_seed(0)
    images, _ = data.load_mnist_5k("all")
    order = np.random.default_rng(1).permutation(len(images))
    half_a, half_b = images[order[: args.n]], images[order[-args.n :]]
    results = {"extractor": "mnist-lenet", "n": args.n, "backend": keras.backend.backend(), "epochs": args.epochs}
    results["noise_floor_fid"] = metrics.fid(half_a, half_b, extractor="mnist-lenet", verbose=0)
    for entry in args.entries:
        model = zoo.build(entry, seed=0)
        start = time.time()
        model.fit(data.load("mnist-5k", split="train", batch_size=64), epochs=args.epochs, verbose=0)
        results[f"{entry}_train_s"] = round(time.time() - start, 1)
        results[f"{entry}_fid"] = metrics.fid(half_a, model, extractor="mnist-lenet", n=args.n, verbose=0)
        print(json.dumps(results), flush=True)
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
