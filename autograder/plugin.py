"""The pytest plugin that runs `autograder/checks` against one learner's notebooks.

    pytest autograder --submission path/to/adam.ipynb [--student-id ID] [--secret-file F]

(`autograder/conftest.py` loads this plugin.) For maintainers and curious instructors: the
batch grader (`python -m autograder grade`, `autograder.grading`) calls the same checks
directly through the same `autograder.session.GradingSession`, and gives the same verdicts.

- `--submission` (repeatable; a notebook or a folder of notebooks) is read by
  `autograder.reader`; only the check modules of the exercises found are kept.
- The module-scoped `submission` fixture starts one sandboxed child per exercise
  (`GradingSession.open`: the static own-work scan, then a child forked from the warm zygote,
  or spawned with `--no-pool`); it raises the exercise's problem (malformed notebook,
  delegation) instead, which fails every test of that exercise.
- The function-scoped `cases` fixture gives the public round and the hidden round seeded with
  HMAC(secret, student id, exercise).
- Failures of the learner's making show the learner message instead of a traceback, and the
  terminal summary gives the points of each exercise (delegation zeroes an exercise).
"""

from __future__ import annotations

import os

import pytest

from autograder.cases import Cases
from autograder.errors import SubmissionError
from autograder.limits import Limits
from autograder.results import TestResult, docstring_sentence, zero_delegated
from autograder.runner import TestSpec, points_of, result_of
from autograder.session import GradingSession

SESSION = pytest.StashKey[GradingSession]()
RESULTS = pytest.StashKey[dict[str, TestResult]]()


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
        config.stash[SESSION] = GradingSession.create(
            paths,
            config.getoption("student_id"),
            secret_file=config.getoption("secret_file"),
            timeout=config.getoption("exercise_timeout"),
            mode=config.getoption("cases"),
            pool=not config.getoption("no_pool"),
            hide=config.getoption("hide"),
        )


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
    if session is None:
        return Cases(request.module.EXERCISE, request.function.__name__, "public")
    return session.cases(request.module.EXERCISE, request.function.__name__)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    report = (yield).get_result()
    exercise = _exercise_of(item)
    if exercise is None or report.skipped or (report.passed and report.when != "call"):
        return
    function = item.function
    spec = TestSpec(
        exercise, item.name, function, points_of(function), docstring_sentence(function.__doc__)
    )
    error = call.excinfo.value if call.excinfo is not None else None
    result = result_of(spec, error)
    item.config.stash.setdefault(RESULTS, {})[item.nodeid] = result
    if report.failed and isinstance(error, AssertionError | SubmissionError):
        report.longrepr = f"{spec.docstring}\n{result.message}"


def pytest_terminal_summary(terminalreporter, config: pytest.Config) -> None:
    """The points of each exercise, as the batch grader counts them."""
    results = config.stash.get(RESULTS, {})
    if not results:
        return
    by_exercise: dict[str, list[TestResult]] = {}
    for result in results.values():
        by_exercise.setdefault(result.exercise, []).append(result)
    terminalreporter.section("autograder")
    total = maximum = 0.0
    for exercise, tests in sorted(by_exercise.items()):
        zero_delegated(tests)
        score, points = sum(t.score for t in tests), sum(t.points for t in tests)
        total, maximum = total + score, maximum + points
        terminalreporter.write_line(f"{exercise}: {score:g} / {points:g}")
    terminalreporter.write_line(f"total: {total:g} / {maximum:g}")


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
