"""The original GAN (Goodfellow et al. 2014) on a 2-D ring of 8 Gaussians, the classic
mode-collapse toy problem. Writes a scatter plot of samples (white) and modes (red) per epoch.

    KERAS_BACKEND=tensorflow python examples/gan_ring8.py
"""

import numpy as np

import keras_gen

centers, std = keras_gen.data.mixture("ring8")
model = keras_gen.zoo.build("gan", data_shape=(2,), hidden_units=(128, 128), discriminator_steps=1)
data = keras_gen.data.load("ring8", batch_size=128, num_samples=25_600)
model.fit(data, epochs=10, callbacks=[keras_gen.callbacks.SampleGrid("runs/example-ring8", num=2500, reference=centers)])

samples = model.sample(2500, seed=0)
distance_to_nearest_mode = np.linalg.norm(samples[:, None] - centers, axis=-1).min(axis=1)
print(f"samples within 3 std of a mode: {(distance_to_nearest_mode < 3 * std).mean():.1%}")
