"""Exported SavedModels serve the same outputs as the Keras model, in a process without keras_gen.

Models are trained one epoch on this test's backend, exported, and queried with TF Serving REST
`predict` bodies in one fresh interpreter that imports only TensorFlow and NumPy.
"""

import json
import subprocess
import sys

import keras
import numpy as np
import pytest

from keras_gen import cli, data, export, zoo
from keras_gen.models.base import GenerativeModel

SERVE = """
import json, sys
import numpy as np
import tensorflow as tf

requests = json.load(open(sys.argv[1]))
responses = []
for request in requests:
    loaded = tf.saved_model.load(request["path"])
    function = loaded.signatures[request["signature_name"]]
    _, specs = function.structured_input_signature
    # TF Serving's REST "instances" (row) format: one dict per example, keyed by input name.
    inputs = {name: tf.constant([row[name] for row in request["instances"]], dtype=spec.dtype)
              for name, spec in specs.items()}
    outputs = function(**inputs)
    responses.append({
        "signatures": sorted(loaded.signatures.keys()),
        "inputs": {name: [spec.dtype.name, spec.shape.as_list()] for name, spec in specs.items()},
        "outputs": {name: [t.dtype.name, t.numpy().tolist()] for name, t in outputs.items()},
    })
json.dump({"responses": responses, "keras_gen_imported": "keras_gen" in sys.modules}, open(sys.argv[2], "w"))
"""

SHAPE = (8, 8, 1)
ENTRIES = {
    "dcgan": dict(latent_dim=4, width=4),
    "cgan": dict(latent_dim=4, width=4, num_classes=3),
    "cvae": dict(latent_dim=4, hidden_units=(8,), num_classes=3),
    "autoencoder": dict(code_dim=4, hidden_units=(8,)),
    "pixelcnn": dict(filters=4, num_layers=1, kernel_size=3, first_kernel_size=3),
}
# signature -> (model method, inputs it takes)
SIGNATURES = {
    "dcgan": {"generate": ("generate", ("z",)), "serving_default": ("generate", ("z",))},
    "cgan": {"generate": ("generate", ("z", "labels")), "serving_default": ("generate", ("z", "labels"))},
    "cvae": {"encode": ("encode", ("images", "labels")), "generate": ("generate", ("z", "labels")),
             "reconstruct": ("reconstruct", ("images", "labels")), "serving_default": ("generate", ("z", "labels"))},
    "autoencoder": {"encode": ("encode", ("images",)), "generate": ("generate", ("z",)),
                    "reconstruct": ("reconstruct", ("images",)), "serving_default": ("generate", ("z",))},
    "pixelcnn": {"log_prob": ("log_prob_graph", ("images",)), "serving_default": ("log_prob_graph", ("images",))},
}


def rest_body(signature_name, **columns):
    """The body a client POSTs to /v1/models/<name>:predict."""
    rows = [dict(zip(columns, values)) for values in zip(*[c.tolist() for c in columns.values()])]
    return {"signature_name": signature_name, "instances": rows}


def as_dict(outputs):
    if isinstance(outputs, (tuple, list)):
        return {"mean": outputs[0], "log_var": outputs[1]}
    if len(outputs.shape) == 1:
        return {"log_prob": outputs}
    return {"images": outputs} if outputs.shape[1:] == SHAPE else {"code": outputs}


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """Train, export and serve every family once; returns {(entry, signature): (expected, response)}."""
    tmp = tmp_path_factory.mktemp("export")
    rng = np.random.default_rng(0)
    images = (rng.integers(0, 256, (32, *SHAPE)) / 127.5 - 1).astype("float32")  # on a PixelCNN's grid
    labels = rng.integers(0, 3, 32).astype("int32")
    inputs = {"z": rng.normal(size=(3, 4)).astype("float32"), "images": images[:3], "labels": labels[:3]}
    requests, expected = [], {}
    for name, options in ENTRIES.items():
        model = zoo.build(name, data_shape=SHAPE, **options)
        conditional = "num_classes" in options
        model.fit(images, labels if conditional else None, batch_size=16, epochs=1, verbose=0)
        path = model.export(str(tmp / name))
        for signature, (method, names) in SIGNATURES[name].items():
            outputs = as_dict(getattr(model, method)(*[inputs[n] for n in names]))
            expected[name, signature] = {k: keras.ops.convert_to_numpy(v) for k, v in outputs.items()}
            requests.append({"path": path, **rest_body(signature, **{n: inputs[n] for n in names})})
    (tmp / "requests.json").write_text(json.dumps(requests))
    (tmp / "serve.py").write_text(SERVE)
    subprocess.run([sys.executable, str(tmp / "serve.py"), str(tmp / "requests.json"), str(tmp / "out.json")],
                   check=True, capture_output=True)
    out = json.loads((tmp / "out.json").read_text())
    assert out["keras_gen_imported"] is False
    return {key: (expected[key], response) for key, response in zip(expected, out["responses"])}


@pytest.mark.parametrize("entry, signature", [(e, s) for e, sigs in SIGNATURES.items() for s in sigs])
def test_signature_serves_the_models_outputs(served, entry, signature):
    expected, response = served[entry, signature]
    assert response["signatures"] == sorted(SIGNATURES[entry])
    for name, (dtype, shape) in response["inputs"].items():
        assert (dtype, shape) == {"z": ("float32", [None, 4]), "labels": ("int32", [None]),
                                  "images": ("float32", [None, *SHAPE])}[name]
    for key, value in expected.items():
        dtype, served_value = response["outputs"][key]
        assert dtype == "float32"
        np.testing.assert_allclose(np.array(served_value), value, atol=1e-5, rtol=1e-5 if key == "log_prob" else 1e-7)
    if "images" in expected:
        dtype, images_uint8 = response["outputs"]["images_uint8"]
        assert dtype == "uint8"
        assert np.abs(np.array(images_uint8) - np.round((expected["images"] + 1) * 127.5)).max() <= 1


@pytest.fixture(scope="module")
def small_dcgan():
    model = zoo.build("dcgan", latent_dim=8, width=4, seed=0)
    model.fit(data.load_mnist_5k("train")[0][:16] / 127.5 - 1.0, batch_size=16, epochs=1, verbose=0)
    return model


def test_export_does_not_overwrite_silently(tmp_path, small_dcgan):
    path = str(tmp_path / "exported")
    small_dcgan.export(path)
    with pytest.raises(FileExistsError, match="overwrite=True"):
        small_dcgan.export(path)
    small_dcgan.export(path, overwrite=True)


def test_serving_layout_takes_the_next_version(tmp_path, small_dcgan):
    base = tmp_path / "served"
    assert export.export_for_serving(small_dcgan, str(base)).endswith("1")
    small_dcgan.save(tmp_path / "m.keras")
    cli.main(["export", str(tmp_path / "m.keras"), "--serving-dir", str(base)])
    assert sorted(p.name for p in base.iterdir()) == ["1", "2"]
    with pytest.raises(FileExistsError, match="already exists"):
        export.export_for_serving(small_dcgan, str(base), version=2)


def test_models_without_a_network_to_serve_fail_clearly(tmp_path):
    class Unbuilt(GenerativeModel):
        pass

    with pytest.raises(ValueError, match="not built"):
        Unbuilt().export(str(tmp_path / "x"))
    with pytest.raises(NotImplementedError, match="no network to serve"):
        zoo.build("kde").export(str(tmp_path / "kde"))
