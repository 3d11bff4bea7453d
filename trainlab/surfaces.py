"""Optimizers on two-dimensional error surfaces, where a path can be drawn."""

from collections.abc import Callable, Sequence

import numpy as np
import torch


def descend(
    loss_fn: Callable[[torch.Tensor], torch.Tensor],
    optimizer_cls: type[torch.optim.Optimizer],
    start: Sequence[float],
    steps: int,
    **hyper: float,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Run a torch optimizer from `start` for `steps` updates on a loss of one parameter vector.

    Args:
        loss_fn: maps θ (shape (d,), float64) to a scalar loss L(θ).
        optimizer_cls: e.g. `torch.optim.SGD`; `hyper` goes to its constructor (lr, momentum, ...).
    Returns:
        path (steps+1, d), losses (steps+1,) and gradient norms |g| (steps+1,), where entry t is
        the point reached after t updates (entry 0 is the start).
    """
    p = torch.tensor(start, dtype=torch.float64, requires_grad=True)
    optimizer = optimizer_cls([p], **hyper)
    path, losses, grad_norms = [], [], []
    for step in range(steps + 1):
        loss = loss_fn(p)
        optimizer.zero_grad()
        loss.backward()
        path.append(p.detach().clone())
        losses.append(loss.item())
        grad_norms.append(p.grad.norm().item())
        if step < steps:
            optimizer.step()
    return torch.stack(path).numpy(), np.array(losses), np.array(grad_norms)
