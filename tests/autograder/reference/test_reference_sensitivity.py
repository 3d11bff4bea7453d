"""Honest tests: every check used on the references rejects plausible wrong implementations.

A check that a wrong answer also passes proves nothing. Each broken variant below is a
mistake learners make; the very same oracle (from `reference_oracles`) that accepts the
reference must raise AssertionError on it, on a hand-picked example or on a case drawn from
the same strategy the reference tests use.
"""

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
import torch
from hypothesis import strategies as st
from reference_oracles import (
    ADAGRAD_CASES,
    ADAGRAD_EXAMPLE,
    ADAM_CASES,
    ADAM_EXAMPLE,
    BATCHNORM_CASES,
    BATCHNORM_EXAMPLE,
    CROSS_ENTROPY_CASES,
    DROPOUT_PS,
    HESSIAN_CASES,
    INIT_SHAPES,
    LARGE_LOGITS_EXAMPLE,
    LAYERNORM_CASES,
    MOMENTUM_CASES,
    MOMENTUM_EXAMPLE,
    RMSPROP_CASES,
    RMSPROP_EXAMPLE,
    SCHEDULE_CASES,
    SCHEDULE_EXAMPLE,
    SOFTMAX_CASES,
    SPECTRUM_CASES,
    assert_pure,
    check_adagrad,
    check_adam,
    check_batchnorm,
    check_classify,
    check_cross_entropy,
    check_dropout,
    check_escape,
    check_he_init,
    check_hessian,
    check_layer_norm,
    check_lr_at,
    check_minimum_ratio,
    check_momentum,
    check_rmsprop,
    check_softmax,
    check_xavier_init,
    rejected,
)
from torch import Tensor

import autograder.reference as R

# ---------------------------------------------------------------------------------- optimizers


def momentum_sign_flipped(theta, grad, movement, lr, momentum):
    movement = -momentum * movement - lr * grad  # the past movement pushes backwards
    return theta + movement, movement


def rmsprop_accumulating_like_adagrad(theta, grad, square_avg, lr, alpha=0.99, eps=1e-8):
    square_avg = square_avg + grad**2  # a sum, not a moving average
    return theta - lr * grad / (square_avg.sqrt() + eps), square_avg


def rmsprop_eps_inside_sqrt(theta, grad, square_avg, lr, alpha=0.99, eps=1e-8):
    square_avg = alpha * square_avg + (1 - alpha) * grad**2
    return theta - lr * grad / (square_avg + eps).sqrt(), square_avg


