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
    """A written answer: graded by the staff (`python -m autograder written import`), never
    automatically; `score` is None until then, and its points are "pending"."""

    exercise: str
    grade_id: str
    points: float
    message: str = "manual grading needed"
    score: float | None = None
    answer: str = ""  # the learner's text (bounded), exported for marking


@dataclass
class ExerciseResult:
    exercise: str
    notebook: str | None
    tests: list[TestResult] = field(default_factory=list)
    manual: list[ManualResult] = field(default_factory=list)
    problem: str | None = None
    sandbox: dict[str, Any] = field(default_factory=dict)
    output: str = ""
    notes: list[str] = field(default_factory=list)  # e.g. notebooks of other exercises ignored

    @property
    def score(self) -> float:
        """Automatic points only."""
        return sum(t.score for t in self.tests)

    @property
    def max_score(self) -> float:
        return sum(t.points for t in self.tests)

    @property
    def written_score(self) -> float:
        return sum(m.score for m in self.manual if m.score is not None)

    @property
    def written_max(self) -> float:
        return sum(m.points for m in self.manual)

    @property
    def pending(self) -> float:
        """Written points not marked yet."""
        return sum(m.points for m in self.manual if m.score is None)

    @property
    def total(self) -> float:
        """Automatic points + the written points marked so far."""
        return self.score + self.written_score

    @property
    def total_max(self) -> float:
        return self.max_score + self.written_max


@dataclass
class StudentResult:
    student_id: str
    exercises: dict[str, ExerciseResult] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)  # files that could not be attributed
    seconds: float = 0.0
    # what was graded: assignment (or "*": every exercise found) → resume key (`autograder.resume`)
    graded: dict[str, str] = field(default_factory=dict)

    @property
    def score(self) -> float:
        """Automatic points only."""
        return sum(e.score for e in self.exercises.values())

    @property
    def max_score(self) -> float:
        return sum(e.max_score for e in self.exercises.values())

    @property
    def pending(self) -> float:
        return sum(e.pending for e in self.exercises.values())

    @property
    def total(self) -> float:
        return sum(e.total for e in self.exercises.values())

    @property
    def total_max(self) -> float:
        return sum(e.total_max for e in self.exercises.values())

    def merged(self, newer: StudentResult) -> StudentResult:
        """This course record updated with a later grading: the exercises `newer` graded
        replace these (manual scores already marked are kept when the answer is unchanged),
        every other exercise is kept, so grading one assignment never erases another."""
        result = StudentResult(
            self.student_id,
            exercises=dict(self.exercises),
            problems=list(newer.problems),
            seconds=newer.seconds,
            graded={**self.graded, **newer.graded},
        )
        for name, ex in newer.exercises.items():
            old = self.exercises.get(name)
            if old is not None:
                marked = {(m.grade_id, m.answer): m.score for m in old.manual}
                for m in ex.manual:
                    if m.score is None:
                        m.score = marked.get((m.grade_id, m.answer))
            result.exercises[name] = ex
        return result

    def to_json(self) -> dict[str, Any]:
        return {
            "student_id": self.student_id,
            "score": self.score,
            "max_score": self.max_score,
            "pending": self.pending,
            "seconds": round(self.seconds, 3),
            "graded": dict(sorted(self.graded.items())),
            "problems": self.problems,
            "exercises": {
                name: {
                    "notebook": ex.notebook,
                    "score": ex.score,
                    "max_score": ex.max_score,
                    "problem": ex.problem,
                    "notes": ex.notes,
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
            graded=dict(data.get("graded", {})),
        )
        for name, ex in data.get("exercises", {}).items():
            result.exercises[name] = ExerciseResult(
                name,
                ex.get("notebook"),
                tests=[TestResult(**t) for t in ex.get("tests", [])],
                manual=[ManualResult(**m) for m in ex.get("manual", [])],
                problem=ex.get("problem"),
                sandbox=dict(ex.get("sandbox", {})),
                notes=list(ex.get("notes", [])),
            )
        return result


def score_line(total: float, total_max: float, pending: float) -> str:
    """ "23 / 30, 6 written points pending": every score line shows the unmarked written points
    (`total` counts the automatic and the marked written points, `total_max` all of them)."""
    line = f"{total:g} / {total_max:g}"
    return line + (f", {pending:g} written points pending" if pending else "")


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
