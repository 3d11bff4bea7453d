"""Checks of the BatchNorm exercise: `batchnorm_forward`, F.batch_norm's forward pass."""

import pytest
import torch

from autograder import reference as ref
from autograder.judge import expect_call, expect_raises

EXERCISE = "batchnorm"
FUNCTIONS = ("batchnorm_forward",)
NAMES = ("y", "running_mean", "running_var")


def _inputs(r, device, dtype, shape, training):
    C = shape[1]
    return dict(
        x=r.randn(*shape, dtype=dtype, device=device, scale=r.uniform(0.5, 3.0)) + r.uniform(-2, 2),
        gamma=r.randn(C, dtype=dtype, device=device),
        beta=r.randn(C, dtype=dtype, device=device),
        running_mean=r.randn(C, dtype=dtype, device=device),
        running_var=r.rand(C, dtype=dtype, device=device) + 0.5,
        training=training,
        momentum=r.uniform(0.05, 0.5),
        eps=r.log_uniform(1e-5, 0.1),
    )


@pytest.mark.points(3)
def test_training_normalizes_with_batch_statistics(submission, cases):
    """In training, batchnorm_forward must normalize each channel of an (N, C) batch
    with its mean and BIASED variance, then scale by gamma and shift by beta."""
    for r in cases:
        for device in r.devices:
            for dtype in (torch.float32, torch.float64):
                inputs = _inputs(r, device, dtype, (r.integer(4, 8), 3), training=True)
                expect_call(
                    submission, "batchnorm_forward", inputs, ref.batchnorm_forward, r, names=NAMES
                )


@pytest.mark.points(2)
def test_running_statistics_update(submission, cases):
    """In training, batchnorm_forward must return running_mean and running_var blended
    with the batch mean and the UNBIASED batch variance by `momentum`."""
    for r in cases:
        for device in r.devices:
            inputs = _inputs(r, device, torch.float64, (5, 4), training=True)
            expect_call(
                submission,
                "batchnorm_forward",
                inputs,
                ref.batchnorm_forward,
                r,
                names=NAMES,
                select=(1, 2),
            )


@pytest.mark.points(2)
def test_evaluation_uses_running_statistics(submission, cases):
    """With training=False, batchnorm_forward must normalize with running_mean and
    running_var and return them unchanged."""
    for r in cases:
        for device in r.devices:
            for shape in ((6, 3), (4, 2, 3, 3)):
                inputs = _inputs(r, device, torch.float64, shape, training=False)
                expect_call(
                    submission, "batchnorm_forward", inputs, ref.batchnorm_forward, r, names=NAMES
                )


@pytest.mark.points(2)
def test_images_pool_over_spatial_positions(submission, cases):
    """For an (N, C, H, W) batch, batchnorm_forward must pool each channel's statistics
    over the batch and every spatial position."""
    for r in cases:
        for device in r.devices:
            for dtype in (torch.float32, torch.float64):
                inputs = _inputs(r, device, dtype, (3, 2, 4, 5), training=True)
                expect_call(
                    submission, "batchnorm_forward", inputs, ref.batchnorm_forward, r, names=NAMES
                )


@pytest.mark.points(1)
def test_rejects_invalid_arguments(submission, cases):
    """batchnorm_forward must raise ValueError when a per-channel argument does not have shape
    (C,), and in training with a single value per channel."""
    for r in cases:
        for device in r.devices:
            inputs = _inputs(r, device, torch.float64, (4, 3), training=True)
            for name in ("gamma", "running_var"):
                wrong = dict(inputs, **{name: r.randn(2, device=device)})
                rule = "raise ValueError if a per-channel argument does not have shape (C,)"
                expect_raises(
                    submission, "batchnorm_forward", wrong, ValueError, r, rule=rule, valid=inputs
                )
            single = _inputs(r, device, torch.float64, (1, 3), training=True)
            rule = "raise ValueError if training with a single value per channel"
            expect_raises(
                submission, "batchnorm_forward", single, ValueError, r, rule=rule, valid=inputs
            )
