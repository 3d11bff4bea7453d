"""The gym's reference: the doctor's verdict on the labelled runs, and minimal repairs."""

import copy

import pytest

from autograder.reference.diagnosis import diagnose, repair
from trainlab.doctor import diagnose as doctor
from trainlab.gym import REPAIR_KEYS, changed_keys, example_runs, shared, train

pytestmark = pytest.mark.slow  # trains the labelled runs once (cached afterwards)


@pytest.fixture(scope="module")
def examples():
    return example_runs()


def test_the_reference_names_every_labelled_run(examples):
    assert {cause: diagnose(e["run"]) for cause, e in examples.items()} == {c: c for c in examples}


def test_the_reference_diagnoser_leaves_the_run_unchanged(examples):
    for example in examples.values():
        run = copy.deepcopy(example["run"])
        diagnose(run)
        assert run == example["run"]


def test_the_doctor_finds_the_cause_among_its_findings_on_the_full_record(examples):
    for cause, example in examples.items():
        if cause != "healthy":
            findings = doctor(train(example["config"])["record"])
            assert cause in {f.cause for f in findings}, cause


def test_the_reference_repair_is_minimal_leaves_its_input_and_trains(examples):
    for cause, example in examples.items():
        config = copy.deepcopy(example["config"])
        fixed = repair(config, example["run"])
        assert config == example["config"] and fixed is not config
        assert set(changed_keys(config, fixed)) <= REPAIR_KEYS[cause], cause
        if cause not in ("healthy", "overfitting"):
            assert shared().get(fixed, run=False)["outcome"]["val_acc"] >= 0.3, cause
