"""The check modules as data, and the in-process runner used inside a learner's own kernel.

`specs_of("adam")` lists the test functions of `autograder/checks/test_adam.py` with their
points (read from the `points` marker: the only place points are written) and docstrings.

`run_inprocess` calls those same functions directly (no pytest) with an `InProcessSubmission`
wrapping a namespace — the learner's `__main__` for `check()` and the graded notebook cells,
or a namespace we build ourselves in the tests. It is NOT isolation: it is meant for the
learner's own kernel, where the learner already runs their code. Marks come from the CLI,
which runs the same checks against the sandbox (`autograder.session`).
"""

from __future__ import annotations

import difflib
import importlib
import inspect
import os
import sys
import traceback
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any

from autograder.errors import (
    Delegation,
    InputModified,
    LearnerRaised,
    MissingFunction,
    NotImplementedYet,
    SubmissionError,
)
from autograder.results import TestResult, docstring_sentence, outcome, zero_delegated

if TYPE_CHECKING:  # torch comes with the cases: not needed to list the checks
    from autograder.cases import Cases

CHECKS_DIR = Path(__file__).resolve().parent / "checks"
_PACKAGE_DIR = str(Path(__file__).resolve().parent)


@cache
def known_exercises() -> tuple[str, ...]:
    """Every exercise that has a check module, sorted."""
    return tuple(sorted(p.stem.removeprefix("test_") for p in CHECKS_DIR.glob("test_*.py")))


def check_module(exercise: str) -> ModuleType:
    if exercise not in known_exercises():
        known = ", ".join(known_exercises())
        raise ValueError(f"unknown exercise {exercise!r}; known exercises: {known}")
    return importlib.import_module(f"autograder.checks.test_{exercise}")


@dataclass(frozen=True)
class TestSpec:
    __test__ = False  # not a pytest test class

    exercise: str
    name: str
    function: Callable[..., None]
    points: float
    docstring: str


def points_of(function: Callable) -> float:
    marks = [m for m in getattr(function, "pytestmark", []) if m.name == "points"]
    if len(marks) != 1 or len(marks[0].args) != 1:
        raise ValueError(f"{function.__name__} needs exactly one @pytest.mark.points(n)")
    return float(marks[0].args[0])


def specs_of(exercise: str) -> list[TestSpec]:
    """The test functions of an exercise's check module, in source order."""
    module = check_module(exercise)
    functions = [
        f
        for name, f in vars(module).items()
        if name.startswith("test_") and inspect.isfunction(f) and f.__module__ == module.__name__
    ]
    functions.sort(key=lambda f: f.__code__.co_firstlineno)
    return [
        TestSpec(exercise, f.__name__, f, points_of(f), docstring_sentence(f.__doc__))
        for f in functions
    ]


def functions_of(exercise: str) -> tuple[str, ...]:
    return tuple(check_module(exercise).FUNCTIONS)


# --------------------------------------------------------------------------- in-process


def _learner_frames(error: BaseException) -> str:
    """The traceback without the grader's, torch's or numpy's frames."""
    libraries = (_PACKAGE_DIR + os.sep, sys.prefix, sys.base_prefix)
    frames = [
        f
        for f in traceback.extract_tb(error.__traceback__)
        if not f.filename.startswith(libraries) and "site-packages" not in f.filename
    ]
    return "".join(traceback.format_list(frames)) + f"{type(error).__name__}: {error}"


