"""The second-derivative test: Hessian, the kind of critical point, and the way out of a saddle.

At a critical point the gradient g vanishes, so the loss near θ' is
L(θ) ≈ L(θ') + ½ (θ − θ')ᵀ H (θ − θ'), and the signs of the eigenvalues of H decide the rest.
"""

from collections.abc import Callable

import torch
from torch import Tensor


def hessian(loss_fn: Callable[[Tensor], Tensor], theta: Tensor) -> Tensor:
    """Hessian of a scalar function of a 1-D parameter vector, by double backward.

    H[i, j] = ∂²L / ∂θ_i ∂θ_j, built one row at a time: g = ∇L(θ) with a graph, then
    H[i, :] = ∇ g[i].

    Symbols: loss_fn = L, theta = θ, the result = H.

    Args:
        loss_fn: maps a tensor of shape (n,) to a scalar tensor (0-dim or one element),
            differentiably (twice) in its argument.
        theta: the point θ, shape (n,), floating point. It is neither modified nor required
            to have `requires_grad`; the function differentiates a detached copy.

    Returns:
        H, shape (n, n), same dtype and device as `theta`, not requiring grad. It is symmetrised
        as (H + Hᵀ)/2, so rounding in the two mixed partials cannot make it asymmetric.
        A coordinate the loss does not depend on gives a zero row and column.

    Convention: equals `torch.autograd.functional.hessian(loss_fn, theta)` for 1-D `theta`.
    Reference: the second-derivative test; Hung-yi Lee, ML 2021 lecture "When gradient is small".
    """
    if theta.ndim != 1:
        raise ValueError(f"theta must be 1-D (n,), got shape {tuple(theta.shape)}")
    if not theta.is_floating_point():
        raise ValueError(f"theta must be floating point, got {theta.dtype}")
    n = theta.shape[0]
    H = torch.zeros(n, n, dtype=theta.dtype, device=theta.device)  # (n, n)
    with torch.enable_grad():
        theta_ = theta.detach().clone().requires_grad_(True)  # (n,), a leaf of our own
        L = loss_fn(theta_)
        if L.numel() != 1:
            raise ValueError(f"loss_fn must return a scalar, got shape {tuple(L.shape)}")
        L = L.reshape(())
        if not L.requires_grad:  # L does not depend on θ at all
            return H
        (g,) = torch.autograd.grad(L, theta_, create_graph=True, allow_unused=True)  # (n,)
        if g is None or not g.requires_grad:  # L is at most linear in θ
            return H
        rows = []
        for i in range(n):
            (row,) = torch.autograd.grad(g[i], theta_, retain_graph=True, allow_unused=True)
            rows.append(torch.zeros_like(theta) if row is None else row.detach())
    H = torch.stack(rows)  # (n, n)
    return (H + H.T) / 2


def classify_critical_point(H: Tensor, tol: float = 1e-6) -> str:
    """Name the kind of critical point from the eigenvalues of its Hessian.

    With λ_1 ≤ … ≤ λ_n the eigenvalues of H:
      "saddle point"    if some λ_i > tol and some λ_j < −tol;
      "local minimum"   if every λ_i > tol;
      "local maximum"   if every λ_i < −tol;
      "inconclusive"    otherwise: some |λ_i| ≤ tol (a zero eigenvalue) and no sign
                        disagreement, so higher-order terms decide.

    Symbols: H = H, tol = the zero tolerance on the eigenvalues λ.

    Args:
        H: symmetric matrix, shape (n, n) with n ≥ 1, floating point, any device.
        tol: absolute tolerance; an eigenvalue with |λ| ≤ tol counts as zero.

    Returns:
        Exactly one of "local minimum", "local maximum", "saddle point", "inconclusive".

    Convention: eigenvalues from `torch.linalg.eigvalsh` (which reads the lower triangle).
    Reference: the second-derivative test; Hung-yi Lee, ML 2021 "When gradient is small".
    """
    _check_square(H)
    lam = torch.linalg.eigvalsh(H)  # (n,), ascending
    has_positive = bool((lam > tol).any())
    has_negative = bool((lam < -tol).any())
    if has_positive and has_negative:
        return "saddle point"
    if bool((lam > tol).all()):
        return "local minimum"
    if bool((lam < -tol).all()):
        return "local maximum"
    return "inconclusive"


def escape_direction(H: Tensor) -> Tensor:
    """Unit eigenvector of the smallest eigenvalue of H: the way down from a saddle point.

    Along u with H u = λ_min u and ‖u‖ = 1, L(θ' + t u) ≈ L(θ') + ½ λ_min t², which decreases
    when λ_min < 0. With no negative eigenvalue the result is still the eigenvector of the
    smallest eigenvalue (then it is the flattest direction, not a way down). Either sign (u or
    −u) is correct; with a repeated smallest eigenvalue any unit vector of its eigenspace is.

    Symbols: H = H, the result = u, λ_min = the smallest eigenvalue of H.

    Args:
        H: symmetric matrix, shape (n, n) with n ≥ 1, floating point, any device.

    Returns:
        u, shape (n,), ‖u‖ = 1, same dtype and device as H.

    Convention: `torch.linalg.eigh(H).eigenvectors[:, 0]` (eigenvectors are the COLUMNS,
    eigenvalues ascending).
    Reference: Hung-yi Lee, ML 2021 "When gradient is small" (escaping saddle points).
    """
    _check_square(H)
    eigenvectors = torch.linalg.eigh(H).eigenvectors  # (n, n), column k ↔ k-th eigenvalue
    u = eigenvectors[:, 0]  # (n,)
    return u / torch.linalg.vector_norm(u)


def minimum_ratio(H: Tensor, tol: float = 1e-6) -> float:
    """Fraction of the eigenvalues of H that are positive ("minimum ratio").

    minimum_ratio = #{i : λ_i > tol} / n. It is 1 at a strict local minimum; a value just
    below 1 means a saddle with few ways down, which is what training usually meets.

    Symbols: H = H, λ_i = its eigenvalues, n = H.shape[0], tol = the zero tolerance.

    Args:
        H: symmetric matrix, shape (n, n) with n ≥ 1, floating point, any device.
        tol: absolute tolerance; eigenvalues ≤ tol (zeros included) do not count as positive.

    Returns:
        A Python float in [0, 1].

    Convention: eigenvalues from `torch.linalg.eigvalsh`.
    Reference: Hung-yi Lee, ML 2021 "When gradient is small" (minimum ratio).
    """
    _check_square(H)
    lam = torch.linalg.eigvalsh(H)  # (n,)
    return float((lam > tol).sum().item()) / lam.numel()


def _check_square(H: Tensor) -> None:
    if H.ndim != 2 or H.shape[0] != H.shape[1] or H.shape[0] == 0:
        raise ValueError(f"H must be a non-empty square matrix (n, n), got {tuple(H.shape)}")
