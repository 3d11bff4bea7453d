"""Checks of the learning-rate schedule exercise: `lr_at`, warm-up then decay."""

import pytest

from autograder import reference as ref
from autograder.judge import expect_call, expect_raises

EXERCISE = "lr_schedule"
FUNCTIONS = ("lr_at",)


def _run(r, decay, steps, base_lr, warmup, total, min_lr, submission):
    for step in steps:
        inputs = dict(
            step=step,
            base_lr=base_lr,
            warmup_steps=warmup,
            total_steps=total,
            decay=decay,
            min_lr=min_lr,
        )
        expect_call(submission, "lr_at", inputs, ref.lr_at, r)


def _setting(r):
    warmup = r.integer(3, 10)
    total = warmup + r.integer(20, 60)
    return r.log_uniform(1e-3, 1.0), warmup, total


@pytest.mark.points(2)
def test_warmup(submission, cases):
    """During warm-up (step < warmup_steps, 0-based) lr_at must return base_lr·(step +
    1)/warmup_steps as a float."""
    for r in cases:
        base_lr, warmup, total = _setting(r)
        _run(r, "cosine", range(warmup), base_lr, warmup, total, 0.0, submission)


@pytest.mark.points(2)
def test_cosine_decay(submission, cases):
    """After warm-up, cosine lr_at must fall from base_lr at step = warmup_steps to min_lr at step =
    total_steps and stay there."""
    for r in cases:
        base_lr, warmup, total = _setting(r)
        min_lr = base_lr * r.uniform(0.01, 0.3)
        steps = [warmup, (warmup + total) // 2, total - 1, total, total + r.integer(1, 30)]
        _run(r, "cosine", steps, base_lr, warmup, total, min_lr, submission)


@pytest.mark.points(2)
def test_linear_decay(submission, cases):
    """After warm-up, linear lr_at must fall in a straight line from base_lr to min_lr at
    total_steps and stay there."""
    for r in cases:
        base_lr, warmup, total = _setting(r)
        min_lr = base_lr * r.uniform(0.01, 0.3)
        steps = [warmup, warmup + r.integer(1, total - warmup - 1), total, total + 5]
        _run(r, "linear", steps, base_lr, warmup, total, min_lr, submission)


@pytest.mark.points(2)
def test_inverse_sqrt_and_constant(submission, cases):
    """After warm-up, inverse_sqrt lr_at must be base_lr·√(warmup_steps/(step + 1)) and constant
    lr_at must be base_lr."""
    for r in cases:
        base_lr, warmup, total = _setting(r)
        for decay in ("inverse_sqrt", "constant"):
            _run(
                r,
                decay,
                [warmup, warmup + r.integer(1, 100)],
                base_lr,
                warmup,
                total,
                0.0,
                submission,
            )


@pytest.mark.points(1)
def test_no_warmup(submission, cases):
    """With warmup_steps = 0, lr_at must start the decay at step 0 with base_lr."""
    for r in cases:
        base_lr, _, total = _setting(r)
        _run(r, "cosine", [0, total // 3], base_lr, 0, total, 0.0, submission)


@pytest.mark.points(1)
def test_rejects_invalid_arguments(submission, cases):
    """lr_at must raise ValueError for an unknown decay and for a negative step or warmup_steps."""
    for r in cases:
        base_lr, warmup, total = _setting(r)
        good = dict(
            step=warmup,
            base_lr=base_lr,
            warmup_steps=warmup,
            total_steps=total,
            decay="cosine",
            min_lr=0.0,
        )
        for wrong, rule in (
            (dict(good, decay="exponential"), "any other decay raises ValueError"),
            (dict(good, step=-r.integer(1, 5)), "raise ValueError if step < 0"),
            (dict(good, warmup_steps=-1), "raise ValueError if warmup_steps < 0"),
        ):
            expect_raises(submission, "lr_at", wrong, ValueError, r, rule=rule, valid=good)
