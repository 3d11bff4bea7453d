"""What exercise notebooks call: `check`, `run_graded_test`, `not_implemented_ok`.

    from autograder import check, not_implemented_ok
    check("adam")                               # public cases, a verdict per check, ~1 s
    with not_implemented_ok():                  # experiment cells of the released notebook
        ...
    from autograder import run_graded_test      # nbgrader's graded test cells (generated)
    run_graded_test("adam", "test_first_step")

`check` is the grader minus the hidden cases: like the sandboxed grader it runs the grader's
preamble and then the notebook's solution cells only, in a fresh namespace (not the kernel's
globals; `autograder.solution_cells`), so a helper or import written in another cell fails here
as it fails when graded, with the sentence saying where it must live. The graded test cells
(`run_graded_test`) do the same. When the notebook file cannot be found (code run outside a
notebook) the kernel's own functions are checked and a note says so. This is feedback in the
learner's kernel, not isolation: the marks that count come from `python -m autograder grade`.
Nothing here writes to stderr.
"""

from __future__ import annotations

import sys
import traceback
import warnings
from dataclasses import dataclass, field
from typing import Any

from autograder import i18n
from autograder.i18n import _
from autograder.results import TestResult


@dataclass
class CheckResult:
    """The outcome of `check(...)`: `score` out of `max` points on the public cases."""

    exercise: str
    score: float
    max: float
    tests: list[TestResult] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return self.score == self.max

    def __repr__(self) -> str:
        return f"CheckResult({self.exercise}: {self.score:g}/{self.max:g})"

    def _ipython_display_(self) -> None:
        """The verdict is already printed: show nothing more as the cell's output."""


def _namespace() -> dict[str, Any]:
    try:
        from IPython import get_ipython

        shell = get_ipython()
        if shell is not None and hasattr(shell, "user_ns"):
            return shell.user_ns
    except ImportError:
        pass
    return vars(sys.modules["__main__"])


def _submission(exercise: str, notebook: str | None = None) -> tuple[Any, str | None]:
    """What the grader would run of this notebook (its solution cells, freshly executed), as an
    in-process submission; and a note when the notebook file could not be found."""
    from pathlib import Path

    from autograder.errors import NotebookProblem
    from autograder.runner import InProcessSubmission, functions_of
    from autograder.solution_cells import fresh_namespace, notebook_path, solution_cells

    kernel = _namespace()
    path = Path(notebook) if notebook else notebook_path(exercise, kernel)
    if path is None:
        return InProcessSubmission(kernel, exercise), _(i18n.NO_NOTEBOOK).format(exercise=exercise)
    cells = solution_cells(exercise, kernel, functions_of(exercise), path)
    if isinstance(cells, str):
        return _Unusable(NotebookProblem(cells)), None
    run = fresh_namespace(cells)
    submission = InProcessSubmission(
        run.namespace, exercise, sources=cells, cell_errors=run.cell_errors, kernel=kernel
    )
    return submission, None


class _Unusable:
    """A notebook whose solution cells cannot be read: every call raises its problem."""

    def __init__(self, problem: Exception) -> None:
        self._problem = problem

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)

        def call(*args: Any, **kwargs: Any) -> Any:
            raise self._problem

        return call


def _indent(text: str, prefix: str = "    ") -> str:
    return "\n".join(prefix + line for line in text.splitlines())


def check(exercise: str, notebook: str | None = None, lang: str | None = None) -> CheckResult:
    """Run the public cases of `exercise` against your solution cells (as the grader runs them)
    and print a verdict per check. `notebook`: the notebook file, when it cannot be found.
    `lang`: "zh_CN" (or "zh") for the sentences in Chinese; default $COURSE_LANG, else English."""
    with i18n.use(lang):
        return _check(exercise, notebook)


def _check(exercise: str, notebook: str | None) -> CheckResult:
    from autograder.runner import run_inprocess

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        submission, note = _submission(exercise, notebook)
        results = run_inprocess(exercise, submission, mode="public")
    if note:
        print(note)
    score = sum(r.score for r in results)
    total = sum(r.points for r in results)
    failing = [r for r in results if not r.passed]
    if failing and all(r.status == "not implemented" for r in failing):
        for message in dict.fromkeys(r.message for r in failing):
            print(message)
        if score:
            print(
                _(i18n.SCORE_SO_FAR).format(
                    exercise=exercise, score=f"{score:g}", total=f"{total:g}"
                )
            )
        return CheckResult(exercise, score, total, results)
    for r in results:
        line = _(i18n.CHECK_LINE).format(
            mark="✓" if r.passed else "✗",
            name=r.name,
            points=f"{r.points:g}",
            sentence=_(r.docstring),
        )
        print(line)
        if not r.passed:
            print(_indent(r.message))
    verdict = _(i18n.ALL_PASS) if score == total else _(i18n.FIX_AND_RERUN)
    print(
        _(i18n.SCORE).format(
            exercise=exercise, score=f"{score:g}", total=f"{total:g}", verdict=verdict
        )
    )
    return CheckResult(exercise, score, total, results)


def run_graded_test(exercise: str, test: str, lang: str | None = None) -> None:
    """One graded check (nbgrader's graded test cells): ✓ line, or AssertionError with why.
    `lang` as in `check`."""
    from autograder.runner import run_inprocess

    with i18n.use(lang), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        submission, _unused = _submission(exercise)
        (result,) = run_inprocess(exercise, submission, mode="graded_cell", only=test)
        if not result.passed:
            raise AssertionError(f"{_(result.docstring)}\n{result.message}")
        print(
            _(i18n.GRADED_PASSED).format(exercise=exercise, test=test, points=f"{result.points:g}")
        )


class not_implemented_ok:  # noqa: N801  (used as `with not_implemented_ok():`)
    """Swallow NotImplementedError in an experiment cell and say which function to finish."""

    def __enter__(self) -> not_implemented_ok:
        return self

    def __exit__(self, kind, error, tb) -> bool:
        if kind is None or not issubclass(kind, NotImplementedError):
            return False
        frames = traceback.extract_tb(tb)
        name = frames[-1].name if frames else "the function"
        if name in ("<module>", "__exit__"):
            name = "the function"
        print(_(i18n.FINISH).format(name=name))
        return True
