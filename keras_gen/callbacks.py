"""Keras callbacks that show what a generative model learns while `fit` runs."""

import os

import keras
import numpy as np

from keras_gen import images


class SampleGrid(keras.callbacks.Callback):
    """Save `num` samples from the model as a PNG after every epoch (`epoch_001.png`, ...).

    The samples are drawn with the same `seed` every epoch (so the same latent vectors for GANs and
    VAEs), which makes epochs comparable. 2-D vector data is drawn as a scatter plot instead.
    """

    def __init__(self, out_dir, num=64, seed=0, reference=None):
        super().__init__()
        self.out_dir = out_dir
        self.num = num
        self.seed = seed
        self.reference = reference  # e.g. the modes of a 2-D mixture, drawn on scatter plots

    def on_epoch_end(self, epoch, logs=None):
        samples = np.asarray(self.model.sample(self.num, seed=self.seed))
        path = os.path.join(self.out_dir, f"epoch_{epoch + 1:03d}.png")
        if samples.ndim == 2 and samples.shape[1] == 2:
            images.save_scatter(samples, path, reference=self.reference)
        else:
            images.save_grid(samples, path)
