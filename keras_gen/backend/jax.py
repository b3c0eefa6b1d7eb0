"""JAX: `fit` jit-compiles `train_step(state, data)`, which must be a pure function of `state`.

`stateless_step` runs a model's ordinary `train_step(self, data)` (or `test_step`) inside a `keras.StatelessScope`
that maps every variable of the training state (weights, optimizer slots, metrics, seed generators)
to its value in `state`, then reads every variable back out as the new state. Assignments made by
the step (optimizer updates, batch-norm statistics, metric updates, seed advances) are thereby
carried by `fit` instead of being frozen into the compiled function. That is why every optimizer a
model uses must appear in `self.optimizer.variables` (keras-gen uses `keras.optimizers.MultiOptimizer`).

Data parallelism is `keras.distribution.DataParallel`: `fit` compiles the step as one program over
the global batch, sharded along the batch axis (XLA inserts the gradient all-reduce), so a step on
N devices computes what it computes on one, batch-norm statistics included. Across machines,
`keras.distribution.initialize()` (jax.distributed) runs first.
"""

import functools
import os

import jax
import jax.numpy as jnp
import keras


def _current_values(variables):
    return [v.value for v in variables]


def value_and_grad(loss_fn, variables, model_variables):
    ids = {id(v) for v in variables}
    others = [v for v in model_variables if id(v) not in ids]

    def stateless_loss(values):
        mapping = list(zip(others, _current_values(others))) + list(zip(variables, values))
        with keras.StatelessScope(state_mapping=mapping) as scope:
            loss, aux = loss_fn()
        return loss, (aux, [scope.get_current_value(v) for v in others])

    (loss, (aux, updated)), grads = jax.value_and_grad(stateless_loss, has_aux=True)(
        _current_values(variables)
    )
    for variable, value in zip(others, updated):
        variable.assign(value)  # batch-norm statistics, seed generators: into the enclosing scope
    return (loss, aux), grads


def apply_gradients(optimizer, grads, variables, skip_nonfinite=False):
    if not skip_nonfinite:
        optimizer.apply(grads, variables)
        return None
    # Branch-free: assignments inside `lax.cond` would leak from the stateless scope, so the update
    # is computed and then kept or undone with a select on every variable it touches.
    finite = jnp.all(jnp.array([jnp.all(jnp.isfinite(g)) for g in grads]))
    touched = [*variables, *optimizer.variables]
    before = _current_values(touched)
    optimizer.apply(grads, variables)
    for variable, old in zip(touched, before):
        variable.assign(jnp.where(finite, variable.value, old))
    return finite


def input_gradient(fn, x):
    return jax.grad(lambda inputs: fn(inputs).sum())(x)


def _state_groups(model, kind):
    """The variable groups of fit's JAX state, in Keras' order, for a train or a test step."""
    if kind == "train":
        return (
            model.trainable_variables,
            model.non_trainable_variables,
            model.optimizer.variables,
            model.metrics_variables,
        )
    return (model.trainable_variables, model.non_trainable_variables, model.metrics_variables)


def stateless_step(step, kind):
    @functools.wraps(step)
    def stateless(self, *args):
        if len(args) == 1:  # a subclass calling super().train_step(data): already inside the scope
            return step(self, *args)
        state, data = args
        groups = _state_groups(self, kind)
        mapping = [(v, x) for vs, xs in zip(groups, state) for v, x in zip(vs, xs)]
        with keras.StatelessScope(state_mapping=mapping) as scope:
            logs = step(self, data)
        new_state = tuple([scope.get_current_value(v) for v in vs] for vs in groups)
        return logs, new_state

    return stateless


def inference_function(fn, variables=(), many_small_ops=False):
    variables = list(variables)

    def stateless(values, *args):
        with keras.StatelessScope(state_mapping=list(zip(variables, values))):
            return fn(*args)

    compiled = jax.jit(stateless)

    def call(*args):
        # The weights are arguments, not constants baked in at tracing: later training shows.
        return compiled([v.value for v in variables], *args)

    return call


def replica():
    return 0, 1  # the step is one program over the global batch


def data_parallel(devices):
    """A scope to build and fit in: `keras.distribution.DataParallel` over the first `devices`
    devices (None: all, on every process after `keras.distribution.initialize()`)."""
    if int(os.environ.get("KERAS_DISTRIBUTION_NUM_PROCESSES", "1")) > 1 and not jax.distributed.is_initialized():
        jax.config.update("jax_cpu_collectives_implementation", "gloo")  # for processes on CPUs
        keras.distribution.initialize()  # from KERAS_DISTRIBUTION_{JOB_ADDRESSES,NUM_PROCESSES,PROCESS_ID}
    available = jax.devices()
    if devices is not None:
        if devices > len(available):
            raise ValueError(
                f"Asked for {devices} devices but JAX sees {len(available)}: {available}. On a CPU, set "
                f"XLA_FLAGS=--xla_force_host_platform_device_count={devices} before JAX starts."
            )
        available = available[:devices]
    distribution = keras.distribution.DataParallel(devices=available)
    return "keras.distribution.DataParallel", len(available), distribution.scope()


def is_chief():
    return jax.process_index() == 0


def replica_inputs(x, y, kwargs):
    return x, y, kwargs  # Keras shards each global batch over the distribution's devices


def synchronize(model):
    pass  # replicated variables are one array
