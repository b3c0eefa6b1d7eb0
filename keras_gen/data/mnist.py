"""The 5,000 real MNIST digits bundled in the package (see keras_gen/datasets/README.md)."""

import importlib.resources

import numpy as np

def load_mnist_5k(split="all"):
    """The bundled 5,000 real MNIST digits as uint8 (N, 28, 28, 1) images and int32 labels.

    `split` is "train" (4,000), "test" (1,000 held out, 100 per class) or "all". The split is fixed:
    the same digits on every machine.
    """
    path = importlib.resources.files("keras_gen") / "datasets" / "mnist_5k.npz"
    with importlib.resources.as_file(path) as file, np.load(file) as npz:
        images, labels = npz["images"][..., None], npz["labels"].astype(np.int32)
    order = np.random.default_rng(0).permutation(len(images))
    test = np.sort(np.concatenate([order[labels[order] == c][:100] for c in range(10)]))
    keep = {"test": test, "train": np.setdiff1d(np.arange(len(images)), test), "all": np.arange(len(images))}
    if split not in keep:
        raise ValueError(f"mnist-5k has splits 'train' (4,000), 'test' (1,000) and 'all'; got {split!r}.")
    return images[keep[split]], labels[keep[split]]
