"""DCGAN training throughput on mnist-5k: keras-gen's `model.fit` on each backend, next to the same
networks trained by a plain hand-written TensorFlow `GradientTape` loop.

    python benchmarks/dcgan_throughput.py                 # all backends, one subprocess each
    python benchmarks/dcgan_throughput.py --epochs 4

Epoch 1 (tracing and compilation) is warm-up; the rest are timed. Images/s counts real images
through one discriminator and one generator update.
"""

import argparse
import json
import os
import subprocess
import sys
import time

BATCH_SIZE = 64


def measure_keras_gen(epochs):
    import keras

    import keras_gen

    class EpochTimer(keras.callbacks.Callback):
        def on_epoch_begin(self, epoch, logs=None):
            self.start = time.perf_counter()

        def on_epoch_end(self, epoch, logs=None):
            times.append(time.perf_counter() - self.start)

    times = []
    dataset = keras_gen.data.load("mnist-5k", batch_size=BATCH_SIZE)
    steps = sum(1 for _ in dataset)
    model = keras_gen.zoo.build("dcgan", seed=0)
    model.fit(dataset, epochs=epochs, callbacks=[EpochTimer()], verbose=0)
    return steps * BATCH_SIZE * (epochs - 1) / sum(times[1:])


def measure_tensorflow_loop(epochs):
    """The baseline: the same networks, losses and optimizers in a tf.function with two tapes."""
    import tensorflow as tf

    from keras_gen import data, networks

    generator = networks.conv_generator(100, (28, 28, 1))
    discriminator = networks.conv_discriminator((28, 28, 1))
    g_opt = tf.keras.optimizers.Adam(2e-4, beta_1=0.5)
    d_opt = tf.keras.optimizers.Adam(2e-4, beta_1=0.5)

    @tf.function
    def train_step(real):
        z = tf.random.normal((tf.shape(real)[0], 100))
        with tf.GradientTape() as tape:
            fake = generator(z, training=True)
            d_loss = tf.reduce_mean(tf.nn.softplus(-discriminator(real, training=True))) + tf.reduce_mean(
                tf.nn.softplus(discriminator(fake, training=True))
            )
        d_opt.apply(tape.gradient(d_loss, discriminator.trainable_variables), discriminator.trainable_variables)
        z = tf.random.normal((tf.shape(real)[0], 100))
        with tf.GradientTape() as tape:
            g_loss = tf.reduce_mean(tf.nn.softplus(-discriminator(generator(z, training=True), training=True)))
        g_opt.apply(tape.gradient(g_loss, generator.trainable_variables), generator.trainable_variables)
        return d_loss, g_loss

    dataset = data.load("mnist-5k", batch_size=BATCH_SIZE)
    times, steps = [], 0
    for _ in range(epochs):
        start, steps = time.perf_counter(), 0
        for real, _ in dataset:
            losses = train_step(real)
            steps += 1
        float(losses[0])
        times.append(time.perf_counter() - start)
    return steps * BATCH_SIZE * (epochs - 1) / sum(times[1:])


def run_one(kind, epochs):
    backend = "tensorflow" if kind == "tensorflow-loop" else kind
    env = {**os.environ, "KERAS_BACKEND": backend, "TF_CPP_MIN_LOG_LEVEL": "3"}
    out = subprocess.run(
        [sys.executable, __file__, "--inner", kind, "--epochs", str(epochs)],
        env=env, check=True, capture_output=True, text=True,
    ).stdout
    return json.loads(out.strip().splitlines()[-1])["images_per_second"]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--epochs", type=int, default=4, help="epochs per run; the first is warm-up")
    parser.add_argument("--inner", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.inner:
        measure = measure_tensorflow_loop if args.inner == "tensorflow-loop" else measure_keras_gen
        print(json.dumps({"images_per_second": measure(args.epochs)}))
        return

    results = {kind: run_one(kind, args.epochs) for kind in ("tensorflow-loop", "tensorflow", "jax", "torch")}
    baseline = results["tensorflow-loop"]
    print(f"DCGAN (28x28x1, width 64, batch {BATCH_SIZE}) on mnist-5k, {args.epochs - 1} timed epochs")
    print(f"{'run':<34}{'images/s':>10}{'vs loop':>10}")
    for kind, speed in results.items():
        label = "hand-written tf.GradientTape loop" if kind == "tensorflow-loop" else f"keras-gen fit, {kind}"
        print(f"{label:<34}{speed:>10.0f}{speed / baseline:>10.2f}")
    fastest = max((k for k in results if k != "tensorflow-loop"), key=results.get)
    print(f"fastest keras-gen backend here: {fastest}")


if __name__ == "__main__":
    main()