class InProcessSubmission:
    """The learner's functions from a namespace, called directly (same interface as remote).

    Inputs are copied and specs (loss functions, generators) built before each call; results
    go through the wire format and back, so kinds are judged exactly as in the sandbox, and
    an input changed in place fails as it does there (`autograder.purity`).

    `sources`: the (grade_id, source) solution cells the namespace was made from (`check()`
    runs them in a fresh namespace, `autograder.solution_cells`): scanned for delegation and
    used to explain a NameError; `cell_errors`: what failed while running them; `kernel`: the
    learner's kernel namespace, to say when a function is defined outside the solution cells.
    """

    def __init__(
        self,
        namespace: Mapping[str, Any],
        exercise: str,
        *,
        scan: bool = True,
        sources: list[tuple[str, str]] | None = None,
        cell_errors: list[str] | None = None,
        kernel: Mapping[str, Any] | None = None,
    ):
        from autograder.sandbox import static_delegation

        self._namespace = namespace
        self._exercise = exercise
        self._sources = sources
        self._cell_errors = cell_errors or []
        self._kernel = kernel or {}
        if not scan:
            self._delegation = None
        elif sources is not None:
            self._delegation = static_delegation(exercise, sources)
        else:
            self._delegation = _scan_namespace(namespace, exercise)

    def __getattr__(self, function: str) -> Any:
        if function.startswith("_"):
            raise AttributeError(function)
        target = self._namespace.get(function)
        if not callable(target):
            from autograder.solution_cells import helper_rule

            defined = [
                n
                for n, v in self._namespace.items()
                if callable(v) and getattr(v, "__module__", None) == "__main__"
            ]
            elsewhere = callable(self._kernel.get(function))
            raise MissingFunction(
                function,
                difflib.get_close_matches(function, defined, 3, 0.6),
                self._cell_errors,
                note=helper_rule(function) if elsewhere else None,
            )

        def call(*args: Any, **kwargs: Any) -> Any:
            from autograder import purity
            from autograder.catalogue import materialize
            from autograder.judge import clone
            from autograder.protocol import pack, unpack
            from autograder.solution_cells import helper_rule, undefined_name

            if self._delegation is not None:
                raise self._delegation
            args, kwargs = materialize(clone((args, kwargs)))
            taken = purity.snapshot(target, args, kwargs)
            try:
                value = target(*args, **kwargs)
            except NotImplementedError:
                raise NotImplementedYet(function) from None
            except Exception as error:
                info = {
                    "type": type(error).__name__,
                    "message": str(error)[:2000],
                    "traceback": _learner_frames(error)[-4000:],
                }
                sources = [s for _, s in self._sources] if self._sources is not None else None
                name = undefined_name(info, sources) if sources is not None else None
                raise LearnerRaised(function, info, helper_rule(name) if name else None) from None
            changed = purity.modified(taken)
            if changed:
                raise InputModified(function, changed)
            return unpack(*pack(value))

        return call


def _scan_namespace(namespace: Mapping[str, Any], exercise: str) -> Delegation | None:
    """The static scan, on the source of the exercise's functions found in the namespace."""
    from autograder.sandbox import static_delegation

    cells = []
    for name in functions_of(exercise):
        target = namespace.get(name)
        if target is None:
            continue
        try:
            cells.append((name, inspect.getsource(target)))
        except (OSError, TypeError):
            continue
    return static_delegation(exercise, cells)


def run_test(spec: TestSpec, submission: Any, cases: Cases) -> TestResult:
    """Run one check function; never raises for the learner's mistakes."""
    try:
        spec.function(submission=submission, cases=cases)
        error = None
    except (AssertionError, SubmissionError) as raised:
        error = raised
    except Exception as raised:  # a grader bug: reported as such
        error = raised
    return result_of(spec, error)


def result_of(spec: TestSpec, error: BaseException | None) -> TestResult:
    """The verdict of a check that raised `error` (None: it passed)."""
    status, message, misconception = outcome(error)
    return TestResult(
        exercise=spec.exercise,
        name=spec.name,
        points=spec.points,
        score=spec.points if status == "passed" else 0.0,
        status=status,
        docstring=spec.docstring,
        message=message,
        misconception=misconception,
    )


def run_inprocess(
    exercise: str,
    submission: Any,
    mode: str = "public",
    *,
    only: str | None = None,
    student_id: str = "anonymous",
    secret: bytes | None = None,
    devices: Any = None,
) -> list[TestResult]:
    """Run the exercise's checks (or the one named `only`) against `submission`."""
    from autograder.cases import DEFAULT_SECRET, Cases

    specs = specs_of(exercise)
    if only is not None:
        specs = [s for s in specs if s.name == only]
        if not specs:
            raise ValueError(f"{exercise} has no test named {only!r}")
    results = []
    for spec in specs:
        cases = Cases(exercise, spec.name, mode, secret or DEFAULT_SECRET, student_id, devices)
        results.append(run_test(spec, submission, cases))
    zero_delegated(results)
    return results
