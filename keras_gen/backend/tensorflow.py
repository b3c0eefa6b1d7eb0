"""TensorFlow: gradients from `tf.GradientTape`; `fit` calls `train_step(data)` as written."""

import tensorflow as tf


def value_and_grad(loss_fn, variables, model_variables):
    with tf.GradientTape() as tape:
        loss, aux = loss_fn()
    return (loss, aux), tape.gradient(loss, variables)


def apply_gradients(optimizer, grads, variables):
    optimizer.apply(grads, variables)


def input_gradient(fn, x):
    # Any tape recording outside this one records the gradient computation too (double backprop).
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = tf.reduce_sum(fn(x))
    return tape.gradient(y, x)


def stateless_step(step, kind):
    return step


def inference_function(fn, variables=()):  # variables are read live
    return tf.function(fn)  # a trace per input shape, with static shapes
