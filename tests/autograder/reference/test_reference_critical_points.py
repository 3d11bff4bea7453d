"""The Hessian, the second-derivative test, the escape direction and the minimum ratio."""

import math

import pytest
import torch
from hypothesis import example, given
from reference_oracles import (
    HESSIAN_CASES,
    SPECTRUM_CASES,
    check_classify,
    check_escape,
    check_hessian,
    check_minimum_ratio,
    fixture_settings,
)

from autograder.reference import (
    classify_critical_point,
    escape_direction,
    hessian,
    minimum_ratio,
)

# Spectra where the sign rules are easiest to get wrong: exact zeros, with and without signs.
EDGE_SPECTRA = [
    [0.0, 1.0, 2.0],  # zero and positives: "inconclusive", not a minimum
    [0.0, -1.0],  # zero and a negative: "inconclusive", not a maximum
    [0.0, 1.0, -1.0],  # opposite signs decide despite the zero: "saddle point"
    [0.0],
    [3.0, 0.5],
    [-3.0, -0.5, -0.01],
]


def rosenbrock(theta: torch.Tensor) -> torch.Tensor:
    x, y = theta
    return (1 - x) ** 2 + 100 * (y - x**2) ** 2


def lee_loss(w: torch.Tensor) -> torch.Tensor:
    """Hung-yi Lee's example: ŷ = w1·w2·x with one data point x = 1, target 1."""
    return (1 - w[0] * w[1] * 1.0) ** 2


@fixture_settings
@given(case=HESSIAN_CASES)
def test_hessian_matches_torch_autograd_functional_hessian(device, dtype, case):
    """Differentiate each entry of the gradient (built with create_graph=True) once more."""
    check_hessian(hessian, device, dtype, case)


def test_hessian_of_rosenbrock_at_its_minimum(device, dtype):
    """Rosenbrock's Hessian at (1, 1) is [[802, −400], [−400, 200]]: a local minimum."""
    H = hessian(rosenbrock, torch.ones(2, device=device, dtype=dtype))
    expected = torch.tensor([[802.0, -400.0], [-400.0, 200.0]], device=device, dtype=dtype)
    torch.testing.assert_close(H, expected)
    assert classify_critical_point(H) == "local minimum"
    assert minimum_ratio(H) == 1.0


def test_hung_yi_lee_example_is_a_saddle_with_escape_direction(device, dtype):
    """L = (1 − w1·w2)² has H = [[0, −2], [−2, 0]] at the origin: a saddle, escape ±(1, 1)/√2."""
    origin = torch.zeros(2, device=device, dtype=dtype)
    H = hessian(lee_loss, origin)
    expected = torch.tensor([[0.0, -2.0], [-2.0, 0.0]], device=device, dtype=dtype)
    torch.testing.assert_close(H, expected)
    assert classify_critical_point(H) == "saddle point"
    assert minimum_ratio(H) == 0.5
    u = escape_direction(H)
    diagonal = torch.tensor([1.0, 1.0], device=device, dtype=dtype) / math.sqrt(2)
    assert torch.allclose(u, diagonal) or torch.allclose(u, -diagonal), u
    assert lee_loss(0.1 * u) < lee_loss(origin)  # a step along u goes down


def test_hessian_of_quadratic_is_its_matrix(device, dtype):
    """For L = ½ θᵀAθ + bᵀθ with symmetric A, H = A everywhere; a linear L has H = 0."""
    A = torch.tensor(
        [[2.0, 1.0, 0.0], [1.0, -3.0, 0.5], [0.0, 0.5, 1.0]], device=device, dtype=dtype
    )
    b = torch.tensor([1.0, -1.0, 2.0], device=device, dtype=dtype)
    theta = torch.tensor([0.3, -0.2, 1.5], device=device, dtype=dtype)
    torch.testing.assert_close(hessian(lambda t: 0.5 * t @ A @ t + b @ t, theta), A)
    torch.testing.assert_close(hessian(lambda t: b @ t, theta), torch.zeros_like(A))


