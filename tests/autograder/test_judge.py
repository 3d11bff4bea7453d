"""The judge: kind before values, learner-readable messages, hidden inputs never shown."""

import math

import numpy as np
import pytest
import torch

from autograder.cases import Cases
from autograder.errors import CheckFailure
from autograder.judge import (
    call_text,
    expect_call,
    expect_equal,
    fail,
    kind_mismatch,
    mismatch,
    tolerance,
    value_mismatch,
)
from autograder.protocol import GenSpec, Opaque


def test_kind_is_judged_before_values():
    want = torch.zeros(3, dtype=torch.float64)
    assert kind_mismatch(torch.zeros(3, dtype=torch.float64), want, "x") is None
    assert "is a numpy array" in kind_mismatch(np.zeros(3), want, "x")
    assert "has dtype float32; expected float64" in kind_mismatch(torch.zeros(3), want, "x")
    assert "has shape (1, 3); expected (3,)" in kind_mismatch(want.reshape(1, 3), want, "x")
    assert "is an object of type m.Liar" in kind_mismatch(Opaque("m.Liar", "?"), want, "x")
    assert "expected a tuple of 2" in kind_mismatch([want, want], (want, want), "x")
    assert "has 3 items; expected 2" in kind_mismatch((want,) * 3, (want, want), "x")
    assert "expected a Python float" in kind_mismatch(np.float64(1.0), 1.0, "x")
    assert "expected a Python int" in kind_mismatch(True, 1, "x")


def test_values_within_the_dtypes_tolerance():
    rtol, atol = tolerance(torch.float32)
    want = torch.tensor([1.0, -2.0, 3.0])
    assert mismatch(want * (1 + rtol / 2), want) is None
    problem = mismatch(want + torch.tensor([0.0, 0.1, 0.0]), want)
    assert "differs from the expected value at 1 of 3 entries, by up to 0.1" in problem
    assert tolerance(torch.float64) < tolerance(torch.float32) < tolerance(torch.float16)
    nan = mismatch(torch.tensor([math.nan, -2.0, 3.0]), want)
    assert "NaN at 1 of 3 entries" in nan
    assert mismatch((want, 1.0), (want, 1.0 + 1e-6), names=("theta", "lr")).startswith("lr is")


@pytest.mark.parametrize("want", [math.inf, -math.inf])
def test_a_python_float_infinity_matches_only_itself(want):
    assert mismatch(want, want) is None
    for got in (0.0, 1e300, -want, math.nan):
        assert mismatch(got, want) is not None, got
    assert mismatch(want, 1.0) is not None  # an infinity where a finite value is expected


def test_a_python_float_nan_only_where_nan_is_expected():
    assert mismatch(math.nan, math.nan) is None
    assert mismatch(math.nan, 1.0) is not None
    assert mismatch(1.0, math.nan) is not None


def test_complex_tensors_are_compared_with_their_imaginary_part():
    want = torch.tensor([1 + 2j, -3j], dtype=torch.complex128)
    assert mismatch(want.clone(), want) is None
    assert mismatch(want * (1 + 1e-12), want) is None
    wrong = mismatch(want.conj(), want)
    assert "the imaginary part of the result differs" in wrong
    assert "the real part" in mismatch(want + 1, want)
    real = torch.tensor([1.0, 0.0], dtype=torch.float64)
    assert "has dtype complex128; expected float64" in mismatch(want, real)  # kind first
    assert "is complex; expected real values" in value_mismatch(want, real, "the result", True)
    assert "is real; expected complex values" in value_mismatch(real, want, "the result", True)


def test_up_to_sign_accepts_either_eigenvector():
    u = torch.tensor([0.6, -0.8], dtype=torch.float64)
    assert mismatch(-u, u, up_to_sign=True) is None
    assert mismatch(-u, u) is not None


def test_public_cases_show_values_hidden_cases_only_kinds():
    inputs = dict(
        x=torch.tensor([0.25, -1.5]),
        p=0.3,
        training=True,
        generator=GenSpec(7, "cpu"),
        dtype=torch.float64,
        device=torch.device("cpu"),
    )
    public = call_text("dropout", inputs, True)
    hidden = call_text("dropout", inputs, False)
    assert "tensor([ 0.25, -1.5 ], dtype=float32)" in public and "p=0.3" in public
    assert "seeded 7" in public and "[public case]" in public
    assert "0.25" not in hidden and "0.3" not in hidden and "seeded" not in hidden
    assert "x=<float32 (2,) on cpu>" in hidden and "p=<float>" in hidden
    for text in (public, hidden):  # flags, dtypes and devices are not secrets
        assert "training=True, " in text
        assert "dtype=torch.float64, device=torch.device('cpu')" in text


def test_a_hidden_mismatch_gives_the_size_of_the_error_not_the_values():
    public, hidden = Cases("momentum", "t", "grade", b"secret", "ana")
    assert public.public and not hidden.public
    want = torch.tensor([1.234567, 2.0])
    with pytest.raises(CheckFailure) as raised:
        expect_equal(want + 0.5, want, function="f", r=hidden, inputs={"x": want})
    assert "1.234567" not in raised.value.learner_message
    assert "by up to 0.5" in raised.value.learner_message


def test_a_reproduced_misconception_is_named():
    r = next(iter(Cases("momentum", "t", "public")))
    theta = torch.tensor([1.0, 2.0], dtype=torch.float64)
    grad = torch.tensor([0.5, -0.5], dtype=torch.float64)
    inputs = dict(theta=theta, grad=grad, movement=torch.zeros(2, dtype=torch.float64))
    inputs.update(lr=0.1, momentum=0.9)

    class Plus:  # the learner steps along the gradient instead of against it
        @staticmethod
        def momentum_step(theta, grad, movement, lr, momentum):
            movement = momentum * movement + lr * grad
            return theta + movement, movement

    from autograder import reference as ref

    with pytest.raises(CheckFailure) as raised:
        expect_call(Plus, "momentum_step", inputs, ref.momentum_step, r)
    message = raised.value.learner_message
    assert message.startswith("momentum_step(theta=tensor([1., 2.], dtype=float64)")
    assert raised.value.misconception.key == "momentum.sign_flipped"
    assert raised.value.misconception.advice in message


def test_fail_names_a_known_misconception_or_none():
    assert fail("plain").misconception is None
    named = fail("masks differ", "dropout.ignores_generator")
    assert named.misconception.key == "dropout.ignores_generator"
    assert "This looks like a known mistake" in named.learner_message
