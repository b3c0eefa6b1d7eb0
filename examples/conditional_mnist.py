"""A conditional GAN (Mirza & Osindero 2014) on the bundled mnist-5k digits: ask for a digit, get it.

    KERAS_BACKEND=tensorflow python examples/conditional_mnist.py

Swap "cgan" for "acgan" to train AC-GAN (Odena et al. 2017). Writes cgan_digits.png, one digit
class per row.
"""

import numpy as np

import keras_gen
from keras_gen import data, images

model = keras_gen.zoo.build("cgan", num_classes=10)
model.fit(data.load("mnist-5k", require_labels=True), epochs=5)

labels = np.repeat(np.arange(10), 10)  # ten of each digit
images.save_grid(model.sample(100, labels=labels, seed=0), "cgan_digits.png", nrow=10)
sevens = model.sample(8, labels=7, seed=1)  # eight sevens
