"""Reference implementations of every exercise: the contract the learners' code is graded on.

Each function is pure (inputs are never modified; results are new tensors), keeps the input's
device and dtype, and documents the torch built-in it matches. The tests in
`tests/autograder/reference/` compare every function with that built-in.
"""

from autograder.reference.critical_points import (
    classify_critical_point,
    escape_direction,
    hessian,
    minimum_ratio,
)
from autograder.reference.diagnosis import diagnose, repair
from autograder.reference.initialization import he_init, xavier_init
from autograder.reference.losses import cross_entropy, softmax
from autograder.reference.normalization import batchnorm_forward, layer_norm
from autograder.reference.optimizers import adagrad_step, adam_step, momentum_step, rmsprop_step
from autograder.reference.regularization import dropout
from autograder.reference.schedules import lr_at

__all__ = [
    "adagrad_step",
    "adam_step",
    "batchnorm_forward",
    "classify_critical_point",
    "cross_entropy",
    "diagnose",
    "dropout",
    "escape_direction",
    "he_init",
    "hessian",
    "layer_norm",
    "lr_at",
    "minimum_ratio",
    "momentum_step",
    "repair",
    "rmsprop_step",
    "softmax",
    "xavier_init",
]
