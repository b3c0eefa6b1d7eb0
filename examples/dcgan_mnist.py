"""Train a DCGAN on the bundled MNIST digits and save a sample grid after every epoch.

    KERAS_BACKEND=jax python examples/dcgan_mnist.py      # or tensorflow / torch
"""

import keras

import keras_gen

model = keras_gen.zoo.build("dcgan")  # Radford et al.'s nets, tuned for small digit sets (zoo/dcgan)
data = keras_gen.data.load("mnist-5k", batch_size=64)
model.fit(data, epochs=30, callbacks=[keras_gen.callbacks.SampleGrid("runs/example-dcgan/samples")])

images = model.sample(64, seed=0)  # float32 NHWC in [-1, 1]
keras_gen.images.save_grid(images, "runs/example-dcgan/final.png")
model.save("runs/example-dcgan/model.keras")
reloaded = keras.models.load_model("runs/example-dcgan/model.keras")
print("reloaded model gives the same samples:", bool((reloaded.sample(64, seed=0) == images).all()))
