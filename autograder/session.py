"""One learner's grading: their notebooks, one sandbox per exercise, the checks run against it.

    session = GradingSession.create(["alice/adam.ipynb"], "alice", secret_file="secret.txt")
    tests = session.run("adam")        # one TestResult per check of autograder/checks/test_adam.py

`create` reads the notebooks defensively (`autograder.reader`): a malformed file or two
notebooks for one exercise become that exercise's problem. `open(exercise)` runs the static
own-work scan, then starts a sandboxed child (forked from the warm zygote, or spawned) and
returns the learner's functions as a `RemoteSubmission`; it raises the exercise's problem
instead. `run(exercise)` calls every check of the exercise with the public and hidden rounds
(`autograder.cases`) and closes the child. The batch grader (`autograder.grading`) uses `run`;
the pytest plugin (`pytest autograder --submission ...`) uses `open`/`close` from its fixtures:
the same checks, the same verdicts.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from autograder.cases import Cases, available_devices, load_secret
from autograder.errors import NotebookProblem
from autograder.limits import Limits
from autograder.pool import shared as shared_zygote
from autograder.reader import ExerciseWork, find_notebooks, read_notebook, student_id_from_path
from autograder.results import TestResult, zero_delegated
from autograder.runner import known_exercises, result_of, run_test, specs_of
from autograder.sandbox import RemoteSubmission, Sandbox, static_delegation


class GradingSession:
    """One learner's notebooks and the sandboxes running them."""

    def __init__(
        self,
        notebooks: Sequence[Path],
        student_id: str,
        secret: bytes,
        limits: Limits,
        mode: str = "grade",
        pool: bool = True,
    ) -> None:
        self.student_id = student_id
        self.pool = pool
        self.secret = secret
        self.limits = limits
        self.mode = mode
        self.works: dict[str, ExerciseWork] = {}
        self.problems: list[str] = []
        self.sandboxes: dict[str, Sandbox] = {}
        known = set(known_exercises())
        for path in notebooks:
            nb = read_notebook(path, known)
            if nb.problem:
                self.problems.append(nb.problem)
            for exercise, work in nb.works.items():
                if exercise in self.works:
                    work = ExerciseWork(
                        exercise,
                        work.path,
                        problem=f"two notebooks are for the exercise {exercise!r} "
                        f"({Path(self.works[exercise].path).name} and {Path(work.path).name}); "
                        "submit one.",
                    )
                self.works[exercise] = work

    @classmethod
    def create(
        cls,
        paths: Sequence[str | os.PathLike],
        student_id: str | None = None,
        *,
        secret_file: str | os.PathLike | None = None,
        timeout: float = Limits.timeout,
        mode: str = "grade",
        pool: bool = True,
        hide: Sequence[str | os.PathLike] = (),
    ) -> GradingSession:
        """A session over `paths` (notebooks or folders of notebooks).

        The learner's code may not read `paths` (other notebooks of the batch may lie beside
        them), `hide` (the output folder, other submissions) or the secret file.
        `student_id` defaults to the one in the first path (`student_id_from_path`).
        """
        notebooks = [nb for p in paths for nb in find_notebooks(p)]
        student = student_id or student_id_from_path(Path(paths[0]))
        covered = [*paths, *hide, *([secret_file] if secret_file else [])]
        limits = Limits(timeout=timeout, hide=tuple(os.fspath(p) for p in covered))
        return cls(notebooks, student, load_secret(secret_file), limits, mode, pool)

    def cases(self, exercise: str, test: str) -> Cases:
        """The rounds of inputs of one check for this learner (public, then hidden)."""
        return Cases(exercise, test, self.mode, self.secret, self.student_id)

    def open(self, exercise: str) -> RemoteSubmission:
        """The learner's functions for an exercise, running in a fresh sandbox."""
        work = self.works.get(exercise)
        if work is None:
            raise NotebookProblem(f"no notebook for the exercise {exercise!r} was submitted.")
        if work.problem:
            raise NotebookProblem(work.problem)
        delegation = static_delegation(exercise, work.sources())
        if delegation is not None:
            raise delegation
        cuda = any(d.type == "cuda" for d in available_devices())
        zygote = shared_zygote() if self.pool else None
        sandbox = Sandbox(exercise, work.sources(), self.limits, cuda=cuda, pool=zygote)
        self.sandboxes[exercise] = sandbox
        sandbox.start()
        return RemoteSubmission(sandbox)

    def close(self, exercise: str) -> None:
        sandbox = self.sandboxes.get(exercise)
        if sandbox is not None:
            sandbox.close()

    def run(self, exercise: str) -> list[TestResult]:
        """Every check of the exercise against its sandbox (opened here, closed at the end).

        A problem raised while opening (malformed notebook, delegation, a child that could not
        start) fails every check with that message; delegation anywhere zeroes the exercise.
        """
        specs = specs_of(exercise)
        try:
            submission = self.open(exercise)
        except Exception as error:  # the exercise's problem: every check carries it
            self.close(exercise)
            results = [result_of(spec, error) for spec in specs]
        else:
            try:
                results = [run_test(s, submission, self.cases(exercise, s.name)) for s in specs]
            finally:
                self.close(exercise)
        zero_delegated(results)
        return results
