"""Checks of the He initialization exercise: `he_init`, judged by its statistics.

Every check first asks for independent draws (`_expect_independent`): mean, standard
deviation and kurtosis only mean something for independent entries, and identical rows of
exact normal quantiles (permuted) have the right ones.
"""

import math

import pytest
import torch

from autograder import reference as ref
from autograder.checks._common import once_per_submission
from autograder.judge import expect_kind, expect_raises, fail
from autograder.protocol import GenSpec

EXERCISE = "he_init"
FUNCTIONS = ("he_init",)
BAND = 6.0  # accept a measured std within BAND standard errors of the expected one
SHAPE = (64, 256)  # the weights of the independence check
# Independent entries have |correlation| ≈ 1/√n ≈ 0.008 between neighbours, rows or draws (n ≈
# 1.6e4 pairs): 0.25 is 30 standard errors away (false rejection < 1e-9). A sample of n normal
# draws has a Kolmogorov–Smirnov distance D to its distribution with P(D·√n < 0.2) < 1e-12;
# exact quantiles have D·√n ≈ 0.5/√n.
MAX_CORRELATION = 0.25
MIN_KS = 0.2


def _fans(shape):
    receptive = math.prod(shape[2:])
    return shape[1] * receptive, shape[0] * receptive


def _draw(submission, r, shape, device, tag, count=1):
    """`count` weight tensors from the learner, each from its own seeded generator, flattened."""
    out = []
    for i in range(count):
        g = GenSpec(r.seed_for(f"{tag}{i}"), device.type)
        want = torch.empty(shape, dtype=torch.float64, device=device)
        w = _drawn_with(submission, r, shape, g, want)
        out.append(w.detach().double().cpu().flatten())
    return torch.cat(out)


def _drawn_with(submission, r, shape, generator, want):
    """he_init's weights from this generator, once they have the kind of `want`."""
    inputs = dict(shape=shape, generator=generator, dtype=want.dtype, device=want.device)
    w = submission.he_init(**inputs)
    expect_kind(w, want, function="he_init", r=r, inputs=inputs)
    return w


def _correlation(a: torch.Tensor, b: torch.Tensor) -> float:
    """Pearson correlation of two equally long samples (0 when either is constant)."""
    a, b = a.double().flatten(), b.double().flatten()
    a, b = a - a.mean(), b - b.mean()
    norm = float(a.norm() * b.norm())
    return float((a * b).sum()) / norm if norm > 0 else 0.0


def _ks_distance(w: torch.Tensor, std: float) -> float:
    """sup |F_n − Φ(·/std)| of the sample w (Kolmogorov–Smirnov distance)."""
    x, _ = (w.double().flatten() / std).sort()
    n = x.numel()
    cdf = 0.5 * torch.erfc(-x / math.sqrt(2.0))
    i = torch.arange(1, n + 1, dtype=torch.float64)
    return float(torch.maximum(i / n - cdf, cdf - (i - 1) / n).max())


def _check_independent(submission, r, device) -> None:
    """The entries must be independent draws: uncorrelated neighbours, rows and draws of two
    generator states, no two rows holding the same values, and no better fit to the normal
    distribution than a random sample has."""
    shape, std = SHAPE, math.sqrt(2.0 / SHAPE[1])
    want = torch.empty(shape, dtype=torch.float64, device=device)
    a, b = (
        _drawn_with(submission, r, shape, GenSpec(r.seed_for(tag), device.type), want)
        .detach()
        .double()
        .cpu()
        for tag in ("independent-a", "independent-b")
    )
    problem = None
    pairs = {
        "neighbouring entries of a row": (a[:, :-1], a[:, 1:]),
        "neighbouring rows": (a[:-1, :], a[1:, :]),
        "two generators with different seeds": (a, b),
    }
    for what, (u, v) in pairs.items():
        rho = _correlation(u, v)
        if abs(rho) > MAX_CORRELATION:
            problem = f"the weights of {what} have correlation {rho:.2f} (independent: 0 ± 0.01)"
            break
    if problem is None:
        distinct = torch.unique(a.sort(dim=1).values, dim=0).shape[0]
        if distinct < shape[0]:
            problem = (
                f"only {distinct} of its {shape[0]} rows hold different values (the others "
                "repeat a row's values, in another order)"
            )
    if problem is None:
        ks = _ks_distance(a, std) * math.sqrt(a.numel())
        if ks < MIN_KS:
            problem = (
                f"the weights fit the normal distribution too exactly (Kolmogorov–Smirnov "
                f"distance·√n = {ks:.3f}; random draws give about 0.9, below {MIN_KS} with "
                "probability < 1e-12), as quantiles do, not random draws"
            )
    if problem is not None:
        raise fail(
            f"he_init({shape}) did not draw its weights independently: {problem}. Draw each "
            "entry at random, e.g. torch.randn(shape, generator=generator) * std."
        )


