"""Warm-up and decay schedules against torch.optim.lr_scheduler and their closed forms."""

import math

import pytest
from hypothesis import example, given
from reference_oracles import SCHEDULE_CASES, SCHEDULE_EXAMPLE, check_lr_at

from autograder.reference import lr_at


@given(case=SCHEDULE_CASES)
@example(case=SCHEDULE_EXAMPLE)
def test_lr_at_matches_torch_schedulers(case):
    """Warm-up is η_0·(s+1)/W for s < W; the decay starts from η_0 at s = W and ends at s = T."""
    check_lr_at(lr_at, case)


@pytest.mark.parametrize(
    ("step", "decay", "expected"),
    [
        (0, "cosine", 0.1),  # warm-up starts at η_0/W, not at 0
        (9, "cosine", 1.0),  # and reaches η_0 at s = W − 1
        (10, "cosine", 1.0),  # the decay starts from η_0
        (55, "cosine", 0.5),  # halfway through the cosine: (1 + cos(π/2))/2
        (100, "cosine", 0.0),
        (1000, "cosine", 0.0),  # clipped: no second cosine period
        (55, "linear", 0.5),
        (100, "linear", 0.0),
        (39, "inverse_sqrt", 0.5),  # √(10/40)
        (10, "inverse_sqrt", math.sqrt(10 / 11)),
        (99, "constant", 1.0),
    ],
)
def test_lr_at_closed_form(step, decay, expected):
    """Hand-computed values for η_0 = 1, W = 10, T = 100, η_min = 0."""
    assert math.isclose(lr_at(step, 1.0, 10, 100, decay), expected, abs_tol=1e-12)


def test_lr_at_min_lr_is_the_floor_of_cosine_and_linear():
    """η_min is where cosine and linear end; inverse_sqrt and constant ignore it."""
    for decay in ("cosine", "linear"):
        assert lr_at(100, 1.0, 10, 100, decay, min_lr=0.1) == pytest.approx(0.1)
        assert lr_at(55, 1.0, 10, 100, decay, min_lr=0.1) == pytest.approx(0.55)
    assert lr_at(39, 1.0, 10, 100, "inverse_sqrt", min_lr=0.9) == pytest.approx(0.5)


def test_lr_at_without_warmup_starts_at_base_lr():
    """With W = 0 there is no warm-up: s = 0 already uses η_0."""
    for decay in ("cosine", "linear", "inverse_sqrt", "constant"):
        assert lr_at(0, 0.3, 0, 50, decay) == pytest.approx(0.3)


def test_lr_at_rejects_an_unknown_decay():
    """The error names the allowed decays."""
    with pytest.raises(ValueError, match="'cosine', 'linear', 'inverse_sqrt', 'constant'"):
        lr_at(0, 1.0, 0, 10, decay="exponential")


def test_lr_at_rejects_a_negative_step():
    """step is a 0-based index."""
    with pytest.raises(ValueError, match="step"):
        lr_at(-1, 1.0, 0, 10)
