"""`SpectralNormalization` (Miyato et al. 2018, "Spectral Normalization for Generative Adversarial
Networks") computes W_SN = W / sigma(W) functionally in every call, so that the gradient reaches W
through sigma as in the paper, identically on TensorFlow, JAX and PyTorch. (Keras' own
`keras.layers.SpectralNormalization` writes W / sigma into the kernel variable during training
calls: the gradient then skips sigma on TensorFlow and PyTorch but not on JAX, and PyTorch refuses
two such calls in one backward pass.)
"""

import keras
from keras import ops


def _normalize(x):
    return x / ops.sqrt(ops.sum(ops.square(x)) + 1e-12)


@keras.saving.register_keras_serializable(package="keras_gen")
class SpectralNormalization(keras.layers.Wrapper):
    """Run `layer` (Dense, Conv1D/2D/3D: any layer whose `kernel` has the outputs on its last
    axis) with its kernel divided by its largest singular value.

    sigma(W) is estimated by `power_iterations` steps of the power method on W reshaped to
    (-1, outputs), from a vector u kept across calls (Miyato et al. 2018, Algorithm 1): u and v are
    constants for the gradient, sigma = v W u^T is not, so dW_SN/dW includes the sigma term.
    Training calls store the new u (a non-trainable variable); inference calls do not. The kernel
    variable is never written: the layer's stored weights stay the raw W.
    """

    def __init__(self, layer, power_iterations=1, **kwargs):
        super().__init__(layer, **kwargs)
        if int(power_iterations) < 1:
            raise ValueError(f"power_iterations must be at least 1; got {power_iterations}.")
        self.power_iterations = int(power_iterations)

    def build(self, input_shape):
        super().build(input_shape)
        kernel = getattr(self.layer, "kernel", None)
        if not isinstance(kernel, keras.Variable):
            raise ValueError(
                f"SpectralNormalization wraps layers with a `kernel` weight (Dense, Conv2D, ...); "
                f"{type(self.layer).__name__} has none."
            )
        self.kernel_variable = kernel
        self.vector_u = self.add_weight(
            shape=(1, kernel.shape[-1]),
            initializer=keras.initializers.RandomNormal(stddev=1.0),
            trainable=False,
            name="vector_u",
        )

    def normalized_kernel(self):
        """(W / sigma(W), the power method's new u), from the current kernel and u."""
        kernel = self.kernel_variable.value
        matrix = ops.reshape(kernel, (-1, kernel.shape[-1]))
        constant = ops.stop_gradient(matrix)
        u = self.vector_u.value
        for _ in range(self.power_iterations):
            v = _normalize(ops.matmul(u, ops.transpose(constant)))
            u = _normalize(ops.matmul(v, constant))
        sigma = ops.sum(ops.matmul(v, matrix) * u)
        return kernel / sigma, u

    def call(self, inputs, training=False):
        kernel, u = self.normalized_kernel()
        if training:
            self.vector_u.assign(u)
        # Every inner variable at its current value (from an enclosing stateless scope on JAX), the
        # kernel replaced by W_SN: the inner layer computes with W_SN and nothing is written.
        mapping = [(v, v.value) for v in self.layer.variables if v is not self.kernel_variable]
        with keras.StatelessScope(state_mapping=mapping + [(self.kernel_variable, kernel)]):
            return self.layer(inputs, training=training)

    def compute_output_shape(self, input_shape):
        return self.layer.compute_output_shape(input_shape)

    def get_config(self):
        return {**super().get_config(), "power_iterations": self.power_iterations}
