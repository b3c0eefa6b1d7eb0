"""Dynamic loss scaling for float16 training (Micikevicius et al. 2018, "Mixed Precision Training").

Under `keras.config.set_dtype_policy("mixed_float16")` the networks compute in float16, whose
smallest normal number is 6e-5: small gradients flowing back through float16 activations would
underflow to zero. So each network's loss is multiplied by a scale S before differentiation and
its gradients divided by S before the update. A step whose gradients overflow (inf or NaN) is
skipped and S halves; after `growth_steps` finite steps in a row S doubles.

Keras' `LossScaleOptimizer` does this for a model with one optimizer, but a GAN steps two
networks at different times with two optimizers inside a `MultiOptimizer`, which refuses
`LossScaleOptimizer`s. keras-gen keeps one scale per network's optimizer (a critic's and a
generator's gradients differ by orders of magnitude), stored as two variables of that optimizer:
saved and restored with its slots, and carried through JAX's stateless step like Adam's moments.
`GenerativeModel.minimize` is the one place that uses it; the skip itself is per backend
(`keras_gen.backend.apply_gradients(..., skip_nonfinite=True)`).
"""

from keras import initializers, ops

from keras_gen import backend


class DynamicLossScale:
    """The loss scale of one optimizer: S starts at `initial_scale` (2^15, as Keras' own) and
    doubles after `growth_steps` finite steps (2,000, as Keras')."""

    def __init__(self, optimizer, initial_scale=2.0**15, growth_steps=2000):
        self.growth_steps = growth_steps
        # "only_first_replica": every replica computes the same value (the finite flag is global).
        self.scale = optimizer.add_variable(
            (), initializers.Constant(initial_scale), "float32", "only_first_replica", name="loss_scale"
        )
        self.finite_steps = optimizer.add_variable(
            (), "zeros", "int32", "only_first_replica", name="loss_scale_finite_steps"
        )

    def minimize(self, loss_fn, variables, model_variables, optimizer):
        """One update of `variables` on the gradient of `loss_fn() -> (loss, aux)` computed at S
        times the loss; returns `(loss, aux)` unscaled."""
        scale = self.scale.value  # read here: JAX's inner gradient scope does not map this variable

        def scaled_loss_fn():
            loss, aux = loss_fn()
            return ops.cast(loss, "float32") * scale, (loss, aux)

        (_, (loss, aux)), grads = backend.value_and_grad(scaled_loss_fn, variables, model_variables)
        grads = [ops.divide(g, scale) for g in grads]
        finite = backend.apply_gradients(optimizer, grads, variables, skip_nonfinite=True)
        self.update(finite)
        return loss, aux

    def update(self, finite):
        """Halve S after an overflow; double it after `growth_steps` finite steps in a row."""
        finite = ops.convert_to_tensor(finite)
        steps = self.finite_steps.value + 1
        grow = ops.logical_and(finite, ops.greater_equal(steps, self.growth_steps))
        self.scale.assign(ops.where(finite, ops.where(grow, 2.0, 1.0), 0.5) * self.scale.value)
        self.finite_steps.assign(ops.where(ops.logical_and(finite, ops.logical_not(grow)), steps, 0))
