"""A grading batch: who submitted what for which assignment, resume, and the course gradebook.

Grouping (`group`): each input file belongs to a student and an assignment.
- The student: `--student-id`, else nbgrader's `submitted/<student>/<assignment>/<nb>.ipynb`,
  else the first folder below a given folder, else the file stem; then mapped through the
  roster (`autograder.lms.roster`: e-mail, Canvas login or bulk-download name → course id).
- The assignment: `--assignment`, else nbgrader's folder when it names one (`04_adam`), else
  None: every exercise found in the notebooks is graded, each under its own assignment.
Files that are not notebooks are reported as ignored; with an assignment, notebooks of other
exercises are ignored too (by `autograder.grading`), and a student with nothing gradable still
gets a result (0, with the reason), so Gradescope always receives one.

Resume (`resume_key`): a (student, assignment) is graded again unless its recorded key equals
SHA-256 of the notebooks (names and bytes), a fingerprint of the secret and the grader's
version (every `.py` file of the package), so a new secret or new checks regrade everyone.

Course gradebook (`CourseBook`): every student's `result.json` holds all assignments graded so
far; a new grading replaces only the exercises it graded (`StudentResult.merged`), so grading
week 2 into the same folder keeps week 1.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from autograder.assignments import ASSIGNMENTS, resolve
from autograder.lms.roster import Roster
from autograder.reader import MAX_NOTEBOOK_BYTES, find_notebooks
from autograder.results import StudentResult

PACKAGE_DIR = Path(__file__).resolve().parent
EVERY_EXERCISE = "*"  # the unit of a grading without an assignment
SECRET_ENV = "AUTOGRADER_SECRET"  # as autograder.cases (which imports torch)


@dataclass
class Unit:
    """One student's files for one assignment (None: every exercise found)."""

    student: str
    assignment: str | None
    notebooks: list[Path] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)

    @property
    def key(self) -> str:
        return self.assignment or EVERY_EXERCISE


def _other_files(root: Path) -> list[Path]:
    """Regular files under `root` that are not notebooks (checkpoints and dot-files skipped)."""
    if not root.is_dir():
        return [] if root.suffix == ".ipynb" else [root]
    return sorted(
        p
        for p in root.rglob("*")
        if p.suffix != ".ipynb"
        and p.is_file()
        and not any(part.startswith(".") for part in p.relative_to(root).parts)
        and p.name != "submission_metadata.json"
    )


def _owner(path: Path, root: Path, forced: str | None) -> tuple[str, str | None]:
    """(raw student id, nbgrader assignment folder or None) of one file."""
    if forced:
        return forced, None
    parts = path.resolve().parts
    if "submitted" in parts:
        i = len(parts) - 1 - parts[::-1].index("submitted")
        if i + 2 < len(parts):  # submitted/<student>/<assignment>/.../<file>
            folder = parts[i + 2] if i + 3 < len(parts) else None
            return parts[i + 1], folder
    if root.is_dir() and len(path.relative_to(root).parts) > 1:
        return path.relative_to(root).parts[0], None
    return path.stem, None


def group(
    inputs: Sequence[str | os.PathLike],
    *,
    student_id: str | None = None,
    assignment: str | None = None,
    roster: Roster | None = None,
) -> dict[str, list[Unit]]:
    """student id → their units (see the module docstring); the inputs must exist."""
    roster = roster or Roster()
    units: dict[tuple[str, str | None], Unit] = {}

    def unit_of(path: Path, root: Path) -> Unit:
        raw, folder = _owner(path, root, student_id)
        chosen = assignment
        if chosen is None and folder is not None and folder in ASSIGNMENTS:
            chosen = folder
        student = roster.resolve(raw)
        return units.setdefault((student, chosen), Unit(student, chosen))

    for given in inputs:
        root = Path(given)
        for nb in find_notebooks(root):
            unit_of(nb, root).notebooks.append(nb)
        for other in _other_files(root):
            unit_of(other, root).ignored.append(
                f"{other.name} is not a Jupyter notebook (.ipynb): ignored, it scores nothing."
            )
    if student_id and assignment:  # e.g. Gradescope: one student, always a result
        units.setdefault((roster.resolve(student_id), assignment), Unit(student_id, assignment))
    if assignment is None:  # ignored files alone do not make a unit without an assignment
        units = {k: u for k, u in units.items() if u.notebooks or u.assignment}
    grouped: dict[str, list[Unit]] = {}
    for (student, _), unit in sorted(units.items(), key=lambda kv: (kv[0][0], kv[1].key)):
        unit.student = student
        grouped.setdefault(student, []).append(unit)
    return grouped


