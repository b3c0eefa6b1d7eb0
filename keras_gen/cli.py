"""The `keras-gen` command: list the zoo, train an entry, sample from or export a saved model.

    keras-gen list
    keras-gen train dcgan --data mnist-5k --epochs 5 --out runs/dcgan --backend jax
    keras-gen train gan --data ring8 --epochs 15 --batch-size 256 --decay --out runs/gan-ring8 \
        --set "hidden_units=(256,256,256)" latent_dim=2 learning_rate=1e-3
    keras-gen sample runs/dcgan/model.keras -n 64 --out grid.png
    keras-gen sample dcgan --weights mnist-5k -n 64 --out grid.png     # a pretrained preset
    keras-gen eval runs/dcgan/model.keras --data mnist-5k --metrics fid,kid,pr --extractor mnist-lenet -n 5000
    keras-gen export runs/dcgan/model.keras --serving-dir served/dcgan
    keras-gen export runs/dcgan/model.keras --format onnx --out onnx/dcgan

`--backend` runs the command in a process with that KERAS_BACKEND (Keras reads it once, at import).
"""

import argparse
import ast
import contextlib
import csv
import json
import os
import subprocess
import sys

FID_SAMPLES = 1000
MIXTURE_POINTS = 100_000  # drawn from a 2-D mixture for training: an epoch of 390 batches of 256
RUN_FILES = ("model.keras", "history.csv", "history.json", "samples")
BACKENDS = ("tensorflow", "jax", "torch")


def parse_overrides(pairs):
    """["latent_dim=64", "data_shape=(32,32,3)", "generator_loss=minimax"] -> dict of Python values."""
    overrides = {}
    for pair in pairs or ():
        key, sep, text = pair.partition("=")
        if not sep or not key:
            raise SystemExit(f"--set expects key=value (e.g. --set latent_dim=64); got {pair!r}.")
        try:
            overrides[key] = ast.literal_eval(text)
        except (ValueError, SyntaxError):
            overrides[key] = text  # a bare word such as minimax
    return overrides


def check_out_dir(out, overwrite):
    """Refuse to write over an earlier run unless asked to."""
    if os.path.exists(out) and not os.path.isdir(out):
        raise SystemExit(f"--out {out} is a file; give a folder for the run (it holds model.keras, history and samples).")
    existing = [name for name in RUN_FILES if os.path.exists(os.path.join(out, name))]
    if existing and not overwrite:
        raise SystemExit(
            f"{out} already holds a run ({', '.join(existing)}). Choose another --out, or pass "
            f"--overwrite to replace it."
        )


def cmd_list(args):
    from keras_gen import zoo

    entries = zoo.list_entries()
    width = max(map(len, entries))
    for name, description in entries.items():
        print(f"{name:<{width}}  {description}")


def cmd_train(args):
    from keras_gen import parallel

    distributed = args.devices or parallel.launched_as_one_of_several_processes()
    with parallel.data_parallel(args.devices) if distributed else contextlib.nullcontext():
        train(args, chief=parallel.is_chief())


