"""The 2-D mode-collapse benchmark (PacGAN protocol, Lin et al. 2018) for gan, wgan, wgan-gp, sngan.

Every entry gets the same MLP architecture (--hidden for both G and D, --latent-dim), trains with
`model.fit` for --steps generator updates on --batch-size batches of the mixture, then draws
2,500 samples scored by `keras_gen.metrics.mode_coverage`: modes captured and % high-quality
samples (within 3 std of the nearest mode), mean and std over seeds, beside the published rows.

    KERAS_BACKEND=tensorflow python benchmarks/mode_collapse.py --seeds 0 1 2 --jobs 2

Learning rates (--lr NAME=VALUE), the number of critic steps (--n-critic), other zoo options
(--set NAME:KEY=VALUE), steps per entry (--steps N NAME=N) and a linear learning-rate decay to 0
(--decay) override the entries' paper defaults; the first line of the output prints what was used.
--jobs N trains N runs at once in separate processes. --presets judges shipped presets instead
(2,500 samples, seed 0, as scripts/train_presets.py records in their metadata):

    KERAS_BACKEND=jax python benchmarks/mode_collapse.py --presets gan/ring8 sngan/grid25

The settings measured for the zoo cards (zoo/sngan/README.md has the tables):

    KERAS_BACKEND=tensorflow python benchmarks/mode_collapse.py --models gan wgan sngan --jobs 2 \
      --hidden 256 256 256 --latent-dim 2 --batch-size 256 --decay --steps 3000 gan=6000 \
      --lr gan=1e-3 wgan=1e-3 sngan=1e-3 --set sngan:discriminator_steps=5 sngan:beta_1=0.0 sngan:beta_2=0.9
    KERAS_BACKEND=tensorflow python benchmarks/mode_collapse.py --models wgan-gp --jobs 2 \
      --hidden 256 256 256 --latent-dim 2 --batch-size 256 --decay --steps 3000 --lr wgan-gp=1e-3

and sngan on grid25 with --steps 8000 (keras-gen 0.1: all 25 modes, about 92% high quality).
"""

import argparse
import ast
import concurrent.futures
import multiprocessing
import os
import time

import numpy as np

# (modes, % high quality) from PacGAN (Lin et al. 2018), Tables 2 and 3; VEEGAN from Srivastava et al. 2017.
PUBLISHED = {
    "ring8": {"GAN (published)": (6.3, 98.2), "PacGAN4 (published)": (7.8, 95.9), "VEEGAN (published)": (8.0, 52.9)},
    "grid25": {"GAN (published)": (17.3, 94.8), "PacGAN4 (published)": (24.8, 93.6), "VEEGAN (published)": (24.6, 40.0)},
}
ENTRIES = ("gan", "wgan", "wgan-gp", "sngan")


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--models", nargs="+", default=list(ENTRIES), choices=ENTRIES)
    parser.add_argument("--data", nargs="+", default=["ring8", "grid25"], choices=["ring8", "grid25"])
    parser.add_argument("--seeds", nargs="+", type=int, default=[0, 1, 2])
    parser.add_argument(
        "--steps", nargs="+", default=["2000"], metavar="[NAME=]N",
        help="generator updates per run: N for every entry, NAME=N for one (e.g. 3000 sngan=6000)",
    )
    parser.add_argument("--batch-size", type=int, default=256)
    parser.add_argument("--hidden", type=int, nargs="+", default=[128, 128, 128], help="hidden units of G and D")
    parser.add_argument("--latent-dim", type=int, default=2)
    parser.add_argument("--n-critic", type=int, default=None, help="critic steps of wgan / wgan-gp (default: 5)")
    parser.add_argument("--lr", nargs="*", default=[], metavar="NAME=VALUE", help="learning rate per entry")
    parser.add_argument(
        "--set", nargs="*", default=[], metavar="NAME:KEY=VALUE",
        help="other zoo options per entry, e.g. sngan:discriminator_steps=5 (values as Python literals)",
    )
    parser.add_argument("--decay", action="store_true", help="decay both learning rates linearly to 0 over the run")
    parser.add_argument("--samples", type=int, default=2500)
    parser.add_argument("--plots", default=None, help="folder for scatter plots of each run's samples")
    parser.add_argument("--jobs", type=int, default=1, help="runs trained in parallel processes")
    parser.add_argument("--presets", nargs="+", metavar="ENTRY/PRESET", help="judge shipped presets, e.g. gan/ring8")
    args = parser.parse_args()
    args.steps = parse_steps(args.steps)
    return args


def parse_steps(values):
    """{entry: generator updates} from "N" (every entry) and "NAME=N" strings."""
    steps = {}
    for value in values:
        name, _, count = value.rpartition("=")
        if (name and name not in ENTRIES) or not count.isdigit():
            raise SystemExit(f"--steps expects N or NAME=N with NAME in {ENTRIES}; got {value!r}.")
        for entry in [name] if name else ENTRIES:
            if name or entry not in steps:
                steps[entry] = int(count)
    return steps


