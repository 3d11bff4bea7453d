"""Hidden inputs: different per student, identical for the same student and secret."""

import torch

from autograder import misconceptions
from autograder import reference as ref
from autograder.cases import Cases, hidden_seed
from autograder.runner import InProcessSubmission, run_inprocess


def inputs(student, secret=b"s3cret", exercise="adam", test="test_single_step"):
    rounds = Cases(exercise, test, "grade", secret, student, [torch.device("cpu")]).rounds()
    return [r.randn(5) for r in rounds]


def test_public_round_is_shared_and_hidden_round_is_personal():
    alice, bob = inputs("alice"), inputs("bob")
    assert torch.equal(alice[0], bob[0])  # public
    assert not torch.equal(alice[1], bob[1])  # hidden
    assert torch.equal(inputs("alice")[1], alice[1])  # reproducible
    assert not torch.equal(inputs("alice", secret=b"other")[1], alice[1])  # secret matters
    assert hidden_seed(b"k", "alice", "adam") != hidden_seed(b"k", "alice", "momentum")


def test_same_student_same_scores_and_messages():
    variant = misconceptions.get("batchnorm.unbiased_normalize")
    namespace = {"batchnorm_forward": variant.impl}

    def run(student):
        sub = InProcessSubmission(namespace, "batchnorm", scan=False)
        return [
            (r.score, r.message)
            for r in run_inprocess("batchnorm", sub, "grade", student_id=student)
        ]

    assert run("alice") == run("alice")
    hidden_messages = [m for _, m in run("alice") if "[hidden case]" in m]
    assert all("tensor(" not in m for m in hidden_messages)


def test_hard_coded_public_answers_fail_hidden_cases():
    """A function that replays the public expected outputs passes public rounds only."""
    table = {}

    def recording_lr_at(**kwargs):
        try:
            table[tuple(sorted(kwargs.items()))] = ref.lr_at(**kwargs)
        except ValueError as error:  # the invalid public calls: replayed as raised
            table[tuple(sorted(kwargs.items()))] = error
            raise
        return table[tuple(sorted(kwargs.items()))]

    sub = InProcessSubmission({"lr_at": recording_lr_at}, "lr_schedule", scan=False)
    assert all(r.passed for r in run_inprocess("lr_schedule", sub, "public"))

    def replay(step, base_lr, warmup_steps, total_steps, decay="cosine", min_lr=0.0):
        key = dict(
            step=step,
            base_lr=base_lr,
            warmup_steps=warmup_steps,
            total_steps=total_steps,
            decay=decay,
            min_lr=min_lr,
        )
        answer = table.get(tuple(sorted(key.items())), 0.0)
        if isinstance(answer, ValueError):
            raise answer
        return answer

    sub = InProcessSubmission({"lr_at": replay}, "lr_schedule", scan=False)
    assert all(r.passed for r in run_inprocess("lr_schedule", sub, "public"))
    graded = run_inprocess("lr_schedule", sub, "grade", student_id="mallory")
    assert not any(r.passed for r in graded)
    assert all("[hidden case]" in r.message for r in graded)