def train(args, chief):
    """Build, fit and write a run; every replica's process trains, only the chief writes files."""
    import keras

    from keras_gen import backend, callbacks, data, zoo

    backup = os.path.join(args.out, "backup")
    if args.resume and not os.path.isdir(backup):
        raise SystemExit(
            f"Nothing to resume in {args.out}: it holds no backup of an interrupted run (a run that finished, "
            f"or never started, leaves none)."
        )
    if not args.resume and chief:
        check_out_dir(args.out, args.overwrite)
    overrides = parse_overrides(args.set)
    if args.data in data.MIXTURES:
        overrides.setdefault("data_shape", (2,))
    if args.mixed_precision:
        keras.config.set_dtype_policy(f"mixed_{args.mixed_precision}")  # before the model is built
    model = zoo.build(args.name, **overrides)
    dataset = data.load(
        args.data,
        batch_size=args.batch_size * model.minibatches_per_step,  # a GAN's k critic steps each get a minibatch
        image_size=model_image_size(model),
        require_labels=model.conditional,
        num_samples=MIXTURE_POINTS,
    )
    if args.decay:
        steps_per_epoch = args.steps_per_epoch or int(dataset.cardinality())
        model.decay_learning_rates(args.epochs * steps_per_epoch)
    os.makedirs(args.out, exist_ok=True)
    reference = data.mixture(args.data)[0] if args.data in data.MIXTURES else None
    checkpoint = os.path.join(args.out, "model.keras")
    guard = callbacks.StopOnNonFiniteLoss(checkpoint if chief else None)  # saves model.keras after every good epoch
    writers = [
        preview_callback(model, dataset, os.path.join(args.out, "samples"), reference),
        *evaluation_callbacks(model, args),
        keras.callbacks.CSVLogger(os.path.join(args.out, "history.csv"), append=args.resume),
    ]
    model.fit(
        dataset,
        epochs=args.epochs,
        steps_per_epoch=args.steps_per_epoch,
        callbacks=[
            guard,
            *(writers if chief else []),
            # Every epoch's full state (both optimizers, the noise seed); deleted when fit ends well.
            # Each replica's process restores its own on --resume.
            keras.callbacks.BackupAndRestore(backup if chief else f"{backup}-replica-{backend.replica()[0]}"),
        ],
    )
    if not chief:
        return
    with open(os.path.join(args.out, "history.json"), "w") as f:
        json.dump({"backend": keras.backend.backend(), "entry": args.name, "options": overrides,
                   "mixed_precision": args.mixed_precision, "data": args.data,
                   "history": read_history(os.path.join(args.out, "history.csv"))},
                  f, indent=2, default=str)
    if guard.stopped_at is not None:
        epoch, batch, bad = guard.stopped_at
        losses = ", ".join(f"{name} = {value}" for name, value in bad.items())
        kept = f"{checkpoint} holds the model after epoch {epoch}" if epoch else "no model was saved"
        raise SystemExit(
            f"Training stopped at epoch {epoch + 1}, batch {batch + 1}: {losses}. {kept}. Try a lower learning "
            f"rate (--set learning_rate=...) or check the data range."
        )
    print(f"Wrote {args.out}/model.keras, history.csv, history.json and samples/epoch_*.png")


def read_history(path):
    """{metric: [value per epoch]} from a CSVLogger file: a resumed run's epochs come after the
    interrupted run's."""
    with open(path, newline="") as f:
        rows = list(csv.DictReader(f))
    keys = [key for key in (rows[0] if rows else {}) if key != "epoch"]
    return {key: [float(row[key]) if row[key] not in ("", "NA") else float("nan") for row in rows] for key in keys}


def evaluation_callbacks(model, args):
    """A domain FID per epoch on mnist-5k(-binary): `FID_SAMPLES` samples against the 1,000 held-out
    digits (binarised for mnist-5k-binary) through the shipped `mnist-lenet` classifier. On by
    default for latent-variable models, whose sampling is fast; `--fid-every N` asks for it every N
    epochs for any model that samples (slow for PixelCNN/PixelRNN), `--fid-every 0` turns it off."""
    from keras_gen import callbacks, data
    from keras_gen.models import LatentVariableModel, Sampler

    every = args.fid_every
    if every is None:
        every = 1 if isinstance(model, LatentVariableModel) else 0
    if every <= 0 or args.data not in ("mnist-5k", "mnist-5k-binary") or not isinstance(model, Sampler):
        return []
    held_out, _ = data.load_mnist_5k("test")
    if args.data == "mnist-5k-binary":
        held_out = data.binarize(held_out)
    return [callbacks.FID(held_out, extractor="mnist-lenet", n=FID_SAMPLES, every=every)]


def preview_callback(model, dataset, out_dir, reference=None):
    """Samples for models that can sample; for those that cannot (plain autoencoders, which have no
    prior), originals above their reconstructions."""
    from keras_gen import callbacks
    from keras_gen.models import Sampler

    if isinstance(model, Sampler):
        return callbacks.SampleGrid(out_dir, reference=reference)
    batch = next(iter(dataset))
    batch = batch[0] if isinstance(batch, (tuple, list)) else batch
    return callbacks.Reconstructions(out_dir, batch.numpy()[:16])


def model_image_size(model):
    shape = model.data_shape  # None for a KDE, whose shape is its data's
    return tuple(shape[:2]) if shape is not None and len(shape) == 3 else None


