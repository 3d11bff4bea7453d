"""The fixed catalogue of callables that can cross into the sandbox, sent by name (never code).

A check that needs to pass a function to the learner (the `loss_fn` of `hessian`) sends an
`FnSpec("quadratic", {"A": A, "b": b})`; the child and the judge each build the same callable
from it with `build`. Generators travel as `GenSpec(seed, device)`.

Imported by the child before learner code runs: standard library and torch only.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import torch
from torch import Tensor

from autograder.protocol import FnSpec, GenSpec


def quadratic(A: Tensor, b: Tensor) -> Callable[[Tensor], Tensor]:
    """L(θ) = ½ θᵀAθ + bᵀθ, whose Hessian is (A + Aᵀ)/2 everywhere."""

    def loss(theta: Tensor) -> Tensor:
        return 0.5 * theta @ (A @ theta) + b @ theta

    return loss


def rosenbrock(a: float = 1.0, b: float = 100.0) -> Callable[[Tensor], Tensor]:
    """L(x, y) = (a − x)² + b·(y − x²)²; at (1, 1) its Hessian is [[802, −400], [−400, 200]]."""

    def loss(theta: Tensor) -> Tensor:
        x, y = theta[0], theta[1]
        return (a - x) ** 2 + b * (y - x**2) ** 2

    return loss


def lee_w1w2x(x: Tensor, y: Tensor) -> Callable[[Tensor], Tensor]:
    """L(w1, w2) = Σ_i (y_i − w1·w2·x_i)²: the one-hidden-unit network of Hung-yi Lee's lecture.

    The origin is a saddle point with Hessian [[0, −2Σxy], [−2Σxy, 0]].
    """

    def loss(theta: Tensor) -> Tensor:
        return ((y - theta[0] * theta[1] * x) ** 2).sum()

    return loss


def mlp_loss(X: Tensor, y: Tensor, hidden: int) -> Callable[[Tensor], Tensor]:
    """Mean squared error of a tanh network d → hidden → 1 whose weights are one flat θ.

    θ = [W1 (hidden·d), b1 (hidden), w2 (hidden), b2 (1)], X: (N, d), y: (N,).
    """
    N, d = X.shape

    def loss(theta: Tensor) -> Tensor:
        h = hidden
        W1 = theta[: h * d].reshape(h, d)  # (h, d)
        b1 = theta[h * d : h * d + h]  # (h,)
        w2 = theta[h * d + h : h * d + 2 * h]  # (h,)
        b2 = theta[h * d + 2 * h]  # ()
        pred = torch.tanh(X @ W1.T + b1) @ w2 + b2  # (N,)
        return ((pred - y) ** 2).mean()

    return loss


def mlp_size(d: int, hidden: int) -> int:
    """Number of parameters θ of `mlp_loss` for d inputs and `hidden` units."""
    return hidden * d + 2 * hidden + 1


CATALOGUE: dict[str, Callable[..., Callable[[Tensor], Tensor]]] = {
    "quadratic": quadratic,
    "rosenbrock": rosenbrock,
    "lee_w1w2x": lee_w1w2x,
    "mlp_loss": mlp_loss,
}


def build(spec: FnSpec | GenSpec) -> Any:
    """The callable (or seeded generator) a spec stands for."""
    if isinstance(spec, GenSpec):
        return torch.Generator(device=spec.device).manual_seed(spec.seed)
    if spec.name not in CATALOGUE:
        raise ValueError(f"unknown catalogue function {spec.name!r}")
    return CATALOGUE[spec.name](**spec.params)


def materialize(value: Any) -> Any:
    """Replace every spec inside (nested tuples, lists, dicts) by what it stands for."""
    if isinstance(value, FnSpec | GenSpec):
        return build(value)
    if isinstance(value, tuple):
        return tuple(materialize(v) for v in value)
    if isinstance(value, list):
        return [materialize(v) for v in value]
    if isinstance(value, dict):
        return {k: materialize(v) for k, v in value.items()}
    return value
