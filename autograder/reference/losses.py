"""Softmax and cross-entropy, computed so that large logits cannot overflow."""

import torch
from torch import Tensor


def softmax(z: Tensor, dim: int = -1) -> Tensor:
    """Softmax along one dimension, shifted by the maximum for numerical stability.

    softmax(z)_k = exp(z_k − max_j z_j) / Σ_i exp(z_i − max_j z_j)
    (equal to exp(z_k) / Σ_i exp(z_i); the shift only keeps exp from overflowing)

    Symbols: z = z (the logits), dim = the axis of k, i and j.

    Args:
        z: logits, any shape, floating point.
        dim: dimension that sums to one.

    Returns:
        Probabilities, same shape, dtype and device as z, each slice along `dim` summing to 1.

    Convention: `torch.softmax(z, dim)`.
    Reference: Bridle 1990, "Probabilistic Interpretation of Feedforward Classification
    Network Outputs"; Goodfellow, Bengio & Courville 2016, "Deep Learning", section 4.1.
    """
    z_max = z.amax(dim=dim, keepdim=True)  # the shift; any constant gives the same result
    e = torch.exp(z - z_max)  # every entry in (0, 1]: no overflow
    return e / e.sum(dim=dim, keepdim=True)


def cross_entropy(logits: Tensor, target: Tensor) -> Tensor:
    """Mean cross-entropy between softmax(logits) and integer class labels, via log-sum-exp.

    For sample i with logits z_i and label y_i:
      ℓ_i = −log softmax(z_i)_{y_i} = logsumexp(z_i) − z_{i, y_i},
      logsumexp(z_i) = m_i + log Σ_k exp(z_{ik} − m_i),   m_i = max_k z_{ik}
      L = (1/N) Σ_i ℓ_i

    Symbols: logits = z, target = y, N = logits.shape[0], loss = L.

    Args:
        logits: unnormalised scores z, shape (N, C), floating point.
        target: class indices y, shape (N,), integer dtype, values in [0, C).

    Returns:
        L, a 0-dim tensor with the dtype and device of `logits`; finite even for logits of
        magnitude 1e4 (where exp overflows).

    Convention: `torch.nn.functional.cross_entropy(logits, target)` (reduction="mean", no
    weights, no label smoothing).
    Reference: Goodfellow, Bengio & Courville 2016, "Deep Learning", sections 6.2.2.3 and 4.1.
    """
    if logits.ndim != 2 or target.shape != logits.shape[:1]:
        raise ValueError(
            f"logits must be (N, C) and target (N,), got {tuple(logits.shape)} "
            f"and {tuple(target.shape)}"
        )
    m = logits.amax(dim=1, keepdim=True)  # (N, 1)
    logsumexp = m.squeeze(1) + torch.log(torch.exp(logits - m).sum(dim=1))  # (N,)
    z_y = logits.gather(1, target.long().unsqueeze(1)).squeeze(1)  # (N,) logit of the label
    return (logsumexp - z_y).mean()
