"""Write what grading produced: feedback files, strict JSON, neutralized CSV, Gradescope.

Every file is written atomically (a temporary file in the same folder, then `os.replace`), so
an interrupted batch never leaves a half-written result; submissions are only ever read.
"""

from __future__ import annotations

import csv
import io
import json
import os
import tempfile
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from autograder.assignments import assignment_of, course_order
from autograder.feedback import (
    MAX_FEEDBACK_BYTES,
    MAX_MESSAGE_CHARS,
    feedback_html,
    feedback_markdown,
    summarize_tensors,
)
from autograder.results import StudentResult, score_line
from autograder.students import safe_name, student_folder
from autograder.website import link_chapters


def atomic_write(path: str | os.PathLike, text: str) -> None:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as f:
            f.write(text)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise


MAX_WRITTEN_LISTED = 50  # written answers listed one by one in Gradescope's results.json


def json_text(data: Any) -> str:
    """Strict JSON: NaN and ±inf are refused (ValueError), never written as invalid JSON."""
    return json.dumps(data, indent=1, ensure_ascii=False, allow_nan=False)


FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: Any) -> str:
    """A CSV cell a spreadsheet shows as text: a cell starting with = + - @ tab or CR (a formula
    to Excel, LibreOffice and Google Sheets, e.g. `=HYPERLINK(...)`) gets a leading `'`.
    Numbers are written by `number_cell`, which never starts that way for valid scores."""
    text = str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def number_cell(value: float | None) -> str:
    return "" if value is None else f"{value:g}"


def csv_text(rows: Iterable[Sequence[Any]]) -> str:
    """Rows as CSV; every text cell neutralized (`csv_cell`)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    for row in rows:
        writer.writerow([csv_cell(cell) for cell in row])
    return buffer.getvalue()


def gradescope_results(
    result: StudentResult, exercises: Iterable[str] | None = None, isolation: str = ""
) -> dict:
    """Gradescope's results.json for `exercises` (one assignment; None: all): one entry per
    check, plus the written answers, left unscored; the output names what was ignored, the
    pending written points and (`isolation`) the isolation the grading ran under."""
    names = sorted(result.exercises if exercises is None else exercises, key=course_order)
    chosen = {n: result.exercises[n] for n in names if n in result.exercises}
    tests = []
    for name, ex in chosen.items():
        for t in ex.tests:
            output = t.docstring if t.status == "passed" else f"{t.docstring}\n{t.message}".strip()
            tests.append(
                {
                    "name": f"{name}: {t.name}",
                    "score": t.score,
                    "max_score": t.points,
                    "status": "passed" if t.status == "passed" else "failed",
                    "output": summarize_tensors(link_chapters(output))[:MAX_MESSAGE_CHARS],
                    "visibility": "visible",
                }
            )
        for m in ex.manual[:MAX_WRITTEN_LISTED]:
            # no score, max_score or status: Gradescope shows it as ungraded, not as failed
            tests.append(
                {
                    "name": f"{name}: {m.grade_id[:100]} (manual grading needed, "
                    f"{m.points:g} points)",
                    "output": "This answer is graded by the course staff.",
                    "visibility": "visible",
                }
            )
        if len(ex.manual) > MAX_WRITTEN_LISTED:
            tests.append(
                {
                    "name": f"{name}: {len(ex.manual) - MAX_WRITTEN_LISTED} more written answers",
                    "output": "Not listed here; graded by the course staff.",
                    "visibility": "visible",
                }
            )
    score = sum(e.score for e in chosen.values())
    line = score_line(
        sum(e.total for e in chosen.values()),
        sum(e.total_max for e in chosen.values()),
        sum(e.pending for e in chosen.values()),
    )
    lines = [f"Automatic score {score:g} / {sum(e.max_score for e in chosen.values()):g}."]
    if any(e.manual for e in chosen.values()):
        lines.append(f"Score with the written answers: {line}.")
    for ex in chosen.values():
        lines += [p for p in (ex.problem, *ex.notes) if p]
    lines += result.problems
    if not chosen:
        lines.insert(0, "Nothing gradable was submitted: 0 points.")
    if isolation:
        lines.append(isolation)
    return {
        "score": score,
        "output": "\n".join(lines)[: MAX_FEEDBACK_BYTES // 2],
        "visibility": "visible",
        "stdout_visibility": "hidden",
        "tests": tests,
    }


def gradebook_columns(results: Iterable[StudentResult]) -> list[str]:
    """The exercises graded for anyone, in course order."""
    return sorted({name for r in results for name in r.exercises}, key=course_order)


def gradebook_csv(results: Iterable[StudentResult]) -> str:
    """The plain course gradebook: one row per student, one column per assignment graded for
    anyone (course order; automatic + marked written points), `total`, and `pending` written
    points. An assignment a student did not submit is empty, so it never reads as 0."""
    results = sorted(results, key=lambda r: r.student_id)
    exercises = gradebook_columns(results)
    rows: list[list[Any]] = [
        ["student_id", *(assignment_of(e) for e in exercises), "total", "pending"]
    ]
    for r in results:
        cells = [r.exercises.get(name) for name in exercises]
        rows.append(
            [
                r.student_id,
                *(number_cell(ex.total if ex else None) for ex in cells),
                number_cell(r.total),
                number_cell(r.pending),
            ]
        )
    return csv_text(rows)


def student_dir(out: Path, student: str) -> Path:
    """The one place a student's output folder is named (feedback summary, result.json):
    `out/students/<safe id>/` (`autograder.students.student_folder`), apart from the batch's
    own files, so no student id can name or shadow gradebook.csv or summary.json."""
    return student_folder(out, student)


def feedback_dir(feedback_root: Path, student: str, assignment: str) -> Path:
    """nbgrader's layout `feedback/<student>/<assignment>/`, which `nbgrader release_feedback`
    delivers (it sends `<notebook>.html` for the submitted `<notebook>.ipynb`)."""
    return Path(feedback_root) / safe_name(student) / safe_name(assignment)


def write_student(result: StudentResult, out: Path, feedback_root: Path | None = None) -> Path:
    """The student's course summary (feedback.md, feedback.html, result.json, results.json)
    under `student_dir`, and one feedback per assignment under `feedback_dir`."""
    folder = student_dir(out, result.student_id)
    atomic_write(folder / "feedback.md", feedback_markdown(result))
    atomic_write(folder / "feedback.html", feedback_html(result))
    atomic_write(folder / "results.json", json_text(gradescope_results(result)))
    root = Path(out) / "feedback" if feedback_root is None else Path(feedback_root)
    for name, ex in result.exercises.items():
        target = feedback_dir(root, result.student_id, assignment_of(name))
        stem = safe_name(Path(ex.notebook).stem) if ex.notebook else name
        atomic_write(target / f"{stem}.html", feedback_html(result, [name]))
        atomic_write(target / f"{stem}.md", feedback_markdown(result, [name]))
    # last: resume trusts a result.json, so everything it stands for is written before it
    atomic_write(folder / "result.json", json_text(result.to_json()))
    return folder
