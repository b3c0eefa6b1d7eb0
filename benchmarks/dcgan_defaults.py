"""The measurements behind dcgan's defaults (zoo/dcgan): one setting per run, on mnist-5k.

    KERAS_BACKEND=tensorflow python benchmarks/dcgan_defaults.py --epochs 30 --set learning_rate=2e-4 ema=None
    KERAS_BACKEND=tensorflow python benchmarks/dcgan_defaults.py --epochs 30            # the defaults

Trains `zoo.build("dcgan", seed=0, **settings)` with `fit` on the 4,000 training digits (batch 64)
and judges `model.sample(1000, seed=1)` with `zoo_quality.digit_judgement` (mnist-lenet) and the
domain FID against the 1,000 held-out digits.
"""

import argparse
import json
import os
import sys
import time

import keras

from keras_gen import cli, data, metrics, zoo

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from zoo_quality import digit_judgement  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=30)
    parser.add_argument("--set", nargs="*", metavar="KEY=VALUE", help="dcgan options, as for keras-gen train")
    args = parser.parse_args()
    settings = cli.parse_overrides(args.set)
    keras.utils.set_random_seed(0)
    model = zoo.build("dcgan", seed=0, **settings)
    start = time.perf_counter()
    model.fit(data.load("mnist-5k", split="train", batch_size=64), epochs=args.epochs, verbose=0)
    seconds = time.perf_counter() - start
    samples = model.sample(1000, seed=1)
    held_out, _ = data.load_mnist_5k("test")
    fid = metrics.fid(held_out, samples, extractor="mnist-lenet", verbose=0)
    result = {"settings": settings, "epochs": args.epochs, "fit_seconds": round(seconds, 1),
              "backend": keras.backend.backend(), **digit_judgement(samples), "fid": fid}
    print(json.dumps(result))


if __name__ == "__main__":
    main()
