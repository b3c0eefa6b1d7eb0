"""Pretrained weights shipped inside the package, the Keras way:

    model = keras_gen.zoo.build("dcgan", weights="mnist-5k")          # a preset, offline
    model = keras_gen.zoo.build("dcgan", weights="path/to/preset")    # a preset folder
    model = keras_gen.zoo.build("dcgan", weights="my.weights.h5")     # Keras weights of the entry
    keras_gen.zoo.presets("dcgan")                                     # {"mnist-5k": metadata, ...}

A preset is a folder `keras_gen/presets/<entry>/<preset>/` with the model's weights
(`weights.npz`: `model.weights` in order, stored as float16 to keep the package small; no
optimizer state) and `metadata.json`: the options the model was built with, the exact training
command, backend, steps, wall time, versions and measured quality figures.
`scripts/train_presets.py` writes them; a preset trained on one backend loads on the others.
"""

import importlib.resources
import json
import os

import numpy as np
from keras import ops

WEIGHTS_FILE = "weights.npz"
METADATA_FILE = "metadata.json"


def save_weights(model, path):
    """`model.weights` (the networks' weights, not the optimizers') as float16, in order."""
    arrays = {f"{i:04d}": ops.convert_to_numpy(v).astype(np.float16) for i, v in enumerate(model.weights)}
    np.savez_compressed(path, **arrays)


def load_weights(model, path):
    """Assign what `save_weights` wrote to a model built with the same options."""
    with np.load(path) as stored:
        arrays = [stored[key] for key in sorted(stored.files)]
    if [a.shape for a in arrays] != [tuple(v.shape) for v in model.weights]:
        raise ValueError(f"The weights in {path} do not fit this model: was it built with the preset's options?")
    for variable, array in zip(model.weights, arrays):
        variable.assign(array.astype(variable.dtype))


def _root():
    return importlib.resources.files("keras_gen") / "presets"


def presets(entry):
    """{preset name: metadata} of the presets shipped for zoo entry `entry`."""
    folder = _root() / entry
    if not folder.is_dir():
        return {}
    found = {}
    for preset in sorted(child.name for child in folder.iterdir() if child.is_dir()):
        with (folder / preset / METADATA_FILE).open() as f:
            found[preset] = json.load(f)
    return found


def resolve(entry, weights):
    """(weights file, metadata or None) for `weights`: a preset name of `entry`, a preset folder,
    or a `.weights.h5` file (Keras' format, for `model.load_weights`). Errors name what exists."""
    weights = os.fspath(weights)
    if weights.endswith(".weights.h5"):
        if not os.path.isfile(weights):
            raise FileNotFoundError(f"No weights file at {weights!r}.")
        return weights, None
    if os.path.isdir(weights):
        folder = weights
    else:
        shipped = presets(entry)
        if weights not in shipped:
            names = ", ".join(repr(name) for name in shipped) or "none"
            raise ValueError(
                f"Unknown weights {weights!r} for zoo entry {entry!r}: give a preset name (shipped: {names}), "
                f"a preset folder, or a .weights.h5 file."
            )
        folder = os.fspath(_root() / entry / weights)
    with open(os.path.join(folder, METADATA_FILE)) as f:
        metadata = json.load(f)
    if metadata.get("entry", entry) != entry:
        raise ValueError(f"The preset at {folder} is for zoo entry {metadata['entry']!r}, not {entry!r}.")
    return os.path.join(folder, WEIGHTS_FILE), metadata


def preset_options(metadata, overrides):
    """The options to build a preset's model with: the preset's, which fix its architecture, with
    `overrides` that agree with them or that only the training uses (learning rate, seed)."""
    options = {key: tuple(value) if isinstance(value, list) else value for key, value in metadata["options"].items()}
    conflicts = {
        key: (options[key], value)
        for key, value in overrides.items()
        if key in options and key not in ("learning_rate", "beta_1", "beta_2", "seed") and _normal(value) != _normal(options[key])
    }
    if conflicts:
        detail = ", ".join(f"{key}={new!r} (the preset has {old!r})" for key, (old, new) in conflicts.items())
        raise ValueError(f"These options would change the preset's architecture: {detail}. Drop them, or train anew.")
    return {**options, **overrides}


def _normal(value):
    return tuple(_normal(v) for v in value) if isinstance(value, (list, tuple)) else value