def cmd_sample(args):
    from keras_gen import callbacks, images, zoo
    from keras_gen.models import Sampler

    if os.path.exists(args.out) and not args.overwrite:
        raise SystemExit(f"{args.out} exists. Choose another --out, or pass --overwrite.")
    if args.weights is not None:  # a zoo entry with pretrained weights, no training needed
        model = zoo.build(args.model, weights=args.weights)
    else:
        model = _load(args.model)
    if not isinstance(model, Sampler):
        raise SystemExit(
            f"{type(model).__name__} cannot sample: it has no prior over its codes. Sample from a vae, gan, "
            f"pixelcnn or kde entry, or reconstruct data with this model."
        )
    samples, per_row = callbacks.sample_for_grid(model, args.n, args.seed)  # conditional: a class per row
    images.save_grid(samples, args.out, nrow=per_row)
    print(f"Wrote {args.n} samples to {args.out}")


def _load(model_file):
    """A saved model, with errors that say what is wrong with the file."""
    import zipfile

    import keras

    if not os.path.isfile(model_file):
        raise FileNotFoundError(f"No model file at {model_file!r} (train one with keras-gen train, which writes model.keras).")
    if not zipfile.is_zipfile(model_file):
        raise ValueError(
            f"{model_file} is not a valid Keras archive: .keras files are zip archives written by model.save, "
            f"and this one is truncated or of another format."
        )
    return keras.models.load_model(model_file)


def cmd_export(args):
    from keras_gen import export

    if args.format == "onnx":
        if not args.out or args.serving_dir:
            raise SystemExit("keras-gen export --format onnx needs --out DIR (it writes one .onnx file per "
                             "signature there); --serving-dir is TF Serving's layout.")
        path = export.export_onnx(_load(args.model), args.out, overwrite=args.overwrite)
        print(f"Wrote {', '.join(sorted(os.listdir(path)))} to {path}")
        return
    if args.serving_dir:
        path = export.export_for_serving(_load(args.model), args.serving_dir, version=args.version, overwrite=args.overwrite)
    elif args.out:
        path = export.export_saved_model(_load(args.model), args.out, overwrite=args.overwrite)
    else:
        raise SystemExit("keras-gen export needs --serving-dir BASE (TF Serving layout) or --out PATH.")
    print(f"Wrote SavedModel {path}; inspect it with: saved_model_cli show --all --dir {path}")


def cmd_eval(args):
    import keras

    from keras_gen import data, metrics

    metric_names = [m.strip() for m in args.metrics.split(",") if m.strip()]
    unknown = sorted(set(metric_names) - set(metrics.METRICS))
    if unknown:
        raise SystemExit(f"--metrics: unknown {unknown}; choose from {', '.join(metrics.METRICS)}.")
    model = _load(args.model)
    real = args.data
    if not args.data.endswith(".npz"):
        real = data.load(args.data, split=args.split, batch_size=args.batch_size, shuffle=False, drop_remainder=False)
    scores = metrics.evaluate(real, model, metric_names, args.extractor, args.n, args.batch_size, args.seed)
    result = {"model": args.model, "data": args.data, "split": args.split, "seed": args.seed,
              "backend": keras.backend.backend(), **scores}
    print(json.dumps(result, indent=2))
    out = args.out or os.path.splitext(args.model)[0] + f"_eval_{args.extractor}.json"
    with open(out, "w") as f:
        json.dump(result, f, indent=2)
    print(f"Wrote {out}")


