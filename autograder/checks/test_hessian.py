"""Checks of the critical-point exercise: `hessian`, `classify_critical_point`,
`escape_direction` and `minimum_ratio`."""

import pytest
import torch

from autograder import reference as ref
from autograder.catalogue import mlp_size
from autograder.judge import expect_call, expect_raises
from autograder.protocol import FnSpec

EXERCISE = "hessian"
FUNCTIONS = ("hessian", "classify_critical_point", "escape_direction", "minimum_ratio")


def _symmetric(r, eigenvalues, device, dtype=torch.float64):
    """Q diag(λ) Qᵀ for a random orthogonal Q: a symmetric matrix with these eigenvalues."""
    lam = torch.tensor(eigenvalues, dtype=torch.float64)
    Q = r.orthogonal(len(eigenvalues))
    H = Q @ torch.diag(lam) @ Q.T
    return ((H + H.T) / 2).to(dtype=dtype, device=device)


@pytest.mark.points(2)
def test_hessian_of_known_functions(submission, cases):
    """hessian(loss_fn, theta) must return the (n, n) matrix of second derivatives, such as
    [[802, −400], [−400, 200]] for Rosenbrock at (1, 1)."""
    for r in cases:
        for device in r.devices:
            point = torch.tensor([1.0, 1.0], dtype=torch.float64) if r.public else r.randn(2)
            inputs = dict(
                loss_fn=FnSpec("rosenbrock", {"a": 1.0, "b": 100.0}), theta=point.to(device)
            )
            expect_call(submission, "hessian", inputs, ref.hessian, r)
            n = r.integer(3, 6)
            A = r.randn(n, n, device=device)
            quadratic = FnSpec("quadratic", {"A": A, "b": r.randn(n, device=device)})
            inputs = dict(loss_fn=quadratic, theta=r.randn(n, device=device))
            expect_call(submission, "hessian", inputs, ref.hessian, r)


@pytest.mark.points(2)
def test_hessian_of_small_networks(submission, cases):
    """hessian must work for any twice-differentiable loss, such as Lee's w1·w2·x model
    at the origin and a small tanh network, keeping theta's dtype and device."""
    for r in cases:
        for device in r.devices:
            x, y = r.randn(6, device=device), r.randn(6, device=device)
            inputs = dict(
                loss_fn=FnSpec("lee_w1w2x", {"x": x, "y": y}),
                theta=torch.zeros(2, dtype=torch.float64, device=device),
            )
            expect_call(submission, "hessian", inputs, ref.hessian, r)
            X, t = r.randn(5, 2, device=device), r.randn(5, device=device)
            spec = FnSpec("mlp_loss", {"X": X.float(), "y": t.float(), "hidden": 2})
            inputs = dict(
                loss_fn=spec, theta=r.randn(mlp_size(2, 2), dtype=torch.float32, device=device)
            )
            expect_call(submission, "hessian", inputs, ref.hessian, r, tol=(1e-3, 1e-4))


@pytest.mark.points(2)
def test_classify_critical_point(submission, cases):
    """classify_critical_point must say "local minimum", "local maximum", "saddle point",
    or "inconclusive" when an eigenvalue is zero (|λ| ≤ tol) and the others agree in sign."""
    spectra = [
        [2.0, 0.5, 1.0],  # minimum
        [-1.0, -3.0],  # maximum
        [2.0, -0.5, 1.0],  # saddle
        [1.5, 0.0, 2.0],  # zero eigenvalue, rest positive: inconclusive
        [-1.5, 0.0],  # zero eigenvalue, rest negative: inconclusive
        [3.0, 1e-9],  # below tol counts as zero: inconclusive
        [0.0, 0.0],
    ]
    for r in cases:
        for device in r.devices:
            for spectrum in spectra:
                scale = r.uniform(0.5, 2.0)
                lam = [scale * x for x in spectrum]
                H = _symmetric(r, lam, device)
                expect_call(
                    submission,
                    "classify_critical_point",
                    dict(H=H, tol=1e-6),
                    ref.classify_critical_point,
                    r,
                )


@pytest.mark.points(2)
def test_escape_direction(submission, cases):
    """escape_direction must return the unit eigenvector (a column of eigh's eigenvectors) of the
    most negative eigenvalue."""
    for r in cases:
        for device in r.devices:
            for dtype in (torch.float32, torch.float64):
                lam = [-2.0 * r.uniform(1, 2), 0.5, 1.0 * r.uniform(1, 3), 4.0]
                H = _symmetric(r, lam, device, dtype)
                expect_call(
                    submission,
                    "escape_direction",
                    dict(H=H),
                    ref.escape_direction,
                    r,
                    up_to_sign=True,
                    tol=(1e-4, 1e-5),
                )


@pytest.mark.points(1)
def test_minimum_ratio(submission, cases):
    """minimum_ratio must return, as a float, the fraction of eigenvalues greater than tol (zeros do
    not count as positive)."""
    spectra = [[1.0, 2.0, -1.0, 0.5], [1.0, 0.0, 0.0, 3.0], [-1.0, -2.0], [2.0, 1.0]]
    for r in cases:
        for device in r.devices:
            for spectrum in spectra:
                H = _symmetric(r, spectrum, device)
                expect_call(submission, "minimum_ratio", dict(H=H, tol=1e-6), ref.minimum_ratio, r)


@pytest.mark.points(1)
def test_rejects_invalid_shapes(submission, cases):
    """hessian must raise ValueError when theta is not 1-D, and the other functions when H is not a
    non-empty square matrix."""
    for r in cases:
        for device in r.devices:
            n = r.integer(2, 4)
            quadratic = FnSpec(
                "quadratic", {"A": r.randn(n, n, device=device), "b": r.randn(n, device=device)}
            )
            inputs = dict(loss_fn=quadratic, theta=r.randn(1, n, device=device))
            rule = "raise ValueError if theta is not 1-D"
            valid = dict(inputs, theta=r.randn(n, device=device))
            expect_raises(submission, "hessian", inputs, ValueError, r, rule=rule, valid=valid)
            square = r.randn(n, n, device=device)
            valid = dict(H=square + square.T)
            for H in (r.randn(n, n + 1, device=device), r.randn(n, device=device)):
                for function in ("classify_critical_point", "escape_direction", "minimum_ratio"):
                    rule = "raise ValueError if H is not a non-empty square matrix"
                    expect_raises(
                        submission, function, dict(H=H), ValueError, r, rule=rule, valid=valid
                    )
