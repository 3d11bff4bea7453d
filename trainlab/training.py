"""A minimal, explicit training loop: the one every chapter's experiment uses.

It is deliberately plain (no callbacks, no trainer class) so that a learner can read it in one
sitting: shuffle, forward, loss, `zero_grad`, backward, step, and per-epoch evaluation.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

import torch
import torch.nn.functional as F
from torch import nn

from trainlab.data import MNIST1D
from trainlab.progress import progress as progress_bar

LossFn = Callable[[torch.Tensor, torch.Tensor], torch.Tensor]


@dataclass
class History:
    """Per-epoch curves of one run (epoch 0 is the model before any update)."""

    train_loss: list[float] = field(default_factory=list)
    train_acc: list[float] = field(default_factory=list)
    test_loss: list[float] = field(default_factory=list)
    test_acc: list[float] = field(default_factory=list)
    step_loss: list[float] = field(default_factory=list)  # mini-batch loss after every update

    def last(self) -> dict[str, float]:
        """The final value of every per-epoch curve."""
        return {k: v[-1] for k, v in vars(self).items() if v and k != "step_loss"}


@torch.no_grad()
def evaluate(
    model: nn.Module, x: torch.Tensor, y: torch.Tensor, loss_fn: LossFn = F.cross_entropy
) -> tuple[float, float]:
    """Mean loss and accuracy of `model` on (x, y), in eval mode; the model's mode is restored."""
    was_training = model.training
    model.eval()
    logits = model(x)
    loss = loss_fn(logits, y).item()
    acc = (logits.argmax(dim=1) == y).float().mean().item()
    model.train(was_training)
    return loss, acc


def fit(
    model: nn.Module,
    data: MNIST1D,
    optimizer: torch.optim.Optimizer,
    epochs: int,
    batch_size: int = 128,
    loss_fn: LossFn = F.cross_entropy,
    scheduler: torch.optim.lr_scheduler.LRScheduler | None = None,
    seed: int = 0,
    progress: bool | str = False,
) -> History:
    """Train `model` on `data.x_train` with mini-batches; evaluate train and test every epoch.

    Args:
        scheduler: stepped once per update (not per epoch), so warm-up lengths count updates.
        seed: seeds the shuffling, so two runs with the same seed see the same batches.
        progress: False for silence, True or a string (the bar's label) for a tqdm bar.
    Returns:
        The run's `History`.
    """
    generator = torch.Generator().manual_seed(seed)
    n = data.x_train.shape[0]
    history = History()

    def record() -> None:
        for split, x, y in (
            ("train", data.x_train, data.y_train),
            ("test", data.x_test, data.y_test),
        ):
            loss, acc = evaluate(model, x, y, loss_fn)
            getattr(history, f"{split}_loss").append(loss)
            getattr(history, f"{split}_acc").append(acc)

    record()
    epochs_iter = range(epochs)
    if progress:
        epochs_iter = progress_bar(
            epochs_iter, desc=progress if isinstance(progress, str) else None
        )
    for _ in epochs_iter:
        model.train()
        order = torch.randperm(n, generator=generator).to(data.x_train.device)
        for start in range(0, n, batch_size):
            idx = order[start : start + batch_size]
            loss = loss_fn(model(data.x_train[idx]), data.y_train[idx])
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            if scheduler is not None:
                scheduler.step()
            history.step_loss.append(loss.item())
        record()
    return history
