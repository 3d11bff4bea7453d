"""Checks of the classification-loss exercise: stable `softmax` and `cross_entropy`."""

import pytest
import torch

from autograder import reference as ref
from autograder.judge import expect_call, expect_raises

EXERCISE = "softmax_cross_entropy"
FUNCTIONS = ("softmax", "cross_entropy")


@pytest.mark.points(2)
def test_softmax_values(submission, cases):
    """softmax must turn logits into probabilities that sum to one along `dim`, for any dim."""
    for r in cases:
        for device in r.devices:
            for dtype in (torch.float32, torch.float64):
                z = r.randn(3, 4, dtype=dtype, device=device, scale=3.0)
                for dim in (-1, 0, 1):
                    expect_call(submission, "softmax", dict(z=z, dim=dim), ref.softmax, r)


@pytest.mark.points(2)
def test_softmax_large_logits(submission, cases):
    """softmax must stay finite for logits around 1000 by subtracting the maximum before exp."""
    for r in cases:
        for device in r.devices:
            z = r.randn(4, 5, dtype=torch.float32, device=device) + r.uniform(500, 1000)
            expect_call(submission, "softmax", dict(z=z, dim=-1), ref.softmax, r)


@pytest.mark.points(2)
def test_cross_entropy_values(submission, cases):
    """cross_entropy must return the mean over the batch of −log softmax(logits)[target] as a 0-dim
    tensor."""
    for r in cases:
        for device in r.devices:
            for dtype in (torch.float32, torch.float64):
                N, C = r.integer(3, 8), r.integer(2, 6)
                logits = r.randn(N, C, dtype=dtype, device=device, scale=2.0)
                target = torch.randint(
                    0, C, (N,), generator=torch.Generator().manual_seed(r.seed_for("t"))
                ).to(device)
                inputs = dict(logits=logits, target=target)
                expect_call(submission, "cross_entropy", inputs, ref.cross_entropy, r)


@pytest.mark.points(2)
def test_cross_entropy_large_logits(submission, cases):
    """cross_entropy must stay finite for logits around 1000 by computing log-sum-exp with the row
    maximum subtracted."""
    for r in cases:
        for device in r.devices:
            logits = r.randn(4, 3, device=device) + r.uniform(800, 1200)
            target = torch.tensor([0, 1, 2, 1], device=device)
            expect_call(
                submission,
                "cross_entropy",
                dict(logits=logits, target=target),
                ref.cross_entropy,
                r,
            )


@pytest.mark.points(2)
def test_cross_entropy_confident_mistakes(submission, cases):
    """cross_entropy must return a large finite loss when the target's probability underflows to
    zero, so never take the log of a softmax."""
    for r in cases:
        for device in r.devices:
            logits = -r.rand(4, 3, device=device) * r.uniform(900, 1500)
            logits[:, 0] = 0.0  # class 0 is certain; the targets below are the other classes
            target = torch.tensor([1, 2, 1, 2], device=device)
            expect_call(
                submission,
                "cross_entropy",
                dict(logits=logits, target=target),
                ref.cross_entropy,
                r,
            )


@pytest.mark.points(1)
def test_cross_entropy_rejects_invalid_shapes(submission, cases):
    """cross_entropy must raise ValueError when the shapes are not (N, C) and (N,)."""
    for r in cases:
        for device in r.devices:
            N, C = r.integer(2, 5), r.integer(2, 4)
            target = torch.zeros(N, dtype=torch.long, device=device)
            rule = "raise ValueError if the shapes are not (N, C) and (N,)"
            for logits, labels in (
                (r.randn(N, C, device=device), torch.zeros(N + 1, dtype=torch.long, device=device)),
                (r.randn(N, device=device), target),
            ):
                inputs = dict(logits=logits, target=labels)
                valid = dict(logits=r.randn(N, C, device=device), target=target)
                expect_raises(
                    submission, "cross_entropy", inputs, ValueError, r, rule=rule, valid=valid
                )
