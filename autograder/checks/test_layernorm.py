"""Checks of the LayerNorm exercise: `layer_norm` over the last dimension."""

import pytest
import torch

from autograder import reference as ref
from autograder.judge import expect_call, expect_raises

EXERCISE = "layernorm"
FUNCTIONS = ("layer_norm",)


def _inputs(r, device, dtype, shape):
    D = shape[-1]
    return dict(
        x=r.randn(*shape, dtype=dtype, device=device, scale=r.uniform(0.5, 3.0)) + r.uniform(-1, 1),
        gamma=r.randn(D, dtype=dtype, device=device),
        beta=r.randn(D, dtype=dtype, device=device),
        eps=r.log_uniform(1e-3, 0.5),
    )


@pytest.mark.points(3)
def test_normalizes_each_sample(submission, cases):
    """layer_norm must normalize each row of an (N, D) input over its D features
    with the BIASED variance and eps inside the square root."""
    for r in cases:
        for device in r.devices:
            for dtype in (torch.float32, torch.float64):
                inputs = _inputs(r, device, dtype, (r.integer(3, 6), r.integer(3, 6)))
                expect_call(submission, "layer_norm", inputs, ref.layer_norm, r)


@pytest.mark.points(3)
def test_any_leading_shape(submission, cases):
    """layer_norm must accept inputs of shape (..., D), such as (B, T, D), and normalize the last
    dimension only."""
    for r in cases:
        for device in r.devices:
            inputs = _inputs(r, device, torch.float64, (2, 3, r.integer(4, 8)))
            expect_call(submission, "layer_norm", inputs, ref.layer_norm, r)


@pytest.mark.points(1)
def test_single_sample(submission, cases):
    """layer_norm must work for a batch of one sample, since it never looks across samples."""
    for r in cases:
        for device in r.devices:
            inputs = _inputs(r, device, torch.float32, (1, 5))
            expect_call(submission, "layer_norm", inputs, ref.layer_norm, r)


@pytest.mark.points(1)
def test_rejects_invalid_shapes(submission, cases):
    """layer_norm must raise ValueError when gamma or beta does not have shape (D,)."""
    for r in cases:
        for device in r.devices:
            inputs = _inputs(r, device, torch.float64, (3, 4))
            for name in ("gamma", "beta"):
                wrong = dict(inputs, **{name: r.randn(5, device=device)})
                rule = "raise ValueError if gamma or beta does not have shape (D,)"
                expect_raises(
                    submission, "layer_norm", wrong, ValueError, r, rule=rule, valid=inputs
                )
