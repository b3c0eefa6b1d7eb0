import numpy as np
import pytest
from PIL import Image

from keras_gen import images


def test_to_uint8_maps_the_range_and_clips():
    out = images.to_uint8(np.array([-1.0, 0.0, 1.0, 3.0, -2.0]))
    assert out.dtype == np.uint8 and out.tolist() == [0, 128, 255, 255, 0]


def test_save_grid_layout(tmp_path):
    batch = np.stack([np.full((4, 6, 3), v, np.float32) for v in np.linspace(-1, 1, 6)])
    path = images.save_grid(batch, tmp_path / "g.png", nrow=3)
    grid = np.asarray(Image.open(path))
    assert grid.shape == (2 * (4 + 2) + 2, 3 * (6 + 2) + 2, 3)
    assert grid[2, 2].tolist() == [0, 0, 0] and grid[8, 18].tolist() == [255, 255, 255]


def test_save_grid_rejects_bad_shapes(tmp_path):
    with pytest.raises(ValueError, match=r"\(N, H, W, C\)"):
        images.save_grid(np.zeros((2, 4, 4, 2)), tmp_path / "g.png")


def test_scatter(tmp_path):
    path = images.save_scatter(np.array([[0.0, 0.0], [1.0, 1.0]]), tmp_path / "s.png", reference=[[0.5, 0.5]])
    assert np.asarray(Image.open(path)).max() == 255
    with pytest.raises(ValueError, match=r"\(N, 2\)"):
        images.save_scatter(np.zeros((3, 3)), tmp_path / "s.png")
