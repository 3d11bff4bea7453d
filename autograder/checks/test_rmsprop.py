"""Checks of the RMSProp exercise: `rmsprop_step`, torch.optim.RMSprop's update."""
# ruff: noqa: B023  (each trajectory closure is called within its own loop iteration)

import pytest
import torch

from autograder import reference as ref
from autograder.checks._common import (
    expect_trajectory,
    learner_trajectory,
    quadratic_problem,
    torch_trajectory,
)
from autograder.judge import expect_call

EXERCISE = "rmsprop"
FUNCTIONS = ("rmsprop_step",)
NAMES = ("theta", "square_avg")


@pytest.mark.points(2)
def test_first_step(submission, cases):
    """From square_avg = 0, rmsprop_step must first update square_avg = (1 − α)·g²
    and then divide the gradient by √square_avg + eps."""
    for r in cases:
        for device in r.devices:
            theta = r.randn(5, device=device)
            inputs = dict(
                theta=theta,
                grad=r.spread(5, 1e-3, 1e2, device=device),
                square_avg=torch.zeros_like(theta),
                lr=r.log_uniform(1e-3, 0.1),
                alpha=r.uniform(0.8, 0.999),
                eps=r.log_uniform(1e-4, 1e-3),
            )
            expect_call(submission, "rmsprop_step", inputs, ref.rmsprop_step, r, names=NAMES)


@pytest.mark.points(3)
def test_single_step(submission, cases):
    """rmsprop_step must return (theta, square_avg) after one step from any state,
    with eps added outside the square root."""
    for r in cases:
        for device in r.devices:
            for dtype in (torch.float32, torch.float64):
                inputs = dict(
                    theta=r.randn(2, 5, dtype=dtype, device=device),
                    grad=r.randn(2, 5, dtype=dtype, device=device),
                    square_avg=r.rand(2, 5, dtype=dtype, device=device) * 0.5,
                    lr=r.log_uniform(1e-3, 0.1),
                    alpha=r.uniform(0.7, 0.99),
                    eps=r.log_uniform(1e-3, 0.1),
                )
                expect_call(submission, "rmsprop_step", inputs, ref.rmsprop_step, r, names=NAMES)


@pytest.mark.points(3)
def test_matches_torch_rmsprop(submission, cases):
    """Twelve calls of rmsprop_step on a quadratic must follow torch.optim.RMSprop."""
    steps = 12
    for r in cases:
        for device in r.devices:
            A, theta0 = quadratic_problem(r, device)
            lr, alpha, eps = (
                r.log_uniform(1e-3, 0.05),
                r.uniform(0.8, 0.99),
                r.log_uniform(1e-3, 1e-1),
            )

            def run(step_fn):
                return learner_trajectory(
                    lambda theta, grad, s: step_fn(theta, grad, s, lr, alpha=alpha, eps=eps),
                    A, theta0, steps, function="rmsprop_step", r=r,
                )  # fmt: skip

            want = torch_trajectory(
                lambda ps: torch.optim.RMSprop(ps, lr=lr, alpha=alpha, eps=eps), A, theta0, steps
            )
            got = run(submission.rmsprop_step)
            expect_trajectory(
                got, want, run, function="rmsprop_step", r=r, device=device, steps=steps
            )


@pytest.mark.points(2)
def test_keeps_dtype_and_device(submission, cases):
    """rmsprop_step must return float32 tensors of theta's shape on theta's device
    when given float32 inputs."""
    for r in cases:
        for device in r.devices:
            inputs = dict(
                theta=r.randn(3, dtype=torch.float32, device=device),
                grad=r.randn(3, dtype=torch.float32, device=device),
                square_avg=r.rand(3, dtype=torch.float32, device=device),
                lr=0.01,
            )
            expect_call(submission, "rmsprop_step", inputs, ref.rmsprop_step, r, names=NAMES)
