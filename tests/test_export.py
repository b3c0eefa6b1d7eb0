"""Exported SavedModels and ONNX files serve the same outputs as the Keras model.

Models are trained one epoch on this test's backend and exported. The SavedModels are queried with
TF Serving REST `predict` bodies and gRPC `PredictRequest`s in one fresh interpreter that imports
only TensorFlow, NumPy and tensorflow-serving-api's protos (the server binary cannot run here), and
their graphs are checked to hold no XLA module lowered for CPU only, which a GPU server refuses.
The ONNX files run in ONNX Runtime (CPU) at batch 3 and batch 1.
"""

import base64
import json
import os
import subprocess
import sys

import keras
import numpy as np
import onnxruntime
import pytest
import tensorflow as tf
from tensorflow.core.protobuf import saved_model_pb2
from tensorflow_serving.apis import predict_pb2

from keras_gen import cli, data, export, zoo
from keras_gen.models.base import GenerativeModel

SERVE = """
import base64, json, sys
import numpy as np
import tensorflow as tf
from tensorflow_serving.apis import predict_pb2

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
    # gRPC: a serialized PredictRequest in, a serialized PredictResponse out, as TF Serving does.
    grpc_request = predict_pb2.PredictRequest.FromString(base64.b64decode(request["grpc"]))
    grpc_function = loaded.signatures[grpc_request.model_spec.signature_name]
    grpc_outputs = grpc_function(**{name: tf.constant(tf.make_ndarray(proto))
                                    for name, proto in grpc_request.inputs.items()})
    grpc_response = predict_pb2.PredictResponse()
    grpc_response.model_spec.CopyFrom(grpc_request.model_spec)
    for name, value in grpc_outputs.items():
        grpc_response.outputs[name].CopyFrom(tf.make_tensor_proto(value.numpy()))
    responses.append({
        "signatures": sorted(loaded.signatures.keys()),
        "inputs": {name: [spec.dtype.name, spec.shape.as_list()] for name, spec in specs.items()},
        "outputs": {name: [t.dtype.name, t.numpy().tolist()] for name, t in outputs.items()},
        "grpc": base64.b64encode(grpc_response.SerializeToString()).decode(),
    })
json.dump({"responses": responses, "keras_gen_imported": "keras_gen" in sys.modules}, open(sys.argv[2], "w"))
"""

SHAPE = (8, 8, 1)
ENTRIES = {
    "dcgan": dict(latent_dim=4, width=4),
    "sngan": dict(latent_dim=4, width=4, clusters=3),  # self-conditioned: z_0 picks the cluster inside the graph
    "cgan": dict(latent_dim=4, width=4, num_classes=3),
    "cvae": dict(latent_dim=4, hidden_units=(8,), num_classes=3),
    "autoencoder": dict(code_dim=4, hidden_units=(8,)),
    "pixelcnn": dict(filters=4, num_layers=1, kernel_size=3, first_kernel_size=3),
}
# signature -> (model method, inputs it takes)
SIGNATURES = {
    "dcgan": {"generate": ("generate", ("z",)), "serving_default": ("generate", ("z",))},
    "sngan": {"generate": ("generate", ("z",)), "serving_default": ("generate", ("z",))},
    "cgan": {"generate": ("generate", ("z", "labels")), "serving_default": ("generate", ("z", "labels"))},
    "cvae": {"encode": ("encode", ("images", "labels")), "generate": ("generate", ("z", "labels")),
             "reconstruct": ("reconstruct", ("images", "labels")), "serving_default": ("generate", ("z", "labels"))},
    "autoencoder": {"encode": ("encode", ("images",)), "generate": ("generate", ("z",)),
                    "reconstruct": ("reconstruct", ("images",)), "serving_default": ("generate", ("z",))},
    "pixelcnn": {"log_prob": ("log_prob_graph", ("images",)), "serving_default": ("log_prob_graph", ("images",))},
}
_rng = np.random.default_rng(1)
INPUTS = {"z": _rng.normal(size=(3, 4)).astype("float32"), "labels": np.array([2, 0, 1], "int32"),
          "images": (_rng.integers(0, 256, (3, *SHAPE)) / 127.5 - 1).astype("float32")}  # a PixelCNN's grid
# one ONNX file per signature, aliases of serving_default left out
ONNX_FILES = {"dcgan": ["generate"], "sngan": ["generate"], "cgan": ["generate"], "cvae": ["encode", "generate", "reconstruct"],
              "autoencoder": ["encode", "generate", "reconstruct"], "pixelcnn": ["log_prob"]}


def rest_body(signature_name, **columns):
    """The body a client POSTs to /v1/models/<name>:predict."""
    rows = [dict(zip(columns, values)) for values in zip(*[c.tolist() for c in columns.values()])]
    return {"signature_name": signature_name, "instances": rows}


