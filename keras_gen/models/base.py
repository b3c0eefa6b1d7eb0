"""`GenerativeModel`: the contract every zoo model shares.

A zoo model overrides `train_step(self, data)` (and `test_step`) the way the keras.io examples do
on TensorFlow, but takes its gradient steps through `self.minimize(loss_fn, variables, optimizer)`,
which works on TensorFlow, JAX and PyTorch alike (see `keras_gen.backend`). What the base class
gives every family:

- labels: `num_classes` (None: unconditional); `unpack(data)` turns fit's batch into
  `(x, labels, sample_weight)` through `keras.utils.unpack_x_y_sample_weight`, and
  `check_labels` is the one validator of labels for `fit`, `sample` and friends;
- a look at the first batch before `fit` traces a step (`check_batch`), so bad data is refused
  with what to do instead and a refused call leaves the model intact;
- `compile(optimizer=...)`: one optimizer, or a dict by role (`{"generator": ...,
  "discriminator": ...}`), with the class's own (the paper's) defaults for what is left out;
  `model.optimizer.iterations` counts train steps;
- losses tracked as `keras.metrics.Mean` under `loss_names`, so History, `evaluate()` and
  `fit(validation_data=...)` report them;
- saving restores the training-noise seed, so a reloaded model continues the same noise stream.
"""

import functools
import threading

import keras
import numpy as np
from keras import ops
from keras.optimizers import MultiOptimizer

from keras_gen import backend, checks
from keras_gen.precision import DynamicLossScale


_in_train_step = threading.local()  # per thread: tf.distribute runs each replica's step in its own


def _counted(train_step):
    """Advance a multi-optimizer model's `optimizer.iterations` once per (outermost) train step."""

    @functools.wraps(train_step)
    def step(self, data):
        if getattr(_in_train_step, "active", False):  # a subclass calling super().train_step(data)
            return train_step(self, data)
        _in_train_step.active = True
        try:
            logs = train_step(self, data)
        finally:
            _in_train_step.active = False
        if isinstance(self.optimizer, MultiOptimizer):
            self.optimizer.iterations.assign_add(1)
        return logs

    return step


def public_optimizer_config(optimizer):
    """Serialize an optimizer under its public Keras class (`Adam`, not the backend's `TorchAdam`),
    so that a model saved on one backend trains on the others after loading."""
    public = next(
        cls for cls in type(optimizer).__mro__ if cls.__module__.startswith("keras.src.optimizers.")
    )
    return {"class_name": public.__name__, "config": optimizer.get_config()}


def is_dataset(x):
    import tensorflow as tf  # a dependency of keras-gen on every backend (data pipelines, export)

    return isinstance(x, tf.data.Dataset)


def first_batch(x, y, batch_size):
    """(examples, labels or None) of the first batch `fit` will see from NumPy arrays or a
    tf.data dataset; other sources (generators, PyDatasets) are not read ahead: (empty, None)."""
    if isinstance(x, np.ndarray):
        if len(x) == 0:
            raise ValueError("fit received no examples: the array is empty.")
        return x[: batch_size or 32], (None if y is None else np.asarray(y)[: batch_size or 32])
    if is_dataset(x):
        for element in x.take(1).as_numpy_iterator():
            examples, labels, _ = keras.utils.unpack_x_y_sample_weight(element)
            return examples, labels
        raise ValueError(
            "fit received an empty dataset: it gave no batch. A dataset batched with drop_remainder=True "
            "gives none when it holds fewer examples than the batch size; use a smaller batch_size."
        )
    return np.zeros((0,), np.float32), None


def read_examples(x, limit=None):
    """The examples (without labels) of a NumPy array or a tf.data dataset, as one NumPy array of
    at most `limit` (None: all), for what must see the data before training (e.g. clustering it)."""
    if isinstance(x, np.ndarray):
        return x[:limit]
    if not is_dataset(x):
        raise TypeError(
            f"Reading the training data ahead needs a NumPy array or a tf.data.Dataset; got {type(x).__name__}. "
            f"Pass the examples as an array first (e.g. model.adapt_clusters(images))."
        )
    batches, count = [], 0
    for element in x.as_numpy_iterator():
        examples = keras.utils.unpack_x_y_sample_weight(element)[0]
        batches.append(examples)
        count += len(examples)
        if limit is not None and count >= limit:
            break
    if not batches:
        raise ValueError("The dataset gave no batch.")
    return np.concatenate(batches)[:limit]


