"""Small models for CPU-sized experiments."""

from collections.abc import Sequence

from torch import nn


def mlp(
    in_features: int = 40,
    hidden: Sequence[int] = (100, 100),
    out_features: int = 10,
    activation: type[nn.Module] = nn.ReLU,
    batchnorm: bool = False,
) -> nn.Sequential:
    """A fully connected network: [Linear -> (BatchNorm1d) -> activation] * len(hidden) -> Linear.

    `hidden=()` gives a linear model; with the defaults it is the 40-100-100-10 MLP used across
    the book on MNIST-1D.
    """
    layers: list[nn.Module] = []
    width = in_features
    for h in hidden:
        layers.append(nn.Linear(width, h))
        if batchnorm:
            layers.append(nn.BatchNorm1d(h))
        layers.append(activation())
        width = h
    layers.append(nn.Linear(width, out_features))
    return nn.Sequential(*layers)
