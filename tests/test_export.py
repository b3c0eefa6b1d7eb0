"""Exported SavedModels serve the same outputs as the Keras model, in a process without keras_gen."""

import json
import subprocess
import sys

import keras
import numpy as np
import pytest

from keras_gen import cli, data, export, zoo
from keras_gen.models.base import GenerativeModel

# Runs in a fresh interpreter that imports only TensorFlow and NumPy (as TF Serving would see it).
SERVE = """
import json, sys
import numpy as np
import tensorflow as tf

path, request_file, out_file = sys.argv[1:]
loaded = tf.saved_model.load(path)
request = json.load(open(request_file))
function = loaded.signatures[request["signature_name"]]
_, specs = function.structured_input_signature
# TF Serving's REST "instances" (row) format: one dict per example, keyed by input name.
inputs = {name: tf.constant([row[name] for row in request["instances"]], dtype=spec.dtype)
          for name, spec in specs.items()}
outputs = function(**inputs)
json.dump({
    "signatures": sorted(loaded.signatures.keys()),
    "inputs": {name: [spec.dtype.name, spec.shape.as_list()] for name, spec in specs.items()},
    "outputs": {name: [t.dtype.name, t.numpy().tolist()] for name, t in outputs.items()},
    "keras_gen_imported": "keras_gen" in sys.modules,
}, open(out_file, "w"))
"""


def serve(tmp_path, path, request):
    """Send a REST `predict` request body to the export in a fresh TensorFlow process."""
    (tmp_path / "request.json").write_text(json.dumps(request))
    (tmp_path / "serve.py").write_text(SERVE)
    subprocess.run(
        [sys.executable, str(tmp_path / "serve.py"), str(path), str(tmp_path / "request.json"),
         str(tmp_path / "response.json")],
        check=True, capture_output=True,
    )
    return json.loads((tmp_path / "response.json").read_text())


def rest_body(signature_name, **columns):
    """The body a client POSTs to /v1/models/<name>:predict."""
    rows = [dict(zip(columns, values)) for values in zip(*[c.tolist() for c in columns.values()])]
    return {"signature_name": signature_name, "instances": rows}


@pytest.fixture(scope="module")
def trained_dcgan():
    images = data.load_mnist_5k("train")[0][:32] / 127.5 - 1.0
    model = zoo.build("dcgan", latent_dim=8, width=4, seed=0)
    model.fit(images, batch_size=16, epochs=1, verbose=0)  # trained on this test's backend
    return model


def test_generator_signature_serves_the_models_outputs(tmp_path, trained_dcgan):
    path = trained_dcgan.export(str(tmp_path / "exported"))
    z = np.random.default_rng(0).normal(size=(3, 8)).astype("float32")

    response = serve(tmp_path, path, rest_body("serving_default", z=z))

    assert response["signatures"] == ["serving_default"]
    assert response["inputs"] == {"z": ["float32", [None, 8]]}
    assert response["keras_gen_imported"] is False
    expected = keras.ops.convert_to_numpy(trained_dcgan.generate(z))
    dtype, images = response["outputs"]["images"]
    assert dtype == "float32"
    np.testing.assert_allclose(np.array(images), expected, atol=1e-5)
    dtype, images_uint8 = response["outputs"]["images_uint8"]
    assert dtype == "uint8"
    assert np.abs(np.array(images_uint8) - np.round((expected + 1) * 127.5)).max() <= 1


def test_export_does_not_overwrite_silently(tmp_path, trained_dcgan):
    path = str(tmp_path / "exported")
    trained_dcgan.export(path)
    with pytest.raises(FileExistsError, match="overwrite=True"):
        trained_dcgan.export(path)
    trained_dcgan.export(path, overwrite=True)


def test_serving_layout_takes_the_next_version(tmp_path, trained_dcgan):
    base = tmp_path / "served"
    assert export.export_for_serving(trained_dcgan, str(base)).endswith("1")
    trained_dcgan.save(tmp_path / "m.keras")
    cli.main(["export", str(tmp_path / "m.keras"), "--serving-dir", str(base)])
    assert sorted(p.name for p in base.iterdir()) == ["1", "2"]
    with pytest.raises(FileExistsError, match="already exists"):
        export.export_for_serving(trained_dcgan, str(base), version=2)


def test_unbuilt_model_fails_clearly(tmp_path):
    class Unbuilt(GenerativeModel):
        pass

    with pytest.raises(ValueError, match="not built"):
        Unbuilt().export(str(tmp_path / "x"))
