"""Batch normalization and layer normalization, forward pass."""

from torch import Tensor


def batchnorm_forward(
    x: Tensor,
    gamma: Tensor,
    beta: Tensor,
    running_mean: Tensor,
    running_var: Tensor,
    training: bool,
    momentum: float = 0.1,
    eps: float = 1e-5,
) -> tuple[Tensor, Tensor, Tensor]:
    """Batch normalization: normalize each channel over the batch (and spatial positions).

    Training, per channel c, over the n = N·(H·W…) values x_{·c·}:
      μ = mean(x),   σ² = mean((x − μ)²)                    (BIASED variance, divide by n)
      x̂ = (x − μ) / √(σ² + ε),   y = γ·x̂ + β
      running_mean ← (1 − momentum)·running_mean + momentum·μ
      running_var  ← (1 − momentum)·running_var  + momentum·σ²·n/(n − 1)   (UNBIASED)
    Evaluation: x̂ = (x − running_mean) / √(running_var + ε), y = γ·x̂ + β, and the running
    statistics come back unchanged (as new tensors).

    Symbols: x = x, gamma = γ, beta = β, eps = ε, mean = μ, var = σ², x_hat = x̂, y = y.

    Args:
        x: input, shape (N, C), (N, C, L) or (N, C, H, W); channels on dim 1.
        gamma: scale γ, shape (C,).
        beta: shift β, shape (C,).
        running_mean: running estimate of μ, shape (C,) (torch starts it at zeros).
        running_var: running estimate of the variance, shape (C,) (torch starts it at ones).
        training: True → batch statistics and update the running ones; False → use the
            running statistics. (Passed explicitly: never guessed from autograd state.)
        momentum: weight of the new batch statistic in the running average, in [0, 1].
            Note: the opposite of an optimizer's momentum (here 0 means "never update").
        eps: ε > 0 added to the variance inside the square root.

    Returns:
        (y, running_mean, running_var): y has the shape of x; the running statistics shape
        (C,). The running statistics carry no autograd history.

    Convention: `torch.nn.functional.batch_norm(x, running_mean, running_var, gamma, beta,
    training, momentum, eps)` (which updates the running buffers in place; this returns them).
    Reference: Ioffe & Szegedy 2015, "Batch Normalization: Accelerating Deep Network Training
    by Reducing Internal Covariate Shift", Algorithm 1 (unbiased running variance: Algorithm 2).
    """
    if x.ndim < 2:
        raise ValueError(f"x must have shape (N, C, ...), got {tuple(x.shape)}")
    C = x.shape[1]
    per_channel = dict(gamma=gamma, beta=beta, running_mean=running_mean, running_var=running_var)
    for name, stat in per_channel.items():
        if stat.shape != (C,):
            raise ValueError(f"{name} must have shape ({C},), got {tuple(stat.shape)}")
    dims = [0, *range(2, x.ndim)]  # every dim but the channel dim 1
    shape = [1, C] + [1] * (x.ndim - 2)  # (1, C, 1, ...) broadcasts a per-channel vector
    if training:
        n = x.numel() // C  # values per channel
        if n < 2:
            raise ValueError(f"training needs more than 1 value per channel, got x {x.shape}")
        mean = x.mean(dim=dims)  # (C,)
        var = x.var(dim=dims, correction=0)  # (C,) biased: divides by n
        x_hat = (x - mean.reshape(shape)) / (var.reshape(shape) + eps).sqrt()
        unbiased_var = var.detach() * n / (n - 1)  # (C,) divides by n - 1
        running_mean = (1 - momentum) * running_mean + momentum * mean.detach()
        running_var = (1 - momentum) * running_var + momentum * unbiased_var
    else:
        x_hat = (x - running_mean.reshape(shape)) / (running_var.reshape(shape) + eps).sqrt()
        running_mean, running_var = running_mean.clone(), running_var.clone()
    y = gamma.reshape(shape) * x_hat + beta.reshape(shape)
    return y, running_mean, running_var


def layer_norm(x: Tensor, gamma: Tensor, beta: Tensor, eps: float = 1e-5) -> Tensor:
    """Layer normalization: normalize each sample over its last dimension.

    Over the D features of the last dimension:
      μ = mean(x),   σ² = mean((x − μ)²)                    (BIASED variance, divide by D)
      y = γ·(x − μ)/√(σ² + ε) + β
    There are no running statistics: training and evaluation compute the same thing.

    Symbols: x = x, gamma = γ, beta = β, eps = ε, mean = μ, var = σ², x_hat = x̂, y = y.

    Args:
        x: input, shape (..., D).
        gamma: scale γ, shape (D,).
        beta: shift β, shape (D,).
        eps: ε > 0 added to the variance inside the square root.

    Returns:
        y, shape (..., D), same dtype and device as x.

    Convention: `torch.nn.functional.layer_norm(x, x.shape[-1:], gamma, beta, eps)`.
    Reference: Ba, Kiros & Hinton 2016, "Layer Normalization".
    """
    if x.ndim < 1 or gamma.shape != x.shape[-1:] or beta.shape != x.shape[-1:]:
        raise ValueError(
            f"gamma and beta must have shape {tuple(x.shape[-1:])} (the last dim of x), "
            f"got {tuple(gamma.shape)} and {tuple(beta.shape)}"
        )
    mean = x.mean(dim=-1, keepdim=True)  # (..., 1)
    var = x.var(dim=-1, correction=0, keepdim=True)  # (..., 1) biased
    x_hat = (x - mean) / (var + eps).sqrt()  # (..., D)
    return gamma * x_hat + beta
