"""The roster: one row per learner, mapping every LMS identity to the course student id.

A roster is a CSV file with a header; `student_id` is required, every other column optional:

    student_id,name,email,canvas_login,canvas_id,sis_id,section
    alice,"Smith, Alice",alice@uni.edu,smithalice,104233,S123,Lab A

The course student id is what hidden cases, resume and the gradebook are keyed on, so the same
learner gets the same cases and one gradebook row whether the notebook arrives from a local
folder (`alice`), Gradescope (the e-mail) or a Canvas bulk download
(`smithalice_104233_8812345_adam.ipynb`: login, Canvas user id, submission id, file name;
`smithalice_late_104233_...` for a late one). `Roster.resolve` maps any of them; an identity
the roster does not know is kept as it is (a Canvas name reduced to its login), so grading
without a roster behaves as before.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from pathlib import Path

IDENTITY_COLUMNS = ("student_id", "email", "canvas_login", "canvas_id", "sis_id")
CANVAS_NAME = re.compile(
    r"^(?P<login>[A-Za-z0-9]+?)(?:_late)?_(?P<canvas_id>\d+)_(?P<submission>\d+)_(?P<file>.+)$",
    re.IGNORECASE,
)


class RosterError(ValueError):
    """A roster that cannot be used (missing column, one identity for two learners)."""


@dataclass
class Student:
    student_id: str
    name: str = ""
    email: str = ""
    canvas_login: str = ""
    canvas_id: str = ""
    sis_id: str = ""
    section: str = ""


def canvas_parts(name: str) -> dict[str, str] | None:
    """The parts of a Canvas bulk-download file name (without `.ipynb`), or None."""
    match = CANVAS_NAME.match(name)
    return match.groupdict() if match else None


@dataclass
class Roster:
    students: dict[str, Student] = field(default_factory=dict)
    _index: dict[str, str] = field(default_factory=dict)

    @classmethod
    def read(cls, path: str | Path) -> Roster:
        """Read a roster CSV; RosterError says which row is wrong."""
        roster = cls()
        with open(path, newline="", encoding="utf-8-sig") as f:
            reader = csv.DictReader(f)
            if "student_id" not in (reader.fieldnames or []):
                raise RosterError(f"{path}: the roster needs a student_id column")
            for line, row in enumerate(reader, start=2):
                values = {k: (row.get(k) or "").strip() for k in Student.__dataclass_fields__}
                if not values["student_id"]:
                    raise RosterError(f"{path}, line {line}: student_id is empty")
                roster.add(Student(**values), where=f"{path}, line {line}")
        return roster

    def add(self, student: Student, where: str = "the roster") -> None:
        if student.student_id in self.students:
            raise RosterError(f"{where}: the student id {student.student_id!r} is listed twice")
        self.students[student.student_id] = student
        for column in IDENTITY_COLUMNS:
            key = getattr(student, column).casefold()
            if not key:
                continue
            owner = self._index.setdefault(key, student.student_id)
            if owner != student.student_id:
                raise RosterError(
                    f"{where}: {column} {getattr(student, column)!r} also belongs to {owner!r}"
                )

    def resolve(self, identity: str) -> str:
        """The course student id of an LMS identity (see the module docstring)."""
        identity = identity.strip()
        found = self._index.get(identity.casefold())
        if found:
            return found
        parts = canvas_parts(identity)
        if parts:
            for key in (parts["canvas_id"], parts["login"]):
                if key.casefold() in self._index:
                    return self._index[key.casefold()]
            return parts["login"].lower()
        return identity

    def get(self, student_id: str) -> Student:
        return self.students.get(student_id) or Student(student_id)


def load(path: str | Path | None) -> Roster:
    """The roster at `path`, or an empty one (identities kept as they are)."""
    return Roster.read(path) if path else Roster()
