"""DCGAN training throughput on mnist-5k: keras-gen's `model.fit` next to a hand-written training
loop for the same networks on each backend.

    python benchmarks/dcgan_throughput.py                    # every backend, one subprocess each
    python benchmarks/dcgan_throughput.py --rounds 7 --jit   # more rounds; also jit_compile=True
    KERAS_BACKEND=jax python benchmarks/dcgan_throughput.py --inner   # one backend, this process

Both sides train the zoo's dcgan (latent 64, width 32, batch norm, the non-saturating loss,
Adam(4e-4, beta_1=0.5) per network, one discriminator step per generator step, the EMA of the
generator's weights with decay min(0.999, (1 + t) / (10 + t))) on the same tf.data batches of 64.
The hand-written loops:

- tensorflow: `tf.function` with two `tf.GradientTape`s and Keras Adam's `apply`;
- jax: one `jax.jit` step of `stateless_call` on the networks, `jax.value_and_grad` and
  `optimizer.stateless_apply`;
- torch: the Keras networks as torch modules, `torch.autograd.grad` and `torch.optim.Adam`.

One process per backend alternates epochs of keras-gen's fit and of the hand-written loop, after
one warm-up epoch of each (tracing, compilation), and reports the median images/s of each; an
epoch of fit is timed from its first to its last batch (a callback), as the loop's is.
`--jit` adds keras-gen with `compile(jit_compile=True)` (XLA on TensorFlow, torch.compile on
torch; JAX's fit is always jitted) to the rotation.
"""

import argparse
import functools
import json
import os
import statistics
import subprocess
import sys
import time

BATCH_SIZE = 64
LATENT_DIM = 64
WIDTH = 32
LEARNING_RATE = 4e-4
BETA_1 = 0.5
EMA = 0.999
BACKENDS = ("tensorflow", "jax", "torch")


def ema_decay(step):
    """keras-gen's EMA decay after generator step `step` (see GAN.update_average)."""
    return min(EMA, (1.0 + step) / (10.0 + step))


def dataset(batches=None):
    """mnist-5k in batches of 64, or its first `batches` batches."""
    from keras_gen import data

    batched = data.load("mnist-5k", batch_size=BATCH_SIZE)
    return batched if batches is None else batched.take(batches)


def networks():
    """(generator, discriminator, averaged generator): the dcgan zoo entry's networks."""
    import keras

    from keras_gen import networks as nets

    keras.utils.set_random_seed(0)
    generator = nets.conv_generator(LATENT_DIM, (28, 28, 1), WIDTH)
    discriminator = nets.conv_discriminator((28, 28, 1), WIDTH)
    average = keras.models.clone_model(generator)
    average.set_weights(generator.get_weights())
    return generator, discriminator, average


def adam():
    import keras

    return keras.optimizers.Adam(LEARNING_RATE, beta_1=BETA_1)


def keras_gen_epoch(batches, jit_compile=False):
    """One epoch of keras-gen's fit on the dcgan zoo model, as a function returning its seconds."""
    import keras

    import keras_gen

    class EpochTimer(keras.callbacks.Callback):
        def on_epoch_begin(self, epoch, logs=None):
            self.start = time.perf_counter()

        def on_epoch_end(self, epoch, logs=None):
            self.seconds = time.perf_counter() - self.start

    model = keras_gen.zoo.build("dcgan", seed=0)
    if jit_compile:
        model.compile(optimizer=adam(), jit_compile=True)
    data, timer = dataset(batches), EpochTimer()

    def epoch():
        model.fit(data, epochs=1, callbacks=[timer], verbose=0)
        return timer.seconds

    return epoch


def tensorflow_epoch(batches):
    """The hand-written TensorFlow loop: a tf.function with two gradient tapes."""
    import tensorflow as tf

    generator, discriminator, average = networks()
    g_opt, d_opt = adam(), adam()

    @tf.function
    def train_step(real):
        batch = tf.shape(real)[0]
        fake = generator(tf.random.normal((batch, LATENT_DIM)), training=True)
        with tf.GradientTape() as tape:
            real_scores = discriminator(real, training=True)
            fake_scores = discriminator(fake, training=True)
            d_loss = tf.reduce_mean(tf.nn.softplus(-real_scores)) + tf.reduce_mean(tf.nn.softplus(fake_scores))
        d_opt.apply(tape.gradient(d_loss, discriminator.trainable_variables), discriminator.trainable_variables)
        with tf.GradientTape() as tape:
            scores = discriminator(generator(tf.random.normal((batch, LATENT_DIM)), training=True), training=True)
            g_loss = tf.reduce_mean(tf.nn.softplus(-scores))
        g_opt.apply(tape.gradient(g_loss, generator.trainable_variables), generator.trainable_variables)
        steps = tf.cast(g_opt.iterations, "float32")
        decay = tf.minimum(EMA, (1.0 + steps) / (10.0 + steps))
        for averaged, weight in zip(average.weights, generator.weights):
            averaged.assign(decay * averaged + (1.0 - decay) * weight if weight.trainable else weight)
        return d_loss, g_loss

    data = dataset(batches)

    def epoch():
        start = time.perf_counter()
        for real, _ in data:
            losses = train_step(real)
        float(losses[0])
        return time.perf_counter() - start

    return epoch