def _train_step(step):
    return backend.stateless_step(_counted(step), "train")


def _test_step(step):
    return backend.stateless_step(step, "test")


class GenerativeModel(keras.Model):
    """Base class of the zoo's models.

    Subclasses set `loss_names` (the keys their steps report), `data_shape`, and, when they train
    several networks with their own optimizers, `optimizer_roles` (attribute names of those
    networks) and `default_optimizers()`.

    Args:
        num_classes: number of classes of a class-conditional model (labels are ints in
            [0, num_classes)); None for an unconditional one.
        seed: seed of the model's training noise (latent vectors, reparameterisation, ...).
        loss_names: the keys the steps report, when they depend on the instance (default: the
            class's `loss_names`).
    """

    loss_names = ("loss",)
    optimizer_roles = ()
    network_names = ()  # attributes holding sub-networks, serialized in the config

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if "train_step" in cls.__dict__:
            cls.train_step = _train_step(cls.__dict__["train_step"])
        if "test_step" in cls.__dict__:
            cls.test_step = _test_step(cls.__dict__["test_step"])

    def __init__(self, num_classes=None, seed=None, loss_names=None, **kwargs):
        super().__init__(**kwargs)
        self.loss_names = tuple(loss_names or type(self).loss_names)
        self.num_classes = None if num_classes is None else checks.integer("num_classes", num_classes, minimum=2)
        self.seed = seed
        self.noise = keras.random.SeedGenerator(seed)
        self.loss_trackers = {name: keras.metrics.Mean(name=name) for name in self.loss_names}

    # -- labels ------------------------------------------------------------------------------

    @property
    def conditional(self):
        return self.num_classes is not None

    def check_labels(self, labels, n):
        """Labels for `n` examples as int32 NumPy (n,), checked; None for an unconditional model.

        `labels` is an int (one class for all), n ints in [0, num_classes), or None: balanced
        classes 0, 1, 2, ... in turn. An unconditional model refuses labels.
        """
        if not self.conditional:
            if labels is not None:
                raise ValueError(f"{self.name} is unconditional and takes no labels (num_classes is None).")
            return None
        if labels is None:
            return np.arange(n, dtype=np.int32) % self.num_classes
        values = np.asarray(labels)
        if values.ndim == 0:
            values = np.full((n,), values)
        if values.shape != (n,):
            raise ValueError(f"Expected one label per example, shape ({n},), or a single int; got shape {values.shape}.")
        if values.size and not np.issubdtype(values.dtype, np.integer):
            if not (np.issubdtype(values.dtype, np.floating) and np.all(values == np.round(values))):
                raise TypeError(f"Labels must be integers in [0, {self.num_classes}); got {values.dtype} values such as {values.flat[0]!r}.")
        bad = values[(values < 0) | (values >= self.num_classes)]
        if bad.size:
            raise ValueError(
                f"Labels must lie in [0, {self.num_classes}) for {self.name} (num_classes={self.num_classes}); "
                f"got {sorted(set(bad.tolist()))[:5]}."
            )
        return values.astype(np.int32)

    def label_tensor(self, labels, n):
        """Labels as an int32 backend tensor: tensors (e.g. inside a traced serving function) as
        they are, anything else through `check_labels`."""
        if labels is not None and ops.is_tensor(labels):
            return ops.cast(labels, "int32")
        checked = self.check_labels(labels, n)
        return None if checked is None else ops.convert_to_tensor(checked)

    def unpack(self, data):
        """fit's batch as `(x, labels, sample_weight)`; labels are None for unconditional models
        (labelled data trains them too) and required by conditional ones."""
        x, labels, sample_weight = keras.utils.unpack_x_y_sample_weight(data)
        self._check_shape_and_labels(x, labels)
        if not self.conditional:
            return x, None, sample_weight
        return x, ops.cast(labels, "int32"), sample_weight

    def _check_shape_and_labels(self, x, labels):
        if tuple(x.shape[1:]) != tuple(self.data_shape):
            raise ValueError(
                f"{self.name} was built for data of shape {tuple(self.data_shape)} but received batches of "
                f"shape {tuple(x.shape[1:])}. Build it with data_shape={tuple(x.shape[1:])}, or load the "
                f"data at the model's size (e.g. keras_gen.data.load(..., image_size=...))."
            )
        if self.conditional and labels is None:
            raise ValueError(
                f"{self.name} is conditional (num_classes={self.num_classes}) and trains on (examples, labels) "
                f"pairs, but the data has no labels. Load labelled data, e.g. "
                f"keras_gen.data.load('mnist-5k', require_labels=True) or keras_gen.data.load((images, labels))."
            )

    # -- training ----------------------------------------------------------------------------

    def objective(self, x, labels, sample_weight, training):
        """`(loss, logs)` of a one-objective model on a batch: the mean (weighted by
        `sample_weight`) of its per-example loss, and the terms to report (keys of `loss_names`)."""
        raise NotImplementedError(f"{type(self).__name__} defines its own train_step.")

    @_train_step
    def train_step(self, data):
        """One gradient step of `self.optimizer` on `objective` (one-objective models)."""
        x, labels, sample_weight = self.unpack(data)
        loss, logs = self.minimize(
            lambda: self.objective(x, labels, sample_weight, training=True), self.trainable_variables, self.optimizer
        )
        return self.track_losses(loss=loss, **logs)

    @_test_step
    def test_step(self, data):
        """`objective` on held-out data, without updates."""
        x, labels, sample_weight = self.unpack(data)
        loss, logs = self.objective(x, labels, sample_weight, training=False)
        return self.track_losses(loss=loss, **logs)

    @property
    def metrics(self):
        return list(self.loss_trackers.values())

    def training_noise(self, distribution, shape):
        """Noise for a train step from the model's seed stream: "normal" N(0, 1) or "uniform"
        U[0, 1), of `shape` (batch first). Under data parallelism each replica draws the noise of
        the global batch and takes its own slice, so N replicas draw what one device would."""
        draw = {"normal": keras.random.normal, "uniform": keras.random.uniform}[distribution]
        index, count = backend.replica()
        if count == 1:
            return draw(shape, seed=self.noise)
        batch = shape[0]
        noise = draw((batch * count, *shape[1:]), seed=self.noise)
        return ops.slice(noise, (index * batch,) + (0,) * (len(shape) - 1), shape)

    def minimize(self, loss_fn, variables, optimizer):
        """One gradient step on `variables`.

        `loss_fn()` returns `(loss, aux)`; its gradient with respect to `variables` is applied by
        `optimizer`. Returns `(loss, aux)` so the step can report them. Under mixed_float16, through
        the optimizer's dynamic loss scale (a step that overflows is skipped).
        """
        loss_scale = self.loss_scales.get(id(optimizer))
        if loss_scale is not None:
            return loss_scale.minimize(loss_fn, variables, self.variables, optimizer)
        (loss, aux), grads = backend.value_and_grad(loss_fn, variables, self.variables)
        backend.apply_gradients(optimizer, grads, variables)
        return loss, aux

    def track_losses(self, **losses):
        """Update the running means of the named losses and return fit's logs."""
        for name, value in losses.items():
            self.loss_trackers[name].update_state(value)
        return {name: tracker.result() for name, tracker in self.loss_trackers.items()}

    @staticmethod
    def weighted_mean(values, sample_weight=None):
        """Mean of per-example `values`, weighted by `sample_weight` when given."""
        if sample_weight is None:
            return ops.mean(values)
        weights = ops.reshape(ops.cast(sample_weight, values.dtype), (-1,))
        return ops.sum(values * weights) / ops.maximum(ops.sum(weights), 1e-12)

    def fit(self, x=None, y=None, *args, **kwargs):
        """Keras' `fit`, after a look at the first batch (see `check_batch`): data refused before
        the step is traced leaves the model as it was, on every backend (JAX's fit sets the
        variables aside while it runs). A refusal while tracing drops the traced step."""
        self.check_batch(*first_batch(x, y, kwargs.get("batch_size")))
        x, y, kwargs = backend.replica_inputs(x, y, kwargs)
        backend.synchronize(self)
        if is_dataset(x):
            kwargs.setdefault("shuffle", False)  # Keras ignores it for datasets, but warns at its default True
        try:
            return super().fit(x, y, *args, **kwargs)
        except Exception:
            self.train_function = self.test_function = None  # traced with the refused batch
            raise

    def check_batch(self, x, labels):
        """Refuse data a model cannot train on, or would train on silently and wrongly: the wrong
        shape, missing labels, non-finite values, images outside keras-gen's [-1, 1] (uint8 or
        0..255 floats), labels outside [0, num_classes)."""
        x = np.asarray(x)
        if x.size == 0:  # a source fit reads without a look ahead
            return
        self._check_shape_and_labels(x, labels)
        if not np.issubdtype(x.dtype, np.number):
            raise TypeError(f"{self.name} trains on numbers; got data of dtype {x.dtype}.")
        if not np.isfinite(x).all():
            raise ValueError(
                f"The data holds {int(np.size(x) - np.isfinite(x).sum())} non-finite values (NaN or inf) in its first "
                f"batch. Remove or repair those examples before training."
            )
        is_image = x.ndim == 4
        if is_image and (x.dtype == np.uint8 or x.min() < -1.5 or x.max() > 1.5):
            raise ValueError(
                f"{self.name} takes images as floats in [-1, 1]; the first batch has dtype {x.dtype} and values in "
                f"[{x.min():.3g}, {x.max():.3g}]. Convert 0..255 pixels with x.astype('float32') / 127.5 - 1, or load "
                f"the data with keras_gen.data.load(...), which does."
            )
        if self.conditional and labels is not None:
            labels = np.asarray(labels)
            self.check_labels(labels, len(labels))

    @property
    def minibatches_per_step(self):
        """How many minibatches one train step consumes (a GAN's k critic steps may each take one)."""
        return 1

    # -- compile -----------------------------------------------------------------------------

    def default_optimizers(self):
        """{role: optimizer} with the paper's settings; one-network models use the role "model"."""
        return {"model": keras.optimizers.Adam(1e-3)}

    def compile(self, optimizer=None, **kwargs):
        """Compile with `optimizer`: None (the class's defaults), one optimizer (copied for each
        network of a multi-network model), or a dict by role; missing roles keep the defaults."""
        if "loss" in kwargs or "metrics" in kwargs:
            raise TypeError(
                f"{type(self).__name__} computes its own losses ({', '.join(self.loss_names)}); "
                f"compile() takes no loss= or metrics=, only optimizer= and Keras' run options."
            )
        optimizers = self._resolve_optimizers(optimizer)
        kwargs["auto_scale_loss"] = False  # float16 loss scaling is per network, see `minimize`
        if not self.optimizer_roles:
            super().compile(optimizer=optimizers["model"], **kwargs)
            self.optimizers_by_role = {}
        else:
            owner = {
                id(variable): optimizers[role]
                for role in self.optimizer_roles
                for variable in getattr(self, role).trainable_variables
            }
            super().compile(optimizer=MultiOptimizer(lambda variable: owner[id(variable)]), **kwargs)
            self.optimizers_by_role = optimizers
        self.optimizer.build(self.trainable_variables)  # every slot before fit traces a step or a load
        self.loss_scales = (
            {id(opt): DynamicLossScale(opt) for opt in optimizers.values()} if self.computes_in_float16 else {}
        )

    @property
    def computes_in_float16(self):
        """Whether any layer computes in float16 (the mixed_float16 policy when it was built),
        which needs loss scaling (`keras_gen.precision`)."""
        return any(getattr(layer, "compute_dtype", None) == "float16" for layer in self._flatten_layers())

    def decay_learning_rates(self, steps):
        """Recompile with every optimizer's learning rate decaying linearly to 0 over `steps` train
        steps (a GAN's discriminator optimizer takes `discriminator_steps` updates per step). GANs on
        the 2-D mixtures need it to settle on the modes instead of circling around them."""
        optimizers = self.optimizers_by_role or {"model": self.optimizer}
        decayed = {}
        for role, optimizer in optimizers.items():
            updates = steps * (getattr(self, "discriminator_steps", 1) if role == "discriminator" else 1)
            config = optimizer.get_config()
            config["learning_rate"] = keras.optimizers.schedules.PolynomialDecay(
                float(optimizer.learning_rate), updates, end_learning_rate=0.0
            )
            decayed[role] = type(optimizer).from_config(config)
        self.compile(optimizer=decayed if self.optimizers_by_role else decayed["model"])

    def _resolve_optimizers(self, optimizer):
        roles = self.optimizer_roles or ("model",)
        defaults = self.default_optimizers()
        if optimizer is None:
            return defaults
        if isinstance(optimizer, dict):
            unknown = sorted(set(optimizer) - set(roles))
            if unknown:
                raise ValueError(f"Unknown optimizer role(s) {unknown} for {type(self).__name__}; its roles are {list(roles)}.")
            return {role: keras.optimizers.get(optimizer.get(role, defaults[role])) for role in roles}
        optimizer = keras.optimizers.get(optimizer)
        if len(roles) == 1:
            return {roles[0]: optimizer}
        # One optimizer object cannot step two networks at different times: each gets a copy.
        return {role: type(optimizer).from_config(optimizer.get_config()) for role in roles}

    def get_compile_config(self):
        if not self.compiled:
            return None
        if self.optimizers_by_role:
            return {"optimizer": {role: public_optimizer_config(opt) for role, opt in self.optimizers_by_role.items()}}
        return {"optimizer": public_optimizer_config(self.optimizer)}

    def compile_from_config(self, config):
        """Recompile a loaded model with its saved optimizers (under their public classes, so any
        backend can run them) and the loading backend's own default for `jit_compile`."""
        optimizer = config["optimizer"]
        if "class_name" in optimizer:
            optimizer = keras.optimizers.deserialize(optimizer)
        else:
            optimizer = {role: keras.optimizers.deserialize(item) for role, item in optimizer.items()}
        self.compile(optimizer=optimizer)
        if self.built and not self.optimizer.built:
            self.optimizer.build(self.trainable_variables)

    # -- saving and serving --------------------------------------------------------------------

    def save_own_variables(self, store):
        super().save_own_variables(store)
        for i, generator in enumerate(self._seed_generators):
            store[f"seed_generator_{i}"] = generator.state

    def load_own_variables(self, store):
        own = self._trainable_variables + self._non_trainable_variables
        for i, variable in enumerate(own):
            variable.assign(store[f"{i}"])
        keys = set(store.keys())
        for i, generator in enumerate(self._seed_generators):
            if f"seed_generator_{i}" in keys:
                generator.state.assign(store[f"seed_generator_{i}"])

    def save(self, filepath, overwrite=True, **kwargs):
        if str(filepath).endswith((".h5", ".hdf5")):
            raise ValueError(
                f"keras-gen models save in the native Keras format: use a path ending in .keras "
                f"(got {filepath!r}); the legacy HDF5 format cannot restore subclassed models."
            )
        return super().save(filepath, overwrite=overwrite, **kwargs)

    def serving_endpoints(self):
        """{signature: (function, [(input name, shape, dtype)])} that an export serves; the
        capabilities (`keras_gen.models.capabilities`) add theirs. Conditional models' signatures
        also take `labels` (int32 [batch])."""
        return {}

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

    def get_config(self):
        networks = {name: keras.saving.serialize_keras_object(getattr(self, name)) for name in self.network_names}
        return {**super().get_config(), "num_classes": self.num_classes, "seed": self.seed, **networks}

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        for name in cls.network_names:
            config[name] = keras.saving.deserialize_keras_object(config[name])
        return cls(**config)
