"""Checks of the dropout exercise: `dropout`, inverted dropout, judged by its statistics.

Every check first asks for a random mask (`_expect_random_mask`): keep rate and scale only
mean something when each entry is dropped independently, and a fixed pattern (a block of kept
entries rotated by the seed) has the right keep rate and scale.
"""

import math

import pytest
import torch

from autograder.checks._common import once_per_submission
from autograder.judge import expect_equal, expect_kind, expect_raises, fail
from autograder.protocol import GenSpec

EXERCISE = "dropout"
FUNCTIONS = ("dropout",)
BAND = 6.0  # accept a keep rate within BAND binomial standard deviations
N = 20_000
ROWS, COLS = 200, 100  # the mask of the independence check
# Independent masks have |correlation| ≈ 1/√n ≈ 0.007 between neighbours, rows or draws (n ≈ 2e4
# pairs); 0.25 is over 30 standard errors away, so an honest mask is rejected with probability
# < 1e-9 (Hoeffding's bound on the pairs' covariance, even and odd pairs apart).
MAX_CORRELATION = 0.25


def _p(r):
    """A drop probability away from 0.5, so that p and 1 − p cannot be confused."""
    return r.choice((r.uniform(0.15, 0.35), r.uniform(0.65, 0.85)))


def _call(submission, r, x, p, training, tag="mask"):
    inputs = dict(x=x, p=p, training=training, generator=GenSpec(r.seed_for(tag), x.device.type))
    y = submission.dropout(**inputs)
    expect_kind(y, x, function="dropout", r=r, inputs=inputs)
    return y


def _correlation(a: torch.Tensor, b: torch.Tensor) -> float:
    """Pearson correlation of two equally long samples (0 when either is constant)."""
    a, b = a.double().flatten(), b.double().flatten()
    a, b = a - a.mean(), b - b.mean()
    norm = float(a.norm() * b.norm())
    return float((a * b).sum()) / norm if norm > 0 else 0.0


def _check_random_mask(submission, r, device) -> None:
    """Each entry must be dropped independently: neighbouring entries, neighbouring rows and the
    masks of two generator states must be uncorrelated (|ρ| ≤ MAX_CORRELATION)."""
    x = r.randn(ROWS, COLS, dtype=torch.float32, device=device)
    p = _p(r)
    kept = [
        (_call(submission, r, x, p, training=True, tag=tag) != 0).cpu()
        for tag in ("independent-a", "independent-b")
    ]
    m = kept[0]
    pairs = {
        "neighbouring entries of a row": (m[:, :-1], m[:, 1:]),
        "neighbouring rows": (m[:-1, :], m[1:, :]),
        "two generators with different seeds": (kept[0], kept[1]),
    }
    for what, (a, b) in pairs.items():
        rho = _correlation(a, b)
        if abs(rho) > MAX_CORRELATION:
            raise fail(
                f"dropout(x of shape {ROWS}×{COLS}, p={p:.3f}, training=True) did not drop "
                f"entries independently: the masks of {what} have correlation {rho:.2f}; "
                "independent draws (one random number per entry, e.g. torch.rand(x.shape, "
                "generator=generator) >= p) give about 0 ± 0.01."
            )


def _expect_random_mask(submission, r, device) -> None:
    """Run `_check_random_mask` once per submission and device (`once_per_submission`); every check
    of the exercise starts here, so its failure costs each check its points."""
    once_per_submission(
        submission, f"_expect_random_mask-{device.type}", _check_random_mask, submission, r, device
    )


@pytest.mark.points(2)
def test_evaluation_is_identity(submission, cases):
    """With training=False, dropout must return x unchanged (no mask and no scaling)."""
    for r in cases:
        for device in r.devices:
            _expect_random_mask(submission, r, device)
            x = r.randn(500, dtype=torch.float32, device=device)
            p = _p(r)
            y = _call(submission, r, x, p, training=False)
            if torch.equal(y.cpu(), (x * (1 - p)).cpu()) and not torch.equal(y.cpu(), x.cpu()):
                raise fail("dropout(x, training=False) returned x·(1 − p).", "dropout.eval_scaled")
            if bool((y == 0).any()):
                raise fail(
                    "dropout(x, training=False) zeroed some entries.", "dropout.applied_in_eval"
                )
            expect_equal(
                y, x, function="dropout", r=r, tol=(0.0, 0.0), context="dropout(x, training=False)"
            )


