"""Train the "mnist-lenet" feature extractor on mnist-5k and write keras_gen/weights/mnist_lenet.weights.h5.

    KERAS_BACKEND=tensorflow python scripts/train_mnist_lenet.py

The 5,000 digits are shuffled with seed 0; the first 4,000 train the classifier and the last 1,000
are held out for the accuracy this script prints. Deterministic up to backend arithmetic.
"""

import argparse
import os

import keras
import numpy as np

from keras_gen.metrics import extractors

DATA = os.path.join(os.path.dirname(extractors.__file__), "..", "datasets", "mnist_5k.npz")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=20)
    parser.add_argument("--out", default=extractors.LENET_WEIGHTS)
    args = parser.parse_args()
    keras.utils.set_random_seed(0)
    with np.load(DATA) as data:
        images, labels = data["images"][..., None].astype("float32"), data["labels"].astype("int32")
    order = np.random.default_rng(0).permutation(len(images))
    train, held_out = order[:4000], order[4000:]
    network = extractors.build_lenet()
    classifier = keras.Model(network.input, network.output["logits"])
    classifier.compile(
        optimizer=keras.optimizers.Adam(1e-3),
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        metrics=["accuracy"],
    )
    classifier.fit(images[train], labels[train], batch_size=64, epochs=args.epochs, verbose=2)
    _, accuracy = classifier.evaluate(images[held_out], labels[held_out], verbose=0)
    print(f"mnist-lenet held-out accuracy (1,000 digits of mnist-5k, seed-0 split): {accuracy:.4f}")
    network.save_weights(args.out)
    print(f"wrote {args.out} ({os.path.getsize(args.out) / 1e6:.2f} MB)")


if __name__ == "__main__":
    main()
