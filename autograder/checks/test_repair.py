"""Checks of the repair exercise: `repair(config, run)` fixes a broken set-up with few changes.

Each cause has two checks on the same cases (the public set-up, then one of the cause's hidden
pool, `autograder.checks._gym`): the repaired configuration, trained by the judge (cached by
content: `trainlab.gym.cache`), must reach the case's target; and, for the smaller second
check, it must change only keys the cause calls for (`trainlab.gym.causes.REPAIR_KEYS`), so
that replacing everything with a known-good recipe does not earn full marks.
"""

import pytest

from autograder import misconceptions
from autograder import reference as ref
from autograder.checks import _gym
from autograder.errors import CheckFailure
from autograder.judge import describe
from trainlab.gym.cache import shared
from trainlab.gym.configs import FIXED_KEYS, changed_keys, validate

EXERCISE = "repair"
FUNCTIONS = ("repair",)


def _named(case: _gym.GymCase, got: dict):
    """The known-wrong repair that returns the learner's configuration, if any."""
    for variant in misconceptions.for_function("repair"):
        try:
            theirs = validate(variant.impl(dict(case.config), case.run))
        except ValueError:
            continue
        if theirs == got:
            return variant
    return None


def _what_it_did(case: _gym.GymCase, fixed: dict, outcome: dict) -> str:
    """What the repaired run did, and what its instruments (the doctor's) now point to."""
    if outcome["diverged"]:
        did = "the repaired run diverged (its validation loss is not finite)"
    else:
        did = (
            f"the repaired run ended at validation accuracy {outcome['val_acc']:.3f} (target "
            f"{case.target:.3f}) and validation loss {outcome['val_loss']:.3g} (best "
            f"{outcome['best_val_loss']:.3g})"
        )
    run = shared().get(fixed)["run"]  # the instruments, for the feedback only
    seen = ref.diagnose(run)
    if seen == "healthy":
        return f"{did}; its instruments show no single cause left: {_gym.explain(seen, run)}"
    return f"{did}; its instruments point to {seen!r}: {_gym.explain(seen, run)}"


def expect_repair(submission, cases, cause: str, *, minimal: bool) -> None:
    """The learner's repair of the cause's set-ups (public, then hidden) must reach the target
    and, if `minimal`, change only the keys that `REPAIR_KEYS[cause]` allows."""
    runs = shared()
    for r in cases:
        case = _gym.case_of(EXERCISE, cases, r, cause)
        got = submission.repair(config=dict(case.config), run=case.run)
        where = f"repair(config, run) [{r.label} {cause} set-up]"
        if not isinstance(got, dict):
            raise CheckFailure(
                f"{where}: returned {describe(got)}; return the configuration, a dict."
            )
        try:
            fixed = validate(got)
        except ValueError as error:
            raise CheckFailure(
                f"{where}: the trainer refuses the configuration: {error}."
            ) from None
        frozen = [k for k in FIXED_KEYS if fixed[k] != case.config[k]]
        if frozen:
            raise CheckFailure(
                f"{where}: changed {', '.join(frozen)}, which the task fixes (the data, the "
                "budget of steps and the seed stay as given)."
            )
        outcome = runs.get(fixed, run=False)["outcome"]
        changed = changed_keys(case.config, fixed)
        if not _gym.reaches(case, outcome):
            raise CheckFailure(
                f"{where}: you changed {', '.join(changed) or 'nothing'}; "
                f"{_what_it_did(case, fixed, outcome)}.",
                _named(case, fixed),
            )
        extra = [k for k in changed if k not in _gym.REPAIR_KEYS[cause]]
        if minimal and extra:
            needed = ", ".join(sorted(_gym.REPAIR_KEYS[cause])) or "nothing"
            raise CheckFailure(
                f"{where}: the run reached its target, but you also changed {', '.join(extra)}; "
                f"{cause} calls for changing {needed} only (see {_gym.chapter(cause)}).",
                _named(case, fixed),
            )


@pytest.mark.points(2)
def test_fixes_healthy(submission, cases):
    """repair: a healthy set-up must still train to the target after the repair."""
    expect_repair(submission, cases, "healthy", minimal=False)