@pytest.mark.points(2)
def test_keep_rate(submission, cases):
    """In training, dropout must zero each entry with probability p, so about a fraction 1 − p
    survives."""
    for r in cases:
        for device in r.devices:
            _expect_random_mask(submission, r, device)
            for dtype in (torch.float32, torch.float64):
                x = r.randn(N, dtype=dtype, device=device)
                p = _p(r)
                y = _call(submission, r, x, p, training=True)
                kept = float((y != 0).double().mean())
                sd = math.sqrt(p * (1 - p) / N)
                if abs(kept - (1 - p)) > BAND * sd:
                    named = "dropout.p_as_keep" if abs(kept - p) <= BAND * sd else None
                    raise fail(
                        f"dropout(x, p={p:.3f}, training=True) kept {100 * kept:.1f}% of {N} "
                        "entries; "
                        f"expected {100 * (1 - p):.1f}% ± {100 * BAND * sd:.1f}%.",
                        named,
                    )


@pytest.mark.points(2)
def test_survivors_are_rescaled(submission, cases):
    """In training, every entry that survives dropout must equal x / (1 − p) exactly, so that the
    expected output is x."""
    for r in cases:
        for device in r.devices:
            _expect_random_mask(submission, r, device)
            x = r.randn(N, dtype=torch.float32, device=device)
            p = _p(r)
            y = _call(submission, r, x, p, training=True)
            kept = y != 0
            if not bool(kept.any()):
                raise fail(f"dropout(x, p={p:.3f}, training=True) dropped every entry.")
            xs, ys = x[kept], y[kept]
            if torch.equal(ys, xs):
                raise fail("dropout returned the surviving entries unscaled.", "dropout.no_rescale")
            want = xs / (1 - p)
            if not torch.allclose(ys, want, rtol=1e-5, atol=1e-6):
                named = (
                    "dropout.p_as_keep"
                    if torch.allclose(ys, xs / p, rtol=1e-5, atol=1e-6)
                    else None
                )
                ratio = float((ys / xs).median())
                raise fail(
                    f"dropout(x, p={p:.3f}, training=True) scaled the survivors by {ratio:.4g}; "
                    f"expected 1/(1 − p) = {1 / (1 - p):.4g}.",
                    named,
                )


@pytest.mark.points(2)
def test_edge_probabilities(submission, cases):
    """In training, dropout with p = 0 must return x unchanged and with p = 1 must return zeros (not
    NaN)."""
    for r in cases:
        for device in r.devices:
            _expect_random_mask(submission, r, device)
            x = r.randn(100, dtype=torch.float32, device=device)
            y = _call(submission, r, x, 0.0, training=True)
            expect_equal(
                y,
                x,
                function="dropout",
                r=r,
                tol=(0.0, 0.0),
                context="dropout(x, p=0, training=True)",
            )
            y = _call(submission, r, x, 1.0, training=True)
            if bool(torch.isnan(y).any()):
                raise fail("dropout(x, p=1, training=True) returned NaN.", "dropout.p_one_nan")
            expect_equal(
                y,
                torch.zeros_like(x),
                function="dropout",
                r=r,
                tol=(0.0, 0.0),
                context="dropout(x, p=1, training=True)",
            )


@pytest.mark.points(1)
def test_uses_the_generator(submission, cases):
    """dropout must draw its mask with the `generator` it is given: the same seed gives the same
    mask."""
    for r in cases:
        for device in r.devices:
            _expect_random_mask(submission, r, device)
            x = r.randn(200, dtype=torch.float32, device=device)
            a = _call(submission, r, x, 0.5, training=True, tag="same")
            b = _call(submission, r, x, 0.5, training=True, tag="same")
            c = _call(submission, r, x, 0.5, training=True, tag="other")
            if not torch.equal(a, b):
                raise fail(
                    "dropout returned different masks for generators with the same seed.",
                    "dropout.ignores_generator",
                )
            if torch.equal(a, c):
                raise fail("dropout returned the same mask for generators with different seeds.")


@pytest.mark.points(1)
def test_rejects_p_outside_0_1(submission, cases):
    """dropout must raise ValueError for p outside [0, 1]."""
    for r in cases:
        for device in r.devices:
            _expect_random_mask(submission, r, device)
            for p in (-r.uniform(0.01, 1.0), 1 + r.uniform(0.01, 1.0)):
                inputs = dict(x=r.randn(4, device=device), p=p, training=True)
                rule = "raise ValueError if p is outside [0, 1]"
                valid = dict(inputs, p=0.5)
                expect_raises(submission, "dropout", inputs, ValueError, r, rule=rule, valid=valid)
