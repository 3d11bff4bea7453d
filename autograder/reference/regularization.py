"""Dropout: randomly silence units while training so that no unit can rely on another."""

import torch
from torch import Tensor


def dropout(
    x: Tensor, p: float, training: bool, generator: torch.Generator | None = None
) -> Tensor:
    """Inverted dropout: zero each element with probability p, scale the survivors by 1/(1 − p).

    Training:  mask_i ~ Bernoulli(1 − p) independently,   y_i = mask_i·x_i / (1 − p)
    so that E[y_i] = x_i and evaluation needs no rescaling.
    Evaluation (training=False), or p = 0:   y = x (a new tensor, never x itself).
    p = 1:   y = 0.

    Symbols: x = x, p = p (the DROP probability, not the keep probability), mask = mask, y = y.

    Args:
        x: input, any shape, floating point.
        p: probability of zeroing an element, 0 ≤ p ≤ 1.
        training: whether to drop (True) or to pass x through (False).
        generator: source of randomness for the mask; must live on x's device.

    Returns:
        y, same shape, dtype and device as x.

    Convention: `torch.nn.functional.dropout(x, p, training)` (same distribution; the
    random numbers differ).
    Reference: Srivastava et al. 2014, "Dropout: A Simple Way to Prevent Neural Networks from
    Overfitting", JMLR 15 (they scale at test time; "inverted" dropout scales while training).
    """
    if not 0.0 <= p <= 1.0:  # also rejects NaN
        raise ValueError(f"dropout probability p must satisfy 0 <= p <= 1, got {p}")
    if not training or p == 0.0:
        return x.clone()
    if p == 1.0:
        return torch.zeros_like(x)
    u = torch.rand(x.shape, generator=generator, dtype=x.dtype, device=x.device)  # U[0, 1)
    mask = u >= p  # True with probability 1 − p
    return x * mask / (1.0 - p)
