"""WGAN-GP (Gulrajani et al. 2017) on the bundled digits: n_critic = 5 critic steps with the gradient
penalty per generator step, with a sample grid and a domain FID after every epoch.

    KERAS_BACKEND=tensorflow python examples/wgan_gp_mnist.py
"""

import keras_gen

model = keras_gen.zoo.build("wgan-gp")  # lambda = 10, Adam(1e-4, 0, 0.9), layer norm in the critic
held_out, _ = keras_gen.data.load_mnist_5k("test")
history = model.fit(
    keras_gen.data.load("mnist-5k", batch_size=64 * model.minibatches_per_step),  # n_critic minibatches of 64
    epochs=5,
    callbacks=[
        keras_gen.callbacks.FID(held_out, extractor="mnist-lenet", n=1000),
        keras_gen.callbacks.SampleGrid("runs/example-wgan-gp/samples"),
    ],
)
print("critic loss, gradient penalty and FID per epoch:")
for epoch, (d, gp, fid) in enumerate(zip(history.history["d_loss"], history.history["gradient_penalty"], history.history["fid"]), 1):
    print(f"  {epoch}: d_loss {d:.3f}  penalty {gp:.3f}  fid (mnist-lenet, n=1000) {fid:.1f}")