def resolve_assignment(name: str | None) -> str | None:
    return None if name is None else resolve(name)


def submission_sha256(notebooks: Sequence[str | Path]) -> str:
    """One hash of a student's notebooks (names and bytes); a file too large to be graded is
    never read, only its size and modification time count."""
    total = hashlib.sha256()
    for nb in sorted(Path(p) for p in notebooks):
        digest = hashlib.sha256()
        stat = nb.stat()
        if stat.st_size > MAX_NOTEBOOK_BYTES:
            digest.update(f"size {stat.st_size} mtime {stat.st_mtime_ns}".encode())
        else:
            with open(nb, "rb") as f:
                while chunk := f.read(1 << 20):
                    digest.update(chunk)
        total.update(f"{nb.name}\0{digest.hexdigest()}\n".encode())
    return total.hexdigest()


def secret_fingerprint(secret_file: str | os.PathLike | None) -> str:
    """A one-way fingerprint of the course secret (as `autograder.cases.load_secret` reads it),
    safe to store in result.json; "default" when no secret is set."""
    if secret_file:
        secret = Path(secret_file).read_bytes().strip()
    elif os.environ.get(SECRET_ENV):
        secret = os.environ[SECRET_ENV].encode()
    else:
        return "default"
    return hashlib.sha256(b"autograder resume key\0" + secret).hexdigest()[:24]


@cache
def grader_version() -> str:
    """SHA-256 of the grader's source (every .py file of the package): new checks, cases or
    references change it."""
    digest = hashlib.sha256()
    for path in sorted(PACKAGE_DIR.rglob("*.py")):
        if "__pycache__" not in path.parts:
            digest.update(path.relative_to(PACKAGE_DIR).as_posix().encode() + b"\0")
            digest.update(path.read_bytes())
    return digest.hexdigest()[:24]


def resume_key(unit: Unit, secret: str) -> str:
    return f"{submission_sha256(unit.notebooks)}:{secret}:{grader_version()}"


class CourseBook:
    """The course gradebook of an output folder: every student's result.json."""

    def __init__(self, out: str | os.PathLike) -> None:
        self.out = Path(out)

    def result_path(self, student: str) -> Path:
        from autograder.report import student_dir

        return student_dir(self.out, student) / "result.json"

    def load(self, student: str) -> StudentResult | None:
        """The student's course record, or None (absent or unreadable)."""
        try:
            data = json.loads(self.result_path(student).read_text(encoding="utf-8"))
            return StudentResult.from_json(data)
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            return None

    def students(self) -> list[str]:
        """Every student recorded in summary.json (the end of earlier runs)."""
        try:
            summary = json.loads((self.out / "summary.json").read_text(encoding="utf-8"))
            return [s["student_id"] for s in summary["students"]]
        except (OSError, ValueError, KeyError, TypeError):
            return []

    def everyone(self, updated: Iterable[StudentResult] = ()) -> list[StudentResult]:
        """Every student of the course: earlier runs' records, then `updated` over them."""
        by_id = {s: r for s in self.students() if (r := self.load(s)) is not None}
        by_id.update({r.student_id: r for r in updated})
        return sorted(by_id.values(), key=lambda r: r.student_id)

    def write(self, results: Iterable[StudentResult]) -> None:
        """gradebook.csv and summary.json of the whole course."""
        from autograder.report import atomic_write, gradebook_csv, json_text

        results = list(results)
        atomic_write(self.out / "gradebook.csv", gradebook_csv(results))
        summary = {"students": [r.to_json() for r in results]}
        atomic_write(self.out / "summary.json", json_text(summary))
