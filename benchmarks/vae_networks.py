"""Held-out NLL of the VAE's dense and convolutional networks as training goes on, on the
binarised mnist-5k digits (why the vae and cvae presets use network="conv").

    KERAS_BACKEND=tensorflow python benchmarks/vae_networks.py --epochs 60 --every 10 --set network=dense
    KERAS_BACKEND=tensorflow python benchmarks/vae_networks.py --epochs 40 --every 10 --set network=conv

Trains `zoo.build(entry, seed=0, **set)` on the 4,000 training digits binarised at 128 (batch 64)
and every `--every` epochs prints the last epoch's training loss and the held-out NLL bounds in
nats (the ELBO and IWAE with k=50) on the 1,000 held-out digits; for the cvae also the share of
1,000 samples (100 per class) that `mnist-lenet` classifies as the class asked for:

    KERAS_BACKEND=tensorflow python benchmarks/vae_networks.py --entry cvae --epochs 20 --every 20 --set network=conv latent_dim=2
"""

import argparse
import json
import time

from zoo_quality import digit_judgement

from keras_gen import cli, data, zoo


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entry", default="vae", choices=("vae", "cvae"))
    parser.add_argument("--epochs", type=int, default=40)
    parser.add_argument("--every", type=int, default=10)
    parser.add_argument("--set", nargs="*", default=[], metavar="KEY=VALUE", help="zoo options, as for keras-gen train")
    args = parser.parse_args()
    options = {"seed": 0, **cli.parse_overrides(args.set)}
    model = zoo.build(args.entry, **options)
    train = data.load("mnist-5k-binary", batch_size=64, require_labels=model.conditional)
    held_out, labels = data.load_mnist_5k("test")
    held_out, labels = data.binarize(held_out), (labels if model.conditional else None)
    start = time.perf_counter()
    for epoch in range(args.every, args.epochs + 1, args.every):
        history = model.fit(train, epochs=epoch, initial_epoch=epoch - args.every, verbose=0)
        print(json.dumps({
            "options": options, "epoch": epoch, "train_loss": round(history.history["loss"][-1], 2),
            "elbo": round(float(-model.log_prob(held_out, k=1, labels=labels, seed=0).mean()), 2),
            "iwae50": round(float(-model.log_prob(held_out, k=50, labels=labels, seed=0).mean()), 2),
            **(class_figures(model) if model.conditional else {}),
            "seconds": round(time.perf_counter() - start),
        }), flush=True)


def class_figures(model, n=1000):
    labels = model.check_labels(None, n)
    judged = digit_judgement(model.sample(n, labels=labels, seed=0), labels)
    return {"class_accuracy": judged["class_accuracy"], "confident_share": judged["confident_share"]}


if __name__ == "__main__":
    main()
