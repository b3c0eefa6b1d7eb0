"""Class accuracy of cGAN and AC-GAN samples on mnist-5k, judged by a digit classifier.

A small convolutional classifier is trained on the real training digits
(`keras_gen.data.load_mnist_5k("train")`); its accuracy on the 1,000 held-out real digits ("test")
is the ceiling. Each conditional model then generates --per-class samples of every class, and the
class accuracy is how often the classifier recognises the requested class.

    KERAS_BACKEND=tensorflow python benchmarks/conditional_accuracy.py --epochs 5
    KERAS_BACKEND=tensorflow python benchmarks/conditional_accuracy.py --models runs/cgan/model.keras

With --models, saved models (e.g. from `keras-gen train cgan --data mnist-5k`) are evaluated
instead of training cgan and acgan here for --epochs.
"""

import argparse
import time

import numpy as np


def train_classifier(epochs, seed):
    import keras
    from keras import layers

    from keras_gen import data

    keras.utils.set_random_seed(seed)
    images, labels = data.load_mnist_5k("train")
    classifier = keras.Sequential(
        [
            keras.Input((28, 28, 1)),
            layers.Conv2D(32, 3, activation="relu"),
            layers.MaxPooling2D(),
            layers.Conv2D(64, 3, activation="relu"),
            layers.MaxPooling2D(),
            layers.Flatten(),
            layers.Dropout(0.3),
            layers.Dense(10),
        ]
    )
    classifier.compile("adam", keras.losses.SparseCategoricalCrossentropy(from_logits=True), metrics=["accuracy"])
    classifier.fit(images.astype("float32") / 127.5 - 1, labels, epochs=epochs, batch_size=64, verbose=0)
    return classifier


def class_accuracy(classifier, images, labels):
    predictions = classifier.predict(images, batch_size=256, verbose=0).argmax(axis=1)
    return float(np.mean(predictions == labels))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--models", nargs="*", help="saved conditional models to evaluate instead of training")
    parser.add_argument("--epochs", type=int, default=5, help="training epochs of cgan and acgan")
    parser.add_argument("--classifier-epochs", type=int, default=8)
    parser.add_argument("--per-class", type=int, default=100)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    import keras

    from keras_gen import data, models, zoo  # noqa: F401  (models registers the classes for loading)

    classifier = train_classifier(args.classifier_epochs, args.seed)
    test_images, test_labels = data.load_mnist_5k("test")
    real = class_accuracy(classifier, test_images.astype("float32") / 127.5 - 1, test_labels)
    print(f"backend={keras.backend.backend()}  classifier on {len(test_labels)} held-out real digits: {100 * real:.1f}%")

    if args.models:
        candidates = [(path, lambda path=path: (keras.models.load_model(path), None)) for path in args.models]
    else:
        def trained(name):
            keras.utils.set_random_seed(args.seed)
            model = zoo.build(name, seed=args.seed)
            start = time.time()
            model.fit(data.load("mnist-5k", require_labels=True, seed=args.seed), epochs=args.epochs, verbose=0)
            return model, time.time() - start

        candidates = [(f"{name} ({args.epochs} epochs)", lambda name=name: trained(name)) for name in ("cgan", "acgan")]

    print(f"| model {'':<34}| class accuracy of samples | train time |")
    print(f"|{'-' * 41}|---------------------------|------------|")
    for label, make in candidates:
        model, seconds = make()
        labels = np.repeat(np.arange(model.num_classes), args.per_class)
        samples = model.sample(len(labels), labels=labels, seed=args.seed)
        accuracy = class_accuracy(classifier, samples, labels)
        timing = f"{seconds:8.0f} s" if seconds is not None else "      -   "
        print(f"| {label:<40}| {100 * accuracy:24.1f}% | {timing} |", flush=True)
    print(f"| {'real held-out digits (ceiling)':<40}| {100 * real:24.1f}% |            |")


if __name__ == "__main__":
    main()
