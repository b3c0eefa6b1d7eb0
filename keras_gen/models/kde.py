"""Gaussian kernel density estimation (Parzen 1962; Rosenblatt 1956), the zoo's non-parametric
baseline.

The model is the training data itself: p(x) = 1/N sum_n N(x; x_n, sigma^2 I), with sigma chosen by
the log-likelihood of held-out data. Its log-density is exact and its samples are exact draws from
the mixture, which on images are training digits plus pixel noise: in hundreds of dimensions a
kernel density can only memorise, the curse of dimensionality that learned generators address.

`KDE` is a `keras.Model` so that the zoo, `.keras` saving and the CLI treat it like every entry,
but it has no weights to learn by gradient descent: `fit(data)` is overridden to read all of the
data once, choose sigma and store the data. It runs the callbacks' train and epoch hooks once, and
returns a History holding the chosen `sigma` and its `val_log_likelihood`.
"""

import keras
import numpy as np

from keras_gen import density
from keras_gen.models.base import GenerativeModel
from keras_gen.models.capabilities import ExactLikelihood, Sampler
from keras_gen.zoo import register


def collect_examples(data):
    """All examples of `data` (an array, a tf.data.Dataset or an iterable of batches, with or
    without labels) as one NumPy array."""
    if hasattr(data, "as_numpy_iterator"):
        data = data.as_numpy_iterator()
    elif isinstance(data, (tuple, list)) and len(data) == 2 and np.ndim(data[1]) == 1:
        data = data[0]  # (images, labels) arrays
    if isinstance(data, np.ndarray) or hasattr(data, "__array__"):
        return np.asarray(data)
    batches = [np.asarray(batch[0] if isinstance(batch, (tuple, list)) else batch) for batch in data]
    if not batches:
        raise ValueError("fit received no data: the dataset or iterable is empty.")
    return np.concatenate(batches)


