"""Batch normalization and layer normalization against torch.nn.functional."""

import pytest
import torch
import torch.nn.functional as F
from hypothesis import example, given
from reference_oracles import (
    BATCHNORM_CASES,
    BATCHNORM_EXAMPLE,
    LAYERNORM_CASES,
    check_batchnorm,
    check_layer_norm,
    fixture_settings,
)

from autograder.reference import batchnorm_forward, layer_norm


@fixture_settings
@given(case=BATCHNORM_CASES)
@example(case=BATCHNORM_EXAMPLE)
def test_batchnorm_forward_matches_f_batch_norm(device, dtype, case):
    """Normalize with the BIASED batch variance, update the running variance with the UNBIASED
    one, and in eval mode normalize with the running statistics."""
    check_batchnorm(batchnorm_forward, device, dtype, case)


@pytest.mark.parametrize("shape", [(8, 3), (4, 3, 5), (4, 3, 5, 6)], ids=str)
def test_batchnorm_forward_2d_3d_4d(device, dtype, shape):
    """Statistics are per channel (dim 1) over every other dim: (N, C), (N, C, L), (N, C, H, W)."""
    N, C, *spatial = shape
    case = {"seed": 5, "N": N, "C": C, "spatial": tuple(spatial), "momentum": 0.1, "eps": 1e-5}
    check_batchnorm(batchnorm_forward, device, dtype, {**case, "calls": 3})


def test_batchnorm_defaults_are_torchs(device, dtype):
    """The defaults momentum=0.1 and eps=1e-5 are F.batch_norm's (and nn.BatchNorm's)."""
    x = torch.randn(6, 2, 3, device=device, dtype=dtype) * 4 + 1
    gamma, beta = (
        torch.ones(2, device=device, dtype=dtype),
        torch.zeros(2, device=device, dtype=dtype),
    )
    rm, rv = torch.zeros(2, device=device, dtype=dtype), torch.ones(2, device=device, dtype=dtype)
    y, rm_new, rv_new = batchnorm_forward(x, gamma, beta, rm, rv, True)
    rm_torch, rv_torch = rm.clone(), rv.clone()
    torch.testing.assert_close(y, F.batch_norm(x, rm_torch, rv_torch, gamma, beta, True))
    torch.testing.assert_close((rm_new, rv_new), (rm_torch, rv_torch))


def test_batchnorm_gradients_match_torch(device, dtype):
    """y is differentiable in x, γ and β exactly like F.batch_norm (keep μ and σ² in the graph)."""
    gen = torch.Generator().manual_seed(0)
    x0, gamma0, beta0, w = (
        torch.randn(size, generator=gen, dtype=torch.float64).to(device, dtype)
        for size in [(5, 3, 2), (3,), (3,), (5, 3, 2)]
    )
    grads = []
    for fn in ["reference", "torch"]:
        x, gamma, beta = (t.clone().requires_grad_(True) for t in (x0, gamma0, beta0))
        rm, rv = (
            torch.zeros(3, device=device, dtype=dtype),
            torch.ones(3, device=device, dtype=dtype),
        )
        if fn == "reference":
            y, _, _ = batchnorm_forward(x, gamma, beta, rm, rv, True)
        else:
            y = F.batch_norm(x, rm, rv, gamma, beta, True)
        (y * w).sum().backward()
        grads.append((x.grad, gamma.grad, beta.grad))
    torch.testing.assert_close(grads[0], grads[1])


def test_batchnorm_rejects_one_value_per_channel_when_training():
    """With one value per channel the batch variance is 0/0: refuse it, as torch does."""
    x, ones, zeros = torch.randn(1, 3), torch.ones(3), torch.zeros(3)
    with pytest.raises(ValueError, match="more than 1 value"):
        batchnorm_forward(x, ones, zeros, zeros, ones, True)
    batchnorm_forward(x, ones, zeros, zeros, ones, False)  # evaluation is fine


@fixture_settings
@given(case=LAYERNORM_CASES)
@example(case={"seed": 0, "shape": (4,), "D": 2, "eps": 1e-5})
def test_layer_norm_matches_f_layer_norm(device, dtype, case):
    """Normalize each sample over its last dimension with the BIASED variance, then γ·x̂ + β."""
    check_layer_norm(layer_norm, device, dtype, case)
