"""Grading the same submission again gives the same scores and the same feedback."""

from autograder import misconceptions
from autograder import reference as ref
from autograder.runner import InProcessSubmission, known_exercises, run_inprocess


def test_repeated_grading_is_identical():
    for exercise in known_exercises():
        variant = misconceptions.for_exercise(exercise)[0]
        namespace = {name: getattr(ref, name) for name in ref.__all__}
        namespace[variant.function] = variant.impl
        runs = [
            [
                (r.name, r.score, r.status, r.message, r.misconception)
                for r in run_inprocess(
                    exercise,
                    InProcessSubmission(namespace, exercise, scan=False),
                    "grade",
                    student_id="dora",
                )
            ]
            for _ in range(3)
        ]
        assert runs[0] == runs[1] == runs[2], exercise
