"""User errors on the command line: one clear line and a non-zero exit, no traceback (unless --debug)."""

import os
import subprocess
import sys
import warnings

import pytest
from scipy import linalg

from keras_gen import cli

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


@pytest.fixture(scope="module")
def model_file(tmp_path_factory):
    from keras_gen import zoo

    path = tmp_path_factory.mktemp("model") / "model.keras"
    zoo.build("gan", hidden_units=(16,), latent_dim=8, seed=0).save(path)
    return path


def user_error(argv):
    """The message of the SystemExit that `keras-gen argv` ends with."""
    with pytest.raises(SystemExit) as raised:
        cli.main(argv)
    assert isinstance(raised.value.code, str), "a user error exits with a message, not a bare status"
    assert "\n" not in raised.value.code
    return raised.value.code


def test_unknown_entry_and_unknown_option(tmp_path):
    assert "Unknown zoo entry 'dcgna'" in user_error(["train", "dcgna", "--out", str(tmp_path / "a")])
    message = user_error(["train", "dcgan", "--out", str(tmp_path / "b"), "--set", "wdth=4"])
    assert "Unknown option(s) ['wdth']" in message and "Valid options" in message


def test_out_pointing_at_a_file(tmp_path):
    existing = tmp_path / "notes.txt"
    existing.write_text("keep me")
    assert "is a file" in user_error(["train", "dcgan", "--out", str(existing)])
    assert existing.read_text() == "keep me"


def test_missing_model_file(tmp_path):
    assert "No model file at" in user_error(["sample", str(tmp_path / "nope.keras"), "--out", str(tmp_path / "s.png")])


@pytest.mark.parametrize("damage", ["truncated", "random-bytes"])
def test_a_damaged_model_file_is_not_a_valid_keras_archive(damage, model_file, tmp_path):
    broken = tmp_path / "broken.keras"
    content = model_file.read_bytes()
    broken.write_bytes(content[: len(content) // 2] if damage == "truncated" else os.urandom(2000))
    for command in (["sample", str(broken), "--out", str(tmp_path / "s.png")], ["export", str(broken), "--out", str(tmp_path / "e")]):
        message = user_error(command)
        assert "is not a valid Keras archive" in message and "not found" not in message


def test_missing_inception_weights(model_file, tmp_path, monkeypatch):
    monkeypatch.setenv("KERAS_GEN_INCEPTION_WEIGHTS", str(tmp_path / "missing.npz"))
    message = user_error(["eval", str(model_file), "--extractor", "inception", "-n", "8", "--out", str(tmp_path / "e.json")])
    assert "Inception weights not found" in message


def test_existing_export_folder(model_file, tmp_path):
    target = tmp_path / "exported"
    target.mkdir()
    (target / "saved_model.pb").write_bytes(b"earlier export")
    assert "already exists" in user_error(["export", str(model_file), "--out", str(target)])


def test_debug_shows_the_original_error(tmp_path):
    with pytest.raises(FileNotFoundError, match="No model file at"):
        cli.main(["sample", str(tmp_path / "nope.keras"), "--out", str(tmp_path / "s.png"), "--debug"])


def test_command_line_prints_one_line_and_no_traceback(tmp_path):
    junk = tmp_path / "junk.keras"
    junk.write_bytes(os.urandom(500))
    result = subprocess.run(
        [sys.executable, "-m", "keras_gen.cli", "sample", str(junk), "--out", str(tmp_path / "s.png")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"},
        timeout=300,
    )
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    ours = [line for line in result.stderr.splitlines() if line.startswith("keras-gen sample:")]
    assert len(ours) == 1 and "is not a valid Keras archive" in ours[0]


def test_a_clean_training_run_warns_neither_about_shuffle_nor_linalg(tmp_path):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        cli.main(["train", "dcgan", "--epochs", "1", "--steps-per-epoch", "2", "--batch-size", "16",
                  "--out", str(tmp_path / "run"), "--set", "width=4", "latent_dim=8"])
    messages = [str(w.message) for w in caught]
    assert not [m for m in messages if "`shuffle=True` was passed" in m]
    assert not [w for w in caught if issubclass(w.category, linalg.LinAlgWarning)]
    assert (tmp_path / "run" / "model.keras").exists()
