"""The 2-D Gaussian mixtures of the PacGAN mode-collapse protocol (Lin et al. 2018)."""

import numpy as np

def mixture(name):
    """(centers, std) of a 2-D Gaussian mixture of the PacGAN protocol (Lin et al. 2018)."""
    if name == "ring8":
        angles = 2 * np.pi * np.arange(8) / 8
        return np.stack([np.cos(angles), np.sin(angles)], axis=1).astype(np.float32), 0.01
    if name == "grid25":
        ticks = np.array([-4.0, -2.0, 0.0, 2.0, 4.0], np.float32)
        return np.stack(np.meshgrid(ticks, ticks, indexing="ij"), axis=-1).reshape(-1, 2), 0.05
    raise ValueError(f"Unknown mixture {name!r}; expected 'ring8' or 'grid25'.")


MIXTURES = ("ring8", "grid25")


def sample_mixture(name, n, seed=0):
    """`n` points from mixture `name` (equal weights), with the index of each point's mode."""
    centers, std = mixture(name)
    rng = np.random.default_rng(seed)
    modes = rng.integers(len(centers), size=n)
    points = centers[modes] + std * rng.standard_normal((n, 2)).astype(np.float32)
    return points.astype(np.float32), modes.astype(np.int32)
