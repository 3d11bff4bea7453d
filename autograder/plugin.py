"""The pytest plugin that turns `autograder/checks` into a grader of one learner's notebooks.

    pytest autograder --submission path/to/adam.ipynb [--student-id ID] [--secret-file F]

(`autograder/conftest.py` loads this plugin; the CLI passes `-p autograder.plugin`.)

- `--submission` (repeatable; a notebook or a folder of notebooks) is read by
  `autograder.reader`; only the check modules of the exercises found are kept.
- The module-scoped `submission` fixture starts one sandboxed child per exercise
  (`autograder.sandbox`; forked from the warm zygote of `autograder.pool`, or spawned with
  `--no-pool`), after the static own-work scan; it raises the exercise's problem
  (malformed notebook, delegation) instead, which fails every test of that exercise.
- The function-scoped `cases` fixture gives the public round and the hidden round seeded with
  HMAC(secret, student id, exercise).
- Each report carries `points`, `exercise`, `status`, `learner_message` and `misconception`;
  failures of the learner's making show the learner message instead of a traceback.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from autograder.cases import Cases, available_devices, load_secret
from autograder.errors import Delegation, NotebookProblem, SubmissionError
from autograder.pool import shared as shared_zygote
from autograder.reader import ExerciseWork, find_notebooks, read_notebook
from autograder.results import docstring_sentence, outcome
from autograder.runner import known_exercises
from autograder.sandbox import Limits, RemoteSubmission, Sandbox, static_delegation

SESSION = pytest.StashKey["GradingSession"]()


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("autograder", "grading notebooks with autograder/checks")
    group.addoption(
        "--submission",
        action="append",
        default=[],
        help="a notebook or a folder of notebooks to grade (repeatable)",
    )
    group.addoption("--student-id", default=None, help="student id (default: from the path)")
    group.addoption(
        "--secret-file",
        default=None,
        help="file holding the course secret for hidden cases (default: $AUTOGRADER_SECRET)",
    )
    group.addoption(
        "--exercise-timeout",
        type=float,
        default=Limits.timeout,
        help="wall-clock seconds the learner's code may use per exercise",
    )
    group.addoption(
        "--hide",
        action="append",
        default=[],
        help="a path the learner's code must not read (repeatable; as root, covered by a "
        "private mount namespace, like the course repository)",
    )
    group.addoption(
        "--no-pool",
        action="store_true",
        default=False,
        help="spawn a fresh Python per exercise instead of forking from the warm zygote",
    )
    group.addoption(
        "--cases",
        choices=("grade", "public"),
        default="grade",
        help="grade: public and hidden rounds (default); public: public round only",
    )


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "points(n): points a check is worth (the only place points are written)"
    )
    paths = config.getoption("submission", default=[]) or []
    if paths:
        config.stash[SESSION] = GradingSession.from_config(config, paths)


class GradingSession:
    """One learner's notebooks and the sandboxes running them, for one pytest run."""

    def __init__(
        self,
        notebooks: list[Path],
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
        self.delegated: dict[str, Delegation] = {}
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
    def from_config(cls, config: pytest.Config, paths: list[str]) -> GradingSession:
        notebooks = [nb for p in paths for nb in find_notebooks(p)]
        student = config.getoption("student_id") or student_id_from_path(Path(paths[0]))
        secret_file = config.getoption("secret_file")
        hide = [*paths, *config.getoption("hide"), *([secret_file] if secret_file else [])]
        limits = Limits(timeout=config.getoption("exercise_timeout"), hide=tuple(hide))
        secret = load_secret(secret_file)
        mode, pool = config.getoption("cases"), not config.getoption("no_pool")
        return cls(notebooks, student, secret, limits, mode, pool)

    def open(self, exercise: str) -> RemoteSubmission:
        """The learner's functions for an exercise, running in a fresh sandbox."""
        work = self.works.get(exercise)
        if work is None:
            raise NotebookProblem(f"no notebook for the exercise {exercise!r} was submitted.")
        if work.problem:
            raise NotebookProblem(work.problem)
        delegation = static_delegation(exercise, work.sources())
        if delegation is not None:
            self.delegated[exercise] = delegation
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


def student_id_from_path(path: Path) -> str:
    """nbgrader's layout submitted/<student>/<assignment>/<nb>.ipynb, else the file stem."""
    parts = path.resolve().parts
    if "submitted" in parts:
        i = len(parts) - 1 - parts[::-1].index("submitted")
        if i + 1 < len(parts) - 1 or (i + 1 < len(parts) and path.is_dir()):
            return parts[i + 1]
    return path.stem if path.suffix == ".ipynb" else path.name


def _exercise_of(item: pytest.Item) -> str | None:
    module = getattr(item, "module", None)
    return getattr(module, "EXERCISE", None)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    session = config.stash.get(SESSION, None)
    keep, drop = [], []
    for item in items:
        exercise = _exercise_of(item)
        if exercise is None:
            keep.append(item)
        elif session is None:
            item.add_marker(pytest.mark.skip(reason="no --submission given"))
            keep.append(item)
        elif exercise in session.works:
            keep.append(item)
        else:
            drop.append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep


@pytest.fixture(scope="module")
def submission(request: pytest.FixtureRequest):
    """The learner's functions of this module's exercise, each call run in the sandbox."""
    session: GradingSession = request.config.stash[SESSION]
    exercise = request.module.EXERCISE
    try:
        yield session.open(exercise)
    finally:
        session.close(exercise)


@pytest.fixture
def cases(request: pytest.FixtureRequest) -> Cases:
    """The rounds of inputs of this test (public, then hidden)."""
    session: GradingSession | None = request.config.stash.get(SESSION, None)
    exercise = request.module.EXERCISE
    if session is None:
        return Cases(exercise, request.function.__name__, "public")
    return Cases(
        exercise, request.function.__name__, session.mode, session.secret, session.student_id
    )


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    report_outcome = yield
    report = report_outcome.get_result()
    exercise = _exercise_of(item)
    if exercise is None:
        return
    marker = item.get_closest_marker("points")
    report.points = float(marker.args[0]) if marker and marker.args else 0.0
    report.exercise = exercise
    report.docstring = docstring_sentence(getattr(item, "function", None).__doc__)
    error = call.excinfo.value if call.excinfo is not None else None
    if report.skipped:
        report.status, report.learner_message, report.misconception = "skipped", "", None
        return
    status, message, misconception = outcome(error)
    session = item.config.stash.get(SESSION, None)
    if session is not None and isinstance(error, Delegation):
        session.delegated.setdefault(exercise, error)
    report.status, report.learner_message, report.misconception = status, message, misconception
    if report.failed and isinstance(error, AssertionError | SubmissionError):
        report.longrepr = f"{report.docstring}\n{message}"


def pytest_report_header(config: pytest.Config) -> list[str]:
    session = config.stash.get(SESSION, None)
    if session is None:
        return []
    return [
        f"autograder: student {session.student_id}, exercises "
        + ", ".join(sorted(session.works))
        + f", pid {os.getpid()}"
    ]


def pytest_sessionfinish(session: pytest.Session) -> None:
    grading = session.config.stash.get(SESSION, None)
    if grading is not None:
        for exercise in list(grading.sandboxes):
            grading.close(exercise)


def report_fields(report: Any) -> dict[str, Any]:
    """What the results collector reads from a test report."""
    return {
        "points": getattr(report, "points", 0.0),
        "exercise": getattr(report, "exercise", None),
        "status": getattr(report, "status", "error"),
        "message": getattr(report, "learner_message", ""),
        "misconception": getattr(report, "misconception", None),
        "docstring": getattr(report, "docstring", ""),
    }
