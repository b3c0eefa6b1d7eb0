"""The only backend-specific code in keras-gen: gradients, the shape of a train step, and the
data-parallel engine.

Keras 3 has no backend-agnostic `grad`, so each backend module below implements the same
functions, and models call them through this package:

- `value_and_grad(loss_fn, variables, model_variables)`: run `loss_fn() -> (loss, aux)` and return
  `((loss, aux), grads)`, the gradients of `loss` with respect to `variables`.
- `apply_gradients(optimizer, grads, variables, skip_nonfinite=False)`: one optimizer update (on
  PyTorch's processes, with the gradients averaged over them first). With `skip_nonfinite`, the
  update happens only when every gradient (of every replica) is finite, and the returned boolean
  tensor says whether it did (float16 loss scaling, `keras_gen.precision`).
- `input_gradient(fn, x)`: d sum(fn(x)) / dx, itself differentiable (for gradient penalties).
- `stateless_step(step, kind)`: adapts a `train_step(self, data)` (kind "train") or
  `test_step(self, data)` (kind "test") written as on TensorFlow to what `fit`/`evaluate` call on
  this backend (JAX passes and expects the whole training or evaluation state).
- `inference_function(fn, variables=(), many_small_ops=False)`: `fn` (tensors in, tensors out,
  reading but never assigning variables) compiled for repeated inference without gradients (e.g.
  one PixelCNN sampling step per pixel). Pass the `variables` it reads: JAX then takes their
  current values as arguments on every call; variables not passed are baked in as constants when
  JAX traces `fn`. `many_small_ops` says that `fn` is a long chain of small ops (a per-pixel
  loop): PyTorch, which runs them one by one, then runs them on one CPU thread.

And data parallelism on the backend's own engine (see each module's docstring):

- `data_parallel(devices)`: `(engine name, replica count, scope)`; models built (and, on JAX,
  fitted) inside the scope train on every replica.
- `replica()`: `(index, count)` of the replica running a step: slices of the global batch.
- `replica_inputs(x, y, fit_kwargs)`: this replica's share of `fit`'s data where the engine does
  not split batches itself (PyTorch's processes).
- `synchronize(model)`: make every replica start from the same variables.
- `is_chief()`: whether this process writes files (grids, history, checkpoints).

The layout follows Keras' own `keras/src/backend/<name>/` split.
"""

import importlib

import keras

__all__ = [
    "apply_gradients", "data_parallel", "inference_function", "input_gradient", "is_chief", "replica",
    "replica_inputs", "stateless_step", "synchronize", "value_and_grad",
]

_BACKEND = keras.backend.backend()
if _BACKEND not in ("tensorflow", "jax", "torch"):
    raise ImportError(
        f"keras-gen supports the tensorflow, jax and torch backends; KERAS_BACKEND is {_BACKEND!r}."
    )
_module = importlib.import_module(f"keras_gen.backend.{_BACKEND}")
globals().update({name: getattr(_module, name) for name in __all__})
