"""Every reference function is pure: inputs untouched, new tensors on the input's device/dtype."""

from collections.abc import Callable
from typing import Any

import pytest
import torch
from reference_oracles import assert_pure

import autograder.reference as R


def purity_calls(device: torch.device, dtype: torch.dtype) -> dict[str, tuple[Callable, tuple]]:
    """name → (function, arguments); the first tensor argument sets the expected device/dtype."""
    gen = torch.Generator().manual_seed(0)

    def r(*shape: int) -> torch.Tensor:
        return torch.randn(shape, generator=gen, dtype=torch.float64).to(device, dtype)

    theta, grad, m, v = r(3, 4), r(3, 4), r(3, 4), r(3, 4).abs()
    A = r(4, 4)
    H = A + A.T
    x2, x4, gamma, beta = r(6, 3), r(4, 3, 2, 2), r(3), r(3)
    running_mean, running_var = r(3), r(3).abs() + 0.5
    theta_with_grad = r(3).requires_grad_(True)  # a leaf the caller is differentiating
    target = torch.tensor([0, 2, 1, 1, 0, 2], device=device)
    return {
        "hessian": (R.hessian, (lambda t: (t**3).sum() + t.prod(), r(3))),
        "hessian(theta requires grad)": (R.hessian, (lambda t: (t**4).sum(), theta_with_grad)),
        "classify_critical_point": (R.classify_critical_point, (H,)),
        "escape_direction": (R.escape_direction, (H,)),
        "minimum_ratio": (R.minimum_ratio, (H,)),
        "momentum_step": (R.momentum_step, (theta, grad, m, 0.1, 0.9)),
        "rmsprop_step": (R.rmsprop_step, (theta, grad, v, 0.01)),
        "adam_step": (R.adam_step, (theta, grad, m, v, 3)),
        "adagrad_step": (R.adagrad_step, (theta, grad, v, 0.1)),
        "batchnorm_forward(2-D, training)": (
            R.batchnorm_forward,
            (x2, gamma, beta, running_mean, running_var, True),
        ),
        "batchnorm_forward(4-D, eval)": (
            R.batchnorm_forward,
            (x4, gamma, beta, running_mean, running_var, False),
        ),
        "layer_norm": (R.layer_norm, (x2, gamma, beta)),
        "dropout(training)": (R.dropout, (x4, 0.5, True)),
        "dropout(eval)": (R.dropout, (x4, 0.5, False)),
        "dropout(p=0)": (R.dropout, (x4, 0.0, True)),
        "softmax": (R.softmax, (x4, 1)),
        "cross_entropy": (R.cross_entropy, (x2, target)),
    }


CALLS = list(purity_calls(torch.device("cpu"), torch.float64))


@pytest.mark.parametrize("name", CALLS)
def test_reference_function_is_pure(device, dtype, name):
    """Never modify an argument in place (no `+=`, `mul_`, `.data`); return new tensors with the
    input's device and dtype (clone running statistics instead of returning them)."""
    fn, args = purity_calls(device, dtype)[name]
    like = next(a for a in args if isinstance(a, torch.Tensor))
    assert_pure(fn, *args, like=like)


@pytest.mark.parametrize("fn", [R.he_init, R.xavier_init], ids=lambda f: f.__name__)
def test_init_returns_the_requested_device_and_dtype(device, dtype, fn):
    """An initializer returns a tensor of the requested dtype on the requested device."""
    w = fn((5, 4, 3), generator=torch.Generator(device).manual_seed(0), dtype=dtype, device=device)
    assert (w.shape, w.dtype, w.device.type) == ((5, 4, 3), dtype, device.type)


def test_every_public_function_is_checked_for_purity():
    """Each function exported by autograder.reference appears in the purity checks."""
    covered: set[Any] = {fn for fn, _ in purity_calls(torch.device("cpu"), torch.float64).values()}
    covered |= {R.he_init, R.xavier_init, R.lr_at}  # no tensor inputs to modify
    # plain data in and out: their inputs are compared before and after in test_reference_diagnosis
    covered |= {R.diagnose, R.repair}
    missing = {name for name in R.__all__ if getattr(R, name) not in covered}
    assert not missing, f"add purity checks for {sorted(missing)}"
