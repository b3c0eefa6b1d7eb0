"""Train the pretrained presets shipped in keras_gen/presets/, from scratch, on any backend.

    PYTHONPATH=. KERAS_BACKEND=tensorflow python scripts/train_presets.py dcgan/mnist-5k --out /tmp/presets
    PYTHONPATH=. KERAS_BACKEND=tensorflow python scripts/train_presets.py --all --replace

(PYTHONPATH=. so that a script in scripts/ imports this checkout's keras_gen.)

Each preset is trained by the `keras-gen train` command recorded in its metadata (so the CLI's
NaN guard, data loading and per-epoch domain FID apply), then its weights (float16, see
`keras_gen.presets`) and `metadata.json` (command, backend, steps, wall time, versions, final
losses and domain FID) are written to `keras_gen/presets/<entry>/<preset>/`; the quality figures
come from `benchmarks/zoo_quality.py`. The recipes below are the presets' definition.

A preset that already exists is kept unless `--replace` is given (git restores a replaced one);
`--out DIR` writes the presets under DIR instead, to compare a retrain with the shipped one first.

A recipe on a 2-D mixture (ring8, grid25) is trained once per seed of its `seeds` (`--set seed=N`, the
training noise; the weights' initialisation is not seeded); each run is judged like
`benchmarks/mode_collapse.py` does (modes captured and % high-quality samples of 2,500 samples,
`keras_gen.metrics.mode_coverage`), the best run (most modes, then most high-quality samples) is
shipped, and every seed's figures go into its metadata; its samples.png is a scatter plot of the
2,500 judged samples.
"""

import argparse
import json
import math
import os
import shlex
import shutil
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

MIXTURE_SAMPLES = 2500  # as benchmarks/mode_collapse.py
MLP = {"hidden_units": (256, 256, 256), "latent_dim": 2}  # benchmarks/mode_collapse.py's nets
SNGAN_2D = {**MLP, "discriminator_steps": 5, "learning_rate": 1e-3, "beta_1": 0.0, "beta_2": 0.9}
# Gulrajani et al. 2017's toy experiments as their released gan_toy.py runs them: 3 ReLU layers of
# 512, latent 2, 5 critic steps, Adam(1e-4, 0.5, 0.9), batch 256 and lambda = 0.1 ("smaller lambda
# seems to help for toy tasks"; the paper's lambda = 10 captured no ring8 mode in 1,950 steps here,
# lambda = 0.1 seven of eight in 312, see zoo/wgan-gp).
WGAN_GP_TOY = {"hidden_units": (512, 512, 512), "latent_dim": 2, "gradient_penalty_weight": 0.1, "n_critic": 5,
               "learning_rate": 1e-4, "beta_1": 0.5, "beta_2": 0.9}

