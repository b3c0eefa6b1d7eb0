"""DCGAN training throughput on 1 and 2 data-parallel replicas, per backend (keras_gen.data_parallel).

    python benchmarks/data_parallel.py                       # every backend, 1 and 2 replicas
    python benchmarks/data_parallel.py --backends jax --replicas 1 2 4

Each measurement runs in a fresh process (on a CPU, the replicas are virtual devices: JAX
`--xla_force_host_platform_device_count`, TensorFlow logical CPU devices, PyTorch gloo processes
under torchrun). Global batch 64 on mnist-5k; one warm-up epoch, then images/s over the timed epochs.
On a CPU, N virtual devices share the same cores, so this measures the engines' overhead, not a
speed-up; on N GPUs the same command measures scaling.
"""

import argparse
import json
import os
import subprocess
import sys
import time

BATCH_SIZE = 64


def measure(replicas, steps, epochs):
    """Images/s of dcgan's fit on `replicas` replicas (run inside the measuring process)."""
    import keras

    import keras_gen

    class EpochTimer(keras.callbacks.Callback):
        def on_epoch_begin(self, epoch, logs=None):
            self.start = time.perf_counter()

        def on_epoch_end(self, epoch, logs=None):
            times.append(time.perf_counter() - self.start)

    times = []
    with keras_gen.data_parallel(replicas):  # first: TensorFlow splits a CPU only before it starts
        dataset = keras_gen.data.load("mnist-5k", batch_size=BATCH_SIZE).repeat()
        model = keras_gen.zoo.build("dcgan", seed=0)
        model.fit(dataset, epochs=epochs + 1, steps_per_epoch=steps, callbacks=[EpochTimer()], verbose=0)
    return steps * BATCH_SIZE * epochs / sum(times[1:])


def run(backend, replicas, steps, epochs):
    env = {**os.environ, "KERAS_BACKEND": backend, "XLA_FLAGS": f"--xla_force_host_platform_device_count={replicas}"}
    command = [sys.executable, __file__, "--inner", str(replicas), "--steps", str(steps), "--epochs", str(epochs)]
    if backend == "torch" and replicas > 1:
        command[1:1] = ["-m", "torch.distributed.run", "--standalone", "--nproc-per-node", str(replicas)]
    done = subprocess.run(command, env=env, capture_output=True, text=True)
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    if done.returncode or not lines:
        raise RuntimeError(f"{backend} x{replicas} failed:\n{done.stderr[-2000:]}")
    return json.loads(lines[0])["images_per_second"]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backends", nargs="*", default=["tensorflow", "jax", "torch"])
    parser.add_argument("--replicas", nargs="*", type=int, default=[1, 2])
    parser.add_argument("--steps", type=int, default=20, help="steps per epoch")
    parser.add_argument("--epochs", type=int, default=2, help="timed epochs (after one warm-up epoch)")
    parser.add_argument("--inner", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.inner:
        import keras_gen

        rate = measure(args.inner, args.steps, args.epochs)
        if keras_gen.parallel.is_chief():
            print(json.dumps({"images_per_second": rate}))
        return
    print(f"{'backend':<12}" + "".join(f"{f'{r} replica(s)':>16}" for r in args.replicas) + "   (images/s)")
    for backend in args.backends:
        rates = [run(backend, r, args.steps, args.epochs) for r in args.replicas]
        print(f"{backend:<12}" + "".join(f"{rate:>16.1f}" for rate in rates), flush=True)


if __name__ == "__main__":
    main()
