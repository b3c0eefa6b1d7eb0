"""PixelRNN test NLL on mnist-5k, and Parzen-window log-likelihoods of zoo samples (issue 7).

    KERAS_BACKEND=tensorflow python benchmarks/pixelrnn_parzen.py --pixelrnn-epochs 2 --dcgan-epochs 5
    KERAS_BACKEND=jax python benchmarks/pixelrnn_parzen.py --speed-only

Trains on the 4,000 mnist-5k training digits and scores the 1,000 held-out ones. The Parzen
estimates use [0, 1]-scaled pixels as in Goodfellow et al. (2014, Table 1), sigma chosen on 200
of the held-out digits and the other 800 scored; "real digits" are training digits standing in
for samples (the reference a model should be compared with). Theis et al. (2016): Parzen
estimates in 784 dimensions reward memorisation and are not log-likelihoods of the models.
Prints one JSON line per result; --out writes sample grids there.
"""

import argparse
import json
import os
import time

import keras
import numpy as np

from keras_gen import backend, data, images, zoo
from keras_gen.metrics import parzen_log_likelihood


def report(**fields):
    print(json.dumps({"backend": keras.backend.backend(), **fields}), flush=True)


def to_unit(x):
    return (np.asarray(x, np.float64) + 1.0) / 2.0


def sampling_speed(model, batch, rows):
    """Seconds per sampling step and per image, timed over the first `rows` rows of pixels
    (every step costs the same: a full forward pass over the batch), after one warm-up step."""
    step = backend.inference_function(model._step)
    x = keras.ops.zeros((batch, *model.data_shape))
    noise = keras.ops.convert_to_tensor(np.random.default_rng(0).gumbel(size=(batch, *model.data_shape, 256)).astype(np.float32))
    step(x, noise, keras.ops.convert_to_tensor(0, "int32"))
    width = model.data_shape[1]
    start = time.perf_counter()
    for index in range(rows * width):
        x = step(x, noise, keras.ops.convert_to_tensor(index, "int32"))
    keras.ops.convert_to_numpy(x)
    per_step = (time.perf_counter() - start) / (rows * width)
    pixels = model.data_shape[0] * model.data_shape[1]
    return per_step, per_step * pixels / batch


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--pixelrnn-epochs", type=int, default=2)
    parser.add_argument("--dcgan-epochs", type=int, default=5)
    parser.add_argument("--pixelrnn-samples", type=int, default=64)
    parser.add_argument("--parzen-samples", type=int, default=1000)
    parser.add_argument("--speed-only", action="store_true", help="only time PixelRNN sampling steps")
    parser.add_argument("--out", default="runs/pixelrnn_parzen")
    args = parser.parse_args()
    keras.utils.set_random_seed(0)
    os.makedirs(args.out, exist_ok=True)
    train, _ = data.load_mnist_5k("train")
    test, _ = data.load_mnist_5k("test")

    model = zoo.build("pixelrnn")
    per_step, per_image = sampling_speed(model, batch=16, rows=2)
    report(result="pixelrnn_sampling_speed", batch=16, seconds_per_step=round(per_step, 4),
           seconds_per_image=round(per_image, 3), timed_rows=2)
    if args.speed_only:
        return

    start = time.perf_counter()
    history = model.fit(data.load("mnist-5k", batch_size=64), epochs=args.pixelrnn_epochs, verbose=2)
    fit_seconds = time.perf_counter() - start
    nll = -model.log_prob(test)
    report(result="pixelrnn_test_nll", epochs=args.pixelrnn_epochs, fit_seconds=round(fit_seconds, 1),
           train_loss=history.history["loss"][-1], test_nll_nats=float(nll.mean()),
           test_nll_std_error=float(nll.std() / np.sqrt(len(nll))), test_bits_per_dim=float(model.bits_per_dim(test).mean()))
    model.save(os.path.join(args.out, "pixelrnn.keras"))
    pixelcnn = zoo.build("pixelcnn")  # same data, epochs and batch size, for the NLL comparison
    start = time.perf_counter()
    pixelcnn.fit(data.load("mnist-5k", batch_size=64), epochs=args.pixelrnn_epochs, verbose=2)
    fit_seconds = time.perf_counter() - start
    nll = -pixelcnn.log_prob(test)
    report(result="pixelcnn_test_nll", epochs=args.pixelrnn_epochs, fit_seconds=round(fit_seconds, 1),
           test_nll_nats=float(nll.mean()), test_nll_std_error=float(nll.std() / np.sqrt(len(nll))))
    start = time.perf_counter()
    pixelrnn_samples = model.sample(args.pixelrnn_samples, seed=0, batch_size=args.pixelrnn_samples)
    sample_seconds = time.perf_counter() - start
    report(result="pixelrnn_sampling", n=args.pixelrnn_samples, seconds=round(sample_seconds, 1))
    images.save_grid(pixelrnn_samples[:64], os.path.join(args.out, "pixelrnn_samples.png"), nrow=8)

    dcgan = zoo.build("dcgan", seed=0)
    start = time.perf_counter()
    dcgan.fit(data.load("mnist-5k", batch_size=64), epochs=args.dcgan_epochs, verbose=2)
    report(result="dcgan_fit", epochs=args.dcgan_epochs, fit_seconds=round(time.perf_counter() - start, 1))
    kde = zoo.build("kde")
    kde.fit(train)
    report(result="kde_fit", sigma=kde.sigma)

    n = args.parzen_samples
    rng = np.random.default_rng(0)
    real = train.astype(np.float32) / 127.5 - 1.0
    candidates = {
        "real digits (training set)": real[rng.permutation(len(real))[:n]],
        "kde": kde.sample(n, seed=0),
        "dcgan": dcgan.sample(n, seed=0),
    }
    images.save_grid(candidates["kde"][:64], os.path.join(args.out, "kde_samples.png"), nrow=8)
    images.save_grid(candidates["dcgan"][:64], os.path.join(args.out, "dcgan_samples.png"), nrow=8)
    test01 = to_unit(test.astype(np.float32) / 127.5 - 1.0)
    for name, samples in candidates.items():
        result = parzen_log_likelihood(to_unit(samples), test01)
        report(result="parzen", model=name, **result._asdict())
    m = len(pixelrnn_samples)  # PixelRNN samples are few; compare with real digits at the same N
    for name, samples in (("pixelrnn", pixelrnn_samples), ("real digits (training set)", real[rng.permutation(len(real))[:m]])):
        result = parzen_log_likelihood(to_unit(samples), test01)
        report(result="parzen", model=name, **result._asdict())

    # The curse of dimensionality: KDE samples sit next to training digits, unlike held-out digits.
    flat = real.reshape(len(real), -1)
    def nearest(x):
        x = np.asarray(x, np.float64).reshape(len(x), -1)
        d2 = (x**2).sum(1)[:, None] + (flat**2).sum(1)[None] - 2 * x @ flat.T
        return float(np.sqrt(np.maximum(d2.min(1), 0)).mean())
    report(result="nearest_training_digit_distance", kde_samples=nearest(candidates["kde"][:500]),
           dcgan_samples=nearest(candidates["dcgan"][:500]), held_out_digits=nearest(test[:500].astype(np.float32) / 127.5 - 1.0),
           kde_sigma_times_sqrt_dim=kde.sigma * np.sqrt(784))


if __name__ == "__main__":
    main()
