"""What a zoo model can do, declared by the classes rather than guessed from their attributes.

The CLI, the callbacks, the metrics and the exporter ask `isinstance(model, Sampler)` and the like.
Each capability is a small mixin: it documents the methods a model promises and adds the serving
signatures that follow from them (see `GenerativeModel.serving_endpoints`).

- `Sampler`: draws new examples, `sample(n, *, labels=None, seed=None)`.
- `LatentDecoder`: maps latent codes to data deterministically, `generate(z, labels=None)`, with a
  `latent_dim`; a GAN's generator, a VAE's or an autoencoder's decoder.
- `LatentVariableModel`: a `LatentDecoder` and `Sampler` with the prior z ~ N(0, I) (GANs, VAEs).
- `Encoder`: maps data to latent codes, `encode(x, labels=None)` and `reconstruct(x, labels=None)`.
- `ExactLikelihood`: the exact `log_prob(x, labels=None)` in nats, with a traceable
  `log_prob_graph(images, labels=None)` that can be served.
"""

import numpy as np
from keras import ops

from keras_gen import backend, checks
from keras_gen.images import unit_to_uint8


def _images_out(images):
    return {"images": images, "images_uint8": unit_to_uint8(images)}


class Sampler:
    """Draws new examples: `sample(n, *, labels=None, seed=None)` -> NumPy float32."""

    def sample(self, n, *, labels=None, seed=None, batch_size=256):
        """`n` new examples as NumPy float32 (images NHWC in [-1, 1]).

        A conditional model takes `labels` (an int or n ints; default balanced classes). The same
        integer `seed` gives the same samples for the same weights; None draws fresh ones.
        """
        n = checks.integer("n (the number of samples)", n, minimum=0)
        labels = self.check_labels(labels, n)
        if n == 0:
            return np.zeros((0, *self.data_shape), np.float32)
        batch_size = checks.integer("batch_size", batch_size, minimum=1)
        return np.asarray(self.draw(n, labels, seed, batch_size), np.float32)

    def draw(self, n, labels, seed, batch_size):
        """Draw `n` >= 1 examples for checked `labels` (None when unconditional)."""
        raise NotImplementedError


class LatentDecoder:
    """Latent codes z (batch, latent_dim) -> data, deterministically: `generate(z, labels=None)`.

    `generate` on NumPy codes (what `sample` and most callers pass) runs `compiled_generate`;
    on backend tensors it runs as written, so that it can be traced (serving, training steps).
    """

    _generate_function = None

    def compiled_generate(self, z, labels=None):
        """`generate` in inference mode through one compiled function per model (`tf.function`,
        `jax.jit` taking the weights' current values, `torch.no_grad`): no per-call tracing or
        `predict` machinery, and weights changed by later training are used."""
        if self._generate_function is None:
            self._generate_function = backend.inference_function(
                lambda z, *labels: self.generate(z, labels[0] if labels else None), self.variables
            )
        z = ops.convert_to_tensor(np.asarray(z, np.float32))
        labels = self.label_tensor(labels, z.shape[0])
        return self._generate_function(z, *([] if labels is None else [labels]))

    def serving_endpoints(self):
        return {
            **super().serving_endpoints(),
            "generate": (lambda *args: _images_out(self.generate(*args)), [("z", (None, self.latent_dim), "float32")]),
        }


class LatentVariableModel(LatentDecoder, Sampler):
    """A sampler with a prior z ~ N(0, I) over its latent codes (GANs, VAEs).

    Sampling draws z from NumPy with the given seed, so one seed gives the same latent vectors on
    every backend, and decodes them in batches.
    """

    def draw(self, n, labels, seed, batch_size):
        z = np.random.default_rng(seed).standard_normal((n, self.latent_dim)).astype(np.float32)
        batches = []
        for start in range(0, n, batch_size):
            batch_labels = None if labels is None else labels[start : start + batch_size]
            batches.append(ops.convert_to_numpy(self.generate(z[start : start + batch_size], batch_labels)))
        return np.concatenate(batches)


class Encoder:
    """Data -> latent codes: `encode(x, labels=None)`; `reconstruct(x, labels=None)`.

    `encoding(x, labels=None)` names the parts of a code for serving ({"code": ...}, or a VAE's
    {"mean": ..., "log_var": ...}).
    """

    def serving_endpoints(self):
        images = [("images", (None, *self.data_shape), "float32")]
        return {
            **super().serving_endpoints(),
            "encode": (lambda *args: self.encoding(*args), images),
            "reconstruct": (lambda *args: _images_out(self.reconstruct(*args)), images),
        }


class ExactLikelihood:
    """An exact, normalised `log_prob(x, labels=None)` per example, in nats."""

    def serving_endpoints(self):
        images = [("images", (None, *self.data_shape), "float32")]
        return {**super().serving_endpoints(), "log_prob": (lambda *args: {"log_prob": self.log_prob_graph(*args)}, images)}
