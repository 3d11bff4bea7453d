"""Written answers: exported per question for marking, marks imported back.

    python -m autograder written export --out grades/ --to written/
        writes written/<assignment>/<question>.csv, one row per student:
        assignment, question, student_id, points, score, answer
    (markers fill `score`; an empty score stays pending)
    python -m autograder written import written/ --out grades/

Import validates everything before writing anything: a score must be a finite number within
[0, points] (the points recorded by the grader, not the CSV's), for a known student, assignment
and question; "NaN", "inf", "1e999", "-1" or "11" of 10 are refused with file and line. Until a
question is marked, every score line shows its points as pending
("23 / 30, 6 written points pending").
"""

from __future__ import annotations

import csv
import math
from collections.abc import Sequence
from pathlib import Path

from autograder.assignments import assignment_of, course_order, exercise_of
from autograder.report import atomic_write, csv_text, number_cell, safe_name
from autograder.results import StudentResult

COLUMNS = ["assignment", "question", "student_id", "points", "score", "answer"]


class MarksError(ValueError):
    """Marks that cannot be imported; the message lists every wrong row."""


def export_written(results: Sequence[StudentResult], folder: Path) -> list[Path]:
    """One CSV per question (assignment, grade id) with every student's answer."""
    questions: dict[tuple[str, str], list[list[str]]] = {}
    for r in sorted(results, key=lambda r: r.student_id):
        for name in sorted(r.exercises, key=course_order):
            for m in r.exercises[name].manual:
                row = [
                    assignment_of(name),
                    m.grade_id,
                    r.student_id,
                    number_cell(m.points),
                    number_cell(m.score),
                    m.answer,
                ]
                questions.setdefault((assignment_of(name), m.grade_id), []).append(row)
    written = []
    for (assignment, question), rows in sorted(questions.items()):
        path = Path(folder) / safe_name(assignment) / f"{safe_name(question)}.csv"
        atomic_write(path, csv_text([COLUMNS, *rows]))
        written.append(path)
    return written


def parse_score(text: str, points: float) -> float:
    """A mark: a finite number within [0, points]; ValueError with the reason otherwise."""
    try:
        score = float(text)
    except ValueError:
        raise ValueError(f"score {text!r} is not a number") from None
    if not math.isfinite(score):
        raise ValueError(f"score {text!r} is not a finite number")
    if not 0 <= score <= points:
        raise ValueError(f"score {text} is outside [0, {points:g}]")
    return score


def read_marks(
    paths: Sequence[Path], results: dict[str, StudentResult]
) -> dict[tuple[str, str, str], float]:
    """(student, exercise, question) → score from the marked CSVs; MarksError lists problems."""
    marks: dict[tuple[str, str, str], float] = {}
    errors: list[str] = []
    files = []
    for given in map(Path, paths):
        files += sorted(given.rglob("*.csv")) if given.is_dir() else [given]
    for path in files:
        with open(path, newline="", encoding="utf-8-sig") as f:
            for line, row in enumerate(csv.DictReader(f), start=2):
                where = f"{path}, line {line}"
                text = (row.get("score") or "").strip()
                if not text:
                    continue  # still pending
                student = (row.get("student_id") or "").removeprefix("'")
                question = (row.get("question") or "").removeprefix("'")
                try:
                    exercise = exercise_of((row.get("assignment") or "").strip())
                except IndexError:
                    errors.append(f"{where}: unknown assignment {row.get('assignment')!r}")
                    continue
                record = results.get(student)
                ex = record.exercises.get(exercise) if record else None
                item = next((m for m in ex.manual if m.grade_id == question), None) if ex else None
                if item is None:
                    errors.append(
                        f"{where}: no written answer {question!r} of {student!r} in "
                        f"{row.get('assignment')!r}"
                    )
                    continue
                try:
                    marks[(student, exercise, question)] = parse_score(text, item.points)
                except ValueError as error:
                    errors.append(f"{where}: {error}")
    if errors:
        raise MarksError("no marks were imported:\n  " + "\n  ".join(errors))
    return marks


def apply_marks(
    results: dict[str, StudentResult], marks: dict[tuple[str, str, str], float]
) -> list[StudentResult]:
    """Set the marks on the records; return the records that changed."""
    changed = {}
    for (student, exercise, question), score in marks.items():
        for m in results[student].exercises[exercise].manual:
            if m.grade_id == question and m.score != score:
                m.score = score
                changed[student] = results[student]
    return list(changed.values())
