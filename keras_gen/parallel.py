"""Data-parallel training on the active backend's own engine, one switch for all three.

    with keras_gen.data_parallel(devices=2) as replicas:
        model = keras_gen.zoo.build("dcgan")
        model.fit(dataset, epochs=20)   # each batch is the global batch, split over the replicas

- JAX: `keras.distribution.DataParallel`: one program over the global batch, sharded.
- TensorFlow: `tf.distribute.MirroredStrategy` (`MultiWorkerMirroredStrategy` under `TF_CONFIG`).
- PyTorch: `torch.distributed` in processes started by `torchrun`, gradients averaged before
  every update.

A step on N replicas computes the step on one device over the same global batch (the training
noise too: each replica takes its slice of the global draw, see `GenerativeModel.training_noise`),
except batch-norm statistics on TensorFlow and PyTorch, which are each replica's own. Only the
chief process (`is_chief()`) should write files.
"""

import contextlib
import json
import os
from dataclasses import dataclass

from keras_gen import backend, checks


@dataclass(frozen=True)
class Replicas:
    """What `data_parallel` set up: the engine's name and the number of replicas."""

    engine: str
    count: int

    def __str__(self):
        return f"{self.engine} on {self.count} replica{'s' if self.count != 1 else ''}"


@contextlib.contextmanager
def data_parallel(devices=None):
    """Build (and fit) models inside this context to train them data-parallel on `devices`
    devices (None: every device the engine sees; on PyTorch, one per `torchrun` process)."""
    if devices is not None:
        devices = checks.integer("devices", devices, minimum=1)
    engine, count, scope = backend.data_parallel(devices)
    replicas = Replicas(engine, count)
    if backend.is_chief():
        print(f"keras-gen: data-parallel training with {replicas}", flush=True)
    with scope:
        yield replicas


def launched_as_one_of_several_processes():
    """Whether a launcher started this process as one of several: torchrun (`WORLD_SIZE`), JAX's
    `KERAS_DISTRIBUTION_NUM_PROCESSES`, or a TensorFlow `TF_CONFIG` cluster of several workers."""
    cluster = json.loads(os.environ.get("TF_CONFIG", "{}")).get("cluster", {})
    return (
        int(os.environ.get("WORLD_SIZE", "1")) > 1
        or int(os.environ.get("KERAS_DISTRIBUTION_NUM_PROCESSES", "1")) > 1
        or sum(len(tasks) for tasks in cluster.values()) > 1
    )


def is_chief():
    """Whether this process writes files: rank 0 / the chief worker / JAX process 0."""
    return backend.is_chief()
