"""The diagnosis gym graded: what each kind of diagnoser or repair earns, the cache, feedback.

The checks train the gym's runs on first use (cached on disk for later tests): the first test
to run pays about a minute.
"""

import functools

import pytest

from autograder import misconceptions
from autograder import reference as ref
from autograder.checks import _gym
from autograder.runner import InProcessSubmission, run_inprocess
from autograder.sandbox import static_delegation
from trainlab.gym.cache import RunCache
from trainlab.gym.causes import GYM_CAUSES

pytestmark = pytest.mark.slow
IDS = tuple(f"s{i:03d}" for i in range(20)) + ("alice@example.edu", "Ünal", "x", "0")


def grade(exercise, function, student="alice", mode="grade"):
    namespace = {"diagnose": ref.diagnose, "repair": ref.repair, exercise: function}
    submission = InProcessSubmission(namespace, exercise, scan=False)
    return {r.name: r for r in run_inprocess(exercise, submission, mode, student_id=student)}


def score(results):
    return sum(r.score for r in results.values())


def constant(answer):
    return lambda run: answer


def test_the_reference_earns_full_marks():
    for exercise in ("diagnose", "repair"):
        results = grade(exercise, getattr(ref, exercise))
        assert all(r.passed for r in results.values()), exercise


def test_always_the_same_cause_scores_one_ninth():
    for cause in GYM_CAUSES:  # each cause is equally common: any constant is "the most common"
        results = grade("diagnose", constant(cause))
        assert [n for n, r in results.items() if r.passed] == [f"test_{cause}"]
        assert score(results) == 1


def test_reading_only_the_loss_curve_earns_partial_marks():
    loss_only = misconceptions.get("diagnose.loss_curve_only").impl
    results = grade("diagnose", loss_only)
    passed = {n.removeprefix("test_") for n, r in results.items() if r.passed}
    assert passed == {"healthy", "lr_too_high", "lr_too_low", "overfitting"}
    assert 0 < score(results) < sum(r.points for r in results.values())


def test_a_wrong_diagnosis_is_told_the_evidence_and_the_chapter():
    results = grade("diagnose", misconceptions.get("diagnose.loss_curve_only").impl)
    vanishing = results["test_vanishing_gradients"].message
    assert "gradient RMS is" in vanishing and "of the last hidden layer's" in vanishing
    assert "10_activation_functions.html" in vanishing
    assert results["test_vanishing_gradients"].misconception == "diagnose.loss_curve_only"
    dead = grade("diagnose", misconceptions.get("diagnose.rate_before_init").impl)
    assert "of the ReLU units output 0" in dead["test_dead_relu"].message
    assert dead["test_dead_relu"].misconception == "diagnose.rate_before_init"


def test_replacing_the_whole_configuration_loses_the_minimality_points():
    recipe = misconceptions.get("repair.known_good_recipe").impl
    results = grade("repair", recipe)
    minimal = {n: r for n, r in results.items() if n.endswith("_minimally")}
    assert len(minimal) == len(GYM_CAUSES) and not any(r.passed for r in minimal.values())
    assert all(r.misconception == "repair.known_good_recipe" for r in minimal.values())
    assert "but you also changed" in minimal["test_fixes_dead_relu_minimally"].message
    fixes = [r for n, r in results.items() if not n.endswith("_minimally") and r.passed]
    assert fixes  # the recipe trains; what it loses is the minimality
    assert score(results) < sum(r.points for r in results.values()) - len(GYM_CAUSES)


def test_a_failed_repair_is_told_what_its_run_did():
    results = grade("repair", misconceptions.get("repair.unchanged").impl)
    assert results["test_fixes_healthy"].passed and results["test_fixes_healthy_minimally"].passed
    message = results["test_fixes_dead_relu"].message
    assert "you changed nothing" in message and "validation accuracy" in message
    assert "its instruments point to 'dead_relu'" in message
    wrong_fix = grade("repair", misconceptions.get("repair.dead_relu_lower_lr").impl)
    failed = wrong_fix["test_fixes_dead_relu"]
    assert not failed.passed and failed.misconception == "repair.dead_relu_lower_lr"
    assert "you changed lr" in failed.message


def test_a_malformed_repair_costs_its_case_with_a_clear_message():
    results = grade("repair", lambda config, run: dict(config, lr="fast"))
    assert "config['lr'] must be a number" in results["test_fixes_lr_too_high"].message
    results = grade("repair", lambda config, run: dict(ref.repair(config, run), seed=1))
    assert "changed seed, which the task fixes" in results["test_fixes_healthy"].message
    assert score(results) == 0
    results = grade("repair", lambda config, run: dict(config, hidden=[512] * 10, batch_size=512))
    assert "a repair keeps the budget" in results["test_fixes_healthy"].message
    assert score(results) == 0


def test_learner_code_may_not_import_the_doctor():
    for source in ("from trainlab.doctor import diagnose", "import trainlab.gym as g"):
        assert static_delegation("diagnose", [("diagnose-solution", source)]) is not None


def test_the_runs_of_a_batch_are_trained_once(tmp_path, monkeypatch):
    runs = RunCache(tmp_path)
    monkeypatch.setattr(_gym, "shared", lambda: runs)
    for cached in (_gym.public_case, _gym.pool_case, _gym.graded_case):  # a fresh batch
        monkeypatch.setattr(_gym, cached.__name__, functools.cache(cached.__wrapped__))
    grade("diagnose", ref.diagnose, "alice")
    first = runs.trained
    assert first >= 2 * len(GYM_CAUSES)  # the public runs and alice's hidden ones, at least
    grade("diagnose", ref.diagnose, "alice")
    assert runs.trained == first  # the same student again: nothing new to train
    grade("diagnose", ref.diagnose, "bob")
    assert runs.trained - first <= len(GYM_CAUSES) * _gym.MAX_ATTEMPTS  # only bob's hidden runs
    trained = runs.trained
    for student in IDS:  # the pool is shared: after it is complete, students cost no training
        grade("diagnose", ref.diagnose, student)
    complete = runs.trained
    grade("diagnose", ref.diagnose, "one more student")
    assert runs.trained == complete >= trained


def _threshold_variant(factor):
    """The reference with every threshold moved by `factor` towards the other side (inside
    the margins that every graded run keeps)."""
    from autograder.reference import diagnosis

    names = ("INPUT_SCALE", "VANISHING_RATIO", "HIGH_UPDATE_RATIO", "LOW_UPDATE_RATIO")

    def diagnose(run):
        saved = {n: getattr(diagnosis, n) for n in names}
        try:
            for n in names:
                setattr(diagnosis, n, saved[n] * factor)
            return diagnosis.diagnose(run)
        finally:
            for n, v in saved.items():
                setattr(diagnosis, n, v)

    return diagnose


IMPLEMENTATIONS = {
    "reference": ref.diagnose,
    "thresholds x2": _threshold_variant(2.0),
    "thresholds /2": _threshold_variant(0.5),
    **{v.key: v.impl for v in misconceptions.for_function("diagnose")},
    **{f"always {c}": constant(c) for c in ("healthy", "lr_too_low", "overfitting")},
}


def test_same_code_same_marks_over_many_student_ids():
    assert len(IDS) >= 20
    for name, implementation in IMPLEMENTATIONS.items():
        seen = {tuple(r.score for r in grade("diagnose", implementation, s).values()) for s in IDS}
        assert len(seen) == 1, (name, seen)
    full = {tuple(r.score for r in grade("diagnose", ref.diagnose, s).values()) for s in IDS}
    assert full == {(1.0,) * len(GYM_CAUSES)}
