"""The zoo: build any registered model by name, with the paper's defaults and optimizers.

    model = keras_gen.zoo.build("dcgan", data_shape=(32, 32, 3))
    keras_gen.zoo.list()        # {"dcgan": "DCGAN (Radford et al. 2015): ...", ...}

An entry is a builder function whose keyword arguments are its options, registered with
`@keras_gen.zoo.register(name, description)`; it returns a compiled model ready for `fit`.
"""

import difflib
import inspect

from keras_gen import presets as preset_files

_ENTRIES = {}


class Entry:
    def __init__(self, name, description, builder):
        self.name = name
        self.description = description
        self.builder = builder

    @property
    def options(self):
        """{option: default} for this entry."""
        return {p.name: p.default for p in inspect.signature(self.builder).parameters.values()}


def register(name, description):
    """Decorator registering `builder(**options) -> compiled model` as zoo entry `name`."""

    def decorate(builder):
        if name in _ENTRIES and _ENTRIES[name].builder is not builder:
            raise ValueError(f"A zoo entry named {name!r} is already registered.")
        _ENTRIES[name] = Entry(name, description, builder)
        return builder

    return decorate


def get(name):
    """The registered `Entry` for `name`; an unknown name gets an error listing close matches."""
    if name not in _ENTRIES:
        close = difflib.get_close_matches(name, sorted(_ENTRIES), n=3, cutoff=0.5)
        hint = f" Did you mean {', '.join(repr(c) for c in close)}?" if close else ""
        raise KeyError(f"Unknown zoo entry {name!r}.{hint} Available: {', '.join(sorted(_ENTRIES))}.")
    return _ENTRIES[name]


def build(name, weights=None, optimizer=None, **overrides):
    """Build zoo entry `name`; `overrides` replace its default options.

    `weights`: a preset name (see `presets(name)`), a preset folder or a `.weights.h5` file; the
    model comes back trained, ready to sample, fine-tune, evaluate or export (a preset fixes the
    options that shape the networks). `optimizer` (one, or a dict by role such as
    {"generator": ..., "discriminator": ...}) replaces the entry's own.
    """
    entry = get(name)
    unknown = sorted(set(overrides) - set(entry.options))
    if unknown:
        valid = ", ".join(f"{k}={v!r}" for k, v in entry.options.items())
        raise TypeError(f"Unknown option(s) {unknown} for zoo entry {name!r}. Valid options: {valid}.")
    weights_file = None
    if weights is not None:
        weights_file, metadata = preset_files.resolve(name, weights)
        if metadata is not None:
            overrides = preset_files.preset_options(metadata, overrides)
    model = entry.builder(**overrides)
    if optimizer is not None:
        model.compile(optimizer=optimizer)
    if weights_file is not None and weights_file.endswith(".weights.h5"):
        model.load_weights(weights_file)
    elif weights_file is not None:
        preset_files.load_weights(model, weights_file)
    return model


def presets(name):
    """{preset name: metadata} of the pretrained weights shipped for zoo entry `name`."""
    get(name)
    return preset_files.presets(name)


def list_entries():
    """{name: one-line description} of every zoo entry, sorted by name."""
    return {name: _ENTRIES[name].description for name in sorted(_ENTRIES)}


list = list_entries  # keras_gen.zoo.list(), as users expect; the builtin is not used in this module
