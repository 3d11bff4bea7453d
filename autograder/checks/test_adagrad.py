"""Checks of the Adagrad exercise: `adagrad_step`, torch.optim.Adagrad's update."""
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

EXERCISE = "adagrad"
FUNCTIONS = ("adagrad_step",)
NAMES = ("theta", "state_sum")


@pytest.mark.points(3)
def test_single_step(submission, cases):
    """adagrad_step must add g² to state_sum first, then divide the gradient
    by √state_sum + eps (eps outside the square root)."""
    for r in cases:
        for device in r.devices:
            for dtype in (torch.float32, torch.float64):
                inputs = dict(
                    theta=r.randn(4, dtype=dtype, device=device),
                    grad=r.randn(4, dtype=dtype, device=device),
                    state_sum=r.rand(4, dtype=dtype, device=device) * 2,
                    lr=r.log_uniform(1e-3, 0.5),
                    eps=r.log_uniform(1e-3, 0.1),
                )
                expect_call(submission, "adagrad_step", inputs, ref.adagrad_step, r, names=NAMES)


@pytest.mark.points(3)
def test_matches_torch_adagrad(submission, cases):
    """Twelve calls of adagrad_step on a quadratic must follow torch.optim.Adagrad."""
    steps = 12
    for r in cases:
        for device in r.devices:
            A, theta0 = quadratic_problem(r, device)
            lr, eps = r.log_uniform(0.01, 0.5), r.log_uniform(1e-3, 1e-1)

            def run(step_fn):
                return learner_trajectory(
                    lambda theta, grad, G: step_fn(theta, grad, G, lr, eps=eps),
                    A, theta0, steps, function="adagrad_step", r=r,
                )  # fmt: skip

            want = torch_trajectory(
                lambda ps: torch.optim.Adagrad(ps, lr=lr, eps=eps), A, theta0, steps
            )
            got = run(submission.adagrad_step)
            expect_trajectory(
                got, want, run, function="adagrad_step", r=r, device=device, steps=steps
            )


@pytest.mark.points(2)
def test_first_step(submission, cases):
    """From state_sum = 0, the first adagrad_step must move each coordinate by about lr
    against the sign of its gradient."""
    for r in cases:
        for device in r.devices:
            theta = r.randn(5, dtype=torch.float32, device=device)
            inputs = dict(
                theta=theta,
                grad=r.randn(5, dtype=torch.float32, device=device, scale=10.0),
                state_sum=torch.zeros_like(theta),
                lr=r.log_uniform(1e-3, 0.1),
            )
            expect_call(submission, "adagrad_step", inputs, ref.adagrad_step, r, names=NAMES)
