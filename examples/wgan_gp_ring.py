"""WGAN-GP (Gulrajani et al. 2017) on the ring of 8 Gaussians, scored for mode collapse.

    KERAS_BACKEND=tensorflow python examples/wgan_gp_ring.py

Any backend works (tensorflow is the fastest on CPU). Writes wgan_gp_ring.png.
"""

import keras_gen
from keras_gen import data, images, metrics

model = keras_gen.zoo.build("wgan-gp", data_shape=(2,), hidden_units=(128, 128, 128), latent_dim=2, learning_rate=1e-3)
model.fit(data.load("ring8", batch_size=256, num_samples=100_000).repeat(), steps_per_epoch=1000, epochs=2)

samples = model.sample(2500, seed=0)
centers, std = data.mixture("ring8")
print(metrics.mode_coverage(samples, centers, std))  # modes captured, share high quality, reverse KL
images.save_scatter(samples, "wgan_gp_ring.png", reference=centers)