@pytest.mark.points(1)
def test_fixes_healthy_minimally(submission, cases):
    """repair: a healthy set-up must come back unchanged, and reach the target."""
    expect_repair(submission, cases, "healthy", minimal=True)


@pytest.mark.points(2)
def test_fixes_lr_too_high(submission, cases):
    """repair: the repair of a too-high learning rate must train to the target."""
    expect_repair(submission, cases, "lr_too_high", minimal=False)


@pytest.mark.points(1)
def test_fixes_lr_too_high_minimally(submission, cases):
    """repair: the repair of a too-high learning rate must change the learning rate only, and reach
    the target."""
    expect_repair(submission, cases, "lr_too_high", minimal=True)


@pytest.mark.points(2)
def test_fixes_lr_too_low(submission, cases):
    """repair: the repair of a too-low learning rate must train to the target."""
    expect_repair(submission, cases, "lr_too_low", minimal=False)


@pytest.mark.points(1)
def test_fixes_lr_too_low_minimally(submission, cases):
    """repair: the repair of a too-low learning rate must change the learning rate only, and reach
    the target."""
    expect_repair(submission, cases, "lr_too_low", minimal=True)


@pytest.mark.points(2)
def test_fixes_vanishing_gradients(submission, cases):
    """repair: the repair of vanishing gradients in a deep sigmoid network must train to the
    target."""
    expect_repair(submission, cases, "vanishing_gradients", minimal=False)


@pytest.mark.points(1)
def test_fixes_vanishing_gradients_minimally(submission, cases):
    """repair: the repair of vanishing gradients must change only the activation, the
    initialization or the normalization, and reach the target."""
    expect_repair(submission, cases, "vanishing_gradients", minimal=True)


@pytest.mark.points(2)
def test_fixes_dead_relu(submission, cases):
    """repair: the repair of ReLU units dead from the start must train to the target."""
    expect_repair(submission, cases, "dead_relu", minimal=False)


@pytest.mark.points(1)
def test_fixes_dead_relu_minimally(submission, cases):
    """repair: the repair of dead ReLU units must change only the bias initialization or the
    activation, and reach the target."""
    expect_repair(submission, cases, "dead_relu", minimal=True)


@pytest.mark.points(2)
def test_fixes_saturated_activations(submission, cases):
    """repair: the repair of saturated tanh units must train to the target."""
    expect_repair(submission, cases, "saturated_activations", minimal=False)


@pytest.mark.points(1)
def test_fixes_saturated_activations_minimally(submission, cases):
    """repair: the repair of saturated units must change only the initialization or the activation,
    and reach the target."""
    expect_repair(submission, cases, "saturated_activations", minimal=True)


@pytest.mark.points(2)
def test_fixes_unnormalized_inputs(submission, cases):
    """repair: the repair of unnormalized inputs must train to the target."""
    expect_repair(submission, cases, "unnormalized_inputs", minimal=False)


@pytest.mark.points(1)
def test_fixes_unnormalized_inputs_minimally(submission, cases):
    """repair: the repair of unnormalized inputs must change only the preprocessing, and reach the
    target."""
    expect_repair(submission, cases, "unnormalized_inputs", minimal=True)


@pytest.mark.points(2)
def test_fixes_grad_not_zeroed(submission, cases):
    """repair: the repair of a loop that never zeroes the gradients must train to the target."""
    expect_repair(submission, cases, "grad_not_zeroed", minimal=False)


@pytest.mark.points(1)
def test_fixes_grad_not_zeroed_minimally(submission, cases):
    """repair: the repair of a loop that never zeroes the gradients must change only that flag, and
    reach the target."""
    expect_repair(submission, cases, "grad_not_zeroed", minimal=True)


@pytest.mark.points(2)
def test_fixes_overfitting(submission, cases):
    """repair: the repair of an overfitting set-up must keep the validation loss near its minimum
    without losing accuracy."""
    expect_repair(submission, cases, "overfitting", minimal=False)


@pytest.mark.points(1)
def test_fixes_overfitting_minimally(submission, cases):
    """repair: a repair of overfitting must change the regularization only, and reach the target."""
    expect_repair(submission, cases, "overfitting", minimal=True)