def grpc_request(model_name, signature_name, **columns):
    """The PredictRequest a client sends to PredictionService/Predict."""
    request = predict_pb2.PredictRequest()
    request.model_spec.name = model_name
    request.model_spec.signature_name = signature_name
    for name, value in columns.items():
        request.inputs[name].CopyFrom(tf.make_tensor_proto(value))
    return request


def as_dict(outputs):
    if isinstance(outputs, (tuple, list)):
        return {"mean": outputs[0], "log_var": outputs[1]}
    if len(outputs.shape) == 1:
        return {"log_prob": outputs}
    return {"images": outputs} if outputs.shape[1:] == SHAPE else {"code": outputs}


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    """Train and export every family once: {entry: (model, SavedModel path, {signature: expected outputs})}."""
    tmp = tmp_path_factory.mktemp("export")
    rng = np.random.default_rng(0)
    images = (rng.integers(0, 256, (32, *SHAPE)) / 127.5 - 1).astype("float32")  # on a PixelCNN's grid
    labels = rng.integers(0, 3, 32).astype("int32")
    exports = {}
    for name, options in ENTRIES.items():
        model = zoo.build(name, data_shape=SHAPE, **options)
        conditional = "num_classes" in options
        model.fit(images, labels if conditional else None, batch_size=16, epochs=1, verbose=0)
        path = model.export(str(tmp / name))
        expected = {}
        for signature, (method, names) in SIGNATURES[name].items():
            outputs = as_dict(getattr(model, method)(*[INPUTS[n] for n in names]))
            expected[signature] = {k: keras.ops.convert_to_numpy(v) for k, v in outputs.items()}
        exports[name] = (model, path, expected)
    return exports


@pytest.fixture(scope="module")
def served(exported, tmp_path_factory):
    """Serve every signature in a TensorFlow-only process: {(entry, signature): (expected, REST, gRPC response)}."""
    tmp = tmp_path_factory.mktemp("serve")
    requests, expected = [], {}
    for name, (_, path, outputs) in exported.items():
        for signature, (_, names) in SIGNATURES[name].items():
            columns = {n: INPUTS[n] for n in names}
            grpc = grpc_request(name, signature, **columns).SerializeToString()
            requests.append({"path": path, **rest_body(signature, **columns), "grpc": base64.b64encode(grpc).decode()})
            expected[name, signature] = outputs[signature]
    (tmp / "requests.json").write_text(json.dumps(requests))
    (tmp / "serve.py").write_text(SERVE)
    subprocess.run([sys.executable, str(tmp / "serve.py"), str(tmp / "requests.json"), str(tmp / "out.json")],
                   check=True, capture_output=True)
    out = json.loads((tmp / "out.json").read_text())
    assert out["keras_gen_imported"] is False
    return {key: (expected[key], response) for key, response in zip(expected, out["responses"])}


def assert_matches(expected, outputs, atol, rtol=1e-7):
    """`outputs` (name -> array) holds `expected`'s arrays, and `images_uint8` next to `images`."""
    for key, value in expected.items():
        assert outputs[key].dtype == np.float32
        np.testing.assert_allclose(outputs[key], value, atol=atol, rtol=1e-5 if key == "log_prob" else rtol)
    if "images" in expected:
        assert outputs["images_uint8"].dtype == np.uint8
        assert np.abs(outputs["images_uint8"] - np.round((expected["images"] + 1) * 127.5)).max() <= 1


@pytest.mark.parametrize("entry, signature", [(e, s) for e, sigs in SIGNATURES.items() for s in sigs])
def test_signature_serves_the_models_outputs(served, entry, signature):
    expected, response = served[entry, signature]
    assert response["signatures"] == sorted(SIGNATURES[entry])
    for name, (dtype, shape) in response["inputs"].items():
        assert (dtype, shape) == {"z": ("float32", [None, 4]), "labels": ("int32", [None]),
                                  "images": ("float32", [None, *SHAPE])}[name]
    rest = {name: np.array(value, dtype=dtype) for name, (dtype, value) in response["outputs"].items()}
    assert_matches(expected, rest, atol=1e-5)
    grpc = predict_pb2.PredictResponse.FromString(base64.b64decode(response["grpc"]))
    assert (grpc.model_spec.name, grpc.model_spec.signature_name) == (entry, signature)
    assert_matches(expected, {name: tf.make_ndarray(proto) for name, proto in grpc.outputs.items()}, atol=1e-5)


def xla_modules(saved_model_dir):
    """Every XlaCallModule op in a SavedModel: graph nodes and the function library's nodes."""
    proto = saved_model_pb2.SavedModel()
    with open(f"{saved_model_dir}/saved_model.pb", "rb") as file:
        proto.ParseFromString(file.read())
    nodes = [node for graph in proto.meta_graphs for node in graph.graph_def.node]
    nodes += [node for graph in proto.meta_graphs for f in graph.graph_def.library.function for node in f.node_def]
    assert len(nodes) > 10  # the walk found the graph
    return [node for node in nodes if node.op == "XlaCallModule"]


