"""Train a (gated) PixelCNN on binarised MNIST digits, report its exact test NLL and sample.

    KERAS_BACKEND=tensorflow python examples/pixelcnn_mnist.py --epochs 3 --gated --out runs/pixelcnn_example

Add --conditional for a class-conditional model (one row of samples per digit class).
"""

import argparse
import os

import numpy as np

from keras_gen import data, images, zoo

parser = argparse.ArgumentParser()
parser.add_argument("--epochs", type=int, default=3)
parser.add_argument("--gated", action="store_true")
parser.add_argument("--conditional", action="store_true")
parser.add_argument("--out", default="runs/pixelcnn_example")
args = parser.parse_args()

train_x, train_y = data.load_mnist_5k("train")
test_x, test_y = data.load_mnist_5k("test")
train_x, test_x = data.binarize(train_x), data.binarize(test_x)  # pixel >= 128 -> 1

num_classes = 10 if args.conditional else None
model = zoo.build("gated-pixelcnn" if args.gated else "pixelcnn", distribution="bernoulli", num_classes=num_classes)
model.fit(data.load((train_x, train_y), batch_size=64), epochs=args.epochs)

labels = test_y if args.conditional else None
nll = -model.log_prob(test_x, labels=labels).mean()
print(f"exact test NLL: {nll:.1f} nats ({model.bits_per_dim(test_x, labels=labels).mean():.3f} bits/dim)")
sample_labels = np.repeat(np.arange(10), 8) if args.conditional else None
samples = model.sample(80 if args.conditional else 64, seed=0, labels=sample_labels)
print(f"Wrote {images.save_grid(samples, os.path.join(args.out, 'samples.png'), nrow=8)}")
