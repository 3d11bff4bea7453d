"""Softmax and cross-entropy against torch, including logits large enough to overflow exp."""

import pytest
import torch
import torch.nn.functional as F
from hypothesis import example, given
from reference_oracles import (
    CROSS_ENTROPY_CASES,
    LARGE_LOGITS_EXAMPLE,
    SOFTMAX_CASES,
    check_cross_entropy,
    check_softmax,
    fixture_settings,
)

from autograder.reference import cross_entropy, softmax


@fixture_settings
@given(case=SOFTMAX_CASES)
@example(case=LARGE_LOGITS_EXAMPLE)
def test_softmax_matches_torch_softmax(device, dtype, case):
    """Subtract the maximum along `dim` before exp, or logits of 1e4 overflow to inf/inf = NaN."""
    check_softmax(softmax, device, dtype, case)


@fixture_settings
@given(case=CROSS_ENTROPY_CASES)
@example(case=LARGE_LOGITS_EXAMPLE)
def test_cross_entropy_matches_f_cross_entropy(device, dtype, case):
    """Average logsumexp(z_i) − z_{i,y_i} over the batch; compute logsumexp with the max shift."""
    check_cross_entropy(cross_entropy, device, dtype, case)


def test_cross_entropy_of_huge_logits_is_exact(device, dtype):
    """For logits (1e4, 0) the loss is 0 for class 0 and 1e4 for class 1: finite, exact."""
    logits = torch.tensor([[1e4, 0.0], [1e4, 0.0]], device=device, dtype=dtype)
    target = torch.tensor([0, 1], device=device)
    loss = cross_entropy(logits, target)
    torch.testing.assert_close(loss, torch.tensor(5e3, device=device, dtype=dtype))
    torch.testing.assert_close(loss, F.cross_entropy(logits, target))


@pytest.mark.parametrize(
    ("logits_shape", "target_shape"), [((5,), (5,)), ((4, 3), (3,)), ((2, 3, 4), (2,))], ids=str
)
def test_cross_entropy_rejects_wrong_shapes(logits_shape, target_shape):
    """logits must be (N, C) and target (N,)."""
    with pytest.raises(ValueError, match=r"\(N, C\)"):
        cross_entropy(torch.zeros(logits_shape), torch.zeros(target_shape, dtype=torch.long))
