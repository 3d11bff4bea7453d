"""`claim` prints one line when the measurement supports the claim and fails the cell otherwise."""

import numpy as np
import pytest
import torch

from trainlab import claim
from trainlab.claims import ClaimFailed


def test_a_claim_that_holds_prints_one_line(capsys):
    assert claim("momentum ends lower", 0.2 < 0.5, "0.200 vs 0.500") is None
    assert capsys.readouterr().out == "✓ claim held: momentum ends lower (0.200 vs 0.500)\n"


def test_a_contradicted_claim_raises_and_prints_nothing(capsys):
    with pytest.raises(ClaimFailed, match="momentum ends lower .0.9 vs 0.5."):
        claim("momentum ends lower", 0.9 < 0.5, "0.9 vs 0.5")
    assert capsys.readouterr().out == ""


@pytest.mark.parametrize("holds", [np.bool_(False), torch.tensor(False), 0])
def test_array_booleans_are_judged_by_their_value(holds):
    with pytest.raises(ClaimFailed):
        claim("x", holds)


def test_claim_failed_is_an_assertion_error():
    assert issubclass(ClaimFailed, AssertionError)
