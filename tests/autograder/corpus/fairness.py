"""Same code, same marks: grade every variant of an exercise under many student ids.

`grade_variants(exercise, folder)` builds one notebook per variant (the reference, the solution
notebook's cells, a hand-written alternative, every misconception of `autograder.misconceptions`,
every contract breaker of the corpus) and grades each under every id of `STUDENT_IDS` with one
secret, with the batch grader's machinery: a `GradingSession` opens the variant's sandbox (forked
from the warm pool), then every check runs with each student's rounds (public, then hidden),
exactly as `GradingSession.run` does for one student. One sandbox serves all the ids of a
variant (the variants are pure functions, so a fresh child per id would answer the same; it
keeps the run to about a minute). It returns, per variant, the score tuples seen (one score per
test) and the ids that got them: fair means one tuple per variant.
Used by tests/autograder/test_fairness.py and benchmarks/fairness.py.
"""

from __future__ import annotations

import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import autograder_corpus as corpus

from autograder import misconceptions
from autograder.limits import Limits
from autograder.results import zero_delegated
from autograder.runner import run_test, specs_of
from autograder.session import GradingSession

SECRET = b"one course secret for every student"
STUDENT_IDS = (
    "alice",
    "bob",
    "carol",
    "dave",
    "eve",
    "frank",
    "grace",
    "heidi",
    "ivan",
    "judy",
    "s1024",
    "s2048",
    "student-7",
    "Ünal Öztürk",
    "x",
    "0",
    "alice.smith@example.edu",
    "bob.jones@example.edu",
    "carol+cs101@uni.example.org",
    "d.o'neil@example.com",
    "smithalice_104233_8812345_adam",
    "gradescope-1234567",
    "ALICE",
    "a" * 64,
)


def variants(exercise: str) -> list[tuple[str, str]]:
    """(name, solution source) of every implementation graded for the exercise."""
    out = [
        ("correct: reference", corpus.correct_source(exercise)),
        ("correct: solution notebook", corpus.solution_cells_source(exercise)),
    ]
    if exercise in corpus.ALTERNATIVES:
        out.append(("correct: alternative", corpus.ALTERNATIVES[exercise]))
    out += [(v.key, corpus.variant_source(v.key)) for v in misconceptions.for_exercise(exercise)]
    out += [
        (f"{exercise}.{name} (contract)", corpus.correct_source(exercise) + "\n\n" + source)
        for name, source in corpus.CONTRACT_BREAKERS.get(exercise, {}).items()
    ]
    return out


@dataclass
class Figures:
    """What one exercise's fairness run measured."""

    exercise: str
    ids: tuple[str, ...]
    seconds: float = 0.0
    scores: dict[str, dict[tuple[float, ...], list[str]]] = field(default_factory=dict)

    @property
    def gradings(self) -> int:
        return len(self.scores) * len(self.ids)

    def unfair(self) -> dict[str, dict[tuple[float, ...], list[str]]]:
        return {name: seen for name, seen in self.scores.items() if len(seen) > 1}

    def line(self) -> str:
        distinct = sorted({len(seen) for seen in self.scores.values()})
        return (
            f"{self.exercise:<22} {len(self.scores):>3} variants × {len(self.ids)} ids = "
            f"{self.gradings:>4} gradings, distinct scores per variant: "
            f"{'/'.join(map(str, distinct))}  ({self.seconds:.1f} s)"
        )


def grade_variants(
    exercise: str, folder: Path, ids: tuple[str, ...] = STUDENT_IDS, secret: bytes = SECRET
) -> Figures:
    figures = Figures(exercise, ids)
    start = time.monotonic()
    for i, (name, source) in enumerate(variants(exercise)):
        path = corpus.notebook(folder / f"v{i}" / f"{exercise}.ipynb", exercise, source)
        seen: dict[tuple[float, ...], list[str]] = defaultdict(list)
        session = GradingSession([path], ids[0], secret, Limits(), mode="grade", pool=True)
        submission = session.open(exercise)
        try:
            for student in ids:
                session.student_id = student
                results = [
                    run_test(spec, submission, session.cases(exercise, spec.name))
                    for spec in specs_of(exercise)
                ]
                zero_delegated(results)
                seen[tuple(r.score for r in results)].append(student)
        finally:
            session.close(exercise)
        figures.scores[name] = dict(seen)
    figures.seconds = time.monotonic() - start
    return figures
