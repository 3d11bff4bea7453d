"""Results of grading: per test, per exercise, per student, and the feedback sentence of each.

`outcome(error)` turns whatever a check raised into (status, learner message, misconception):
a `CheckFailure` (wrong answer), a `SubmissionError` (not implemented, raised, missing, timeout,
crash, delegation, malformed notebook), or anything else — which is a bug of the grader, never
blamed on the learner.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from autograder.errors import CheckFailure, SubmissionError


@dataclass
class TestResult:
    __test__ = False  # not a pytest test class

    exercise: str
    name: str
    points: float
    score: float
    status: str  # passed | failed | not implemented | raised | missing | timeout | crashed |
    # delegated | malformed | error | skipped
    docstring: str
    message: str = ""
    misconception: str | None = None

    @property
    def passed(self) -> bool:
        return self.status == "passed"


@dataclass
class ManualResult:
    exercise: str
    grade_id: str
    points: float
    message: str = "manual grading needed"


@dataclass
class ExerciseResult:
    exercise: str
    notebook: str | None
    tests: list[TestResult] = field(default_factory=list)
    manual: list[ManualResult] = field(default_factory=list)
    problem: str | None = None
    sandbox: dict[str, Any] = field(default_factory=dict)
    output: str = ""

    @property
    def score(self) -> float:
        return sum(t.score for t in self.tests)

    @property
    def max_score(self) -> float:
        return sum(t.points for t in self.tests)


@dataclass
class StudentResult:
    student_id: str
    exercises: dict[str, ExerciseResult] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)  # files that could not be attributed
    seconds: float = 0.0
    submission_sha256: str = ""  # of the graded notebooks (`--resume` skips a match)

    @property
    def score(self) -> float:
        return sum(e.score for e in self.exercises.values())

    @property
    def max_score(self) -> float:
        return sum(e.max_score for e in self.exercises.values())

    def to_json(self) -> dict[str, Any]:
        return {
            "student_id": self.student_id,
            "score": self.score,
            "max_score": self.max_score,
            "seconds": round(self.seconds, 3),
            "submission_sha256": self.submission_sha256,
            "problems": self.problems,
            "exercises": {
                name: {
                    "notebook": ex.notebook,
                    "score": ex.score,
                    "max_score": ex.max_score,
                    "problem": ex.problem,
                    "sandbox": ex.sandbox,
                    "tests": [asdict(t) for t in ex.tests],
                    "manual": [asdict(m) for m in ex.manual],
                }
                for name, ex in sorted(self.exercises.items())
            },
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> StudentResult:
        """The inverse of `to_json` (a result.json read back by `--resume` and `merge`)."""
        result = cls(
            data["student_id"],
            problems=list(data.get("problems", [])),
            seconds=float(data.get("seconds", 0.0)),
            submission_sha256=data.get("submission_sha256", ""),
        )
        for name, ex in data.get("exercises", {}).items():
            result.exercises[name] = ExerciseResult(
                name,
                ex.get("notebook"),
                tests=[TestResult(**t) for t in ex.get("tests", [])],
                manual=[ManualResult(**m) for m in ex.get("manual", [])],
                problem=ex.get("problem"),
                sandbox=dict(ex.get("sandbox", {})),
            )
        return result


def docstring_sentence(doc: str | None) -> str:
    return " ".join((doc or "").split())


def outcome(error: BaseException | None) -> tuple[str, str, str | None]:
    """(status, learner message, misconception key) for what a check raised."""
    if error is None:
        return "passed", "", None
    if isinstance(error, CheckFailure):
        key = error.misconception.key if error.misconception else None
        return "failed", error.learner_message, key
    if isinstance(error, SubmissionError):
        return error.status, error.learner_message, None
    if isinstance(error, AssertionError):
        return "failed", str(error) or "a check failed", None
    return (
        "error",
        f"The grader hit an internal error ({type(error).__name__}: {error}); this is not your "
        "fault: tell the course staff.",
        None,
    )


def zero_delegated(tests: list[TestResult]) -> None:
    """Own work only: once any test saw delegation, the whole exercise earns nothing."""
    delegated = next((t for t in tests if t.status == "delegated"), None)
    if delegated is None:
        return
    for t in tests:
        t.score = 0.0
        if t.status != "delegated":
            t.status, t.message = "delegated", delegated.message