def test_hessian_returns_a_plain_tensor_of_thetas_kind(device, dtype):
    """H has θ's dtype and device, no autograd history, and θ keeps requires_grad=False."""
    theta = torch.tensor([0.5, -1.0], device=device, dtype=dtype)
    H = hessian(rosenbrock, theta)
    assert (H.dtype, H.device, H.requires_grad) == (dtype, theta.device, False)
    assert not theta.requires_grad and theta.grad is None


@pytest.mark.parametrize(
    ("loss_fn", "theta"),
    [(lambda t: t.sum(), torch.zeros(2, 2)), (lambda t: t**2, torch.zeros(3))],
    ids=["theta-not-1d", "loss-not-scalar"],
)
def test_hessian_rejects_wrong_shapes(loss_fn, theta):
    """θ must be a vector (n,) and the loss a scalar."""
    with pytest.raises(ValueError):
        hessian(loss_fn, theta)


@fixture_settings
@given(case=SPECTRUM_CASES)
@example(case={"seed": 0, "eigenvalues": EDGE_SPECTRA[0]})
@example(case={"seed": 1, "eigenvalues": EDGE_SPECTRA[1]})
def test_classify_critical_point_matches_planted_spectrum(device, dtype, case):
    """Saddle if signs disagree; minimum/maximum only if EVERY eigenvalue is clearly ±; else
    "inconclusive" (an eigenvalue within tol of zero)."""
    check_classify(classify_critical_point, device, dtype, case)


@pytest.mark.parametrize("eigenvalues", EDGE_SPECTRA, ids=str)
def test_classify_critical_point_edge_spectra(device, dtype, eigenvalues):
    """A zero eigenvalue is neither positive nor negative."""
    check_classify(classify_critical_point, device, dtype, {"seed": 7, "eigenvalues": eigenvalues})


def test_classify_tol_is_an_absolute_threshold(device):
    """With the default tol = 1e-6, an eigenvalue of 5e-7 counts as zero and 2e-6 as positive."""
    H = torch.diag(torch.tensor([5e-7, 1.0], dtype=torch.float64, device=device))
    assert classify_critical_point(H) == "inconclusive"
    assert classify_critical_point(H, tol=1e-7) == "local minimum"
    assert classify_critical_point(-H) == "inconclusive"
    H = torch.diag(torch.tensor([2e-6, 1.0], dtype=torch.float64, device=device))
    assert classify_critical_point(H) == "local minimum"
    assert classify_critical_point(-H) == "local maximum"
    assert minimum_ratio(H) == 1.0 and minimum_ratio(H, tol=1e-5) == 0.5


@fixture_settings
@given(case=SPECTRUM_CASES)
def test_minimum_ratio_matches_planted_spectrum(device, dtype, case):
    """The minimum ratio is (number of eigenvalues > tol) / n, as a Python float."""
    check_minimum_ratio(minimum_ratio, device, dtype, case)


@fixture_settings
@given(case=SPECTRUM_CASES)
@example(case={"seed": 3, "eigenvalues": [2.0, 0.5, 7.0]})  # no negative eigenvalue
def test_escape_direction_is_the_smallest_eigenvalues_eigenvector(device, dtype, case):
    """Take the eigenvector (a COLUMN of eigh's result) of the smallest eigenvalue, unit length."""
    check_escape(escape_direction, device, dtype, case)


@pytest.mark.parametrize(
    "fn", [classify_critical_point, escape_direction, minimum_ratio], ids=lambda f: f.__name__
)
@pytest.mark.parametrize("shape", [(2, 3), (3,), (0, 0)], ids=str)
def test_spectral_functions_reject_non_square_matrices(fn, shape):
    """H must be a non-empty square matrix."""
    with pytest.raises(ValueError, match="square"):
        fn(torch.zeros(shape))