# entry/preset -> the `keras-gen train` arguments that make it
RECIPES = {
    # Self-conditioned (Liu et al. 2020) on 50 k-means clusters of the digits, 60 epochs with the learning
    # rates decaying to 0: confident share 0.925, FID 13.7, against 0.736, 56.2 for the plain dcgan
    # trained 100 epochs, whose unimodal z drew strokes between two digits (see zoo/dcgan).
    "dcgan/mnist-5k": dict(data="mnist-5k", epochs=60, batch_size=64, decay=True, options={"clusters": 50}),
    # The auxiliary classifier learns from real digits only (classify_fakes=False, acgan's default):
    # learning from the fakes too (the paper), 80.7% of samples were of the class asked for.
    "acgan/mnist-5k": dict(
        data="mnist-5k", epochs=30, batch_size=64,
        options={"latent_dim": 64, "width": 32, "learning_rate": 4e-4, "ema": 0.999, "classify_fakes": False},
    ),
    "cgan/mnist-5k": dict(
        data="mnist-5k", epochs=30, batch_size=64, options={"latent_dim": 64, "width": 32, "learning_rate": 4e-4, "ema": 0.999}
    ),
    # Likelihood models train on the binarised digits their NLL is measured on (zoo_quality.py).
    # The convolutional VAE: on mnist-5k's 4,000 digits the dense one overfits, IWAE(50) 94.3 nats
    # at its best (50 epochs) against 81.0 for the conv one at 30 (see zoo/vae).
    "vae/mnist-5k": dict(data="mnist-5k-binary", epochs=30, batch_size=64, options={"network": "conv"}),
    # A 2-d code leaves the class to the label: with 16 dimensions the decoder ignored it (55% of
    # samples of the class asked for, see zoo/cvae).
    "cvae/mnist-5k": dict(data="mnist-5k-binary", epochs=30, batch_size=64, options={"network": "conv", "latent_dim": 2}),
    "pixelcnn/mnist-5k": dict(data="mnist-5k-binary", epochs=5, batch_size=64, options={"distribution": "bernoulli"}),
    "gated-pixelcnn/mnist-5k": dict(data="mnist-5k-binary", epochs=5, batch_size=64,
                                    options={"distribution": "bernoulli"}),
    # The conditional PixelCNN of van den Oord et al. 2016 (gated, a class bias in every layer), 12
    # layers: with the default 6, 5 epochs, 27% of samples were of the class asked for (scribbles
    # whose shape the label hardly steers); 12 layers, 10 epochs: 75%; 20: 86.5%; 40 with the
    # learning rate decaying to 0: 92.6%; 80: 93.7%, but held-out NLL 3.2 nats worse: it memorised the
    # digits. Dropout of 0.2 in each residual block (PixelCNN++), 60 epochs: 95.4%, NLL 55.29 (zoo/gated-pixelcnn).
    "gated-pixelcnn/mnist-5k-conditional": dict(data="mnist-5k-binary", epochs=60, batch_size=64, decay=True,
                                                options={"distribution": "bernoulli", "num_classes": 10, "num_layers": 12,
                                                         "dropout": 0.2}),
    # The other image GANs on dcgan's networks and settings (benchmarks/dcgan_defaults.py), each with
    # its own loss, critic and optimiser (Adam with betas (0, 0.9) for wgan-gp, RMSProp for wgan).
    # sngan self-conditioned on 50 clusters (as dcgan), 40 epochs at a constant rate: confident share
    # 0.919, FID 11.0; with decay over 60 epochs FID rose again late in the run (18.5). Plain sngan, 200
    # epochs with decay: 0.751, FID 44.1 (see zoo/sngan).
    "sngan/mnist-5k": dict(
        data="mnist-5k", epochs=40, batch_size=64,
        options={"clusters": 50, "latent_dim": 64, "width": 32, "learning_rate": 4e-4, "ema": 0.999},
    ),
    # One critic step per generator step at Adam(2e-4, 0, 0.9), self-conditioned on 50 clusters: 100
    # epochs are 6,200 generator steps, confident share 0.897, FID 11.8 (60 epochs: FID 12.6 and 15.2
    # in two runs, still falling). The paper's n_critic = 5 at 1e-4 gives 12 generator steps an
    # epoch: 150 epochs, 0.814 and FID 58.4, still falling (zoo/wgan-gp).
    "wgan-gp/mnist-5k": dict(data="mnist-5k", epochs=100, batch_size=64,
                             options={"clusters": 50, "latent_dim": 64, "width": 32, "ema": 0.999,
                                      "n_critic": 1, "learning_rate": 2e-4}),
    # Weight clipping learns slowly at the paper's RMSProp(5e-5) and c = 0.01: 150 epochs (1,800
    # generator steps) gave confident share 0.414, FID 257.2; 400 epochs 0.455, FID 207.3, a plateau.
    # At 2e-4, 100 epochs: c = 0.01 0.467 (150 epochs), 0.02 0.507, 0.05 0.541 and FID 172.6, still falling;
    # 300 epochs: c = 0.05 0.660 and FID 93.4, c = 0.1 0.597 and FID 137.0. One critic step per
    # generator step gives five times the generator steps an epoch: c = 0.05, 240 epochs, 0.716 and
    # FID 71.6 (n_critic = 2: 0.694, 73.7; 150 epochs, c = 0.1: 0.693, 84.1; c = 0.02: 0.680, 78.1) (zoo/wgan).
    "wgan/mnist-5k": dict(data="mnist-5k", epochs=240, batch_size=64,
                          options={"latent_dim": 64, "width": 32, "ema": 0.999, "learning_rate": 2e-4, "clip_value": 0.05,
                                   "n_critic": 1}),
    # The MLP GAN needs many more steps than the convolutional ones: 60 epochs gave confident share
    # 0.667 (largest class 27.9%, FID 281.7), 250 epochs 0.850 (23.9%, FID 73.3); batch norm in the
    # generator, 250 epochs: 0.826, largest class 15.1%, FID 71.0; with dropout 0.3 in D as well:
    # 0.796, 14.5%, FID 39.7 (400 epochs: 0.807, 13.5%, 36.0). (1024, 1024) units collapsed late
    # without dropout (0.886, 31.6%, FID 166.6); with it, 300 epochs: 0.856, 16.5%, FID 29.3;
    # with dropout 0.4: 0.812, 12.4%, FID 18.8. Their weights are 10.5 MB, over the 5 MB a file
    # in this repository may take, so the preset keeps 512 units, with dropout 0.4: 400 epochs,
    # 0.836, 11.7%, FID 24.2; 600 epochs: 0.843, 12.4%, FID 26.1; dropout 0.5: 0.817, 11.4%,
    # FID 24.9; (768, 768) units, dropout 0.4, 300 epochs: 0.839, 12.4%, FID 25.3 (zoo/gan).
    "gan/mnist-5k": dict(data="mnist-5k", epochs=400, batch_size=64,
                         options={"hidden_units": (512, 512), "ema": 0.999, "generator_batch_norm": True,
                                  "discriminator_dropout": 0.4}),
    "beta-vae/mnist-5k": dict(data="mnist-5k-binary", epochs=30, batch_size=64, options={}),
    "pixelrnn/mnist-5k": dict(data="mnist-5k-binary", epochs=4, batch_size=64, options={"distribution": "bernoulli"}),
    "autoencoder/mnist-5k": dict(data="mnist-5k", epochs=20, batch_size=64, options={}),
    "conv-autoencoder/mnist-5k": dict(data="mnist-5k", epochs=20, batch_size=64, options={}),
    "denoising-autoencoder/mnist-5k": dict(data="mnist-5k", epochs=20, batch_size=64, options={}),
    "sparse-autoencoder/mnist-5k": dict(data="mnist-5k", epochs=20, batch_size=64, options={}),
    # 2-D mixtures: an epoch is 100,000 points (keras-gen train draws that many), 390 batches of 256
    # for gan, 78 steps of 5 minibatches for the others (their k critic steps each take one).
    "gan/ring8": dict(data="ring8", epochs=15, batch_size=256, decay=True, seeds=(0, 1, 2),
                      options={**MLP, "learning_rate": 1e-3}),
    "gan/grid25": dict(data="grid25", epochs=15, batch_size=256, decay=True, seeds=(0, 1, 2),
                       options={**MLP, "learning_rate": 1e-3}),
    # 200 epochs: 25/25 modes at 96.3% to 97.6% high quality on 3 seeds; 103 epochs gave 93.5%.
    "sngan/grid25": dict(data="grid25", epochs=200, batch_size=256, decay=True, seeds=(0, 1, 2), options=SNGAN_2D),
    # wgan-gp, the learning rate decaying to 0 (the paper ran 100,000 generator steps): ring8 2,340
    # steps; grid25 9,360, which cover 25, 24 and 25 of the 25 modes on 3 seeds (2,340 covered 19 to 22).
    "wgan-gp/ring8": dict(data="ring8", epochs=30, batch_size=256, decay=True, seeds=(0, 1, 2), options=WGAN_GP_TOY),
    "wgan-gp/grid25": dict(data="grid25", epochs=120, batch_size=256, decay=True, seeds=(0, 1, 2), options=WGAN_GP_TOY),
    # sngan's settings above, and for wgan those of zoo/sngan's mode-collapse benchmark: 2,964
    # generator steps, about a minute a seed.
    "sngan/ring8": dict(data="ring8", epochs=38, batch_size=256, decay=True, seeds=(0, 1, 2), options=SNGAN_2D),
    "wgan/ring8": dict(data="ring8", epochs=38, batch_size=256, decay=True, seeds=(0, 1, 2),
                       options={**MLP, "learning_rate": 1e-3}),
    "wgan/grid25": dict(data="grid25", epochs=38, batch_size=256, decay=True, seeds=(0, 1, 2),
                        options={**MLP, "learning_rate": 1e-3}),
}