def parse_sets(pairs):
    """{entry: {option: value}} from NAME:KEY=VALUE strings."""
    options = {}
    for pair in pairs:
        try:
            name, assignment = pair.split(":", 1)
            key, value = assignment.split("=", 1)
            value = ast.literal_eval(value)
        except (ValueError, SyntaxError):
            raise SystemExit(f"--set expects NAME:KEY=VALUE with a Python literal value; got {pair!r}.")
        if name not in ENTRIES:
            raise SystemExit(f"--set {pair!r}: unknown entry {name!r}; expected one of {ENTRIES}.")
        options.setdefault(name, {})[key] = value
    return options


def train_and_score(name, data_name, seed, args, learning_rate):
    import keras

    from keras_gen import data, images, metrics, zoo

    keras.utils.set_random_seed(seed)
    options = {"data_shape": (2,), "hidden_units": tuple(args.hidden), "latent_dim": args.latent_dim, "seed": seed}
    if learning_rate is not None:
        options["learning_rate"] = learning_rate
    if args.n_critic is not None and name in ("wgan", "wgan-gp"):
        options["n_critic"] = args.n_critic
    options.update(parse_sets(args.set).get(name, {}))
    model = zoo.build(name, **options)
    if args.decay:
        model.decay_learning_rates(args.steps[name])
    # --batch-size is the minibatch of one critic step: a WGAN's step takes n_critic of them.
    batch_size = args.batch_size * model.minibatches_per_step
    dataset = data.load(data_name, batch_size=batch_size, num_samples=100_000, seed=seed).repeat()
    start = time.time()
    model.fit(dataset, epochs=1, steps_per_epoch=args.steps[name], verbose=0)
    seconds = time.time() - start
    samples = model.sample(args.samples, seed=seed)
    centers, std = data.mixture(data_name)
    if args.plots:
        images.save_scatter(samples, os.path.join(args.plots, f"{data_name}_{name}_seed{seed}.png"), reference=centers)
    return metrics.mode_coverage(samples, centers, std), seconds


def judge_presets(keys, samples):
    """Modes captured and % high quality of `samples` samples (seed 0) of each shipped preset."""
    import keras

    from keras_gen import data, metrics, zoo

    for key in keys:
        entry, preset = key.split("/")
        model = zoo.build(entry, weights=preset)
        centers, std = data.mixture(zoo.presets(entry)[preset]["data"])
        score = metrics.mode_coverage(model.sample(samples, seed=0), centers, std)
        print(f"{key} ({keras.backend.backend()}, {samples} samples): modes {score.modes}/{score.num_modes}, "
              f"high quality {100 * score.high_quality:.1f}%, reverse KL {score.reverse_kl:.3f}", flush=True)


def main():
    args = parse_args()
    import keras

    if args.presets:
        return judge_presets(args.presets, args.samples)

    learning_rates = {k: float(v) for k, v in (pair.split("=") for pair in args.lr)}
    print(
        f"backend={keras.backend.backend()} steps={ {n: args.steps[n] for n in args.models} } batch={args.batch_size} hidden={args.hidden} "
        f"latent_dim={args.latent_dim} n_critic={args.n_critic or 'default (5)'} seeds={args.seeds} "
        f"samples={args.samples} learning rates={learning_rates or 'entry defaults'}"
        f"{' decaying linearly to 0' if args.decay else ''} other options={parse_sets(args.set) or 'none'}"
    )
    runs = [(name, data_name, seed) for data_name in args.data for name in args.models for seed in args.seeds]
    with concurrent.futures.ProcessPoolExecutor(args.jobs, mp_context=multiprocessing.get_context("spawn")) as pool:
        futures = {run: pool.submit(train_and_score, *run, args, learning_rates.get(run[0])) for run in runs}
    for data_name in args.data:
        rows = []
        for name in args.models:
            results = [futures[name, data_name, seed].result() for seed in args.seeds]
            modes = np.array([r.modes for r, _ in results], float)
            quality = np.array([100 * r.high_quality for r, _ in results])
            kl = np.array([r.reverse_kl for r, _ in results])
            seconds = np.mean([s for _, s in results])
            rows.append((name, modes, quality, kl, seconds))
            print(f"  {data_name} {name}: modes {modes.tolist()} high quality {np.round(quality, 1).tolist()} "
                  f"reverse KL {np.round(kl, 3).tolist()} ({seconds:.0f} s/run)", flush=True)
        num_modes = results[0][0].num_modes
        print(f"\n{data_name} ({num_modes} modes), mean ± std over {len(args.seeds)} seeds")
        print(f"| {'model':<22}| modes captured | % high quality | reverse KL    | s / run |")
        print(f"|{'-' * 23}|----------------|----------------|---------------|---------|")
        for name, modes, quality, kl, seconds in rows:
            print(f"| {name:<22}| {modes.mean():5.1f} ± {modes.std():4.1f}   | {quality.mean():5.1f} ± {quality.std():4.1f}   "
                  f"| {kl.mean():5.3f} ± {kl.std():5.3f} | {seconds:7.0f} |")
        for name, (modes, quality) in PUBLISHED[data_name].items():
            print(f"| {name:<22}| {modes:5.1f}          | {quality:5.1f}          | {'':13} | {'':7} |")
        print(flush=True)


if __name__ == "__main__":
    main()