@keras.saving.register_keras_serializable(package="keras_gen")
class KDE(ExactLikelihood, Sampler, GenerativeModel):
    """Gaussian kernel density of the training data.

    Args:
        bandwidth: sigma of the Gaussian kernel; None chooses it in `fit` from `bandwidths` by the
            mean log-likelihood of held-out data.
        bandwidths: candidate sigmas (default: 1e-3 to 10 times the data's standard deviation,
            log-spaced, see `keras_gen.density.default_bandwidths`).
        validation_fraction: the share of the data `fit` holds out to choose sigma when it is not
            given `validation_data`. After the choice, all of the data becomes the model.
        seed: seed of that held-out split.

    It is unconditional; its exact `log_prob` is NumPy, so it is not exported for serving.
    """

    loss_names = ()

    def __init__(self, bandwidth=None, bandwidths=None, validation_fraction=0.1, seed=0, **kwargs):
        kwargs.pop("num_classes", None)
        super().__init__(seed=seed, **kwargs)
        if bandwidth is not None and not bandwidth > 0:
            raise ValueError(f"bandwidth must be positive or None (chosen on held-out data); got {bandwidth!r}.")
        if not 0.0 < validation_fraction < 1.0:
            raise ValueError(f"validation_fraction must be between 0 and 1; got {validation_fraction!r}.")
        self.bandwidth = None if bandwidth is None else float(bandwidth)
        self.bandwidths = None if bandwidths is None else [float(s) for s in bandwidths]
        self.validation_fraction = float(validation_fraction)
        self.sigma = self.bandwidth
        self.centers = None
        self.built = True

    @property
    def data_shape(self):
        return None if self.centers is None else tuple(self.centers.shape[1:])

    def _check_fitted(self):
        if self.centers is None:
            raise RuntimeError("This KDE has no data yet: call model.fit(data) first.")

    def fit(self, x=None, y=None, validation_data=None, epochs=1, callbacks=None, verbose="auto", **kwargs):
        """Store the examples of `x` and choose sigma; `epochs` and other `fit` options are ignored
        (there is nothing to iterate). Returns a History with `sigma` and `val_log_likelihood`."""
        data = collect_examples(x)
        flat = density.as_flat_array(data, "x")
        callback_list = keras.callbacks.CallbackList(
            callbacks, add_history=True, model=self, epochs=1, steps=1, verbose=0
        )
        self.stop_training = False
        callback_list.on_train_begin()
        callback_list.on_epoch_begin(0)
        if validation_data is not None:
            train, validation = flat, density.as_flat_array(collect_examples(validation_data), "validation_data")
        else:
            if len(flat) < 2:
                raise ValueError("Choosing the bandwidth needs at least 2 examples (or pass bandwidth=...).")
            order = np.random.default_rng(self.seed).permutation(len(flat))
            cut = min(max(1, int(round(self.validation_fraction * len(flat)))), len(flat) - 1)
            train, validation = flat[order[cut:]], flat[order[:cut]]
        if self.bandwidth is None:
            self.sigma, _, _ = density.select_bandwidth(train, validation, self.bandwidths)
        else:
            self.sigma = self.bandwidth
        self.centers = (data.astype(np.float32) / 127.5 - 1.0) if data.dtype == np.uint8 else data.astype(np.float32)
        score = float(np.mean(density.log_density(validation, train, self.sigma)))
        logs = {"sigma": self.sigma, "val_log_likelihood": score}
        callback_list.on_epoch_end(0, logs)
        callback_list.on_train_end(logs)
        return self.history

    def log_prob(self, x, batch_size=256):
        """Exact log-density of each example of `x` (same shape and scale as the training data;
        uint8 images are taken to [-1, 1]), in nats, as a float64 NumPy array."""
        self._check_fitted()
        flat = density.as_flat_array(x, "x")
        centers = self.centers.reshape(len(self.centers), -1)
        if flat.shape[1] != centers.shape[1]:
            raise ValueError(
                f"This KDE models examples of shape {self.data_shape}; got examples of shape {np.shape(x)[1:]}."
            )
        return density.log_density(flat, centers, self.sigma, batch_size)

    def sample(self, n, *, labels=None, seed=None, batch_size=256):
        self._check_fitted()
        return super().sample(n, labels=labels, seed=seed, batch_size=batch_size)

    def draw(self, n, labels, seed, batch_size):
        """Draws from the mixture (a random training example plus N(0, sigma^2 I) noise). Images
        are clipped to [-1, 1], the range of the data; vectors are not clipped."""
        rng = np.random.default_rng(seed)
        picks = rng.integers(len(self.centers), size=n)
        samples = self.centers[picks] + self.sigma * rng.standard_normal((n, *self.data_shape))
        if len(self.data_shape) == 3:
            samples = np.clip(samples, -1.0, 1.0)
        return samples.astype(np.float32)

    def export(self, filepath, *args, **kwargs):
        raise NotImplementedError(
            "kde has no network to serve: it is its training data and a bandwidth. Save it with "
            "model.save('kde.keras') and compute log_prob / sample in Python."
        )

    def save_own_variables(self, store):
        if self.centers is not None:
            store["centers"] = self.centers
            store["sigma"] = np.asarray(self.sigma, np.float64)

    def load_own_variables(self, store):
        if "centers" in store:
            self.centers = np.asarray(store["centers"], np.float32)
            self.sigma = float(np.asarray(store["sigma"]))

    def get_config(self):
        return {
            **super().get_config(),
            "bandwidth": self.bandwidth,
            "bandwidths": self.bandwidths,
            "validation_fraction": self.validation_fraction,
        }


@register("kde", "Gaussian kernel density (Parzen 1962): the training data with a bandwidth chosen on held-out data.")
def kde(bandwidth=None, bandwidths=None, validation_fraction=0.1, seed=0):
    return KDE(
        bandwidth=bandwidth,
        bandwidths=bandwidths,
        validation_fraction=validation_fraction,
        seed=seed,
        name="kde",
    )
