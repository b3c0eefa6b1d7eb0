"""Quality of the shipped presets, by judges that are not the models' own losses.

    KERAS_BACKEND=tensorflow python benchmarks/zoo_quality.py dcgan/mnist-5k [--json out.json]
    KERAS_BACKEND=tensorflow python benchmarks/zoo_quality.py --real      # the real digits' figures
    KERAS_BACKEND=tensorflow python benchmarks/zoo_quality.py --model runs/sngan/model.keras  # a run of keras-gen train

For digit generators, on n samples (balanced classes for conditional models) judged by the shipped
`mnist-lenet` classifier (trained on mnist-5k's train split; 97.8% on the 1,000 held-out digits):
the share of samples it is confident about (max softmax > 0.9), the largest class share (mode
collapse shows there), the class accuracy of conditional samples, and the domain FID (its 128-d
features) against the held-out digits beside the real-vs-real floor (train digits against the
held-out ones, same n), and precision/recall (k=3).
"""

import argparse
import json

import keras
import numpy as np

from keras_gen import data, metrics, zoo
from keras_gen.models import VAE, DenoisingAutoencoder, ExactLikelihood, Sampler

CONFIDENT = 0.9
IWAE_K = 100


def digit_judgement(images, labels=None):
    """{confident_share, max_class_share[, class_accuracy]} of images by mnist-lenet."""
    logits = metrics.features(images, "mnist-lenet", batch_size=500, output="logits", verbose=0)
    probabilities = keras.ops.convert_to_numpy(keras.ops.softmax(logits, axis=-1))
    predicted = probabilities.argmax(axis=1)
    result = {
        "confident_share": float(np.mean(probabilities.max(axis=1) > CONFIDENT)),
        "max_class_share": float(np.bincount(predicted, minlength=10).max() / len(predicted)),
    }
    if labels is not None:
        result["class_accuracy"] = float(np.mean(predicted == labels))
    return result


def real_figures(n):
    held_out, labels = data.load_mnist_5k("test")
    train, _ = data.load_mnist_5k("train")
    train = train[np.random.default_rng(0).permutation(len(train))[:n]]  # the file is sorted by label
    floor = metrics.evaluate(held_out, train, ("fid", "pr"), "mnist-lenet", n=n, verbose=0)
    return {"n": n, **digit_judgement(held_out, labels), "fid_floor": floor["fid"],
            "precision": floor["precision"], "recall": floor["recall"]}


def preset_figures(key, n, seed=0, iwae_k=IWAE_K, weights=None):
    """Figures of preset `key` ("entry/preset"), shipped or, with `weights`, at that preset folder."""
    entry, preset = key.split("/")
    return {"preset": key, **model_figures(zoo.build(entry, weights=weights or preset), n, seed, iwae_k)}


def model_figures(model, n, seed=0, iwae_k=IWAE_K):
    figures = {"backend": keras.backend.backend()}
    if isinstance(model, Sampler):
        figures.update(sample_figures(model, n, seed))
    if isinstance(model, (VAE, ExactLikelihood)):
        figures.update(likelihood_figures(model, iwae_k))
    if not isinstance(model, Sampler):
        figures.update(reconstruction_figures(model))
    return figures


def sample_figures(model, n, seed):
    labels = model.check_labels(None, n)  # balanced classes for a conditional model, else None
    samples = model.sample(n, labels=labels, seed=seed)
    held_out, _ = data.load_mnist_5k("test")
    scores = metrics.evaluate(held_out, samples, ("fid", "pr"), "mnist-lenet", n=n, verbose=0)
    return {"n": n, **digit_judgement(samples, labels), "fid": scores["fid"], "precision": scores["precision"],
            "recall": scores["recall"]}


def likelihood_figures(model, iwae_k):
    """Held-out NLL in nats per image on the binarised held-out digits."""
    held_out, labels = data.load_mnist_5k("test")
    binary = data.binarize(held_out)
    labels = labels if model.conditional else None
    if isinstance(model, VAE):
        return {"nll_elbo": float(-model.log_prob(binary, k=1, labels=labels, seed=0).mean()),
                f"nll_iwae_k{iwae_k}": float(-model.log_prob(binary, k=iwae_k, labels=labels, seed=0).mean())}
    return {"nll_exact": float(-model.log_prob(binary, labels=labels).mean())}


def reconstruction_figures(model, seed=0):
    """Held-out reconstruction error per pixel ([-1, 1] scale); for a denoising model also on
    inputs corrupted by its own noise (drawn here with NumPy, so every backend sees the same)."""
    held_out, _ = data.load_mnist_5k("test")
    clean = held_out.astype(np.float32) / 127.5 - 1.0
    error = lambda x: float(np.mean(np.square(keras.ops.convert_to_numpy(model.reconstruct(x)) - clean)))  # noqa: E731
    figures = {"reconstruction_mse": error(clean)}
    if isinstance(model, DenoisingAutoencoder):
        rng = np.random.default_rng(seed)
        if model.noise_type == "gaussian":
            noisy = np.clip(clean + model.noise_level * rng.standard_normal(clean.shape), -1.0, 1.0)
        else:
            noisy = np.where(rng.uniform(size=clean.shape) < model.noise_level, -1.0, clean)
        noisy = noisy.astype(np.float32)
        figures.update(noisy_input_mse=float(np.mean(np.square(noisy - clean))), denoised_mse=error(noisy))
    return figures


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("presets", nargs="*", help="entry/preset, e.g. dcgan/mnist-5k")
    parser.add_argument("--model", action="append", default=[], help="a saved model (.keras) to judge; repeatable")
    parser.add_argument("--real", action="store_true", help="the real held-out digits' figures and the FID floor")
    parser.add_argument("-n", type=int, default=1000, help="samples (the held-out set has 1,000 digits)")
    parser.add_argument("--iwae-k", type=int, default=IWAE_K, help="importance samples of the VAEs' NLL bound")
    parser.add_argument("--json", help="also write the results here")
    args = parser.parse_args()
    results = [real_figures(args.n)] if args.real else []
    results += [preset_figures(key, args.n, iwae_k=args.iwae_k) for key in args.presets]
    results += [{"model": path, **model_figures(keras.models.load_model(path), args.n, iwae_k=args.iwae_k)}
                for path in args.model]
    for result in results:
        print(json.dumps(result))
    if args.json:
        with open(args.json, "w") as f:
            json.dump(results, f, indent=2)


if __name__ == "__main__":
    main()
