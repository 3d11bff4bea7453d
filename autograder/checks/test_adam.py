"""Checks of the Adam exercise: `adam_step`, one bias-corrected Adam update."""
# ruff: noqa: B023  (each trajectory closure is called within its own loop iteration)

from itertools import product

import pytest
import torch

from autograder import reference as ref
from autograder.checks._common import next_state
from autograder.judge import expect_call, expect_equal, expect_raises

EXERCISE = "adam"
FUNCTIONS = ("adam_step",)
NAMES = ("theta", "m", "v")


def _state(r, device, dtype, n=6):
    """θ and a gradient whose magnitudes span 1e-4..1e3 in every round: ε matters next to the
    smallest, bias correction next to all of them."""
    theta = r.randn(n, dtype=dtype, device=device)
    return theta, r.spread(n, 1e-4, 1e3, dtype=dtype, device=device)


@pytest.mark.points(2)
def test_first_step(submission, cases):
    """On the first call (t=1, m=v=0) adam_step must move each coordinate by about lr against the
    sign of grad, thanks to the bias correction."""
    for r in cases:
        for device in r.devices:
            theta, grad = _state(r, device, torch.float64)
            zeros = torch.zeros_like(theta)
            inputs = dict(theta=theta, grad=grad, m=zeros, v=zeros, t=1, lr=r.uniform(0.01, 0.1))
            expect_call(submission, "adam_step", inputs, ref.adam_step, r, names=NAMES)


@pytest.mark.points(3)
def test_single_step(submission, cases):
    """adam_step must return (theta, m, v) after one step from any state, with eps added outside the
    square root of v_hat."""
    for r in cases:
        for device in r.devices:
            for dtype, t in product((torch.float32, torch.float64), (1, r.integer(2, 30), 2000)):
                theta, grad = _state(r, device, dtype)
                inputs = dict(
                    theta=theta,
                    grad=grad,
                    m=r.randn(6, dtype=dtype, device=device, scale=0.1),
                    v=r.rand(6, dtype=dtype, device=device) * 0.01,
                    t=t,
                    lr=r.log_uniform(1e-3, 0.1),
                    beta1=r.uniform(0.5, 0.95),
                    beta2=r.uniform(0.9, 0.999),
                    eps=r.log_uniform(1e-3, 0.1),
                )
                expect_call(submission, "adam_step", inputs, ref.adam_step, r, names=NAMES)


@pytest.mark.points(3)
def test_matches_torch_adam(submission, cases):
    """Ten calls of adam_step (t = 1, 2, ...) on a quadratic must follow torch.optim.Adam with the
    same hyperparameters."""
    for r in cases:
        for device in r.devices:
            dtype = torch.float64
            A = r.randn(4, 4, dtype=dtype, device=device)
            A = A @ A.T + torch.eye(4, dtype=dtype, device=device)
            theta0 = r.randn(4, dtype=dtype, device=device)
            hyper = dict(
                lr=r.log_uniform(1e-3, 0.1),
                beta1=r.uniform(0.7, 0.9),
                beta2=r.uniform(0.9, 0.999),
                eps=r.log_uniform(1e-3, 1e-1),
            )

            def run(step_fn):
                theta = theta0.clone()
                m, v = torch.zeros_like(theta), torch.zeros_like(theta)
                for t in range(1, 11):
                    grad = A @ theta  # gradient of ½ θᵀAθ
                    out = step_fn(theta, grad, m, v, t, **hyper)
                    theta, m, v = next_state(
                        out, (theta, m, v), function="adam_step", r=r, call=t, calls=10
                    )
                return theta

            p = theta0.clone().requires_grad_(True)
            opt = torch.optim.Adam(
                [p], lr=hyper["lr"], betas=(hyper["beta1"], hyper["beta2"]), eps=hyper["eps"]
            )
            for _ in range(10):
                opt.zero_grad()
                p.grad = A @ p.detach()
                opt.step()
            got = run(submission.adam_step)
            expect_equal(
                got,
                p.detach(),
                function="adam_step",
                r=r,
                recompute=run,
                context=f"theta after 10 steps of adam_step ({r.label} case, {device.type})",
            )


@pytest.mark.points(1)
def test_keeps_dtype_and_device(submission, cases):
    """adam_step must return float32 tensors of theta's shape on theta's device when given float32
    inputs."""
    for r in cases:
        for device in r.devices:
            theta = r.randn(2, 3, dtype=torch.float32, device=device)
            grad = r.spread(6, 0.1, 10.0, dtype=torch.float32, device=device).reshape(2, 3)
            zeros = torch.zeros_like(theta)
            inputs = dict(theta=theta, grad=grad, m=zeros, v=zeros, t=r.integer(1, 5), lr=0.01)
            expect_call(submission, "adam_step", inputs, ref.adam_step, r, names=NAMES)


@pytest.mark.points(1)
def test_rejects_t_below_one(submission, cases):
    """adam_step must raise ValueError when t < 1, since t is the 1-based index of the step."""
    for r in cases:
        for device in r.devices:
            theta, grad = _state(r, device, torch.float64)
            zeros = torch.zeros_like(theta)
            for t in (0, -r.integer(1, 5)):
                inputs = dict(theta=theta, grad=grad, m=zeros, v=zeros, t=t, lr=0.01)
                expect_raises(
                    submission,
                    "adam_step",
                    inputs,
                    ValueError,
                    r,
                    rule="raise ValueError if t < 1",
                    valid=dict(inputs, t=1),
                )
