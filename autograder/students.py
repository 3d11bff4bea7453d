"""Who submitted each notebook, and where each student's results are written.

A batch's inputs are grouped by student (see `group_by_student`): nbgrader's
`submitted/<student>/<assignment>/<nb>.ipynb`, else the first folder below a given folder,
else the file stem; `--student-id` puts every input in one student. The folder or file that
names a student is its *source*.

Student ids must be unique once made safe for a file name (`safe_name`): `victim1.` and
`victim1` would share `students/victim1/`, and a loose `victim2.ipynb` next to the folder
`victim2/` would be merged into victim2's submission. So when several sources give one folder
name, the one that owns the name keeps it — a folder whose name needs no change (`victim2/`,
`victim1/`), else such a file (`victim2.ipynb`) — and every other source is refused: not
graded, reported on the terminal and in `summary.json` (`refused`), and the command exits with
status 1. If no source, or more than one, owns the name (two folders `bob` given in two
inputs, or `bob.` next to `bob..`), all of them are refused: which one is the real student is
for the instructor to decide.

Each student's files live in `<out>/students/<safe id>/`, apart from the batch's own files
(`gradebook.csv`, `summary.json`, exports): no student id can name or shadow one of them.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

STUDENTS_FOLDER = "students"


def safe_name(name: str) -> str:
    """A file name for a student id: letters, digits, `-`, `_` and inner dots are kept."""
    cleaned = "".join(c if c.isalnum() or c in "-_." else "_" for c in name).strip(".")
    return cleaned or "student"


def student_folder(out: str | os.PathLike, student: str) -> Path:
    """Where a student's feedback and result files are written: `<out>/students/<safe id>/`."""
    return Path(out) / STUDENTS_FOLDER / safe_name(student)


@dataclass
class Source:
    """The folder or file that names a student, and the notebooks found under it."""

    student: str
    path: str
    is_folder: bool
    notebooks: list[Path] = field(default_factory=list)

    @property
    def owns_its_name(self) -> bool:
        return safe_name(self.student) == self.student


@dataclass
class Refused:
    """Submissions not graded because their student id collides with another's."""

    student: str
    path: str
    reason: str

    def to_json(self) -> dict[str, str]:
        return {"student_id": self.student, "path": self.path, "reason": self.reason}


def _source_of(nb: Path, root: Path) -> tuple[str, str, bool]:
    """(student id, source path, whether the source is a folder) of one notebook."""
    parts = Path(os.path.abspath(nb)).parts
    if "submitted" in parts[:-1]:
        i = len(parts) - 1 - parts[::-1].index("submitted")
        if i + 2 < len(parts):  # submitted/<student>/.../<nb>
            return parts[i + 1], os.path.join(*parts[: i + 2]), True
    if root.is_dir() and len(nb.relative_to(root).parts) > 1:
        first = nb.relative_to(root).parts[0]
        return first, os.path.abspath(root / first), True
    return nb.stem, os.path.abspath(nb), False


def group_by_student(
    inputs: Sequence[str], forced: str | None = None
) -> tuple[dict[str, list[Path]], list[Refused]]:
    """student id → notebooks, and the refused submissions (see the module docstring)."""
    from autograder.reader import find_notebooks

    if forced:
        roots = [os.path.realpath(g) if os.path.isdir(g) else g for g in inputs]
        return {forced: [nb for root in roots for nb in find_notebooks(root)]}, []
    sources: dict[str, Source] = {}
    for given in inputs:
        root = Path(given)
        if root.is_symlink() and root.is_dir():  # a folder the instructor named: followed once
            root = Path(os.path.realpath(root))
        for nb in find_notebooks(root):
            student, path, is_folder = _source_of(nb, root)
            source = sources.setdefault(path, Source(student, path, is_folder))
            if nb not in source.notebooks:
                source.notebooks.append(nb)
    by_folder: dict[str, list[Source]] = {}
    for source in sources.values():
        by_folder.setdefault(safe_name(source.student), []).append(source)
    groups: dict[str, list[Path]] = {}
    refused: list[Refused] = []
    for folder, claims in sorted(by_folder.items()):
        if len(claims) == 1:
            groups[claims[0].student] = claims[0].notebooks
            continue
        owners = [c for c in claims if c.owns_its_name and c.is_folder] or [
            c for c in claims if c.owns_its_name
        ]
        owner = owners[0] if len(owners) == 1 else None
        if owner is not None:
            groups[owner.student] = owner.notebooks
        others = ", ".join(sorted(c.path for c in claims))
        for claim in sorted(claims, key=lambda c: c.path):
            if claim is owner:
                continue
            if owner is not None:
                reason = (
                    f"its student id {claim.student!r} gives the same results folder "
                    f"{folder!r} as {owner.path}, which is graded as {owner.student!r}; "
                    "rename it (or move its notebooks into that folder) and grade again."
                )
            else:
                reason = (
                    f"its student id {claim.student!r} gives the same results folder "
                    f"{folder!r} as another submission ({others}) and none of them clearly "
                    "owns that name; none was graded: rename them and grade again."
                )
            refused.append(Refused(claim.student, claim.path, reason))
    return groups, refused
