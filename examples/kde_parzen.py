"""Fit the kde baseline to mnist-5k, sample from it, and score it with the Parzen-window metric.

    KERAS_BACKEND=tensorflow python examples/kde_parzen.py

Runs in about ten seconds on a laptop CPU; writes kde_samples.png.
"""

import numpy as np

from keras_gen import data, images, zoo
from keras_gen.metrics import parzen_log_likelihood

train, _ = data.load_mnist_5k("train")
test, _ = data.load_mnist_5k("test")

model = zoo.build("kde")
model.fit(train)  # stores the 4,000 digits and picks sigma on a held-out tenth of them
print(f"bandwidth sigma = {model.sigma:.3f} (pixels in [-1, 1])")
print(f"exact test log-density: {model.log_prob(test).mean():.1f} nats per digit")

samples = model.sample(64, seed=0)  # training digits plus N(0, sigma^2) noise, clipped to [-1, 1]
images.save_grid(samples, "kde_samples.png", nrow=8)

# Parzen window on [0, 1] pixels as in Goodfellow et al. (2014): the test digits under a kernel
# density of 1,000 samples. Theis et al. (2016): compare with real digits, never read it alone.
# The split is sorted by label: draw the 1,000 real digits at random so that every class is there.
real = train[np.random.default_rng(0).permutation(len(train))[:1000]] / 255.0
test01 = test / 255.0
kde_samples = (model.sample(1000, seed=1) + 1) / 2
for name, generated in (("kde samples", kde_samples), ("real digits", real)):
    result = parzen_log_likelihood(generated, test01)
    print(f"Parzen log-likelihood, {name}: {result.mean:.1f} +- {result.std_error:.1f} (sigma {result.sigma:.3f})")
