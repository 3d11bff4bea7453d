"""Inverted dropout: statistics against F.dropout, and its exact edge cases."""

import math

import pytest
import torch
from reference_oracles import DROPOUT_PS, check_dropout

from autograder.reference import dropout


@pytest.mark.parametrize("p", DROPOUT_PS)
def test_dropout_keeps_1_minus_p_and_rescales_survivors(device, dtype, p):
    """Keep each element with probability 1 − p and divide the survivors by 1 − p."""
    check_dropout(dropout, device, dtype, p)


@pytest.mark.parametrize("p", [0.0, 0.3, 1.0])
def test_dropout_in_eval_mode_is_a_copy(device, dtype, p):
    """training=False returns x unchanged, as a new tensor (never x itself)."""
    x = torch.randn(4, 5, device=device, dtype=dtype)
    y = dropout(x, p, False)
    assert torch.equal(y, x) and y.data_ptr() != x.data_ptr()


def test_dropout_p0_copies_and_p1_zeros(device, dtype):
    """p = 0 drops nothing (a copy); p = 1 drops everything (zeros, not NaN from 0/0)."""
    x = torch.randn(4, 5, device=device, dtype=dtype)
    y0, y1 = dropout(x, 0.0, True), dropout(x, 1.0, True)
    assert torch.equal(y0, x) and y0.data_ptr() != x.data_ptr()
    assert torch.equal(y1, torch.zeros_like(x))


@pytest.mark.parametrize("p", [-0.1, 1.5, math.nan])
def test_dropout_rejects_p_outside_0_1(p):
    """p is a probability: anything outside [0, 1] (or NaN) is a ValueError."""
    with pytest.raises(ValueError, match="0 <= p <= 1"):
        dropout(torch.ones(3), p, True)


def test_dropout_generator_makes_the_mask_reproducible(device, dtype):
    """The same seeded generator gives the same mask; another seed another mask."""
    x = torch.randn(50, 40, device=device, dtype=dtype)
    ys = [
        dropout(x, 0.5, True, generator=torch.Generator(device).manual_seed(s)) for s in (4, 4, 5)
    ]
    assert torch.equal(ys[0], ys[1]) and not torch.equal(ys[0], ys[2])
