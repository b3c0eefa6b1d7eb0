"""Train a VAE on the bundled MNIST digits, then sample, reconstruct and interpolate.

    KERAS_BACKEND=tensorflow python examples/vae_mnist.py --epochs 10 --out runs/vae_example
"""

import argparse
import os

import numpy as np
from keras import ops

from keras_gen import callbacks, data, images, latent, zoo

parser = argparse.ArgumentParser()
parser.add_argument("--epochs", type=int, default=10)
parser.add_argument("--network", default="dense", choices=["dense", "conv"])
parser.add_argument("--out", default="runs/vae_example")
args = parser.parse_args()

model = zoo.build("vae", network=args.network, seed=0)
model.fit(
    data.load("mnist-5k", split="train", batch_size=64),
    epochs=args.epochs,
    callbacks=[callbacks.LatentInterpolation(os.path.join(args.out, "interpolations"))],
)

test_images, _ = data.load_mnist_5k("test")
test = test_images[:16].astype(np.float32) / 127.5 - 1.0
images.save_grid(model.sample(64, seed=0), os.path.join(args.out, "samples.png"))
images.save_grid(
    np.concatenate([test[:8], ops.convert_to_numpy(model.reconstruct(test[:8]))]),
    os.path.join(args.out, "reconstructions.png"), nrow=8,
)
# From one test digit to another through the latent space (encoded means), linear and spherical.
for method in ("linear", "slerp"):
    strips = latent.interpolate(model, test[:4], test[4:8], steps=10, method=method)
    latent.save_interpolation_grid(strips, os.path.join(args.out, f"interpolation_{method}.png"))

binary = data.binarize(test_images)
print(f"test NLL bounds on binarised digits: ELBO {-model.log_prob(binary, k=1, seed=0).mean():.1f} nats, "
      f"IWAE(50) {-model.log_prob(binary, k=50, seed=0).mean():.1f} nats (trained on grey digits)")
print(f"Wrote {args.out}/samples.png, reconstructions.png, interpolation_*.png, interpolations/")
