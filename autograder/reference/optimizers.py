"""One update step of each optimizer, as a pure function of the parameters, gradient and state.

Each step returns the new parameters and the new state; nothing is modified in place. The
state starts at zeros of the parameters' shape (`torch.zeros_like(theta)`), as in torch.optim.
"""

import torch
from torch import Tensor


def momentum_step(
    theta: Tensor, grad: Tensor, movement: Tensor, lr: float, momentum: float
) -> tuple[Tensor, Tensor]:
    """One step of gradient descent with (heavy-ball) momentum, in the movement form.

    m ← λ·m − η·g
    θ ← θ + m

    Symbols: theta = θ, grad = g, movement = m (the last step taken), lr = η, momentum = λ.

    Args:
        theta: parameters θ, any shape.
        grad: gradient g of the loss at θ, same shape.
        movement: the previous movement m (zeros before the first step), same shape.
        lr: learning rate η > 0.
        momentum: momentum coefficient λ, usually in [0, 1).

    Returns:
        (theta, movement): the new θ and the new m, same shape, dtype and device as `theta`.

    Convention: with a constant η this is `torch.optim.SGD(lr, momentum, dampening=0,
    nesterov=False)`, whose `momentum_buffer` b relates to m by m = −η·b
    (torch: b ← λ·b + g, θ ← θ − η·b).
    Reference: Polyak 1964, "Some methods of speeding up the convergence of iteration methods";
    Hung-yi Lee, ML 2021 "Tips for training: momentum".
    """
    movement = momentum * movement - lr * grad
    theta = theta + movement
    return theta, movement


def rmsprop_step(
    theta: Tensor,
    grad: Tensor,
    square_avg: Tensor,
    lr: float,
    alpha: float = 0.99,
    eps: float = 1e-8,
) -> tuple[Tensor, Tensor]:
    """One RMSProp step: divide the gradient by a running root-mean-square of past gradients.

    s ← α·s + (1 − α)·g²
    θ ← θ − η·g / (√s + ε)          (ε is added OUTSIDE the square root)

    Symbols: theta = θ, grad = g, square_avg = s (so √s = σ, the root-mean-square), lr = η,
    alpha = α, eps = ε.

    Args:
        theta: parameters θ, any shape.
        grad: gradient g at θ, same shape.
        square_avg: running average s of g² (zeros before the first step), same shape.
        lr: learning rate η.
        alpha: smoothing constant α in [0, 1); the weight of the past.
        eps: ε > 0, keeps the division finite where s = 0.

    Returns:
        (theta, square_avg): the new θ and s, same shape, dtype and device as `theta`.

    Convention: `torch.optim.RMSprop(lr, alpha, eps, weight_decay=0, momentum=0,
    centered=False)`; s is its state "square_avg". No bias correction: s starts at 0.
    Reference: Tieleman & Hinton 2012, Coursera "Neural Networks for Machine Learning", 6.5.
    """
    square_avg = alpha * square_avg + (1 - alpha) * grad * grad
    theta = theta - lr * grad / (torch.sqrt(square_avg) + eps)
    return theta, square_avg


def adam_step(
    theta: Tensor,
    grad: Tensor,
    m: Tensor,
    v: Tensor,
    t: int,
    lr: float = 1e-3,
    beta1: float = 0.9,
    beta2: float = 0.999,
    eps: float = 1e-8,
) -> tuple[Tensor, Tensor, Tensor]:
    """One Adam step: momentum on g, RMSProp on g², both bias-corrected.

    m ← β1·m + (1 − β1)·g
    v ← β2·v + (1 − β2)·g²
    m̂ = m / (1 − β1^t),   v̂ = v / (1 − β2^t)
    θ ← θ − η·m̂ / (√v̂ + ε)          (ε is added OUTSIDE the square root)

    Symbols: theta = θ, grad = g, m = m (torch "exp_avg"), v = v ("exp_avg_sq"),
    t = t ("step"), lr = η, beta1 = β1, beta2 = β2, eps = ε; m_hat = m̂, v_hat = v̂.

    Args:
        theta: parameters θ, any shape.
        grad: gradient g at θ, same shape.
        m: first-moment estimate (zeros before the first step), same shape.
        v: second-moment estimate (zeros before the first step), same shape.
        t: 1-based index of THIS step (the first call uses t = 1), an int ≥ 1.
        lr: learning rate η.
        beta1: decay β1 in [0, 1) of the first moment.
        beta2: decay β2 in [0, 1) of the second moment.
        eps: ε > 0.

    Returns:
        (theta, m, v): the new θ, m, v, same shape, dtype and device as `theta`.

    Convention: `torch.optim.Adam(lr, betas=(beta1, beta2), eps, weight_decay=0,
    amsgrad=False)`, whose state "step" equals t after this update.
    Reference: Kingma & Ba 2015, "Adam: A Method for Stochastic Optimization", Algorithm 1.
    """
    if t < 1:
        raise ValueError(f"t is the 1-based index of this step and must be >= 1, got {t}")
    m = beta1 * m + (1 - beta1) * grad
    v = beta2 * v + (1 - beta2) * grad * grad
    m_hat = m / (1 - beta1**t)
    v_hat = v / (1 - beta2**t)
    theta = theta - lr * m_hat / (torch.sqrt(v_hat) + eps)
    return theta, m, v


def adagrad_step(
    theta: Tensor, grad: Tensor, state_sum: Tensor, lr: float, eps: float = 1e-10
) -> tuple[Tensor, Tensor]:
    """One Adagrad step: divide the gradient by the root of the sum of all past g².

    G ← G + g²
    θ ← θ − η·g / (√G + ε)          (ε is added OUTSIDE the square root)

    Symbols: theta = θ, grad = g, state_sum = G, lr = η, eps = ε.

    Args:
        theta: parameters θ, any shape.
        grad: gradient g at θ, same shape.
        state_sum: running sum G of g² (zeros before the first step), same shape.
        lr: learning rate η.
        eps: ε > 0.

    Returns:
        (theta, state_sum): the new θ and G, same shape, dtype and device as `theta`.

    Convention: `torch.optim.Adagrad(lr, lr_decay=0, weight_decay=0,
    initial_accumulator_value=0, eps)`; G is its state "sum".
    Reference: Duchi, Hazan & Singer 2011, "Adaptive Subgradient Methods for Online Learning
    and Stochastic Optimization", JMLR 12.
    """
    state_sum = state_sum + grad * grad
    theta = theta - lr * grad / (torch.sqrt(state_sum) + eps)
    return theta, state_sum
