"""What exercise notebooks call: `check`, `run_graded_test`, `not_implemented_ok`.

    from autograder import check, not_implemented_ok
    check("adam")                               # public cases, a verdict per check, ~1 s
    with not_implemented_ok():                  # experiment cells of the released notebook
        ...
    from autograder import run_graded_test      # nbgrader's graded test cells (generated)
    run_graded_test("adam", "test_first_step")

These run the learner's functions from the notebook's own namespace (`__main__`), in the
learner's kernel: that is feedback, not isolation. The marks that count come from
`python -m autograder grade`, which runs the same checks against a sandboxed copy.
Nothing here writes to stderr.
"""

from __future__ import annotations

import sys
import traceback
import warnings
from dataclasses import dataclass, field
from typing import Any

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


def _indent(text: str, prefix: str = "    ") -> str:
    return "\n".join(prefix + line for line in text.splitlines())


def check(exercise: str) -> CheckResult:
    """Run the public cases of `exercise` against your functions and print a verdict per check."""
    from autograder.runner import InProcessSubmission, run_inprocess

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        submission = InProcessSubmission(_namespace(), exercise)
        results = run_inprocess(exercise, submission, mode="public")
    score = sum(r.score for r in results)
    total = sum(r.points for r in results)
    failing = [r for r in results if not r.passed]
    if failing and all(r.status == "not implemented" for r in failing):
        for message in dict.fromkeys(r.message for r in failing):
            print(message)
        if score:
            print(f"{exercise}: {score:g}/{total:g} points on the public checks so far.")
        return CheckResult(exercise, score, total, results)
    for r in results:
        mark = "✓" if r.passed else "✗"
        print(f"{mark} {r.name} ({r.points:g} pt): {r.docstring}")
        if not r.passed:
            print(_indent(r.message))
    verdict = "all public checks pass" if score == total else "fix the ✗ above and run again"
    print(f"{exercise}: {score:g}/{total:g} points on the public checks, {verdict}.")
    return CheckResult(exercise, score, total, results)


def run_graded_test(exercise: str, test: str) -> None:
    """One graded check (nbgrader's graded test cells): ✓ line, or AssertionError with why."""
    from autograder.runner import InProcessSubmission, run_inprocess

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        submission = InProcessSubmission(_namespace(), exercise)
        (result,) = run_inprocess(exercise, submission, mode="graded_cell", only=test)
    if not result.passed:
        raise AssertionError(f"{result.docstring}\n{result.message}")
    print(f"✓ {exercise}: {test} passed ({result.points:g} pt)")


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
        print(f"Finish {name} above to run this experiment.")
        return True
