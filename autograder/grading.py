"""Grade one learner: their notebooks, each exercise's checks against its own sandbox.

`grade_student(notebooks, student_id)` runs every check of every exercise found in the
notebooks (`autograder.session.GradingSession.run`: no pytest in the loop, the checks are
called directly, as in `pytest autograder --submission`, which gives the same verdicts) and
assembles a `StudentResult`: the checks' results, the manual-grading items, the notebooks'
problems, and what each sandbox reported. Nothing here runs learner code: the sandboxes do.
"""

from __future__ import annotations

import os
import time
from collections.abc import Sequence
from pathlib import Path

from autograder.assignments import assignment_of, exercise_of
from autograder.limits import Limits
from autograder.results import ExerciseResult, ManualResult, StudentResult
from autograder.session import GradingSession


def grade_student(
    notebooks: Sequence[str | os.PathLike],
    student_id: str,
    *,
    secret_file: str | None = None,
    timeout: float = Limits.timeout,
    pool: bool = True,
    hide: Sequence[str | os.PathLike] = (),
    assignment: str | None = None,
    ignored: Sequence[str] = (),
) -> StudentResult:
    """Grade one learner's notebooks (one or more exercises) with the sandboxed checks.

    `pool`: fork each exercise's child from this process's warm zygote (`autograder.pool`,
    started on first use and kept for the next students); False spawns a fresh Python each.
    `hide`: more paths the learner's code must not read (other submissions, the output).
    `assignment` (e.g. `04_adam`): grade its exercise only — scored 0 with the reason when no
    notebook holds it — and ignore, saying so, the notebooks of other exercises; None grades
    every exercise found. `ignored`: sentences about files the caller did not grade (a `.py`).
    """
    start = time.monotonic()
    session = GradingSession.create(
        notebooks, student_id, secret_file=secret_file, timeout=timeout, pool=pool, hide=hide
    )
    result = StudentResult(student_id)
    result.problems.extend(session.problems)
    if assignment is None:
        exercises = sorted(session.works)
        notes: list[str] = []
    else:
        exercises = [exercise_of(assignment)]
        notes = [
            f"{Path(work.path).name} is for the exercise {other!r} (assignment "
            f"{assignment_of(other)}), not for {assignment}: ignored, it scores nothing here."
            for other, work in sorted(session.works.items())
            if other not in exercises
        ]
    for exercise in exercises:
        work = session.works.get(exercise)
        ex = ExerciseResult(exercise, work.path if work else None, problem=work and work.problem)
        if work is None:
            ex.problem = (
                f"No notebook for the exercise {exercise!r} (assignment "
                f"{assignment_of(exercise)}) was found in the submission: 0 points. Submit "
                f"the notebook {exercise}.ipynb you downloaded from the course."
            )
        ex.notes = [*notes, *ignored]
        ex.tests = session.run(exercise)
        ex.manual = [
            ManualResult(exercise, m.grade_id, m.points, answer=m.answer)
            for m in (work.manual if work else [])
        ]
        sandbox = session.sandboxes.get(exercise)
        if sandbox is not None:
            ex.sandbox = dict(sandbox.report)
            ex.output = sandbox.output[-4000:]
        result.exercises[exercise] = ex
    result.seconds = time.monotonic() - start
    return result
