"""Write what grading produced: feedback (Markdown, HTML), JSON, the gradebook CSV, Gradescope.

Every file is written atomically (a temporary file in the same folder, then `os.replace`), so
an interrupted batch never leaves a half-written result; submissions are only ever read.
"""

from __future__ import annotations

import csv
import html
import io
import json
import os
import tempfile
from collections.abc import Iterable
from pathlib import Path

from autograder.results import StudentResult
from autograder.students import safe_name, student_folder

__all__ = ["safe_name", "student_folder"]  # re-exported: a student's folder is students.py's

STATUS_MARK = {"passed": "✓"}


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


def _fmt(x: float) -> str:
    return f"{x:g}"


def feedback_markdown(result: StudentResult) -> str:
    lines = [
        f"# Feedback for {result.student_id}",
        "",
        f"**Automatic score: {_fmt(result.score)} / {_fmt(result.max_score)}**",
        "",
    ]
    for problem in result.problems:
        lines += [f"> ⚠ {problem}", ""]
    for name, ex in sorted(result.exercises.items()):
        lines += [f"## {name}: {_fmt(ex.score)} / {_fmt(ex.max_score)}", ""]
        if ex.problem:
            lines += [f"> ⚠ {ex.problem}", ""]
        for t in ex.tests:
            mark = STATUS_MARK.get(t.status, "✗")
            lines.append(f"- {mark} **{t.name}** ({_fmt(t.score)}/{_fmt(t.points)}): {t.docstring}")
            if t.status != "passed" and t.message:
                for line in t.message.splitlines():
                    lines.append(f"    {line}")
        for m in ex.manual:
            lines.append(f"- ☐ **{m.grade_id}** ({_fmt(m.points)} points): manual grading needed")
        lines.append("")
    return "\n".join(lines)


def feedback_html(result: StudentResult) -> str:
    e = html.escape
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>Feedback for {e(result.student_id)}</title>",
        "<style>body{font-family:sans-serif;max-width:60em;margin:2em auto}"
        ".passed{color:#176117}.failed{color:#a31515}pre{background:#f6f6f6;padding:.5em;"
        "white-space:pre-wrap}</style></head><body>",
        f"<h1>Feedback for {e(result.student_id)}</h1>",
        f"<p><strong>Automatic score: {_fmt(result.score)} / {_fmt(result.max_score)}</strong></p>",
    ]
    for problem in result.problems:
        parts.append(f"<p>⚠ {e(problem)}</p>")
    for name, ex in sorted(result.exercises.items()):
        parts.append(f"<h2>{e(name)}: {_fmt(ex.score)} / {_fmt(ex.max_score)}</h2>")
        if ex.problem:
            parts.append(f"<p>⚠ {e(ex.problem)}</p>")
        parts.append("<ul>")
        for t in ex.tests:
            css = "passed" if t.status == "passed" else "failed"
            mark = STATUS_MARK.get(t.status, "✗")
            parts.append(
                f'<li class="{css}">{mark} <strong>{e(t.name)}</strong> '
                f"({_fmt(t.score)}/{_fmt(t.points)}): {e(t.docstring)}"
            )
            if t.status != "passed" and t.message:
                parts.append(f"<pre>{e(t.message)}</pre>")
            parts.append("</li>")
        for m in ex.manual:
            parts.append(
                f"<li>☐ <strong>{e(m.grade_id)}</strong> ({_fmt(m.points)} points): "
                "manual grading needed</li>"
            )
        parts.append("</ul>")
    parts.append("</body></html>")
    return "\n".join(parts)


def gradescope_results(result: StudentResult) -> dict:
    """Gradescope's results.json: one entry per check, plus the manual items, left unscored."""
    tests = []
    for name, ex in sorted(result.exercises.items()):
        for t in ex.tests:
            output = t.docstring if t.status == "passed" else f"{t.docstring}\n{t.message}".strip()
            tests.append(
                {
                    "name": f"{name}: {t.name}",
                    "score": t.score,
                    "max_score": t.points,
                    "status": "passed" if t.status == "passed" else "failed",
                    "output": output,
                    "visibility": "visible",
                }
            )
        for m in ex.manual:
            # no score, max_score or status: Gradescope shows it as ungraded, not as failed
            tests.append(
                {
                    "name": f"{name}: {m.grade_id} (manual grading needed, "
                    f"{_fmt(m.points)} points)",
                    "output": "This answer is graded by the course staff.",
                    "visibility": "visible",
                }
            )
    output = "\n".join(result.problems) if result.problems else ""
    return {
        "score": result.score,
        "output": output or f"Automatic score {_fmt(result.score)} / {_fmt(result.max_score)}.",
        "visibility": "visible",
        "stdout_visibility": "hidden",
        "tests": tests,
    }


def gradebook_csv(results: Iterable[StudentResult], exercises: Iterable[str]) -> str:
    """One row per student, one column per exercise graded for anyone (in `exercises` order).

    An exercise a student did not submit is left empty, so "not submitted" never reads as 0.
    """
    results = list(results)
    graded = {name for r in results for name in r.exercises}
    exercises = [name for name in exercises if name in graded]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["student_id", *exercises, "total"])
    for r in sorted(results, key=lambda r: r.student_id):
        row = [r.student_id]
        for name in exercises:
            ex = r.exercises.get(name)
            row.append(_fmt(ex.score) if ex else "")
        row.append(_fmt(r.score))
        writer.writerow(row)
    return buffer.getvalue()


def write_student(result: StudentResult, out: Path) -> Path:
    """feedback.md, feedback.html, result.json and results.json in the student's folder
    (`out/students/<safe id>/`, `autograder.students.student_folder`)."""
    folder = student_folder(out, result.student_id)
    atomic_write(folder / "feedback.md", feedback_markdown(result))
    atomic_write(folder / "feedback.html", feedback_html(result))
    atomic_write(folder / "result.json", json.dumps(result.to_json(), indent=1, ensure_ascii=False))
    atomic_write(
        folder / "results.json",
        json.dumps(gradescope_results(result), indent=1, ensure_ascii=False),
    )
    return folder
