"""Resuming, on the current KERAS_BACKEND: Keras' own BackupAndRestore continues a two-optimizer
GAN exactly where it stopped, and `keras-gen train --resume` carries an interrupted run on."""

import json

import keras
import numpy as np
import pytest

from keras_gen import callbacks, cli, zoo

IMAGES = np.random.default_rng(0).uniform(-1, 1, (16, 8, 8, 1)).astype("float32")


class Interrupt(keras.callbacks.Callback):
    def on_epoch_end(self, epoch, logs=None):
        if epoch == 1:
            raise RuntimeError("interrupted after epoch 2")


OPTIONS = {
    "dcgan": dict(latent_dim=2, width=2),
    "dcgan-clusters": dict(latent_dim=3, width=2, clusters=2),  # self-conditioned: resumes exactly, clusters included
    "vae": dict(latent_dim=2, hidden_units=(8,)),
}


def fresh(name):
    keras.utils.set_random_seed(1)
    return zoo.build(name.split("-")[0], data_shape=(8, 8, 1), seed=3, **OPTIONS[name])


@pytest.mark.parametrize("name", OPTIONS)
def test_backup_and_restore_resumes_exactly(name, tmp_path):
    straight = fresh(name)
    straight.fit(IMAGES, batch_size=4, epochs=4, shuffle=False, verbose=0)
    backup = keras.callbacks.BackupAndRestore(str(tmp_path / "backup"))
    with pytest.raises(RuntimeError, match="interrupted"):
        fresh(name).fit(IMAGES, batch_size=4, epochs=4, shuffle=False, callbacks=[backup, Interrupt()], verbose=0)
    resumed = fresh(name)  # a new process would build the model anew, as here
    history = resumed.fit(IMAGES, batch_size=4, epochs=4, shuffle=False, callbacks=[backup], verbose=0)
    assert len(history.history["loss"]) == 2  # epochs 3 and 4 only
    for optimizer in (resumed.optimizers_by_role or {"model": resumed.optimizer}).values():
        assert int(optimizer.iterations) == 16  # both optimizers' counts and slots came back
    for a, b in zip(straight.weights, resumed.weights):  # the noise seed came back too: exactly the same run
        np.testing.assert_allclose(keras.ops.convert_to_numpy(a), keras.ops.convert_to_numpy(b), atol=1e-6, err_msg=a.path)


def test_the_cli_resumes_an_interrupted_run_and_keeps_what_it_wrote(tmp_path, monkeypatch):
    out = tmp_path / "run"
    args = ["train", "gan", "--out", str(out), "--epochs", "4", "--steps-per-epoch", "2", "--fid-every", "0",
            "--set", "hidden_units=(8,)", "latent_dim=2"]
    end_of_epoch = callbacks.SampleGrid.on_epoch_end

    def interrupted(self, epoch, logs=None):
        end_of_epoch(self, epoch, logs)
        if epoch == 1:
            raise RuntimeError("the machine went down")

    monkeypatch.setattr(callbacks.SampleGrid, "on_epoch_end", interrupted)
    with pytest.raises(SystemExit, match="went down"):
        cli.main(args)
    first_grid = (out / "samples" / "epoch_001.png").read_bytes()
    with pytest.raises(SystemExit, match="already holds a run"):
        cli.main(args)  # not without --resume
    monkeypatch.setattr(callbacks.SampleGrid, "on_epoch_end", end_of_epoch)
    cli.main(args + ["--resume"])
    assert sorted(p.name for p in (out / "samples").iterdir()) == [f"epoch_00{i}.png" for i in range(1, 5)]
    assert (out / "samples" / "epoch_001.png").read_bytes() == first_grid  # nothing written is overwritten
    history = json.loads((out / "history.json").read_text())["history"]
    assert len(history["g_loss"]) == 4 and not (out / "backup").exists()
    with pytest.raises(SystemExit, match="Nothing to resume"):
        cli.main(args + ["--resume"])
