"""A grading batch: who submitted what for which assignment, resume, and the course gradebook.

Grouping (`group`): each input file belongs to a student and an assignment.
- The student: `--student-id`, else nbgrader's `submitted/<student>/<assignment>/<nb>.ipynb`,
  else the first folder below a given folder, else the file stem; then mapped through the
  roster (`autograder.lms.roster`: e-mail, Canvas login or bulk-download name → course id).
- The assignment: `--assignment`, else nbgrader's folder when it names one (`04_adam`), else
  None: every exercise found in the notebooks is graded, each under its own assignment.
Student ids must not share a results folder once made safe for a file name: colliding
submissions are refused (`autograder.students.refuse_collisions`; `group` returns them, the CLI
lists them and exits with status 1). Symbolic links are never followed below a given folder.
Files that are not notebooks are reported as ignored; with an assignment, notebooks of other
exercises are ignored too (by `autograder.grading`), and a student with nothing gradable still
gets a result (0, with the reason), so Gradescope always receives one.

Resume (`resume_key`): a (student, assignment) is graded again unless the record in the
student's folder names the same student id and its recorded key equals SHA-256 of the
notebooks (names and bytes, read as the grader reads them: `reader.read_regular`; a refused or
oversized file counts by its refusal or size), a fingerprint of the secret and the grader's
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
from autograder.reader import UnsafeFile, find_notebooks, read_regular
from autograder.results import StudentResult
from autograder.students import Refused, Source, refuse_collisions

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


def _owner(path: Path, root: Path, forced: str | None) -> tuple[str, str | None, str, bool]:
    """(raw student id, nbgrader assignment folder or None, source path, whether the source
    is a folder) of one file; the path as given, links never followed."""
    if forced:
        return forced, None, os.path.abspath(root), root.is_dir()
    parts = Path(os.path.abspath(path)).parts
    if "submitted" in parts[:-1]:
        i = len(parts) - 1 - parts[::-1].index("submitted")
        if i + 2 < len(parts):  # submitted/<student>/<assignment>/.../<file>
            folder = parts[i + 2] if i + 3 < len(parts) else None
            return parts[i + 1], folder, os.path.join(*parts[: i + 2]), True
    if root.is_dir() and len(path.relative_to(root).parts) > 1:
        first = path.relative_to(root).parts[0]
        return first, None, os.path.abspath(root / first), True
    return path.stem, None, os.path.abspath(path), False


def group(
    inputs: Sequence[str | os.PathLike],
    *,
    student_id: str | None = None,
    assignment: str | None = None,
    roster: Roster | None = None,
) -> tuple[dict[str, list[Unit]], list[Refused]]:
    """student id → their units, and the submissions refused because their student id shares
    a results folder with another's (`autograder.students.refuse_collisions`; never with
    `student_id`); the inputs must exist."""
    roster = roster or Roster()
    sources: dict[str, Source] = {}
    files: dict[str, list[tuple[Path, str | None, bool]]] = {}  # source → (file, folder, nb?)

    def add(path: Path, root: Path, notebook: bool) -> None:
        raw, folder, source, is_folder = _owner(path, root, student_id)
        if source not in sources:
            sources[source] = Source(roster.resolve(raw), source, is_folder, raw)
        files.setdefault(source, []).append((path, folder, notebook))

    for given in inputs:
        root = Path(given)
        if root.is_symlink() and root.is_dir():  # a folder the instructor named: followed once
            root = Path(os.path.realpath(root))
        for nb in find_notebooks(root):
            add(nb, root, True)
        for other in _other_files(root):
            add(other, root, False)
    if student_id:
        kept, refused = list(sources.values()), []
    else:
        kept, refused = refuse_collisions(list(sources.values()))
    units: dict[tuple[str, str | None], Unit] = {}
    for source in kept:
        for path, folder, notebook in files[source.path]:
            chosen = assignment
            if chosen is None and folder is not None and folder in ASSIGNMENTS:
                chosen = folder
            unit = units.setdefault((source.student, chosen), Unit(source.student, chosen))
            if not notebook:
                unit.ignored.append(
                    f"{path.name} is not a Jupyter notebook (.ipynb): ignored, it scores nothing."
                )
            elif path not in unit.notebooks:
                unit.notebooks.append(path)
    if student_id and assignment:  # e.g. Gradescope: one student, always a result
        units.setdefault((roster.resolve(student_id), assignment), Unit(student_id, assignment))
    if assignment is None:  # ignored files alone do not make a unit without an assignment
        units = {k: u for k, u in units.items() if u.notebooks or u.assignment}
    grouped: dict[str, list[Unit]] = {}
    for (student, _), unit in sorted(units.items(), key=lambda kv: (kv[0][0], kv[1].key)):
        unit.student = student
        unit.notebooks.sort()
        grouped.setdefault(student, []).append(unit)
    return grouped, refused


def resolve_assignment(name: str | None) -> str | None:
    return None if name is None else resolve(name)


def submission_sha256(notebooks: Sequence[str | Path]) -> str:
    """One hash of a student's notebooks (names and bytes), read like the grader reads them
    (`reader.read_regular`: regular files only, through one descriptor); a file too large to
    be graded counts by its size, one that is refused (a link, a FIFO) by its refusal."""
    total = hashlib.sha256()
    for nb in sorted(Path(p) for p in notebooks):
        try:
            data, size = read_regular(nb)
            digest = hashlib.sha256(b"bytes\0" + data if data is not None else b"size %d" % size)
        except UnsafeFile as error:
            digest = hashlib.sha256(f"refused {error}".encode())
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
        """The student's course record, or None (absent, unreadable, or another student's: a
        record is trusted only when it names this very student id)."""
        try:
            data = json.loads(self.result_path(student).read_text(encoding="utf-8"))
            record = StudentResult.from_json(data)
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            return None
        return record if record.student_id == student else None

    def students(self) -> list[str]:
        """Every student recorded in summary.json (the end of earlier runs)."""
        try:
            summary = json.loads((self.out / "summary.json").read_text(encoding="utf-8"))
            return [s["student_id"] for s in summary["students"]]
        except (OSError, ValueError, KeyError, TypeError):
            return []

    def refused(self) -> list[dict]:
        """The refused submissions recorded in summary.json."""
        try:
            summary = json.loads((self.out / "summary.json").read_text(encoding="utf-8"))
            return [r for r in summary.get("refused", []) if isinstance(r, dict)]
        except (OSError, ValueError, AttributeError):
            return []

    def everyone(self, updated: Iterable[StudentResult] = ()) -> list[StudentResult]:
        """Every student of the course: earlier runs' records, then `updated` over them."""
        by_id = {s: r for s in self.students() if (r := self.load(s)) is not None}
        by_id.update({r.student_id: r for r in updated})
        return sorted(by_id.values(), key=lambda r: r.student_id)

    def write(
        self, results: Iterable[StudentResult], refused: Iterable[Refused | dict] = ()
    ) -> None:
        """gradebook.csv and summary.json of the whole course; `refused`: the submissions of
        this run not graded for a colliding student id (summary.json's `refused`)."""
        from autograder.report import atomic_write, gradebook_csv, json_text

        results = list(results)
        atomic_write(self.out / "gradebook.csv", gradebook_csv(results))
        summary = {
            "students": [r.to_json() for r in results],
            "refused": [r if isinstance(r, dict) else r.to_json() for r in refused],
        }
        atomic_write(self.out / "summary.json", json_text(summary))
