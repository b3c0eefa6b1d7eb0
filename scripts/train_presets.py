"""Train the pretrained presets shipped in keras_gen/presets/, from scratch, on any backend.

    KERAS_BACKEND=tensorflow python scripts/train_presets.py dcgan/mnist-5k
    KERAS_BACKEND=tensorflow python scripts/train_presets.py --all

Each preset is trained by the `keras-gen train` command recorded in its metadata (so the CLI's
NaN guard, data loading and per-epoch domain FID apply), then its weights (float16, see
`keras_gen.presets`) and `metadata.json` (command, backend, steps, wall time, versions, final
losses and domain FID) are written to `keras_gen/presets/<entry>/<preset>/`; the quality figures
come from `benchmarks/zoo_quality.py`. The recipes below are the presets' definition.
"""

import argparse
import json
import os
import shutil
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# entry/preset -> the `keras-gen train` arguments that make it
RECIPES = {
    "dcgan/mnist-5k": dict(data="mnist-5k", epochs=30, batch_size=64, options={}),
    "acgan/mnist-5k": dict(
        data="mnist-5k", epochs=30, batch_size=64, options={"latent_dim": 64, "width": 32, "learning_rate": 4e-4, "ema": 0.999}
    ),
    "cgan/mnist-5k": dict(
        data="mnist-5k", epochs=30, batch_size=64, options={"latent_dim": 64, "width": 32, "learning_rate": 4e-4, "ema": 0.999}
    ),
}


def train(key, recipe):
    import keras

    import keras_gen
    from keras_gen import cli, presets, zoo

    entry, preset = key.split("/")
    options = [f"{name}={value!r}".replace(" ", "") for name, value in recipe["options"].items()]
    with tempfile.TemporaryDirectory() as tmp:
        run = os.path.join(tmp, "run")
        args = ["train", entry, "--data", recipe["data"], "--epochs", str(recipe["epochs"]),
                "--batch-size", str(recipe["batch_size"]), "--out", run, *(["--set", *options] if options else [])]
        start = time.perf_counter()
        cli.main(args)
        seconds = time.perf_counter() - start
        with open(os.path.join(run, "history.json")) as f:
            history = json.load(f)["history"]
        model = keras.models.load_model(os.path.join(run, "model.keras"))  # the last good epoch
        target = os.path.join(ROOT, "keras_gen", "presets", entry, preset)
        os.makedirs(target, exist_ok=True)
        for stale in os.listdir(target):
            os.remove(os.path.join(target, stale))
        presets.save_weights(model, os.path.join(target, presets.WEIGHTS_FILE))
        shutil.copy(os.path.join(run, "samples", f"epoch_{recipe['epochs']:03d}.png"), os.path.join(target, "samples.png"))
    metadata = {
        "entry": entry,
        "preset": preset,
        "options": {**zoo.get(entry).options, **recipe["options"]},  # all of them: later defaults may change
        "data": recipe["data"],
        "command": "keras-gen " + " ".join(a if a != run else "RUN" for a in args) + f" --backend {keras.backend.backend()}",
        "script": f"KERAS_BACKEND={keras.backend.backend()} python scripts/train_presets.py {key}",
        "backend": keras.backend.backend(),
        "epochs": recipe["epochs"],
        "steps": int(model.optimizer.iterations),
        "wall_seconds": round(seconds, 1),
        "keras_gen_version": keras_gen.__version__,
        "keras_version": keras.__version__,
        "final": {name: values[-1] for name, values in history.items()},
    }
    with open(os.path.join(target, presets.METADATA_FILE), "w") as f:
        json.dump(metadata, f, indent=2)
    print(f"Wrote {target}")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("presets", nargs="*", help=f"entry/preset, from: {', '.join(RECIPES)}")
    parser.add_argument("--all", action="store_true", help="every preset, one after the other")
    args = parser.parse_args(argv)
    keys = list(RECIPES) if args.all else args.presets
    unknown = [key for key in keys if key not in RECIPES]
    if unknown or not keys:
        parser.error(f"choose presets from {', '.join(RECIPES)} (got {unknown or 'none'})")
    for key in keys:
        train(key, RECIPES[key])


if __name__ == "__main__":
    sys.exit(main())
