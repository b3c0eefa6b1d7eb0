"""Train the "mnist-lenet" feature extractor on mnist-5k and write keras_gen/weights/mnist_lenet.weights.h5.

    KERAS_BACKEND=tensorflow python scripts/train_mnist_lenet.py

Trains on mnist-5k's "train" split (4,000 digits) and prints the accuracy on its "test" split (1,000
held-out digits, 100 per class; see keras_gen.data.load_mnist_5k). Deterministic up to backend
arithmetic.
"""

import argparse
import os

import keras

from keras_gen import data
from keras_gen.metrics import extractors


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=20)
    parser.add_argument("--out", default=extractors.LENET_WEIGHTS)
    args = parser.parse_args()
    keras.utils.set_random_seed(0)
    train_images, train_labels = data.load_mnist_5k("train")
    test_images, test_labels = data.load_mnist_5k("test")
    network = extractors.build_lenet()
    classifier = keras.Model(network.input, network.output["logits"])
    classifier.compile(
        optimizer=keras.optimizers.Adam(1e-3),
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        metrics=["accuracy"],
    )
    classifier.fit(train_images.astype("float32"), train_labels, batch_size=64, epochs=args.epochs, shuffle=True, verbose=2)
    _, accuracy = classifier.evaluate(test_images.astype("float32"), test_labels, verbose=0)
    print(f"mnist-lenet accuracy on mnist-5k's held-out test split (1,000 digits): {accuracy:.4f}")
    network.save_weights(args.out)
    print(f"wrote {args.out} ({os.path.getsize(args.out) / 1e6:.2f} MB)")


if __name__ == "__main__":
    main()
