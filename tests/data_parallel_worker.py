"""One train step of dcgan, wgan-gp and vae on a fixed global batch, on 1 or 2 replicas, then a
short fit and a float16 overflow on one replica; run by tests/test_data_parallel.py in fresh processes (the replicas are virtual CPU
devices on JAX and TensorFlow, and two gloo processes under torchrun on PyTorch).

    python tests/data_parallel_worker.py REPLICAS OUT_DIR

Writes OUT_DIR/replicas_<R>.npz (the weights after the step, per model) from the chief process.
The reference run (R = 1) also writes the initial weights, which the R = 2 run starts from.
"""

import os
import sys

REPLICAS, OUT = int(sys.argv[1]), sys.argv[2]
BACKEND = os.environ["KERAS_BACKEND"]
if BACKEND == "tensorflow" and REPLICAS > 1 and "TF_CONFIG" not in os.environ:  # else a worker per process
    import tensorflow as tf

    cpu = tf.config.list_physical_devices("CPU")[0]
    tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * REPLICAS)

import keras  # noqa: E402
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

import keras_gen  # noqa: E402
from keras_gen import networks, zoo  # noqa: E402

BATCH = 20
SHAPE = (16, 16, 1)


def build(name):
    """The zoo entry, trained by SGD: Adam's update hardly changes when a gradient is N times too
    large, SGD's is N times larger, so a wrong scaling of the replicas' gradients shows. On
    TensorFlow and PyTorch, whose replicas keep their own batch-norm statistics, the GANs get a
    generator without batch norm."""
    model = zoo.build(name, data_shape=SHAPE, seed=0)
    if BACKEND != "jax" and name != "vae":
        model = type(model)(
            networks.mlp_generator(model.latent_dim, SHAPE, (64,)),
            networks.conv_discriminator(SHAPE, 8, normalization="layer"),
            loss=model.adversarial_loss_name,
            ema=model.ema,
            seed=0,
        )
    model.compile(optimizer=keras.optimizers.SGD(0.1))
    return model


def one_replica_order(x, k):
    """On TensorFlow and PyTorch, each replica's GAN step takes k consecutive slices of its share
    of the batch as its k critic minibatches; reordered so, the one-replica batch gives each critic
    step the examples that the two replicas' slices give it together. (JAX's step is one program
    over the global batch: no reordering.)"""
    share, size = len(x) // 2, len(x) // 2 // k
    return np.concatenate([x[r * share + i * size : r * share + (i + 1) * size] for i in range(k) for r in range(2)])


def one_step(name):
    model = build(name)
    start = os.path.join(OUT, f"{name}_start.weights.h5")
    if REPLICAS == 1:
        model.save_weights(start)
    else:
        model.load_weights(start)  # the reference run wrote it (the tests share its folder)
    x = np.random.default_rng(1).uniform(-1, 1, (BATCH, *SHAPE)).astype("float32")
    if REPLICAS == 1 and BACKEND != "jax" and getattr(model, "discriminator_steps", 1) > 1:
        x = one_replica_order(x, model.discriminator_steps)
    model.fit(tf.data.Dataset.from_tensor_slices(x).batch(BATCH), epochs=1, verbose=0)
    return {f"{name}/{i}": keras.ops.convert_to_numpy(w) for i, w in enumerate(model.trainable_weights)}


def short_fit():
    """Two epochs of 4 steps on 2 replicas: the losses are finite and both optimizers count steps."""
    model = zoo.build("dcgan", data_shape=SHAPE, seed=0)
    x = np.random.default_rng(2).uniform(-1, 1, (64, *SHAPE)).astype("float32")
    history = model.fit(tf.data.Dataset.from_tensor_slices(x).batch(16), epochs=2, verbose=0).history
    return {
        "fit/finite": np.array(all(np.isfinite(v).all() for v in history.values())),
        "fit/iterations": np.array([int(keras.ops.convert_to_numpy(o.iterations)) for o in model.optimizers_by_role.values()]),
        "fit/model_iterations": np.array(int(keras.ops.convert_to_numpy(model.optimizer.iterations))),
    }


def float16_overflow_on_one_replica():
    """Under mixed_float16, two steps: a finite one, then one whose second replica's share of the
    batch overflows float16 (fit checks only the first batch). The second step is skipped on every
    replica: the weights stay finite (the replicas' summed gradients are NaN) and the loss scale
    halves once, 2^15 -> 2^14."""
    keras.config.set_dtype_policy("mixed_float16")
    try:
        model = zoo.build("vae", data_shape=SHAPE, seed=0)
        x = np.random.default_rng(3).uniform(-1, 1, (32, *SHAPE)).astype("float32")
        x[24:] *= 1e5  # inf in float16
        model.fit(tf.data.Dataset.from_tensor_slices(x).batch(16), epochs=1, verbose=0)
        scale = model.loss_scales[id(model.optimizer)].scale
        weights = [keras.ops.convert_to_numpy(w) for w in model.trainable_weights]
        return {"float16/finite": np.array(all(np.isfinite(w).all() for w in weights)),
                "float16/scale": np.array(float(keras.ops.convert_to_numpy(scale)))}
    finally:
        keras.config.set_dtype_policy("float32")


with keras_gen.data_parallel(REPLICAS) as replicas:
    results = {"replicas": np.array(replicas.count)}
    for name in ("dcgan", "wgan-gp", "vae"):
        results.update(one_step(name))
    if REPLICAS > 1:
        results.update(short_fit())
        results.update(float16_overflow_on_one_replica())
if keras_gen.parallel.is_chief():
    np.savez(os.path.join(OUT, f"replicas_{REPLICAS}.npz"), **results)
