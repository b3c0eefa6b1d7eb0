"""PyTorch: gradients from `torch.autograd.grad`; `fit` calls `train_step(data)` as written.

Data parallelism is `torch.distributed` with DDP's semantics, in processes launched by `torchrun`
(one per device; `--nnodes` across machines): each process trains on its slice of every global
batch, starts from rank 0's variables, and averages the gradients with an all-reduce before each
optimizer update (`apply_gradients`), so every model's step stays as written.
"""

import contextlib
import functools
import os

import numpy as np
import torch
import torch.distributed as dist


def replica():
    """(rank, world size) of this process, (0, 1) when not distributed."""
    if dist.is_available() and dist.is_initialized():
        return dist.get_rank(), dist.get_world_size()
    return 0, 1


def value_and_grad(loss_fn, variables, model_variables):
    loss, aux = loss_fn()
    grads = torch.autograd.grad(loss, [v.value for v in variables], allow_unused=True)
    grads = [torch.zeros_like(v.value) if g is None else g for g, v in zip(grads, variables)]
    return (loss.detach(), aux), grads


def apply_gradients(optimizer, grads, variables, skip_nonfinite=False):
    if replica()[1] > 1:
        grads = _average_over_processes(grads)  # so every process sees the same finite flag
    finite = None
    if skip_nonfinite:
        finite = torch.stack([torch.isfinite(g).all() for g in grads]).all()
        if not finite:  # one host sync per update, only under loss scaling
            return finite
    with torch.no_grad():
        optimizer.apply(grads, variables)
    return finite


def _average_over_processes(grads):
    """The mean of every process's gradients, in one all-reduce of one flat buffer."""
    flat = torch.cat([g.reshape(-1) for g in grads])
    dist.all_reduce(flat)
    flat /= dist.get_world_size()
    return [part.view_as(g) for part, g in zip(torch.split(flat, [g.numel() for g in grads]), grads)]


def input_gradient(fn, x):
    with torch.enable_grad():  # also inside evaluate(), which Keras runs under torch.no_grad()
        if not x.requires_grad:
            x = x.detach().requires_grad_(True)
        y = torch.sum(fn(x))
        (grad,) = torch.autograd.grad(y, x, create_graph=True)
    return grad


def stateless_step(step, kind):
    return step


def inference_function(fn, variables=(), many_small_ops=False):  # variables are read live
    """`fn` without gradients, op by op; with `many_small_ops`, on one CPU thread (see below)."""

    @functools.wraps(fn)
    def without_grad(*args):
        with torch.no_grad(), (_one_thread() if many_small_ops else contextlib.nullcontext()):
            return fn(*args)

    return without_grad


@contextlib.contextmanager
def _one_thread():
    """Intra-op parallelism off for a while: on ops this small, waking the other threads costs
    more than they save, and far more when other processes keep the cores busy (a 3x3
    convolution on one row took 90 us on one thread, 3-13 ms on two, on a loaded 2-core CPU)."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(threads)


def data_parallel(devices):
    """Joins the process group `torchrun` set up (NCCL on GPUs, gloo on CPUs); one device per
    process, so `devices` must match the number of processes."""
    world = int(os.environ.get("WORLD_SIZE", "1"))
    if devices is not None and devices != world:
        raise ValueError(
            f"On PyTorch, data-parallel training runs one process per device: asked for {devices} devices in "
            f"{world} process(es). Launch with `torchrun --nproc-per-node {devices} your_script.py` "
            f"(or `keras-gen train ... --devices {devices}`, which does)."
        )
    if world > 1 and not dist.is_initialized():
        if torch.cuda.is_available():
            torch.cuda.set_device(int(os.environ.get("LOCAL_RANK", "0")))
        dist.init_process_group("nccl" if torch.cuda.is_available() else "gloo")
    engine = f"torch.distributed ({dist.get_backend()})" if dist.is_initialized() else "torch (one process)"
    return engine, world, contextlib.nullcontext()


def is_chief():
    return replica()[0] == 0


def replica_inputs(x, y, kwargs):
    """This process's share of the data: a slice of every batch of a tf.data dataset, or every
    world-th example of arrays (as many for each process) with the batch size divided."""
    rank, world = replica()
    if world == 1:
        return x, y, kwargs
    if rank != 0:
        kwargs.setdefault("verbose", 0)
    if isinstance(x, np.ndarray):
        count = len(x) // world * world
        x, y = x[rank:count:world], (None if y is None else np.asarray(y)[rank:count:world])
        batch_size = kwargs.get("batch_size") or 32
        if batch_size % world:
            raise ValueError(f"The global batch_size {batch_size} does not split over {world} processes.")
        return x, y, {**kwargs, "batch_size": batch_size // world}
    import tensorflow as tf

    if isinstance(x, tf.data.Dataset):

        def share(*element):
            size = tf.shape(tf.nest.flatten(element)[0])[0]
            rows = slice(rank * size // world, (rank + 1) * size // world)
            element = tf.nest.map_structure(lambda t: t[rows], element)
            return element if len(element) > 1 else element[0]

        return x.map(share), y, kwargs
    raise TypeError(f"Data-parallel training on PyTorch takes NumPy arrays or a tf.data.Dataset; got {type(x).__name__}.")


def synchronize(model):
    """Every process starts from rank 0's variables (weights, optimizer slots, noise seeds)."""
    if replica()[1] == 1:
        return
    variables = {id(v): v for v in [*model.variables, *model.optimizer.variables]}
    variables.update({id(g.state): g.state for g in model._seed_generators})
    for variable in variables.values():
        value = variable.value.detach().clone()
        dist.broadcast(value, src=0)
        variable.assign(value)
