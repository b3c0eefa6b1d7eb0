"""Train a denoising autoencoder (Vincent et al. 2008) and show noisy digits, their
reconstructions, and the clean originals.

    KERAS_BACKEND=tensorflow python examples/denoising_autoencoder_mnist.py --epochs 5 --out runs/dae_example
"""

import argparse
import os

import numpy as np
from keras import ops

from keras_gen import data, images, zoo

parser = argparse.ArgumentParser()
parser.add_argument("--epochs", type=int, default=5)
parser.add_argument("--noise", default="gaussian", choices=["gaussian", "masking"])
parser.add_argument("--noise-level", type=float, default=0.5)
parser.add_argument("--out", default="runs/dae_example")
args = parser.parse_args()

model = zoo.build("denoising-autoencoder", noise=args.noise, noise_level=args.noise_level, seed=0)
model.fit(data.load("mnist-5k", split="train", batch_size=64), epochs=args.epochs)

test = data.load_mnist_5k("test")[0][:8].astype(np.float32) / 127.5 - 1.0
noisy = np.asarray(ops.convert_to_numpy(model.corrupt(ops.convert_to_tensor(test))))
cleaned = ops.convert_to_numpy(model.reconstruct(noisy))
print(f"test MSE against the clean digits: noisy {np.mean((noisy - test) ** 2):.3f}, "
      f"denoised {np.mean((cleaned - test) ** 2):.3f}")
print(f"Wrote {images.save_grid(np.concatenate([noisy, cleaned, test]), os.path.join(args.out, 'denoising.png'), nrow=8)}")
