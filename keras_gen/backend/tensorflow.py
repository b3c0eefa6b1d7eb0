"""TensorFlow: gradients from `tf.GradientTape`; `fit` calls `train_step(data)` as written.

Data parallelism is `tf.distribute.MirroredStrategy` (or `MultiWorkerMirroredStrategy` with
`TF_CONFIG` across machines): Keras runs `train_step` once per replica on its share of the global
batch, and Keras' optimizers sum the replicas' gradients.
"""

import functools
import json
import os

import tensorflow as tf


def replica():
    """(index, count) of the replica running this code, (0, 1) outside a replica context."""
    context = tf.distribute.get_replica_context()
    if context is None or context.num_replicas_in_sync == 1:
        return 0, 1
    return context.replica_id_in_sync_group, context.num_replicas_in_sync


def value_and_grad(loss_fn, variables, model_variables):
    with tf.GradientTape() as tape:
        loss, aux = loss_fn()
        # Each replica's loss is the mean over its share of the batch and the optimizer sums the
        # replicas' gradients, so dividing by the replica count gives the global batch's mean.
        share = loss / replica()[1]
    return (loss, aux), tape.gradient(share, variables)


def apply_gradients(optimizer, grads, variables, skip_nonfinite=False):
    if not skip_nonfinite:
        optimizer.apply(grads, variables)
        return None
    finite = tf.reduce_all([tf.reduce_all(tf.math.is_finite(g)) for g in grads])
    if replica()[1] == 1:
        return tf.cond(finite, lambda: _applied(optimizer, grads, variables), lambda: tf.constant(False))
    # Every replica skips together; and the optimizer's cross-replica sum cannot sit inside a cond
    # in a replica context, so the cond runs in the cross-replica context (as Keras'
    # LossScaleOptimizer does).
    context = tf.distribute.get_replica_context()
    overflowed = context.all_reduce(tf.distribute.ReduceOp.SUM, 1.0 - tf.cast(finite, tf.float32))

    def cross_replica(strategy, grads):
        def update():
            strategy.extended.call_for_each_replica(optimizer.apply, args=(grads, variables))
            return tf.constant(True)

        return tf.cond(overflowed < 0.5, update, lambda: tf.constant(False))

    return context.merge_call(cross_replica, args=(grads,))


def _applied(optimizer, grads, variables):
    optimizer.apply(grads, variables)
    return tf.constant(True)


def input_gradient(fn, x):
    # Any tape recording outside this one records the gradient computation too (double backprop).
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = tf.reduce_sum(fn(x))
    return tape.gradient(y, x)


def stateless_step(step, kind):
    """The step as written, but under `MultiWorkerMirroredStrategy` its scalar logs get an axis of
    length one: Keras 3 reduces a multi-worker step's logs with `strategy.reduce(MEAN, v, axis=0)`,
    which fails on scalars ("Invalid reduction dimension 0", tensorflow/tensorflow#72388)."""

    @functools.wraps(step)
    def step_with_reducible_logs(self, data):
        logs = step(self, data)
        if not _multi_worker(tf.distribute.get_strategy()):
            return logs
        return {name: tf.reshape(value, [-1]) for name, value in logs.items()}

    return step_with_reducible_logs


def _multi_worker(strategy):
    """Keras' own test for the reduction above (keras/src/backend/tensorflow/trainer.py)."""
    return isinstance(strategy, tf.distribute.MultiWorkerMirroredStrategy) and strategy.extended._in_multi_worker_mode()


def inference_function(fn, variables=(), many_small_ops=False):  # variables are read live
    return tf.function(fn)  # a trace per input shape, with static shapes


def data_parallel(devices):
    """A scope to build models in: MirroredStrategy over `devices` local devices (None: all GPUs,
    else the CPU), or MultiWorkerMirroredStrategy when `TF_CONFIG` names several workers."""
    if len(json.loads(os.environ.get("TF_CONFIG", "{}")).get("cluster", {}).get("worker", [])) > 1:
        strategy = tf.distribute.MultiWorkerMirroredStrategy()
        return "tf.distribute.MultiWorkerMirroredStrategy", strategy.num_replicas_in_sync, strategy.scope()
    if devices and not tf.config.list_physical_devices("GPU"):
        _split_cpu(devices)
    names = [d.name for d in tf.config.list_logical_devices("GPU")] or [d.name for d in tf.config.list_logical_devices("CPU")]
    if devices is not None:
        if devices > len(names):
            raise ValueError(
                f"Asked for {devices} devices but TensorFlow sees {len(names)}: {names}. On a CPU, split it into "
                f"logical devices first: tf.config.set_logical_device_configuration(...)."
            )
        names = names[:devices]
    strategy = tf.distribute.MirroredStrategy(names)
    return "tf.distribute.MirroredStrategy", strategy.num_replicas_in_sync, strategy.scope()


def _split_cpu(devices):
    """Without GPUs, `devices` logical CPU devices (to run the data-parallel path on a CPU, without
    speed-up), possible only before TensorFlow has started its runtime."""
    cpu = tf.config.list_physical_devices("CPU")[0]
    if not tf.config.get_logical_device_configuration(cpu):  # (listing devices would start the runtime)
        try:
            tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * devices)
        except RuntimeError:  # the runtime has started: the check below explains
            pass


def is_chief():
    """True but on the non-chief workers of a `TF_CONFIG` cluster (the chief, else worker 0)."""
    config = json.loads(os.environ.get("TF_CONFIG", "{}"))
    task = config.get("task", {})
    if "chief" in config.get("cluster", {}):
        return task.get("type") == "chief"
    return task.get("index", 0) == 0


def replica_inputs(x, y, kwargs):
    return x, y, kwargs  # Keras splits each global batch over the strategy's replicas


def synchronize(model):
    pass  # mirrored variables start equal
