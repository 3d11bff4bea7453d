"""Gradebook exports an LMS imports: Canvas, Moodle, and the plain course CSV.

Every export has one row per student and one column per assignment graded for anyone, in
course order; a cell is the automatic points plus the written points marked so far (empty when
the student submitted nothing for it). Student columns come from the roster
(`autograder.lms.roster`); every text cell is neutralized against spreadsheet formulas
(`autograder.report.csv_cell`).

- Canvas ("Import" in the Grades page): `Student, ID, SIS User ID, SIS Login ID, Section`, then
  `<assignment> (<Canvas assignment id>)` per assignment (just `<assignment>` when its Canvas id
  is not given: Canvas then creates the assignment), and a first data row `Points Possible`.
- Moodle ("Import" → "CSV file"): `ID number, Email address, First name, Last name`, then one
  column per assignment; map "ID number" (or e-mail) to the user in Moodle's import form.
- plain: `student_id, <assignments…>, total, pending` (`gradebook.csv` itself).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any

from autograder.assignments import assignment_of
from autograder.lms.roster import Roster
from autograder.report import csv_text, gradebook_columns, gradebook_csv, number_cell
from autograder.results import StudentResult


def points_possible(results: Sequence[StudentResult], exercise: str) -> float:
    """The points of an exercise (automatic + written). The automatic points come from the
    checks; the written points from the notebooks, which the learner holds, so the value most
    students share is taken (ties: the larger), never one notebook's claim."""
    counts = Counter(r.exercises[exercise].total_max for r in results if exercise in r.exercises)
    return max(counts.items(), key=lambda kv: (kv[1], kv[0]))[0] if counts else 0.0


def _cells(result: StudentResult, exercises: Sequence[str]) -> list[str]:
    return [
        number_cell(result.exercises[e].total if e in result.exercises else None) for e in exercises
    ]


def canvas_csv(
    results: Sequence[StudentResult], roster: Roster, canvas_ids: Mapping[str, str] = {}
) -> str:
    """The Canvas gradebook import file (see the module docstring)."""
    exercises = gradebook_columns(results)
    names = []
    for e in exercises:
        a = assignment_of(e)
        names.append(f"{a} ({canvas_ids[a]})" if a in canvas_ids else a)
    rows: list[list[Any]] = [
        ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", *names],
        [
            "Points Possible",
            "",
            "",
            "",
            "",
            *(number_cell(points_possible(results, e)) for e in exercises),
        ],
    ]
    for r in sorted(results, key=lambda r: r.student_id):
        s = roster.get(r.student_id)
        rows.append(
            [s.name or r.student_id, s.canvas_id, s.sis_id, s.canvas_login, s.section]
            + _cells(r, exercises)
        )
    return csv_text(rows)


def moodle_csv(results: Sequence[StudentResult], roster: Roster) -> str:
    """The Moodle grade import file (see the module docstring)."""
    exercises = gradebook_columns(results)
    rows: list[list[Any]] = [
        ["ID number", "Email address", "First name", "Last name"]
        + [assignment_of(e) for e in exercises]
    ]
    for r in sorted(results, key=lambda r: r.student_id):
        s = roster.get(r.student_id)
        last, _, first = (s.name or "").partition(", ")
        rows.append([s.sis_id or r.student_id, s.email, first, last] + _cells(r, exercises))
    return csv_text(rows)


def plain_csv(results: Sequence[StudentResult], roster: Roster) -> str:
    return gradebook_csv(results)


FORMATS = {"canvas": canvas_csv, "moodle": moodle_csv, "plain": plain_csv}
