"""The only backend-specific code in keras-gen: gradients and the shape of a train step.

Keras 3 has no backend-agnostic `grad`, so each backend module below implements the same five
functions, and models call them through this package:

- `value_and_grad(loss_fn, variables, model_variables)`: run `loss_fn() -> (loss, aux)` and return
  `((loss, aux), grads)`, the gradients of `loss` with respect to `variables`.
- `apply_gradients(optimizer, grads, variables)`: one optimizer update.
- `input_gradient(fn, x)`: d sum(fn(x)) / dx, itself differentiable (for gradient penalties).
- `stateless_step(step, kind)`: adapts a `train_step(self, data)` (kind "train") or
  `test_step(self, data)` (kind "test") written as on TensorFlow to what `fit`/`evaluate` call on
  this backend (JAX passes and expects the whole training or evaluation state).
- `inference_function(fn, variables=())`: `fn` (tensors in, tensors out, reading but never
  assigning variables) compiled for repeated inference without gradients (e.g. one PixelCNN
  sampling step per pixel). Pass the `variables` it reads: JAX then takes their current values as
  arguments on every call; variables not passed are baked in as constants when JAX traces `fn`.

The layout follows Keras' own `keras/src/backend/<name>/` split.
"""

import keras

_BACKEND = keras.backend.backend()

if _BACKEND == "tensorflow":
    from keras_gen.backend.tensorflow import (
        apply_gradients,
        inference_function,
        input_gradient,
        value_and_grad,
        stateless_step,
    )
elif _BACKEND == "jax":
    from keras_gen.backend.jax import (
        apply_gradients,
        inference_function,
        input_gradient,
        value_and_grad,
        stateless_step,
    )
elif _BACKEND == "torch":
    from keras_gen.backend.torch import (
        apply_gradients,
        inference_function,
        input_gradient,
        value_and_grad,
        stateless_step,
    )
else:
    raise ImportError(
        f"keras-gen supports the tensorflow, jax and torch backends; KERAS_BACKEND is {_BACKEND!r}."
    )

__all__ = ["apply_gradients", "inference_function", "input_gradient", "value_and_grad", "stateless_step"]