def jax_epoch(batches):
    """The hand-written JAX loop: one jitted step of stateless_call, value_and_grad and
    stateless_apply, the whole state passed in and out."""
    import jax
    import jax.numpy as jnp

    generator, discriminator, average = networks()
    g_opt, d_opt = adam(), adam()
    g_opt.build(generator.trainable_variables)
    d_opt.build(discriminator.trainable_variables)
    values = lambda variables: [v.value for v in variables]
    state = (
        values(generator.trainable_variables), values(generator.non_trainable_variables),
        values(discriminator.trainable_variables), values(discriminator.non_trainable_variables),
        values(g_opt.variables), values(d_opt.variables), values(average.trainable_variables), jnp.float32(0.0),
    )
    softplus_mean = lambda x: jnp.mean(jax.nn.softplus(x))

    @functools.partial(jax.jit, donate_argnums=0)  # the old state's buffers are reused, as Keras' fit does
    def train_step(state, real, key):
        g_tv, g_ntv, d_tv, d_ntv, g_ov, d_ov, avg_tv, step = state
        d_key, g_key = jax.random.split(key)
        batch = real.shape[0]
        fake, g_ntv = generator.stateless_call(g_tv, g_ntv, jax.random.normal(d_key, (batch, LATENT_DIM)), training=True)

        def d_loss_fn(d_tv, d_ntv):
            real_scores, d_ntv = discriminator.stateless_call(d_tv, d_ntv, real, training=True)
            fake_scores, d_ntv = discriminator.stateless_call(d_tv, d_ntv, fake, training=True)
            return softplus_mean(-real_scores) + softplus_mean(fake_scores), d_ntv

        (d_loss, d_ntv), grads = jax.value_and_grad(d_loss_fn, has_aux=True)(d_tv, d_ntv)
        d_tv, d_ov = d_opt.stateless_apply(d_ov, grads, d_tv)

        def g_loss_fn(g_tv, g_ntv, d_ntv):
            fake, g_ntv = generator.stateless_call(g_tv, g_ntv, jax.random.normal(g_key, (batch, LATENT_DIM)), training=True)
            scores, d_ntv = discriminator.stateless_call(d_tv, d_ntv, fake, training=True)
            return softplus_mean(-scores), (g_ntv, d_ntv)

        (g_loss, (g_ntv, d_ntv)), grads = jax.value_and_grad(g_loss_fn, has_aux=True)(g_tv, g_ntv, d_ntv)
        g_tv, g_ov = g_opt.stateless_apply(g_ov, grads, g_tv)
        step = step + 1.0
        decay = jnp.minimum(EMA, (1.0 + step) / (10.0 + step))
        avg_tv = [decay * a + (1.0 - decay) * w for a, w in zip(avg_tv, g_tv)]
        return (g_tv, g_ntv, d_tv, d_ntv, g_ov, d_ov, avg_tv, step), (d_loss, g_loss)

    data, key = dataset(batches), jax.random.key(0)

    def epoch():
        nonlocal state, key
        start = time.perf_counter()
        for real, _ in data.as_numpy_iterator():
            key, step_key = jax.random.split(key)
            state, losses = train_step(state, jnp.asarray(real), step_key)
        float(losses[0])
        return time.perf_counter() - start

    return epoch