def _check_std(w, shape, r):
    fan_in, fan_out = _fans(shape)
    expected = math.sqrt(2.0 / fan_in)
    n = w.numel()
    s = float(w.std())
    band = BAND / math.sqrt(2 * n)  # relative standard error of a sample std is 1/√(2n)
    if abs(s / expected - 1) <= band:
        return
    candidates = {
        "he_init.fan_out": math.sqrt(2.0 / fan_out),
        "he_init.lecun_variance": math.sqrt(1.0 / fan_in),
        "he_init.ignores_kernel": math.sqrt(2.0 / shape[1]),
        "he_init.std_as_variance": 2.0 / fan_in,
    }
    named = next(
        (k for k, c in candidates.items() if c != expected and abs(s / c - 1) <= band), None
    )
    raise fail(
        f"he_init({tuple(shape)}) drew weights with standard deviation {s:.4g}; expected "
        f"√(2/fan_in) = {expected:.4g} with fan_in = {fan_in} (tolerance ±{100 * band:.1f}%).",
        named,
    )


def _expect_independent(submission, r, device) -> None:
    """Run `_check_independent` once per submission and device (`once_per_submission`); every check
    of the exercise starts here, so its failure costs each check its points."""
    once_per_submission(
        submission, f"_expect_independent-{device.type}", _check_independent, submission, r, device
    )


@pytest.mark.points(2)
def test_shape_dtype_device(submission, cases):
    """he_init must return a new tensor of the given shape, with the requested dtype and device,
    and torch's default dtype when dtype is None."""
    for r in cases:
        for device in r.devices:
            _expect_independent(submission, r, device)
            shape = (r.integer(2, 5), r.integer(2, 5), 3)
            g = GenSpec(r.seed_for("kind"), device.type)
            inputs = dict(shape=shape, generator=g, dtype=torch.float64, device=device)
            got = submission.he_init(**inputs)
            gen = torch.Generator(device.type).manual_seed(0)
            want = ref.he_init(shape, generator=gen, dtype=torch.float64, device=device)
            expect_kind(got, want, function="he_init", r=r, inputs=inputs)
        inputs = dict(shape=(3, 4), generator=GenSpec(r.seed_for("default"), "cpu"))
        got = submission.he_init(**inputs)
        want = ref.he_init((3, 4), generator=torch.Generator().manual_seed(0))
        expect_kind(got, want, function="he_init", r=r, inputs=inputs)


@pytest.mark.points(2)
def test_std_uses_fan_in(submission, cases):
    """The weights of a Linear layer of shape (out, in) must have standard deviation √(2/in),
    the fan-in, not the fan-out."""
    for r in cases:
        for device in r.devices:
            _expect_independent(submission, r, device)
            out = r.integer(24, 48)
            shape = (out, 4 * out + r.integer(0, 64))
            _check_std(_draw(submission, r, shape, device, "linear"), shape, r)


@pytest.mark.points(2)
def test_conv_fan_in_counts_the_kernel(submission, cases):
    """For a convolution weight (out, in, k, k) the fan-in is in·k·k, so the standard deviation
    is √(2/(in·k·k))."""
    for r in cases:
        for device in r.devices:
            _expect_independent(submission, r, device)
            shape = (8, 16, 3, 3)
            _check_std(_draw(submission, r, shape, device, "conv", count=4), shape, r)


@pytest.mark.points(1)
def test_normal_distribution(submission, cases):
    """he_init must draw from a normal distribution with mean 0 (not a uniform one)."""
    for r in cases:
        for device in r.devices:
            _expect_independent(submission, r, device)
            shape = (64, 256)
            w = _draw(submission, r, shape, device, "normal")
            n, std = w.numel(), math.sqrt(2.0 / 256)
            mean = float(w.mean())
            if abs(mean) > BAND * std / math.sqrt(n):
                raise fail(f"he_init({shape}) drew weights with mean {mean:.3g}; expected 0.")
            s = float(w.std())
            kurtosis = float(((w - w.mean()) ** 4).mean() / s**4)
            if abs(kurtosis - 3.0) > BAND * math.sqrt(24.0 / n):
                raise fail(
                    f"he_init({shape}) drew weights with kurtosis {kurtosis:.2f}; a normal "
                    "distribution has 3 (a uniform one 1.8).",
                    "he_init.uniform" if abs(kurtosis - 1.8) < 0.2 else None,
                )


@pytest.mark.points(2)
def test_uses_the_generator(submission, cases):
    """he_init must draw with the `generator` it is given: the same seed gives the same weights,
    another seed other weights."""
    for r in cases:
        for device in r.devices:
            _expect_independent(submission, r, device)
            shape = (6, 5)
            seed = r.seed_for("same")
            want = torch.empty(shape, dtype=torch.float64, device=device)
            a, b, c = (
                _drawn_with(submission, r, shape, GenSpec(s, device.type), want)
                for s in (seed, seed, seed + 1)
            )
            if not torch.equal(a, b):
                raise fail(
                    "he_init returned different weights for two generators with the same seed.",
                    "he_init.ignores_generator",
                )
            if torch.equal(a, c):
                raise fail("he_init returned the same weights for generators with different seeds.")


@pytest.mark.points(1)
def test_rejects_shapes_under_two_dims(submission, cases):
    """he_init must raise ValueError for a shape with fewer than 2 dims (it has no fan_in)."""
    for r in cases:
        for device in r.devices:
            _expect_independent(submission, r, device)
        rule = "raise ValueError for a shape with fewer than 2 dims"
        valid = dict(shape=(r.integer(2, 9), r.integer(2, 9)))
        for shape in ((r.integer(2, 9),), ()):
            expect_raises(
                submission, "he_init", dict(shape=shape), ValueError, r, rule=rule, valid=valid
            )