def train_run(entry, recipe, run, seed=None):
    """Train one run with `keras-gen train` into folder `run`; (arguments, wall seconds)."""
    from keras_gen import cli

    options = {**recipe["options"], **({} if seed is None else {"seed": seed})}
    settings = [f"{name}={value}" if isinstance(value, str) else f"{name}={value!r}".replace(" ", "")
                for name, value in options.items()]  # bare words, as typed: network=conv
    args = ["train", entry, "--data", recipe["data"], "--epochs", str(recipe["epochs"]),
            "--batch-size", str(recipe["batch_size"]), *(["--decay"] if recipe.get("decay") else []),
            "--out", run, *(["--set", *settings] if settings else [])]
    start = time.perf_counter()
    cli.main(args)
    return args, time.perf_counter() - start


def mixture_figures(model, data_name, scatter=None):
    """{modes, high_quality, reverse_kl} of `MIXTURE_SAMPLES` samples (seed 0), as mode_collapse.py;
    with `scatter`, a PNG path, also a scatter plot of those samples over the modes."""
    from keras_gen import data, images, metrics

    centers, std = data.mixture(data_name)
    samples = model.sample(MIXTURE_SAMPLES, seed=0)
    if scatter:
        images.save_scatter(samples, scatter, reference=centers)
    score = metrics.mode_coverage(samples, centers, std)
    return {"modes": score.modes, "num_modes": score.num_modes, "high_quality": round(score.high_quality, 4),
            "reverse_kl": round(score.reverse_kl, 4) if math.isfinite(score.reverse_kl) else None}  # None: no good sample


