"""`GenerativeModel`: what every zoo model shares.

A zoo model overrides `train_step(self, data)` the way the keras.io examples do on TensorFlow,
but takes its gradient steps through `self.minimize(loss_fn, variables, optimizer)`, which works on
TensorFlow, JAX and PyTorch alike (see `keras_gen.backend`). Losses are tracked with
`keras.metrics.Mean`, so `fit`'s History holds the epoch means under the names the model declares.
"""

import keras
from keras.optimizers import MultiOptimizer

from keras_gen import backend


class GenerativeModel(keras.Model):
    """Base class of the zoo's models.

    Subclasses set `loss_names` (the keys their `train_step` reports) and, when they train more
    than one network, compile through `compile_with_optimizers` so that every optimizer's state is
    part of `self.optimizer.variables` (on JAX, `fit` only carries state it can see).
    """

    loss_names = ("loss",)

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if "train_step" in cls.__dict__:
            cls.train_step = backend.wrap_train_step(cls.__dict__["train_step"])

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.loss_trackers = {name: keras.metrics.Mean(name=name) for name in self.loss_names}

    @property
    def metrics(self):
        return list(self.loss_trackers.values())

    def minimize(self, loss_fn, variables, optimizer):
        """One gradient step on `variables`.

        `loss_fn()` returns `(loss, aux)`; its gradient with respect to `variables` is applied by
        `optimizer`. Returns `(loss, aux)` so the step can report them.
        """
        (loss, aux), grads = backend.value_and_grad(loss_fn, variables, self.variables)
        backend.apply_gradients(optimizer, grads, variables)
        return loss, aux

    def track_losses(self, **losses):
        """Update the running means of the named losses and return fit's logs."""
        for name, value in losses.items():
            self.loss_trackers[name].update_state(value)
        return {name: tracker.result() for name, tracker in self.loss_trackers.items()}

    def compile_with_optimizers(self, optimizers, **kwargs):
        """Compile a model that trains several sub-networks, each with its own optimizer.

        `optimizers` maps the attribute name of a sub-network (e.g. "generator") to its optimizer.
        They are combined in a `keras.optimizers.MultiOptimizer`, which puts every optimizer's
        slots into `self.optimizer.variables` where `fit` carries them on every backend. A step
        updates one sub-network with `self.minimize(..., self.optimizers_by_role[name])`.
        """
        owner = {
            id(variable): optimizer
            for name, optimizer in optimizers.items()
            for variable in getattr(self, name).trainable_variables
        }
        super().compile(optimizer=MultiOptimizer(lambda variable: owner[id(variable)]), **kwargs)
        self.optimizers_by_role = dict(optimizers)
        self.optimizer.build(self.trainable_variables)  # creates every slot before fit traces a step

    def get_compile_config(self):
        if getattr(self, "optimizers_by_role", None):
            return {
                f"{name}_optimizer": keras.saving.serialize_keras_object(opt)
                for name, opt in self.optimizers_by_role.items()
            }
        return super().get_compile_config()

    def export(self, filepath, format="tf_saved_model", verbose=None, overwrite=False, **kwargs):
        """Export as a TensorFlow SavedModel, or with `format="onnx"` as one ONNX file per signature,
        with keras-gen's serving signatures (see `keras_gen.export`); works from every backend.
        Other formats go to Keras' own export."""
        from keras_gen import export

        if format == "onnx":
            return export.export_onnx(self, filepath, overwrite=overwrite, **kwargs)
        if format != "tf_saved_model":
            return super().export(filepath, format=format, verbose=verbose, **kwargs)
        return export.export_saved_model(self, filepath, overwrite=overwrite, verbose=bool(verbose))

    def compile_from_config(self, config):
        config = keras.saving.deserialize_keras_object(config)
        self.compile(**config)
        if self.built and not self.optimizer.built:
            self.optimizer.build(self.trainable_variables)
