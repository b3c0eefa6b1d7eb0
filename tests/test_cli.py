import json

import numpy as np
import pytest
from PIL import Image

from keras_gen import cli


def test_list(capsys):
    cli.main(["list"])
    assert "dcgan" in capsys.readouterr().out


def test_train_writes_a_run_and_refuses_to_overwrite_it(tmp_path):
    out = tmp_path / "run"
    args = ["train", "dcgan", "--data", "mnist-5k", "--epochs", "2", "--out", str(out),
            "--steps-per-epoch", "3", "--set", "width=4", "latent_dim=8"]
    cli.main(args)
    assert (out / "model.keras").exists()
    assert sorted(p.name for p in (out / "samples").iterdir()) == ["epoch_001.png", "epoch_002.png"]
    history = json.loads((out / "history.json").read_text())
    assert history["options"] == {"width": 4, "latent_dim": 8}
    assert len(history["history"]["g_loss"]) == 2
    assert all(0 < fid < 2000 for fid in history["history"]["fid"])  # domain FID on the held-out digits
    assert (out / "history.csv").read_text().startswith("epoch,d_loss,fid,g_loss")

    with pytest.raises(SystemExit, match="already holds a run"):
        cli.main(args)
    cli.main(args + ["--overwrite"])

    grid = tmp_path / "grid.png"
    cli.main(["sample", str(out / "model.keras"), "-n", "4", "--out", str(grid), "--seed", "0"])
    assert np.asarray(Image.open(grid)).shape == (2 * 30 + 2, 2 * 30 + 2)


def test_train_on_2d_points_writes_scatter_plots(tmp_path):
    cli.main(["train", "gan", "--data", "ring8", "--epochs", "1", "--out", str(tmp_path / "r"),
              "--steps-per-epoch", "2", "--set", "hidden_units=(8,)"])
    assert (tmp_path / "r" / "samples" / "epoch_001.png").exists()
    assert "fid" not in (tmp_path / "r" / "history.csv").read_text()  # no digit FID for 2-D points


def test_bad_set_syntax():
    with pytest.raises(SystemExit, match="key=value"):
        cli.parse_overrides(["latent_dim"])
    assert cli.parse_overrides(["data_shape=(32,32,3)", "generator_loss=minimax"]) == {
        "data_shape": (32, 32, 3), "generator_loss": "minimax"}


def test_eval_prints_and_writes_json(tmp_path, capsys):
    from keras_gen import zoo

    model_path = tmp_path / "model.keras"
    zoo.build("gan", hidden_units=(16,), latent_dim=8, seed=0).save(model_path)
    out = tmp_path / "eval.json"
    cli.main(["eval", str(model_path), "--data", "mnist-5k", "--split", "test", "--metrics", "fid,kid,pr",
              "--extractor", "mnist-lenet", "-n", "64", "--out", str(out)])
    result = json.loads(out.read_text())
    assert result["extractor"] == "mnist-lenet" and result["n_generated"] == 64 and result["n_real"] == 64
    assert result["fid"] > 0 and {"kid", "kid_std", "precision", "recall"} <= set(result)
    assert '"fid"' in capsys.readouterr().out
    with pytest.raises(SystemExit, match="unknown"):
        cli.main(["eval", str(model_path), "--metrics", "fid,foo"])


def test_train_a_conditional_model_with_its_fid(tmp_path):
    """Conditional models need labels to sample: the grid shows a class per row, FID samples all."""
    out = tmp_path / "c"
    cli.main(["train", "cgan", "--epochs", "1", "--out", str(out), "--steps-per-epoch", "2",
              "--set", "width=4", "latent_dim=8"])
    history = json.loads((out / "history.json").read_text())["history"]
    assert np.isfinite(history["fid"][0])


def test_train_a_self_conditioned_gan_from_the_command_line(tmp_path):
    """--set clusters=K: fit clusters the digits first; the saved model keeps its clusters."""
    import keras

    out = tmp_path / "s"
    cli.main(["train", "sngan", "--data", "mnist-5k", "--epochs", "1", "--out", str(out), "--steps-per-epoch", "2",
              "--set", "clusters=5", "width=4", "latent_dim=8"])
    model = keras.models.load_model(out / "model.keras")
    frequencies = keras.ops.convert_to_numpy(model.clusters.frequencies)
    assert frequencies.shape == (5,) and np.all(frequencies > 0) and abs(frequencies.sum() - 1) < 1e-5
    grid = tmp_path / "grid.png"
    cli.main(["sample", str(out / "model.keras"), "-n", "4", "--out", str(grid), "--seed", "0"])
    assert grid.exists()
