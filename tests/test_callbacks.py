"""The FID / evaluation callback inside fit on every backend, and SampleGrid's TensorBoard images."""

import math
import os

import keras
import numpy as np
import pytest

from keras_gen import callbacks, zoo


class _RecordSamples(keras.callbacks.Callback):
    def on_epoch_end(self, epoch, logs=None):
        self.last = self.model.sample(8, seed=3)


def test_fid_callback_puts_fid_into_history_and_csv(digits, tmp_path):
    real = digits[0][:64]
    model = zoo.build("dcgan", width=8, latent_dim=16, seed=0)
    before = model.sample(8, seed=3)
    recorder = _RecordSamples()
    csv = tmp_path / "history.csv"
    fid = callbacks.FID(real, extractor="mnist-lenet", n=64, kid=True)
    history = model.fit(
        real,
        batch_size=32,
        epochs=2,
        verbose=0,
        callbacks=[fid, recorder, keras.callbacks.CSVLogger(str(csv)),
                   keras.callbacks.ModelCheckpoint(str(tmp_path / "best.keras"), monitor="fid", mode="min", save_best_only=True)],
    )
    assert len(history.history["fid"]) == 2 and all(v > 0 for v in history.history["fid"])
    assert len(history.history["kid"]) == 2 and "kid_std" in history.history
    assert "fid" in csv.read_text().splitlines()[0].split(",")
    assert os.path.exists(tmp_path / "best.keras")
    # on_epoch_end saw the trained weights (on JAX, fit syncs its state before the callbacks run)
    np.testing.assert_allclose(recorder.last, model.sample(8, seed=3), atol=1e-5)
    assert not np.allclose(recorder.last, before)


def test_evaluation_every_n_epochs_logs_nan_between(digits):
    real = digits[0][:64]
    model = zoo.build("gan", hidden_units=(16,), latent_dim=8, seed=0)
    evaluation = callbacks.Evaluation(real, metrics=("fid", "pr"), extractor="mnist-lenet", n=32, every=2)
    history = model.fit(real, batch_size=32, epochs=2, verbose=0, callbacks=[evaluation])
    assert math.isnan(history.history["fid"][0]) and history.history["fid"][1] > 0
    assert 0.0 <= history.history["recall"][1] <= 1.0
    with pytest.raises(ValueError, match="Unknown metric"):
        callbacks.Evaluation(real, metrics=("fdi",))


def test_sample_grid_writes_tensorboard_images(tmp_path):
    pytest.importorskip("tensorflow")
    pytest.importorskip("tensorboard", reason="tf.summary.image needs the tensorboard package")
    model = zoo.build("dcgan", width=8, latent_dim=16, seed=0)
    grid = callbacks.SampleGrid(str(tmp_path / "samples"), num=4, log_dir=str(tmp_path / "tb"))
    grid.set_model(model)
    grid.on_epoch_end(0)
    assert os.path.exists(tmp_path / "samples" / "epoch_001.png")
    assert any(name.startswith("events.out.tfevents") for name in os.listdir(tmp_path / "tb"))