def adam_without_bias_correction(theta, grad, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    m = beta1 * m + (1 - beta1) * grad
    v = beta2 * v + (1 - beta2) * grad**2
    return theta - lr * m / (v.sqrt() + eps), m, v


def adam_eps_inside_sqrt(theta, grad, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    m = beta1 * m + (1 - beta1) * grad
    v = beta2 * v + (1 - beta2) * grad**2
    m_hat, v_hat = m / (1 - beta1**t), v / (1 - beta2**t)
    return theta - lr * m_hat / (v_hat + eps).sqrt(), m, v


def adam_t_counted_from_zero(theta, grad, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    m = beta1 * m + (1 - beta1) * grad
    v = beta2 * v + (1 - beta2) * grad**2
    t = t - 1  # the step index taken 0-based: 1 − β^0 = 0 at the first step
    m_hat, v_hat = m / (1 - beta1**t), v / (1 - beta2**t)
    return theta - lr * m_hat / (v_hat.sqrt() + eps), m, v


def adam_in_place(theta, grad, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    m.mul_(beta1).add_((1 - beta1) * grad)  # right numbers, but the caller's m and v change
    v.mul_(beta2).add_((1 - beta2) * grad**2)
    m_hat, v_hat = m / (1 - beta1**t), v / (1 - beta2**t)
    return theta - lr * m_hat / (v_hat.sqrt() + eps), m, v


def adagrad_eps_inside_sqrt(theta, grad, state_sum, lr, eps=1e-10):
    state_sum = state_sum + grad**2
    return theta - lr * grad / (state_sum + eps).sqrt(), state_sum


# ------------------------------------------------------------------------------- normalization


def _batchnorm_variant(unbiased_normalization=False, update=True, eval_uses_batch=False):
    def batchnorm(x, gamma, beta, running_mean, running_var, training, momentum=0.1, eps=1e-5):
        dims, shape = [0, *range(2, x.ndim)], [1, -1] + [1] * (x.ndim - 2)
        mean, var = x.mean(dims), x.var(dims, correction=0)
        n = x.numel() // x.shape[1]
        if training or eval_uses_batch:
            used_var = var * n / (n - 1) if unbiased_normalization else var
            x_hat = (x - mean.reshape(shape)) / (used_var.reshape(shape) + eps).sqrt()
        else:
            x_hat = (x - running_mean.reshape(shape)) / (running_var.reshape(shape) + eps).sqrt()
        if training and update:
            running_mean = (1 - momentum) * running_mean + momentum * mean
            running_var = (1 - momentum) * running_var + momentum * var * n / (n - 1)
        y = gamma.reshape(shape) * x_hat + beta.reshape(shape)
        return y, running_mean.clone(), running_var.clone()

    return batchnorm


batchnorm_unbiased_normalization = _batchnorm_variant(unbiased_normalization=True)
batchnorm_running_stats_not_updated = _batchnorm_variant(update=False)
batchnorm_eval_uses_batch_statistics = _batchnorm_variant(eval_uses_batch=True)


def layer_norm_unbiased_variance(x, gamma, beta, eps=1e-5):
    x_hat = (x - x.mean(-1, keepdim=True)) / (x.var(-1, keepdim=True) + eps).sqrt()  # ÷ (D − 1)
    return gamma * x_hat + beta


# ------------------------------------------------------------------------------ critical points


def hessian_from_gradient_sum(loss_fn, theta):
    theta_ = theta.detach().clone().requires_grad_(True)
    (g,) = torch.autograd.grad(loss_fn(theta_), theta_, create_graph=True)
    (row_sums,) = torch.autograd.grad(g.sum(), theta_)  # H·1, not H
    return row_sums.expand(len(theta), -1).clone()


def classify_zero_as_positive(H, tol=1e-6):
    lam = torch.linalg.eigvalsh(H)
    if (lam > tol).any() and (lam < -tol).any():
        return "saddle point"
    if (lam >= -tol).all():  # a zero eigenvalue counted as positive
        return "local minimum"
    if (lam <= tol).all():
        return "local maximum"
    return "inconclusive"


def minimum_ratio_counting_zeros(H, tol=1e-6):
    lam = torch.linalg.eigvalsh(H)
    return float((lam >= -tol).sum()) / len(lam)


def escape_direction_from_row(H):
    return torch.linalg.eigh(H).eigenvectors[0].clone()  # eigenvectors are columns, not rows


def escape_direction_of_largest_eigenvalue(H):
    return torch.linalg.eigh(H).eigenvectors[:, -1].clone()


# ------------------------------------------------------------------------------ initialization


def _normal(shape, std, generator, dtype, device):
    device = generator.device if device is None and generator is not None else device
    w = torch.randn(shape, generator=generator, dtype=dtype, device=device)
    return w * std


def he_with_fan_out(shape, generator=None, dtype=None, device=None):
    fan_out = shape[0] * math.prod(shape[2:])
    return _normal(shape, math.sqrt(2 / fan_out), generator, dtype, device)


def he_uniform(shape, generator=None, dtype=None, device=None):
    fan_in = shape[1] * math.prod(shape[2:])
    device = generator.device if device is None and generator is not None else device
    u = torch.rand(shape, generator=generator, dtype=dtype, device=device) * 2 - 1  # var 1/3
    return u * math.sqrt(3) * math.sqrt(2 / fan_in)  # the right std, but not a normal


def xavier_with_fan_in_only(shape, generator=None, dtype=None, device=None):
    fan_in = shape[1] * math.prod(shape[2:])
    return _normal(shape, math.sqrt(1 / fan_in), generator, dtype, device)  # LeCun, not Glorot


# ------------------------------------------------------------------------------ regularization


def dropout_without_rescale(x, p, training, generator=None):
    if not training:
        return x.clone()
    u = torch.rand(x.shape, generator=generator, dtype=x.dtype, device=x.device)
    return x * (u >= p)


def dropout_p_as_keep_probability(x, p, training, generator=None):
    if not training:
        return x.clone()
    u = torch.rand(x.shape, generator=generator, dtype=x.dtype, device=x.device)
    return x * (u < p) / p


# -------------------------------------------------------------------------------------- losses


def softmax_without_shift(z, dim=-1):
    e = z.exp()  # exp(1e4) = inf, and inf/inf = NaN
    return e / e.sum(dim, keepdim=True)


def cross_entropy_summed(logits, target):
    log_p = logits - torch.logsumexp(logits, dim=1, keepdim=True)
    return -log_p.gather(1, target.unsqueeze(1)).sum()  # a sum over the batch, not a mean


def cross_entropy_log_of_softmax(logits, target):
    p = softmax_without_shift(logits, dim=1)
    return -p.gather(1, target.unsqueeze(1)).log().mean()


# ----------------------------------------------------------------------------------- schedules


def lr_warmup_off_by_one(step, base_lr, warmup_steps, total_steps, decay="cosine", min_lr=0.0):
    if step < warmup_steps:
        return base_lr * step / warmup_steps  # starts at 0: the first update is wasted
    return R.lr_at(step, base_lr, warmup_steps, total_steps, decay, min_lr)


def lr_cosine_without_floor(step, base_lr, warmup_steps, total_steps, decay="cosine", min_lr=0.0):
    return R.lr_at(step, base_lr, warmup_steps, total_steps, decay, 0.0)  # forgets min_lr


# -------------------------------------------------------------------------------------- purity


def check_adam_purity(step: Callable, device, dtype, case: dict[str, Any]) -> None:
    """The purity oracle on one Adam step (the reference tests call assert_pure the same way)."""
    gen = torch.Generator().manual_seed(case["seed"])
    theta, grad, m, v = (
        torch.randn(3, 4, generator=gen, dtype=torch.float64).to(device, dtype) for _ in range(4)
    )
    assert_pure(step, theta, grad, m, v.abs(), 2, like=theta)


# ------------------------------------------------------------------------------------- the table


def _without_device(check: Callable) -> Callable:
    return lambda fn, device, dtype, case: check(fn, case)


@dataclass(frozen=True)
class Broken:
    """A wrong implementation, the oracle that must reject it, and where to look for a case."""

    name: str
    impl: Callable
    reference: Callable
    check: Callable  # check(impl, device, dtype, case), raising AssertionError on a mismatch
    cases: st.SearchStrategy | list  # a Hypothesis strategy, or an explicit list of cases
    examples: tuple = ()


BROKEN = [
    Broken("momentum sign flipped", momentum_sign_flipped, R.momentum_step, check_momentum,
           MOMENTUM_CASES, (MOMENTUM_EXAMPLE,)),
    Broken("RMSProp accumulating like Adagrad", rmsprop_accumulating_like_adagrad,
           R.rmsprop_step, check_rmsprop, RMSPROP_CASES, (RMSPROP_EXAMPLE,)),
    Broken("RMSProp eps inside the sqrt", rmsprop_eps_inside_sqrt, R.rmsprop_step,
           check_rmsprop, RMSPROP_CASES, (RMSPROP_EXAMPLE,)),
    Broken("Adam without bias correction", adam_without_bias_correction, R.adam_step,
           check_adam, ADAM_CASES, (ADAM_EXAMPLE,)),
    Broken("Adam eps inside the sqrt", adam_eps_inside_sqrt, R.adam_step, check_adam,
           ADAM_CASES, (ADAM_EXAMPLE,)),
    Broken("Adam t counted from 0", adam_t_counted_from_zero, R.adam_step, check_adam,
           ADAM_CASES, (ADAM_EXAMPLE,)),
    Broken("Adam updating m and v in place", adam_in_place, R.adam_step, check_adam_purity,
           [{"seed": 0}]),
    Broken("Adagrad eps inside the sqrt", adagrad_eps_inside_sqrt, R.adagrad_step,
           check_adagrad, ADAGRAD_CASES, (ADAGRAD_EXAMPLE,)),
    Broken("BatchNorm normalizing with the unbiased variance", batchnorm_unbiased_normalization,
           R.batchnorm_forward, check_batchnorm, BATCHNORM_CASES, (BATCHNORM_EXAMPLE,)),
    Broken("BatchNorm running stats not updated", batchnorm_running_stats_not_updated,
           R.batchnorm_forward, check_batchnorm, BATCHNORM_CASES, (BATCHNORM_EXAMPLE,)),
    Broken("BatchNorm eval using batch statistics", batchnorm_eval_uses_batch_statistics,
           R.batchnorm_forward, check_batchnorm, BATCHNORM_CASES, (BATCHNORM_EXAMPLE,)),
    Broken("LayerNorm with the unbiased variance", layer_norm_unbiased_variance, R.layer_norm,
           check_layer_norm, LAYERNORM_CASES),
    Broken("Hessian from the gradient's sum", hessian_from_gradient_sum, R.hessian,
           check_hessian, HESSIAN_CASES),
    Broken("Hessian test treating a zero eigenvalue as positive", classify_zero_as_positive,
           R.classify_critical_point, check_classify, SPECTRUM_CASES),
    Broken("minimum ratio counting zero eigenvalues", minimum_ratio_counting_zeros,
           R.minimum_ratio, check_minimum_ratio, SPECTRUM_CASES),
    Broken("escape direction from a row of eigh", escape_direction_from_row,
           R.escape_direction, check_escape, SPECTRUM_CASES),
    Broken("escape direction of the largest eigenvalue", escape_direction_of_largest_eigenvalue,
           R.escape_direction, check_escape, SPECTRUM_CASES),
    Broken("He init with fan_out", he_with_fan_out, R.he_init, check_he_init, INIT_SHAPES),
    Broken("He init uniform with the right std", he_uniform, R.he_init, check_he_init,
           INIT_SHAPES),
    Broken("Xavier init with fan_in only", xavier_with_fan_in_only, R.xavier_init,
           check_xavier_init, INIT_SHAPES),
    Broken("dropout without rescale", dropout_without_rescale, R.dropout, check_dropout,
           DROPOUT_PS),
    Broken("dropout with p as the keep probability", dropout_p_as_keep_probability, R.dropout,
           check_dropout, DROPOUT_PS),
    Broken("softmax without the max shift", softmax_without_shift, R.softmax, check_softmax,
           SOFTMAX_CASES, (LARGE_LOGITS_EXAMPLE,)),
    Broken("cross-entropy summed over the batch", cross_entropy_summed, R.cross_entropy,
           check_cross_entropy, CROSS_ENTROPY_CASES),
    Broken("cross-entropy as log of a naive softmax", cross_entropy_log_of_softmax,
           R.cross_entropy, check_cross_entropy, CROSS_ENTROPY_CASES, (LARGE_LOGITS_EXAMPLE,)),
    Broken("warm-up starting at 0", lr_warmup_off_by_one, R.lr_at, _without_device(check_lr_at),
           SCHEDULE_CASES, (SCHEDULE_EXAMPLE,)),
    Broken("cosine decay ignoring min_lr", lr_cosine_without_floor, R.lr_at,
           _without_device(check_lr_at), SCHEDULE_CASES, (SCHEDULE_EXAMPLE,)),
]  # fmt: skip


def _first_case(broken: Broken) -> Any:
    return broken.examples[0] if broken.examples else broken.cases[0]


@pytest.mark.parametrize("broken", BROKEN, ids=lambda b: b.name)
def test_check_rejects_broken_variant(device, dtype, broken):
    """If this fails, the check behind a reference test accepts a known mistake: sharpen it
    (wider hyper-parameter ranges, a tighter tolerance, an adversarial example)."""
    check = lambda case: broken.check(broken.impl, device, dtype, case)
    if isinstance(broken.cases, list):
        caught = False
        for case in broken.cases:
            try:
                check(case)
            except AssertionError:
                caught = True
                break
    else:
        caught = rejected(check, broken.cases, *broken.examples)
    assert caught, f"{broken.check.__name__} accepts the broken variant '{broken.name}'"


@pytest.mark.parametrize("broken", [b for b in BROKEN if b.examples or isinstance(b.cases, list)],
                         ids=lambda b: b.name)  # fmt: skip
def test_check_accepts_the_reference(device, dtype, broken):
    """Control: the same check, wired the same way, passes the reference (so a rejection above
    is about the mistake, not about the wiring)."""
    broken.check(broken.reference, device, dtype, _first_case(broken))


def test_purity_oracle_sees_through_correct_values():
    """The in-place Adam returns the right numbers: only the purity oracle can reject it."""
    theta, grad = torch.ones(3), torch.full((3,), 0.5)
    m, v = torch.zeros(3), torch.zeros(3)
    expected = R.adam_step(theta, grad, m, v, 1)
    actual = adam_in_place(theta, grad, m.clone(), v.clone(), 1)
    for a, e in zip(actual, expected, strict=True):
        torch.testing.assert_close(a, e)
    assert isinstance(actual[0], Tensor)
