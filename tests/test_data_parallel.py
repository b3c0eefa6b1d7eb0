"""Data parallelism on each backend's own engine (virtual CPU devices here, two gloo processes on
PyTorch): one train step on a global batch split over two replicas gives the weights one replica
gives on the whole batch, and a short fit on two replicas trains. See data_parallel_worker.py."""

import json
import os
import shutil
import socket
import subprocess
import sys

import keras
import numpy as np
import pytest

import keras_gen

BACKEND = keras.backend.backend()
WORKER = os.path.join(os.path.dirname(__file__), "data_parallel_worker.py")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return str(s.getsockname()[1])


def run_worker(replicas, out):
    env = {**os.environ, "XLA_FLAGS": f"{os.environ.get('XLA_FLAGS', '')} --xla_force_host_platform_device_count=2", "OMP_NUM_THREADS": "1"}
    command = [sys.executable, WORKER, str(replicas), out]
    if BACKEND == "torch" and replicas > 1:
        command[1:1] = ["-m", "torch.distributed.run", "--nproc-per-node", str(replicas), "--master-port", free_port()]
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stderr[-3000:]
    return np.load(os.path.join(out, f"replicas_{replicas}.npz")), done.stdout


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    out = str(tmp_path_factory.mktemp("data_parallel"))
    one, _ = run_worker(1, out)
    two, log = run_worker(2, out)
    return one, two, log, out


@pytest.mark.parametrize("name", ["dcgan", "wgan-gp", "vae"])
def test_a_step_on_two_replicas_is_the_step_on_one(runs, name):
    one, two, _, _ = runs
    keys = [k for k in one.files if k.startswith(f"{name}/")]
    assert keys and int(two["replicas"]) == 2
    for key in keys:
        np.testing.assert_allclose(two[key], one[key], rtol=1e-4, atol=1e-5, err_msg=key)


def test_a_short_fit_on_two_replicas_trains_and_counts_steps(runs):
    _, two, log, _ = runs
    assert bool(two["fit/finite"])
    np.testing.assert_array_equal(two["fit/iterations"], [8, 8])  # 2 epochs x 64 / 16, each optimizer
    assert int(two["fit/model_iterations"]) == 8
    assert "on 2 replicas" in log


def test_a_float16_overflow_on_one_replica_skips_the_step_on_every_replica(runs):
    _, two, _, _ = runs
    assert bool(two["float16/finite"])
    assert float(two["float16/scale"]) == 2.0**14


def test_asking_for_more_devices_than_there_are_says_how_to_get_them():
    if BACKEND == "tensorflow":  # once TensorFlow's runtime runs, the CPU can no longer be split into 64
        import tensorflow as tf

        tf.config.list_logical_devices()
    with pytest.raises(ValueError, match="torchrun" if BACKEND == "torch" else "devices"):
        with keras_gen.data_parallel(devices=64):
            pass


def test_devices_must_be_a_positive_integer():
    with pytest.raises((TypeError, ValueError), match="devices"):
        with keras_gen.data_parallel(devices=0):
            pass


def test_the_cli_trains_on_two_devices_and_only_the_chief_writes(tmp_path):
    env = {**os.environ, "XLA_FLAGS": f"{os.environ.get('XLA_FLAGS', '')} --xla_force_host_platform_device_count=2", "OMP_NUM_THREADS": "1"}
    out = tmp_path / "run"
    command = ["keras-gen", "train", "dcgan", "--epochs", "1", "--steps-per-epoch", "2", "--batch-size", "16",
               "--fid-every", "0", "--devices", "2", "--out", str(out)]
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.count("data-parallel training with") == 1 and "on 2 replicas" in done.stdout
    assert sorted(os.listdir(out)) == ["history.csv", "history.json", "model.keras", "samples"]
    assert os.listdir(tmp_path) == ["run"]  # no other replica's backup left behind


def test_two_processes_over_localhost_as_two_machines(runs, tmp_path):
    """The several-machines path, as two processes on this machine talking over 127.0.0.1:
    torchrun --nnodes 2, keras.distribution.initialize with two JAX processes, or two TensorFlow
    workers of a TF_CONFIG cluster (MultiWorkerMirroredStrategy)."""
    one, _, _, reference = runs
    for name in os.listdir(reference):  # the initial weights of the one-replica run
        if name.endswith("_start.weights.h5"):
            shutil.copy(os.path.join(reference, name), tmp_path)
    ports = [free_port(), free_port()]
    processes = []
    for rank in range(2):
        env = {**os.environ, "OMP_NUM_THREADS": "1"}  # one device per process (conftest sets no count)
        command = [sys.executable, WORKER, "2", str(tmp_path)]
        if BACKEND == "torch":
            command[1:1] = ["-m", "torch.distributed.run", "--nnodes", "2", "--node-rank", str(rank), "--nproc-per-node", "1",
                            "--master-addr", "127.0.0.1", "--master-port", ports[0]]
        elif BACKEND == "jax":
            env.update(KERAS_DISTRIBUTION_JOB_ADDRESSES=f"127.0.0.1:{ports[0]}", KERAS_DISTRIBUTION_NUM_PROCESSES="2",
                       KERAS_DISTRIBUTION_PROCESS_ID=str(rank))
        else:
            cluster = {"worker": [f"127.0.0.1:{port}" for port in ports]}
            env["TF_CONFIG"] = json.dumps({"cluster": cluster, "task": {"type": "worker", "index": rank}})
        processes.append(subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True))
    for process in processes:
        _, stderr = process.communicate(timeout=900)
        assert process.returncode == 0, stderr[-3000:]
    two = np.load(tmp_path / "replicas_2.npz")
    for key in (k for k in one.files if "/" in k and not k.startswith("fit/")):
        np.testing.assert_allclose(two[key], one[key], rtol=1e-4, atol=1e-5, err_msg=key)
    np.testing.assert_array_equal(two["fit/iterations"], [8, 8])