def build_parser():
    parser = argparse.ArgumentParser(prog="keras-gen", description=__doc__.split("\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)

    commands.add_parser("list", help="list the zoo's entries").set_defaults(run=cmd_list)

    train = commands.add_parser("train", help="train a zoo entry with model.fit")
    train.add_argument("name", help="zoo entry, e.g. dcgan (see keras-gen list)")
    train.add_argument("--data", default="mnist-5k", help="mnist-5k, mnist-5k-binary, ring8, grid25, a tfds name or a folder")
    train.add_argument("--epochs", type=int, default=5)
    train.add_argument("--out", required=True, help="output folder of the run")
    train.add_argument("--batch-size", type=int, default=64)
    train.add_argument("--steps-per-epoch", type=int, help="batches per epoch (default: the whole dataset)")
    train.add_argument("--set", nargs="*", metavar="KEY=VALUE", help="override zoo options, e.g. latent_dim=64")
    train.add_argument("--decay", action="store_true", help="decay the learning rates linearly to 0 over the run")
    train.add_argument("--overwrite", action="store_true", help="replace an earlier run in --out")
    train.add_argument("--resume", action="store_true", help="continue an interrupted run in --out (same command)")
    train.add_argument(
        "--devices", type=int,
        help="data-parallel over N devices on the backend's engine (PyTorch: N torchrun processes); --batch-size is the global batch",
    )
    train.add_argument(
        "--mixed-precision", choices=("float16", "bfloat16"),
        help="compute in float16 (with a dynamic loss scale per network) or bfloat16; variables and losses stay float32",
    )
    train.add_argument("--fid-every", type=int, help="domain FID (mnist-lenet) every N epochs on mnist-5k(-binary); 0: off")
    train.set_defaults(run=cmd_train)

    sample = commands.add_parser("sample", help="save a grid of samples from a saved model or a pretrained preset")
    sample.add_argument("model", help="a model.keras file written by train, or a zoo entry with --weights")
    sample.add_argument("--weights", help="a preset of the zoo entry (e.g. mnist-5k), a preset folder or a .weights.h5 file")
    sample.add_argument("-n", type=int, default=64)
    sample.add_argument("--seed", type=int, default=None)
    sample.add_argument("--out", default="samples.png")
    sample.add_argument("--overwrite", action="store_true")
    sample.set_defaults(run=cmd_sample)

    exporter = commands.add_parser("export", help="export a saved model as a SavedModel for TF Serving, or as ONNX")
    exporter.add_argument("model", help="a model.keras file")
    exporter.add_argument("--serving-dir", help="base folder; writes BASE/<version>/ (next free version)")
    exporter.add_argument("--version", type=int, help="version number under --serving-dir")
    exporter.add_argument("--out", help="write the SavedModel (or, with --format onnx, the .onnx files) exactly here")
    exporter.add_argument("--format", choices=("tf_saved_model", "onnx"), default="tf_saved_model")
    exporter.add_argument("--overwrite", action="store_true")
    exporter.set_defaults(run=cmd_export)

    evaluate = commands.add_parser("eval", help="FID, KID, IS, precision/recall, density/coverage of a saved model")
    evaluate.add_argument("model", help="a model.keras file written by train")
    evaluate.add_argument("--data", default="mnist-5k", help="real data (as for train), or reference statistics (.npz)")
    evaluate.add_argument("--split", default="all", help="split of the real data (default: all)")
    evaluate.add_argument("--metrics", default="fid", help="comma-separated: fid,kid,is,pr,dc")
    evaluate.add_argument("--extractor", default="inception", help="inception, inception-imagenet or mnist-lenet")
    evaluate.add_argument("-n", type=int, default=5000, help="samples per set (the real set may hold fewer)")
    evaluate.add_argument("--batch-size", type=int, default=50)
    evaluate.add_argument("--seed", type=int, default=0)
    evaluate.add_argument("--out", help="JSON file (default: next to the model)")
    evaluate.set_defaults(run=cmd_eval)

    for command in (train, sample, exporter, evaluate):
        command.add_argument("--backend", choices=BACKENDS, help="Keras backend (default: KERAS_BACKEND)")
        command.add_argument("--debug", action="store_true", help="show the Python traceback of an error")
    return parser


# Errors that a command's input causes (a bad option, a missing or corrupt file, an existing
# target): shown as one line; --debug shows the traceback.
USER_ERRORS = (ValueError, TypeError, KeyError, OSError, RuntimeError)


def torch_processes_needed(args):
    if args.command != "train" or not args.devices or args.devices == 1 or "WORLD_SIZE" in os.environ:
        return False
    import keras

    return keras.backend.backend() == "torch"


def main(argv=None):
    argv = sys.argv[1:] if argv is None else list(argv)
    args = build_parser().parse_args(argv)
    if getattr(args, "backend", None):
        import keras

        if keras.backend.backend() != args.backend:
            # Keras reads KERAS_BACKEND once, at import (keras_gen imports it): run the command anew.
            env = {**os.environ, "KERAS_BACKEND": args.backend}
            raise SystemExit(subprocess.run([sys.executable, "-m", "keras_gen.cli", *argv], env=env).returncode)
    if torch_processes_needed(args):
        # PyTorch trains data-parallel in one process per device: start them with torchrun.
        launch = [sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc-per-node", str(args.devices)]
        raise SystemExit(subprocess.run([*launch, "-m", "keras_gen.cli", *argv]).returncode)
    try:
        args.run(args)
    except USER_ERRORS as error:
        if getattr(args, "debug", False):
            raise
        message = error.args[0] if isinstance(error, KeyError) and error.args else error
        raise SystemExit(f"keras-gen {args.command}: {type(error).__name__}: {message} (--debug shows the traceback)") from None


if __name__ == "__main__":
    main()
