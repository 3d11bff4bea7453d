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
from trainlab.gym.configs import FIXED_KEYS, changed_keys, cost, validate

EXERCISE = "repair"
FUNCTIONS = ("repair",)
MAX_COST_RATIO = 4  # the compute a repaired set-up may take, relative to the broken one


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
        ratio = cost(fixed) / cost(case.config)
        if ratio > MAX_COST_RATIO:
            raise CheckFailure(
                f"{where}: the repaired set-up needs {ratio:.1f}× the compute of the given one "
                f"(wider or deeper layers, larger batches); a repair keeps the budget, at most "
                f"{MAX_COST_RATIO}× (the grader trains it)."
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
    """repair must return a healthy set-up in a form that still trains to the target."""
    expect_repair(submission, cases, "healthy", minimal=False)


@pytest.mark.points(1)
def test_fixes_healthy_minimally(submission, cases):
    """repair must return a healthy set-up unchanged."""
    expect_repair(submission, cases, "healthy", minimal=True)


@pytest.mark.points(2)
def test_fixes_lr_too_high(submission, cases):
    """repair must make a set-up whose learning rate is too high train to the target."""
    expect_repair(submission, cases, "lr_too_high", minimal=False)


@pytest.mark.points(1)
def test_fixes_lr_too_high_minimally(submission, cases):
    """repair must change only the learning rate of a set-up whose learning rate is too high, and
    reach the target."""
    expect_repair(submission, cases, "lr_too_high", minimal=True)


@pytest.mark.points(2)
def test_fixes_lr_too_low(submission, cases):
    """repair must make a set-up whose learning rate is too low train to the target."""
    expect_repair(submission, cases, "lr_too_low", minimal=False)


@pytest.mark.points(1)
def test_fixes_lr_too_low_minimally(submission, cases):
    """repair must change only the learning rate of a set-up whose learning rate is too low, and
    reach the target."""
    expect_repair(submission, cases, "lr_too_low", minimal=True)


@pytest.mark.points(2)
def test_fixes_vanishing_gradients(submission, cases):
    """repair must make a deep sigmoid network whose gradients vanish train to the target."""
    expect_repair(submission, cases, "vanishing_gradients", minimal=False)


@pytest.mark.points(1)
def test_fixes_vanishing_gradients_minimally(submission, cases):
    """repair must change only the activation, the initialization or the normalization of a network
    whose gradients vanish, and reach the target."""
    expect_repair(submission, cases, "vanishing_gradients", minimal=True)


@pytest.mark.points(2)
def test_fixes_dead_relu(submission, cases):
    """repair must make a network whose ReLU units are dead from the start train to the target."""
    expect_repair(submission, cases, "dead_relu", minimal=False)


@pytest.mark.points(1)
def test_fixes_dead_relu_minimally(submission, cases):
    """repair must change only the bias initialization or the activation of a network with dead
    ReLU units, and reach the target."""
    expect_repair(submission, cases, "dead_relu", minimal=True)


@pytest.mark.points(2)
def test_fixes_saturated_activations(submission, cases):
    """repair must make a network whose tanh units start saturated train to the target."""
    expect_repair(submission, cases, "saturated_activations", minimal=False)


@pytest.mark.points(1)
def test_fixes_saturated_activations_minimally(submission, cases):
    """repair must change only the initialization or the activation of a network with saturated
    units, and reach the target."""
    expect_repair(submission, cases, "saturated_activations", minimal=True)


@pytest.mark.points(2)
def test_fixes_unnormalized_inputs(submission, cases):
    """repair must make a set-up fed unnormalized inputs train to the target."""
    expect_repair(submission, cases, "unnormalized_inputs", minimal=False)


@pytest.mark.points(1)
def test_fixes_unnormalized_inputs_minimally(submission, cases):
    """repair must change only the preprocessing of a set-up fed unnormalized inputs, and reach the
    target."""
    expect_repair(submission, cases, "unnormalized_inputs", minimal=True)


@pytest.mark.points(2)
def test_fixes_grad_not_zeroed(submission, cases):
    """repair must make a loop that never zeroes the gradients train to the target."""
    expect_repair(submission, cases, "grad_not_zeroed", minimal=False)


@pytest.mark.points(1)
def test_fixes_grad_not_zeroed_minimally(submission, cases):
    """repair must change only the zero_grad flag of a loop that never zeroes the gradients, and
    reach the target."""
    expect_repair(submission, cases, "grad_not_zeroed", minimal=True)


@pytest.mark.points(2)
def test_fixes_overfitting(submission, cases):
    """repair must keep the validation loss of an overfitting set-up near its minimum without
    losing much accuracy."""
    expect_repair(submission, cases, "overfitting", minimal=False)


@pytest.mark.points(1)
def test_fixes_overfitting_minimally(submission, cases):
    """repair must change only the regularization of an overfitting set-up, and reach the target."""
    expect_repair(submission, cases, "overfitting", minimal=True)
