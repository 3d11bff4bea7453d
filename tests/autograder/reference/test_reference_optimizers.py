"""The optimizer steps follow torch.optim step by step, over adversarial hyper-parameters."""

import pytest
import torch
from hypothesis import example, given
from reference_oracles import (
    ADAGRAD_CASES,
    ADAGRAD_EXAMPLE,
    ADAM_CASES,
    ADAM_EXAMPLE,
    MOMENTUM_CASES,
    MOMENTUM_EXAMPLE,
    RMSPROP_CASES,
    RMSPROP_EXAMPLE,
    check_adagrad,
    check_adam,
    check_momentum,
    check_rmsprop,
    fixture_settings,
)

from autograder.reference import adagrad_step, adam_step, momentum_step, rmsprop_step


@fixture_settings
@given(case=MOMENTUM_CASES)
@example(case=MOMENTUM_EXAMPLE)
def test_momentum_step_matches_torch_sgd_with_momentum(device, dtype, case):
    """m ← λ·m − η·g then θ ← θ + m must follow torch.optim.SGD(momentum), with m = −η·buffer."""
    check_momentum(momentum_step, device, dtype, case)


@fixture_settings
@given(case=RMSPROP_CASES)
@example(case=RMSPROP_EXAMPLE)
def test_rmsprop_step_matches_torch_rmsprop(device, dtype, case):
    """square_avg ← α·square_avg + (1 − α)·g², and ε goes outside the root: η·g/(√s + ε)."""
    check_rmsprop(rmsprop_step, device, dtype, case)


@fixture_settings
@given(case=ADAM_CASES)
@example(case=ADAM_EXAMPLE)
def test_adam_step_matches_torch_adam(device, dtype, case):
    """Adam needs both bias corrections with the 1-based t, and ε outside the root of v̂."""
    check_adam(adam_step, device, dtype, case)


@fixture_settings
@given(case=ADAGRAD_CASES)
@example(case=ADAGRAD_EXAMPLE)
def test_adagrad_step_matches_torch_adagrad(device, dtype, case):
    """state_sum accumulates every g² (no decay), and ε goes outside the root."""
    check_adagrad(adagrad_step, device, dtype, case)


def test_adam_first_step_moves_every_coordinate_by_lr(device, dtype):
    """With m̂ = g and v̂ = g² at t = 1, the first Adam step is −η·sign(g) (up to ε)."""
    theta = torch.zeros(5, device=device, dtype=dtype)
    grad = torch.tensor([1e-3, -2.0, 5.0, -7e2, 0.3], device=device, dtype=dtype)
    zeros = torch.zeros_like(theta)
    new_theta, _, _ = adam_step(theta, grad, zeros, zeros, 1, lr=0.01, eps=1e-12)
    torch.testing.assert_close(new_theta, -0.01 * grad.sign())


def test_momentum_zero_is_plain_gradient_descent(device, dtype):
    """With momentum λ = 0 the step is θ − η·g and the movement is −η·g."""
    theta = torch.randn(4, device=device, dtype=dtype)
    grad = torch.randn(4, device=device, dtype=dtype)
    movement = torch.randn(4, device=device, dtype=dtype)  # forgotten when λ = 0
    new_theta, new_movement = momentum_step(theta, grad, movement, 0.1, 0.0)
    torch.testing.assert_close(new_theta, theta - 0.1 * grad)
    torch.testing.assert_close(new_movement, -0.1 * grad)


@pytest.mark.parametrize("t", [0, -1])
def test_adam_rejects_t_below_one(t):
    """t is the 1-based index of the step: t = 0 would divide by 1 − β^0 = 0."""
    theta = torch.zeros(2)
    with pytest.raises(ValueError, match="1-based"):
        adam_step(theta, theta, theta, theta, t)
