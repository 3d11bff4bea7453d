"""The independence checks of dropout and he_init: honest random draws of every usual kind keep
full marks; masks and weights that only look random in aggregate (a rotated block, identical
rows, rows of permuted quantiles) lose every point and are told what was wrong."""

import math

import pytest
import torch

from autograder.runner import InProcessSubmission, run_inprocess
from autograder.worker import PREAMBLE

DROPOUT = (
    "def dropout(x, p, training, generator=None):\n"
    "    if not 0.0 <= p <= 1.0:\n        raise ValueError('p must be in [0, 1]')\n"
    "    if not training or p == 0.0:\n        return x.clone()\n"
    "    if p == 1.0:\n        return torch.zeros_like(x)\n"
    "    mask = {mask}\n"
    "    return x * mask / (1 - p)\n"
)
HONEST_MASKS = {
    "rand >= p": "torch.rand(x.shape, generator=generator, dtype=x.dtype, device=x.device) >= p",
    "rand < 1 - p": "torch.rand(x.shape, generator=generator, device=x.device) < 1 - p",
    "bernoulli": "torch.bernoulli(torch.full_like(x, 1 - p), generator=generator)",
    "bernoulli_": "torch.empty_like(x).bernoulli_(1 - p, generator=generator).bool()",
    "uniform_ > p": "torch.empty_like(x).uniform_(generator=generator) > p",
}
WRONG_MASKS = {
    "a block of kept entries rotated by the seed": (
        "torch.roll(torch.arange(x.numel(), device=x.device) < round((1 - p) * x.numel()), "
        "int(torch.randint(0, x.numel(), (1,), generator=generator, device=x.device)))"
        ".reshape(x.shape)",
        "neighbouring entries of a row",
    ),
    "every row the same random row": (
        "(torch.rand(x.shape[-1:], generator=generator, device=x.device) >= p).expand(x.shape)",
        "neighbouring rows",
    ),
}
HE_INIT = (
    "def he_init(shape, generator=None, dtype=None, device=None):\n"
    "    if len(shape) < 2:\n        raise ValueError('a weight shape needs 2 dims')\n"
    "    if device is None and generator is not None:\n        device = generator.device\n"
    "    dtype = torch.get_default_dtype() if dtype is None else dtype\n"
    "    std = math.sqrt(2.0 / math.prod(shape[1:]))\n"
    "    rows, cols = shape[0], math.prod(shape[1:])\n"
    "    return {draw}\n"
)
HONEST_DRAWS = {
    "normal_": "torch.empty(tuple(shape), dtype=dtype, device=device).normal_(0, std, "
    "generator=generator)",
    "randn * std": "torch.randn(tuple(shape), generator=generator, dtype=dtype, device=device)"
    " * std",
    "torch.normal": "torch.normal(0.0, std, tuple(shape), generator=generator, dtype=dtype, "
    "device=device)",
    "float64 then cast": "(torch.randn(tuple(shape), generator=generator, dtype=torch.float64, "
    "device=device) * std).to(dtype)",
}
_QUANTILES = "torch.special.ndtri((torch.arange(cols, dtype=torch.float64) + 0.5) / cols) * std"
_PERM = "torch.randperm(cols, generator=generator, device=generator.device).cpu()"
WRONG_DRAWS = {
    "identical rows of permuted quantiles": (
        f"({_QUANTILES})[{_PERM}].repeat(rows, 1).reshape(tuple(shape)).to(dtype=dtype, "
        "device=device)",
        "neighbouring rows",
    ),
    "each row its own permutation of the quantiles": (
        f"torch.stack([({_QUANTILES})[{_PERM}] for _ in range(rows)]).reshape(tuple(shape))"
        ".to(dtype=dtype, device=device)",
        "rows hold different values",
    ),
    "all quantiles, permuted as a whole": (
        "(torch.special.ndtri((torch.arange(rows * cols, dtype=torch.float64) + 0.5) / "
        "(rows * cols)) * std)[torch.randperm(rows * cols, generator=generator, "
        "device=generator.device).cpu()].reshape(tuple(shape)).to(dtype=dtype, device=device)",
        "fit the normal distribution too exactly",
    ),
}


def grade(exercise, source):
    namespace = {"__name__": "__main__"}
    exec(PREAMBLE, namespace)
    exec(source, namespace)
    submission = InProcessSubmission(namespace, exercise, scan=False)
    return run_inprocess(exercise, submission, mode="grade", student_id="alice")


@pytest.mark.parametrize("mask", HONEST_MASKS.values(), ids=HONEST_MASKS)
def test_honest_dropout_keeps_full_marks(mask):
    results = grade("dropout", DROPOUT.format(mask=mask))
    assert all(r.passed for r in results), [(r.name, r.message) for r in results if not r.passed]


@pytest.mark.parametrize("mask, says", WRONG_MASKS.values(), ids=WRONG_MASKS)
def test_a_mask_that_is_not_random_loses_every_point(mask, says):
    results = grade("dropout", DROPOUT.format(mask=mask))
    assert sum(r.score for r in results) == 0
    assert all("did not drop entries independently" in r.message for r in results)
    assert says in results[0].message


@pytest.mark.parametrize("draw", HONEST_DRAWS.values(), ids=HONEST_DRAWS)
def test_honest_he_init_keeps_full_marks(draw):
    results = grade("he_init", HE_INIT.format(draw=draw))
    assert all(r.passed for r in results), [(r.name, r.message) for r in results if not r.passed]


@pytest.mark.parametrize("draw, says", WRONG_DRAWS.values(), ids=WRONG_DRAWS)
def test_weights_that_are_not_independent_draws_lose_every_point(draw, says):
    results = grade("he_init", HE_INIT.format(draw=draw))
    assert sum(r.score for r in results) == 0
    assert all("did not draw its weights independently" in r.message for r in results)
    assert says in results[0].message


def test_honest_draws_are_far_inside_the_thresholds():
    """Over 200 seeds, honest masks and weights stay far below the thresholds, so that the
    false-rejection bound of the docstrings (< 1e-9 per check) is not a fluke of one seed."""
    from autograder.checks import test_dropout, test_he_init

    worst_mask, worst_weights, lowest_ks = 0.0, 0.0, math.inf
    for seed in range(200):
        g = torch.Generator().manual_seed(seed)
        m = torch.rand(200, 100, generator=g) >= 0.3
        n = torch.rand(200, 100, generator=g) >= 0.3
        for a, b in ((m[:, :-1], m[:, 1:]), (m[:-1], m[1:]), (m, n)):
            worst_mask = max(worst_mask, abs(test_dropout._correlation(a, b)))
        w = torch.randn(64, 256, generator=g, dtype=torch.float64) * math.sqrt(2 / 256)
        worst_weights = max(worst_weights, abs(test_he_init._correlation(w[:-1], w[1:])))
        ks = test_he_init._ks_distance(w, math.sqrt(2 / 256)) * math.sqrt(w.numel())
        lowest_ks = min(lowest_ks, ks)
    assert worst_mask < test_dropout.MAX_CORRELATION / 4
    assert worst_weights < test_he_init.MAX_CORRELATION / 4
    assert lowest_ks > 1.5 * test_he_init.MIN_KS
