"""Shared fixtures. The backend is the process's KERAS_BACKEND: CI runs the suite once per backend."""

import os

# The tests' networks are tiny, so on JAX most of their time is XLA compiling steps; without LLVM's
# optimisation passes the JAX suite takes about half as long (test_contract's fit tests: 169 s ->
# 91 s). Set before JAX starts; subprocesses inherit it. Benchmarks and users keep XLA's default.
if os.environ.get("KERAS_BACKEND") == "jax" and "xla_backend_optimization_level" not in os.environ.get("XLA_FLAGS", ""):
    os.environ["XLA_FLAGS"] = f"{os.environ.get('XLA_FLAGS', '')} --xla_backend_optimization_level=0".strip()

import keras  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402


@pytest.fixture(autouse=True)
def _seed_everything():
    keras.utils.set_random_seed(0)


@pytest.fixture
def digits():
    """128 real digits as float32 (N, 28, 28, 1) in [-1, 1], with their labels."""
    from keras_gen import data

    images, labels = data.load_mnist_5k("train")
    return images[:128].astype("float32") / 127.5 - 1.0, labels[:128]


def load_script(name):
    """The module of scripts/<name>.py (scripts/ is not a package)."""
    import importlib.util

    path = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "scripts", f"{name}.py")
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def to_numpy(values):
    return [keras.ops.convert_to_numpy(v) for v in values]


def weights_changed(before, after):
    return any(not np.allclose(b, a) for b, a in zip(before, after))
