"""Checks of the diagnosis exercise: `diagnose(run)` names why a run fails, one check per cause.

Each check hands the learner's function a fresh run of its cause (the doctor's instruments as
plain data, without any label: `trainlab.gym.train.instruments`): the public run, then one run
of the cause's hidden pool (`autograder.checks._gym`). A wrong answer is told the evidence of
the run it overlooked, and the misconception when a known-wrong diagnoser gives the same answer.
"""

import pytest

from autograder import misconceptions
from autograder.checks import _gym
from autograder.errors import CheckFailure, SubmissionError
from autograder.judge import describe
from trainlab.doctor.causes import CAUSES
from trainlab.gym.causes import GYM_CAUSES

EXERCISE = "diagnose"
FUNCTIONS = ("diagnose",)


def _identify(submission, case: _gym.GymCase, got: str):
    """The known-wrong diagnoser that answers `got` on this run; when several do, the one that
    agrees with most of the learner's answers on the public runs of every cause."""
    candidates = [v for v in misconceptions.for_function("diagnose") if v.impl(case.run) == got]
    if len(candidates) < 2:
        return candidates[0] if candidates else None
    publics = [_gym.public_case(EXERCISE, cause).run for cause in GYM_CAUSES]
    try:
        answers = [submission.diagnose(run=run) for run in publics]
    except SubmissionError:  # the learner's own error is reported by the check of its cause
        return candidates[0]
    pairs = list(zip(publics, answers, strict=True))
    return max(candidates, key=lambda v: sum(v.impl(r) == a for r, a in pairs))


def expect_diagnosis(submission, cases, cause: str) -> None:
    """The learner's diagnosis of the cause's runs (public, then hidden) must be `cause`."""
    for r in cases:
        case = _gym.case_of(EXERCISE, cases, r, cause)
        got = submission.diagnose(run=case.run)
        where = f"diagnose(run) [{r.label} run of the {cause} set]"
        if not isinstance(got, str):
            raise CheckFailure(
                f"{where}: returned {describe(got)}; return one cause id (a str) of the doctor's "
                f"vocabulary: {', '.join(CAUSES)}."
            )
        if got not in CAUSES:
            raise CheckFailure(
                f"{where}: returned {got!r}, which is not a cause id of the doctor's vocabulary "
                f"({', '.join(CAUSES)})."
            )
        if got == cause:
            continue
        variant = _identify(submission, case, got)
        raise CheckFailure(
            f"{where}: answered {got!r}, but the run shows {cause!r}: "
            f"{_gym.explain(cause, case.run)}.",
            variant,
        )


@pytest.mark.points(1)
def test_healthy(submission, cases):
    """diagnose must answer "healthy" for a run whose instruments lie in their healthy ranges."""
    expect_diagnosis(submission, cases, "healthy")


@pytest.mark.points(1)
def test_lr_too_high(submission, cases):
    """diagnose must answer "lr_too_high" when early updates change the weights by a large fraction
    of their norm."""
    expect_diagnosis(submission, cases, "lr_too_high")


@pytest.mark.points(1)
def test_lr_too_low(submission, cases):
    """diagnose must answer "lr_too_low" when every update changes the weights by a tiny fraction
    of their norm."""
    expect_diagnosis(submission, cases, "lr_too_low")


@pytest.mark.points(1)
def test_vanishing_gradients(submission, cases):
    """diagnose must answer "vanishing_gradients" when the first layer's gradient is orders of
    magnitude below the last hidden layer's."""
    expect_diagnosis(submission, cases, "vanishing_gradients")


@pytest.mark.points(1)
def test_dead_relu(submission, cases):
    """diagnose must answer "dead_relu" when most ReLU units output zero on whole batches from the
    start."""
    expect_diagnosis(submission, cases, "dead_relu")


@pytest.mark.points(1)
def test_saturated_activations(submission, cases):
    """diagnose must answer "saturated_activations" when most tanh or sigmoid outputs sit at the
    ends of their range from the start."""
    expect_diagnosis(submission, cases, "saturated_activations")


@pytest.mark.points(1)
def test_unnormalized_inputs(submission, cases):
    """diagnose must answer "unnormalized_inputs" when input features have scales far from 1."""
    expect_diagnosis(submission, cases, "unnormalized_inputs")


@pytest.mark.points(1)
def test_grad_not_zeroed(submission, cases):
    """diagnose must answer "grad_not_zeroed" when every backward pass finds the previous step's
    gradient still in place."""
    expect_diagnosis(submission, cases, "grad_not_zeroed")


@pytest.mark.points(1)
def test_overfitting(submission, cases):
    """diagnose must answer "overfitting" when the validation loss climbs back up while the train
    loss keeps falling."""
    expect_diagnosis(submission, cases, "overfitting")