def train(key, recipe, root):
    import keras

    import keras_gen
    from keras_gen import data, presets, zoo

    entry, preset = key.split("/")
    mixture = recipe["data"] in data.MIXTURES
    seeds = recipe["seeds"] if mixture else (None,)
    runs = []
    with tempfile.TemporaryDirectory() as tmp:
        for seed in seeds:
            run = os.path.join(tmp, f"seed{seed}")
            args, seconds = train_run(entry, recipe, run, seed)
            with open(os.path.join(run, "history.json")) as f:
                history = json.load(f)["history"]
            model = keras.models.load_model(os.path.join(run, "model.keras"))  # the last good epoch
            figures = mixture_figures(model, recipe["data"]) if mixture else None
            runs.append(dict(seed=seed, run=run, args=args, seconds=seconds, history=history, model=model, figures=figures))
            if mixture:
                print(f"{key} seed {seed}: {figures}, {seconds:.0f} s", flush=True)
        best = max(runs, key=lambda r: (r["figures"]["modes"], r["figures"]["high_quality"])) if mixture else runs[0]
        model, run = best["model"], best["run"]
        target = os.path.join(root, entry, preset)
        os.makedirs(target, exist_ok=True)
        for stale in os.listdir(target):
            os.remove(os.path.join(target, stale))
        presets.save_weights(model, os.path.join(target, presets.WEIGHTS_FILE))
        shutil.copy(os.path.join(run, "samples", f"epoch_{recipe['epochs']:03d}.png"), os.path.join(target, "samples.png"))
    metadata = {
        "entry": entry,
        "preset": preset,
        "options": {**zoo.get(entry).options, **recipe["options"], **({"data_shape": (2,)} if mixture else {}),
                    **({"seed": best["seed"]} if mixture else {})},  # all of them: later defaults may change
        "data": recipe["data"],
        "command": "keras-gen " + shlex.join(a if a != run else "RUN" for a in best["args"]) + f" --backend {keras.backend.backend()}",
        "script": f"PYTHONPATH=. KERAS_BACKEND={keras.backend.backend()} python scripts/train_presets.py {key} --replace",
        "backend": keras.backend.backend(),
        "epochs": recipe["epochs"],
        "steps": int(model.optimizer.iterations),
        "wall_seconds": round(best["seconds"], 1),
        "keras_gen_version": keras_gen.__version__,
        "keras_version": keras.__version__,
        "final": {name: values[-1] for name, values in best["history"].items() if math.isfinite(values[-1])},
    }
    if mixture:
        shipped = zoo.build(entry, **metadata["options"])
        presets.load_weights(shipped, os.path.join(target, presets.WEIGHTS_FILE))  # float16, as users get them
        metadata["quality"] = {
            "command": f"python benchmarks/mode_collapse.py --presets {key}",
            "samples": MIXTURE_SAMPLES,
            "judge": "keras_gen.metrics.mode_coverage: a sample is high quality within 3 std of its nearest mode",
            **mixture_figures(shipped, recipe["data"], scatter=os.path.join(target, "samples.png")),
            "seeds": [{"seed": r["seed"], **r["figures"], "wall_seconds": round(r["seconds"], 1)} for r in runs],
        }
    write_metadata(target, metadata)
    if not mixture:  # judged from the shipped (float16) weights, as users get them
        metadata["quality"] = image_quality(key, target)
        write_metadata(target, metadata)
    print(f"Wrote {target}")


