"""Grade one learner: a thin layer over the pytest run of `autograder/checks`.

`grade_student(notebooks, student_id)` runs `pytest.main` on the check modules with the
plugin (`autograder.plugin`) and a `ResultsCollector`, then assembles a `StudentResult`
(manual-grading items, malformed files, delegation zeroing the whole exercise). Nothing here
runs learner code: the plugin's sandboxes do.
"""

from __future__ import annotations

import contextlib
import io
import os
import time
from collections.abc import Sequence
from pathlib import Path

import pytest

from autograder.results import (
    ExerciseResult,
    ManualResult,
    StudentResult,
    TestResult,
    zero_delegated,
)
from autograder.runner import CHECKS_DIR, specs_of
from autograder.sandbox import Limits


class ResultsCollector:
    """A pytest plugin object that keeps one TestResult per check (and the session)."""

    def __init__(self) -> None:
        self.tests: dict[str, TestResult] = {}
        self.grading = None

    @pytest.hookimpl(trylast=True)
    def pytest_configure(self, config: pytest.Config) -> None:
        from autograder.plugin import SESSION

        self.grading = config.stash.get(SESSION, None)

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        from autograder.plugin import report_fields

        fields = report_fields(report)
        if fields["exercise"] is None:
            return
        if report.when == "call" or (report.when == "setup" and not report.passed):
            name = report.nodeid.rsplit("::", 1)[-1]
            status = fields["status"] if not report.passed else "passed"
            self.tests[report.nodeid] = TestResult(
                exercise=fields["exercise"],
                name=name,
                points=fields["points"],
                score=fields["points"] if status == "passed" else 0.0,
                status=status,
                docstring=fields["docstring"],
                message=fields["message"] if status != "passed" else "",
                misconception=fields["misconception"],
            )


def pytest_args(
    notebooks: Sequence[str | os.PathLike],
    student_id: str,
    *,
    secret_file: str | None = None,
    timeout: float | None = None,
    exercises: Sequence[str] | None = None,
    pool: bool = True,
    hide: Sequence[str | os.PathLike] = (),
) -> list[str]:
    files = (
        [str(CHECKS_DIR / f"test_{e}.py") for e in exercises] if exercises else [str(CHECKS_DIR)]
    )
    args = [
        *files,
        "-p",
        "autograder.plugin",
        "-p",
        "no:cacheprovider",
        "-p",
        "no:randomly",
        # the checks raise their own learner messages, so pytest's per-session extras only cost
        # time in a batch: assertion rewriting, long tracebacks (parsing the source of every
        # frame of every failed check: 1.5 s of a wrong submission's 2.1 s), log capture, gc
        # passes for unraisable exceptions
        "--assert=plain",
        "--tb=line",
        "-p",
        "no:logging",
        "-p",
        "no:unraisableexception",
        "-p",
        "no:threadexception",
        "-q",
        "--no-header",
        "-o",
        "addopts=",
        "-o",
        "python_files=test_*.py",
        "-W",
        "ignore",
        "--rootdir",
        str(CHECKS_DIR.parent),
        "--student-id",
        student_id,
    ]
    for nb in notebooks:
        args += ["--submission", str(nb)]
    if secret_file:
        args += ["--secret-file", str(secret_file)]
    if timeout is not None:
        args += ["--exercise-timeout", str(timeout)]
    if not pool:
        args.append("--no-pool")
    for path in hide:
        args += ["--hide", str(path)]
    return args


def grade_student(
    notebooks: Sequence[str | os.PathLike],
    student_id: str,
    *,
    secret_file: str | None = None,
    timeout: float = Limits.timeout,
    quiet: bool = True,
    pool: bool = True,
    hide: Sequence[str | os.PathLike] = (),
) -> StudentResult:
    """Grade one learner's notebooks (one or more exercises) with the sandboxed checks.

    `pool`: fork each exercise's child from this process's warm zygote (`autograder.pool`,
    started on first use and kept for the next students); False spawns a fresh Python each.
    `hide`: more paths the learner's code must not read (other submissions, the output).
    """
    from autograder.reader import read_notebook
    from autograder.runner import known_exercises

    start = time.monotonic()
    known = set(known_exercises())
    present = sorted({e for nb in notebooks for e in read_notebook(nb, known).works})
    collector = ResultsCollector()
    result = StudentResult(student_id)
    if present:
        args = pytest_args(
            notebooks,
            student_id,
            secret_file=secret_file,
            timeout=timeout,
            exercises=present,
            pool=pool,
            hide=hide,
        )
        sink = io.StringIO()
        redirect = contextlib.redirect_stdout(sink) if quiet else contextlib.nullcontext()
        with redirect:
            pytest.main(args, plugins=[collector])
    grading = collector.grading
    if grading is None:  # nothing gradable: still read the notebooks for their problems
        for nb in notebooks:
            parsed = read_notebook(nb, known)
            if parsed.problem:
                result.problems.append(parsed.problem)
    else:
        result.problems.extend(grading.problems)
        for exercise, work in sorted(grading.works.items()):
            ex = ExerciseResult(exercise, work.path, problem=work.problem)
            by_name = {t.name: t for t in collector.tests.values() if t.exercise == exercise}
            for spec in specs_of(exercise):  # every declared test, even if pytest lost it
                ex.tests.append(
                    by_name.get(spec.name)
                    or TestResult(
                        exercise,
                        spec.name,
                        spec.points,
                        0.0,
                        "error",
                        spec.docstring,
                        "The grader did not run this check; tell the course staff.",
                    )
                )
            zero_delegated(ex.tests)
            ex.manual = [ManualResult(exercise, m.grade_id, m.points) for m in work.manual]
            sandbox = grading.sandboxes.get(exercise)
            if sandbox is not None:
                ex.sandbox = dict(sandbox.report)
                ex.output = sandbox.output[-4000:]
            result.exercises[exercise] = ex
    result.seconds = time.monotonic() - start
    return result


def student_of(path: Path) -> str:
    from autograder.plugin import student_id_from_path

    return student_id_from_path(path)
