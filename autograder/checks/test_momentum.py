"""Checks of the momentum exercise: `momentum_step`, heavy-ball momentum in movement form."""
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

EXERCISE = "momentum"
FUNCTIONS = ("momentum_step",)
NAMES = ("theta", "movement")


@pytest.mark.points(2)
def test_first_step_is_gradient_descent(submission, cases):
    """From zero movement, momentum_step must take one plain gradient-descent step
    and return it as the new movement."""
    for r in cases:
        for device in r.devices:
            theta = r.randn(5, device=device)
            inputs = dict(
                theta=theta,
                grad=r.randn(5, device=device),
                movement=torch.zeros_like(theta),
                lr=r.log_uniform(1e-3, 0.5),
                momentum=r.uniform(0.5, 0.99),
            )
            expect_call(submission, "momentum_step", inputs, ref.momentum_step, r, names=NAMES)


@pytest.mark.points(3)
def test_single_step(submission, cases):
    """momentum_step must compute the new movement λ·m − η·g first and then add it to theta."""
    for r in cases:
        for device in r.devices:
            for dtype in (torch.float32, torch.float64):
                inputs = dict(
                    theta=r.randn(3, 4, dtype=dtype, device=device),
                    grad=r.randn(3, 4, dtype=dtype, device=device),
                    movement=r.randn(3, 4, dtype=dtype, device=device, scale=0.1),
                    lr=r.log_uniform(1e-3, 0.5),
                    momentum=r.uniform(0.3, 0.99),
                )
                expect_call(submission, "momentum_step", inputs, ref.momentum_step, r, names=NAMES)


@pytest.mark.points(3)
def test_matches_torch_sgd(submission, cases):
    """Twelve calls of momentum_step on a quadratic must follow torch.optim.SGD with momentum."""
    steps = 12
    for r in cases:
        for device in r.devices:
            A, theta0 = quadratic_problem(r, device)
            lr, momentum = r.log_uniform(0.01, 0.2), r.uniform(0.5, 0.95)

            def run(step_fn):
                return learner_trajectory(
                    lambda theta, grad, movement: step_fn(theta, grad, movement, lr, momentum),
                    A, theta0, steps, function="momentum_step", r=r,
                )  # fmt: skip

            want = torch_trajectory(
                lambda ps: torch.optim.SGD(ps, lr=lr, momentum=momentum), A, theta0, steps
            )
            got = run(submission.momentum_step)
            expect_trajectory(
                got, want, run, function="momentum_step", r=r, device=device, steps=steps
            )


@pytest.mark.points(2)
def test_zero_momentum(submission, cases):
    """With momentum=0, momentum_step must be exactly one gradient-descent step theta − lr·grad."""
    for r in cases:
        for device in r.devices:
            inputs = dict(
                theta=r.randn(6, dtype=torch.float32, device=device),
                grad=r.randn(6, dtype=torch.float32, device=device),
                movement=r.randn(6, dtype=torch.float32, device=device),
                lr=r.log_uniform(1e-3, 0.5),
                momentum=0.0,
            )
            expect_call(submission, "momentum_step", inputs, ref.momentum_step, r, names=NAMES)