@pytest.mark.parametrize("entry", ENTRIES)
def test_export_runs_on_gpu_servers(exported, entry):
    for module in xla_modules(exported[entry][1]):
        platforms = [p.decode() for p in module.attr["platforms"].list.s]
        assert "CUDA" in platforms, f"{module.name} is lowered for {platforms} only; a GPU server refuses it"


@pytest.fixture(scope="module")
def onnx_exported(exported, tmp_path_factory):
    """Every family's SavedModel converted to ONNX, as `model.export(format="onnx")` does."""
    tmp = tmp_path_factory.mktemp("onnx")
    return {
        name: export.saved_model_to_onnx(path, str(tmp / name), export.onnx_signatures(export.serving_endpoints(model)))
        for name, (model, path, _) in exported.items()
    }


def run_onnx(path, **inputs):
    session = onnxruntime.InferenceSession(path, providers=["CPUExecutionProvider"])
    for spec in session.get_inputs():
        assert not isinstance(spec.shape[0], int), f"{spec.name}'s batch dimension is fixed: {spec.shape}"
    names = [spec.name for spec in session.get_outputs()]
    return {name.removesuffix("_output"): value for name, value in zip(names, session.run(names, inputs))}


@pytest.mark.parametrize("entry, signature", [(e, s) for e, files in ONNX_FILES.items() for s in files])
def test_onnx_runtime_gives_the_models_outputs(exported, onnx_exported, entry, signature):
    assert sorted(os.listdir(onnx_exported[entry])) == sorted(f"{s}.onnx" for s in ONNX_FILES[entry])
    expected = exported[entry][2][signature]
    names = SIGNATURES[entry][signature][1]
    path = f"{onnx_exported[entry]}/{signature}.onnx"
    assert_matches(expected, run_onnx(path, **{n: INPUTS[n] for n in names}), atol=1e-4, rtol=1e-5)
    first = {key: value[:1] for key, value in expected.items()}
    assert_matches(first, run_onnx(path, **{n: INPUTS[n][:1] for n in names}), atol=1e-4, rtol=1e-5)


@pytest.fixture(scope="module")
def small_dcgan():
    model = zoo.build("dcgan", latent_dim=8, width=4, seed=0)
    model.fit(data.load_mnist_5k("train")[0][:16] / 127.5 - 1.0, batch_size=16, epochs=1, verbose=0)
    return model


def test_export_does_not_overwrite_silently(tmp_path, small_dcgan):
    path = tmp_path / "exported"
    path.mkdir()
    (path / "user_file.txt").write_text("mine")
    with pytest.raises(FileExistsError, match="overwrite=True"):
        small_dcgan.export(str(path))
    assert os.listdir(path) == ["user_file.txt"]
    small_dcgan.export(str(path), overwrite=True)
    assert "saved_model.pb" in os.listdir(path) and "user_file.txt" not in os.listdir(path)


def test_serving_layout_takes_the_next_version(tmp_path, small_dcgan):
    base = tmp_path / "served"
    assert export.export_for_serving(small_dcgan, str(base)).endswith("1")
    small_dcgan.save(tmp_path / "m.keras")
    cli.main(["export", str(tmp_path / "m.keras"), "--serving-dir", str(base)])
    assert sorted(p.name for p in base.iterdir()) == ["1", "2"]
    with pytest.raises(FileExistsError, match="already exists"):
        export.export_for_serving(small_dcgan, str(base), version=2)


def test_onnx_export_from_the_cli_and_the_model(tmp_path, small_dcgan):
    small_dcgan.save(tmp_path / "m.keras")
    with pytest.raises(SystemExit, match="--out DIR"):
        cli.main(["export", str(tmp_path / "m.keras"), "--format", "onnx", "--serving-dir", str(tmp_path / "served")])
    path = str(tmp_path / "onnx")
    cli.main(["export", str(tmp_path / "m.keras"), "--format", "onnx", "--out", path])
    assert os.listdir(path) == ["generate.onnx"]
    z = np.random.default_rng(0).normal(size=(2, 8)).astype("float32")
    expected = {"images": keras.ops.convert_to_numpy(small_dcgan.generate(z))}
    assert_matches(expected, run_onnx(f"{path}/generate.onnx", z=z), atol=1e-4, rtol=1e-5)
    with pytest.raises(FileExistsError, match="overwrite=True"):  # keras-gen's exporter, not Keras' own
        small_dcgan.export(path, format="onnx")


def test_models_without_a_network_to_serve_fail_clearly(tmp_path):
    class Unbuilt(GenerativeModel):
        pass

    with pytest.raises(ValueError, match="not built"):
        Unbuilt().export(str(tmp_path / "x"))
    with pytest.raises(NotImplementedError, match="no network to serve"):
        zoo.build("kde").export(str(tmp_path / "kde"))
