"""Student ids that never share a results folder, and where each student's results are written.

A batch's inputs are grouped by student and assignment (`autograder.batch.group`): nbgrader's
`submitted/<student>/<assignment>/<nb>.ipynb`, else the first folder below a given folder,
else the file stem, then mapped through the roster; `--student-id` puts every input in one
student. The folder or file that names a student is its *source*.

Student ids must be unique once made safe for a file name (`safe_name`): `victim1.` and
`victim1` would share `students/victim1/`, and a loose `victim2.ipynb` next to the folder
`victim2/` would be merged into victim2's submission. So when several sources give one folder
name, the one that owns the name keeps it — a folder whose name needs no change (`victim2/`,
`victim1/`), else such a file (`victim2.ipynb`) — and every other source is refused: not
graded, reported on the terminal and in `summary.json` (`refused`), and the command exits with
status 1. If no source, or more than one, owns the name (two folders `bob` given in two
inputs, or `bob.` next to `bob..`), all of them are refused: which one is the real student is
for the instructor to decide. Sources the roster maps to one course id (a student's Canvas
download names, their e-mail) are that student's, never rivals; two different course ids that
give one folder name are rivals like two sources of one id (`refuse_collisions`).

Each student's files live in `<out>/students/<safe id>/`, apart from the batch's own files
(`gradebook.csv`, `summary.json`, exports): no student id can name or shadow one of them.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
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
    """The folder or file that names a student: `raw`, the id it gives; `student`, the course
    id the roster maps it to (the same when the roster does not know it)."""

    student: str
    path: str
    is_folder: bool
    raw: str = ""

    def __post_init__(self) -> None:
        self.raw = self.raw or self.student


@dataclass
class Refused:
    """Submissions not graded because their student id collides with another's."""

    student: str
    path: str
    reason: str

    def to_json(self) -> dict[str, str]:
        return {"student_id": self.student, "path": self.path, "reason": self.reason}


def _owner(claims: Sequence[tuple[str, bool]]) -> int | None:
    """The index of the claim (id, is a folder) that owns its name: the only one whose id needs
    no change, preferring a folder; None when no claim, or several, do."""
    owning = [i for i, (name, folder) in enumerate(claims) if safe_name(name) == name and folder]
    owning = owning or [i for i, (name, _) in enumerate(claims) if safe_name(name) == name]
    return owning[0] if len(owning) == 1 else None


def _reason(claim: str, folder: str, owner: str | None, owner_path: str, others: str) -> str:
    if owner is not None:
        return (
            f"its student id {claim!r} gives the same results folder {folder!r} as "
            f"{owner_path}, which is graded as {owner!r}; rename it (or move its notebooks "
            "into that folder) and grade again."
        )
    return (
        f"its student id {claim!r} gives the same results folder {folder!r} as another "
        f"submission ({others}) and none of them clearly owns that name; none was graded: "
        "rename them and grade again."
    )


def refuse_collisions(sources: Sequence[Source]) -> tuple[list[Source], list[Refused]]:
    """The sources kept and those refused (see the module docstring).

    Two passes: sources giving the same raw id from different paths (`eve/` in two inputs,
    `victim2/` and `victim2.ipynb`) keep only the one that owns its name; then course ids
    giving one folder name (`victim1.` and `victim1`) keep only the one that owns it."""
    refused: list[Refused] = []

    def settle(groups: dict, label) -> list[Source]:
        kept: list[Source] = []
        for _, claims in sorted(groups.items()):
            if len(claims) == 1:
                kept += claims[0]
                continue
            names = [(label(c[0]), any(s.is_folder for s in c)) for c in claims]
            index = _owner(names)
            owner = claims[index] if index is not None else None
            if owner is not None:
                kept += owner
            others = ", ".join(sorted(s.path for c in claims for s in c))
            for claim in claims:
                if claim is owner:
                    continue
                for source in claim:
                    reason = _reason(
                        label(source),
                        safe_name(source.student),
                        None if owner is None else owner[0].student,
                        "" if owner is None else owner[0].path,
                        others,
                    )
                    refused.append(Refused(label(source), source.path, reason))
        return kept

    by_raw: dict[tuple[str, str], list[list[Source]]] = {}
    for source in sorted(sources, key=lambda s: s.path):
        by_raw.setdefault((source.student, source.raw), []).append([source])
    survivors = settle(by_raw, lambda s: s.raw)
    by_folder: dict[str, dict[str, list[Source]]] = {}
    for source in survivors:
        by_folder.setdefault(safe_name(source.student), {}).setdefault(source.student, []).append(
            source
        )
    kept = settle({f: list(ids.values()) for f, ids in by_folder.items()}, lambda s: s.student)
    return kept, sorted(refused, key=lambda r: (r.student, r.path))
