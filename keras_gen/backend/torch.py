"""PyTorch: gradients from `torch.autograd.grad`; `fit` calls `train_step(data)` as written."""

import functools

import torch


def value_and_grad(loss_fn, variables, model_variables):
    loss, aux = loss_fn()
    grads = torch.autograd.grad(loss, [v.value for v in variables], allow_unused=True)
    grads = [torch.zeros_like(v.value) if g is None else g for g, v in zip(grads, variables)]
    return (loss.detach(), aux), grads


def apply_gradients(optimizer, grads, variables):
    with torch.no_grad():
        optimizer.apply(grads, variables)


def input_gradient(fn, x):
    with torch.enable_grad():  # also inside evaluate(), which Keras runs under torch.no_grad()
        if not x.requires_grad:
            x = x.detach().requires_grad_(True)
        y = torch.sum(fn(x))
        (grad,) = torch.autograd.grad(y, x, create_graph=True)
    return grad


def stateless_step(step, kind):
    return step


def inference_function(fn, variables=()):  # variables are read live
    @functools.wraps(fn)
    def without_grad(*args):
        with torch.no_grad():
            return fn(*args)

    return without_grad