def write_metadata(target, metadata):
    from keras_gen import presets

    with open(os.path.join(target, presets.METADATA_FILE), "w") as f:
        json.dump(metadata, f, indent=2)


def image_quality(key, folder, n=1000):
    """benchmarks/zoo_quality.py's figures for the image preset `key` written to `folder` (and the
    real digits' beside the sample figures)."""
    sys.path.insert(0, os.path.join(ROOT, "benchmarks"))
    import zoo_quality

    figures = zoo_quality.preset_figures(key, n, weights=folder)
    quality = {"command": f"python benchmarks/zoo_quality.py {key} --real", **figures}
    if "confident_share" in figures:
        quality["judge"] = "mnist-lenet (97.8% on the 1,000 held-out digits)"
        quality["real_held_out"] = {name: value for name, value in zoo_quality.real_figures(n).items() if name != "n"}
    return quality


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("presets", nargs="*", help=f"entry/preset, from: {', '.join(RECIPES)}")
    parser.add_argument("--all", action="store_true", help="every preset, one after the other")
    parser.add_argument("--out", default=os.path.join(ROOT, "keras_gen", "presets"),
                        help="the folder to write <entry>/<preset>/ under (default: this checkout's keras_gen/presets)")
    parser.add_argument("--replace", action="store_true", help="overwrite presets that already exist there")
    args = parser.parse_args(argv)
    keys = list(RECIPES) if args.all else args.presets
    unknown = [key for key in keys if key not in RECIPES]
    if unknown or not keys:
        parser.error(f"choose presets from {', '.join(RECIPES)} (got {unknown or 'none'})")
    existing = [key for key in keys if os.path.isdir(os.path.join(args.out, key)) and os.listdir(os.path.join(args.out, key))]
    if existing and not args.replace:
        verb = "exists" if len(existing) == 1 else "exist"
        parser.error(f"{', '.join(existing)} already {verb} under {args.out}; pass --replace to overwrite "
                     f"(git restores shipped presets), or --out DIR to write the new presets elsewhere")
    for key in keys:
        train(key, RECIPES[key], args.out)


if __name__ == "__main__":
    sys.exit(main())
