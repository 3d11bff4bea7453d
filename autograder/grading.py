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
) -> StudentResult:
    """Grade one learner's notebooks (one or more exercises) with the sandboxed checks.

    `pool`: fork each exercise's child from this process's warm zygote (`autograder.pool`,
    started on first use and kept for the next students); False spawns a fresh Python each.
    `hide`: more paths the learner's code must not read (other submissions, the output).
    """
    start = time.monotonic()
    session = GradingSession.create(
        notebooks, student_id, secret_file=secret_file, timeout=timeout, pool=pool, hide=hide
    )
    result = StudentResult(student_id)
    result.problems.extend(session.problems)
    for exercise, work in sorted(session.works.items()):
        ex = ExerciseResult(exercise, work.path, problem=work.problem)
        ex.tests = session.run(exercise)
        ex.manual = [ManualResult(exercise, m.grade_id, m.points) for m in work.manual]
        sandbox = session.sandboxes.get(exercise)
        if sandbox is not None:
            ex.sandbox = dict(sandbox.report)
            ex.output = sandbox.output[-4000:]
        result.exercises[exercise] = ex
    result.seconds = time.monotonic() - start
    return result