def torch_epoch(batches):
    """The hand-written torch loop: the Keras networks as torch modules, autograd, torch.optim.Adam
    (Keras' epsilon); the averaged generator's batch-norm statistics are the generator's own."""
    import torch
    import torch.nn.functional as F

    generator, discriminator, average = networks()
    g_params = [v.value for v in generator.trainable_variables]
    d_params = [v.value for v in discriminator.trainable_variables]
    g_opt = torch.optim.Adam(g_params, lr=LEARNING_RATE, betas=(BETA_1, 0.999), eps=1e-7)
    d_opt = torch.optim.Adam(d_params, lr=LEARNING_RATE, betas=(BETA_1, 0.999), eps=1e-7)
    avg_params = [v.value for v in average.trainable_variables]
    avg_stats = [v.value for v in average.non_trainable_variables]
    g_stats = [v.value for v in generator.non_trainable_variables]

    def step(optimizer, params, loss):
        for p, g in zip(params, torch.autograd.grad(loss, params)):
            p.grad = g
        optimizer.step()

    steps = [0]

    def train_step(real):
        batch = real.shape[0]
        with torch.no_grad():
            fake = generator(torch.randn(batch, LATENT_DIM), training=True)
        d_loss = F.softplus(-discriminator(real, training=True)).mean() + F.softplus(discriminator(fake, training=True)).mean()
        step(d_opt, d_params, d_loss)
        g_loss = F.softplus(-discriminator(generator(torch.randn(batch, LATENT_DIM), training=True), training=True)).mean()
        step(g_opt, g_params, g_loss)
        steps[0] += 1
        decay = ema_decay(steps[0])
        with torch.no_grad():
            for averaged, weight in zip(avg_params, g_params):
                averaged.lerp_(weight, 1.0 - decay)
            for averaged, statistic in zip(avg_stats, g_stats):
                averaged.copy_(statistic)
        return d_loss.detach(), g_loss.detach()

    data = dataset(batches)

    def epoch():
        start = time.perf_counter()
        for real, _ in data.as_numpy_iterator():
            losses = train_step(torch.tensor(real))
        float(losses[0])
        return time.perf_counter() - start

    return epoch


HAND_WRITTEN = {"tensorflow": tensorflow_epoch, "jax": jax_epoch, "torch": torch_epoch}


def measure(rounds, jit, batches):
    """{run: median images/s} on the active backend, runs alternating epoch by epoch."""
    import keras

    name = keras.backend.backend()
    runs = {"keras-gen fit": keras_gen_epoch(batches), "hand-written loop": HAND_WRITTEN[name](batches)}
    if jit and name != "jax":
        runs["keras-gen fit, jit_compile=True"] = keras_gen_epoch(batches, jit_compile=True)
    images = sum(1 for _ in dataset(batches)) * BATCH_SIZE
    times = {run: [] for run in runs}
    for round_ in range(rounds + 1):
        for run, epoch in runs.items():
            seconds = epoch()
            if round_:  # round 0 is the warm-up
                times[run].append(seconds)
    return {run: images / statistics.median(t) for run, t in times.items()}


def print_table(name, results):
    baseline = results["hand-written loop"]
    print(f"\n{name}: DCGAN on mnist-5k, batch {BATCH_SIZE}, median images/s")
    for run, speed in results.items():
        print(f"  {run:<34}{speed:>8.0f}{speed / baseline:>8.2f}x")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=5, help="timed epochs of each run, after one warm-up epoch")
    parser.add_argument("--batches", type=int, help="batches per epoch (default: all of mnist-5k, 62)")
    parser.add_argument("--jit", action="store_true", help="also keras-gen with compile(jit_compile=True)")
    parser.add_argument("--backends", nargs="+", default=list(BACKENDS), choices=BACKENDS)
    parser.add_argument("--inner", action="store_true", help="measure the active backend in this process")
    parser.add_argument("--json", help="also write the results to this file ('-': print them)")
    args = parser.parse_args()

    if args.inner:
        import keras

        results = {keras.backend.backend(): measure(args.rounds, args.jit, args.batches)}
    else:
        results = {}
        for name in args.backends:
            command = [sys.executable, __file__, "--inner", "--rounds", str(args.rounds), "--json", "-"]
            command += ["--jit"] * args.jit + (["--batches", str(args.batches)] if args.batches else [])
            env = {**os.environ, "KERAS_BACKEND": name, "TF_CPP_MIN_LOG_LEVEL": "3"}
            out = subprocess.run(command, env=env, check=True, capture_output=True, text=True).stdout
            results.update(json.loads(out.strip().splitlines()[-1]))
    if args.json == "-":
        print(json.dumps(results))
        return
    for name, result in results.items():
        print_table(name, result)
    if args.json:
        with open(args.json, "w") as f:
            json.dump(results, f, indent=2)


if __name__ == "__main__":
    main()
