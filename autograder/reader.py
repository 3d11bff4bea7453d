"""Read a submitted notebook defensively: never trust it, never modify it, explain every problem.

A notebook is read as bytes, decoded and parsed by hand (not executed, not "upgraded"), and
split into the work of each exercise it contains:

- the exercise is the notebook metadata `course.exercise`, else the `<exercise>-` prefix of
  the solution cells' grade_ids, else guessed from the file name (`04_adam/adam.ipynb`);
- the code is the source of every code cell whose nbgrader metadata says `solution: true`
  (the learner's own cells), in notebook order, found by its `grade_id`;
- manually graded answers (nbgrader `grade: true` markdown cells, or `task` cells) are listed
  with their points, never graded here.

A problem (invalid JSON, binary garbage, nbformat other than 4, a solution cell without a
grade_id, no code) becomes a precise message attached to the one exercise it affects.
"""

from __future__ import annotations

import json
import math
import os
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

MAX_NOTEBOOK_BYTES = 20 << 20


class UnsafeFile(Exception):
    """A submitted path that is not a plain file of the submission (a symbolic link, a device,
    a FIFO, a socket): it is never opened for reading, and the message says why."""


def read_regular(path: str | Path, limit: int = MAX_NOTEBOOK_BYTES) -> tuple[bytes | None, int]:
    """(the bytes of a regular file, its size), or (None, size) when it is over `limit`.

    Only a regular file is read: `lstat` first (a symbolic link, to another student's notebook
    or to /proc/self/pagemap, a FIFO, a device or a socket raises UnsafeFile without being
    opened), then `open(O_NOFOLLOW | O_NONBLOCK)` and `fstat` of that descriptor, which must be
    the very file `lstat` saw; the size check and the bytes (hashed by the caller) come from
    that one descriptor, never from the path again.
    """
    try:
        seen = os.lstat(path)
    except OSError as error:
        raise UnsafeFile(f"the file cannot be read ({error.strerror}).") from None
    if stat.S_ISLNK(seen.st_mode):
        raise UnsafeFile(
            "this is a symbolic link, not a file; only regular files inside the submission are "
            "read. Submit the notebook itself."
        )
    if not stat.S_ISREG(seen.st_mode):
        raise UnsafeFile(f"this is not a regular file ({_file_kind(seen.st_mode)}); not read.")
    flags = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_NOCTTY | os.O_CLOEXEC
    try:
        fd = os.open(path, flags)
    except OSError as error:
        raise UnsafeFile(f"the file cannot be read ({error.strerror}).") from None
    try:
        opened = os.fstat(fd)
        if not stat.S_ISREG(opened.st_mode) or (opened.st_dev, opened.st_ino) != (
            seen.st_dev,
            seen.st_ino,
        ):
            raise UnsafeFile("the file was replaced while it was being read; not read.")
        if opened.st_size > limit:
            return None, opened.st_size
        chunks, size = [], 0
        while size <= limit and (chunk := os.read(fd, 1 << 20)):
            chunks.append(chunk)
            size += len(chunk)
        if size > limit:  # it grew past the limit while being read
            return None, size
        return b"".join(chunks), size
    except OSError as error:
        raise UnsafeFile(f"the file cannot be read ({error.strerror}).") from None
    finally:
        os.close(fd)


def _file_kind(mode: int) -> str:
    for test, name in (
        (stat.S_ISDIR, "a folder"),
        (stat.S_ISFIFO, "a FIFO"),
        (stat.S_ISCHR, "a character device"),
        (stat.S_ISBLK, "a block device"),
        (stat.S_ISSOCK, "a socket"),
    ):
        if test(mode):
            return name
    return "a special file"


@dataclass
class Cell:
    grade_id: str
    source: str
    index: int


MAX_ANSWER_CHARS = 20_000  # a written answer is kept (for marking) up to this length


@dataclass
class Manual:
    grade_id: str
    points: float
    index: int
    answer: str = ""  # the cell's text, cut at MAX_ANSWER_CHARS


@dataclass
class ExerciseWork:
    """One exercise's solution cells from one notebook (or the reason they are unusable)."""

    exercise: str
    path: str
    cells: list[Cell] = field(default_factory=list)
    manual: list[Manual] = field(default_factory=list)
    problem: str | None = None

    def sources(self) -> list[tuple[str, str]]:
        return [(c.grade_id, c.source) for c in self.cells]


@dataclass
class NotebookFile:
    path: str
    works: dict[str, ExerciseWork] = field(default_factory=dict)
    problem: str | None = None  # a problem that could not be attributed to an exercise


def guess_exercise(path: Path, known: set[str]) -> str | None:
    """The exercise a file is probably for, from its name or its folder (`04_adam/adam.ipynb`)."""
    for name in (path.stem, path.parent.name):
        stem = re.sub(r"^\d+_", "", name)
        if stem in known:
            return stem
    return None


def _source(cell: dict[str, Any]) -> str:
    source = cell.get("source", "")
    if isinstance(source, list) and all(isinstance(s, str) for s in source):
        return "".join(source)
    if isinstance(source, str):
        return source
    raise ValueError("a cell's source is neither text nor a list of lines")


def read_notebook(path: str | Path, known: set[str]) -> NotebookFile:
    """Parse one notebook into per-exercise work; see the module docstring."""
    path = Path(path)
    result = NotebookFile(str(path))
    guess = guess_exercise(path, known)

    def problem(message: str, exercise: str | None = guess) -> NotebookFile:
        text = f"{path.name}: {message}"
        if exercise is not None:
            result.works[exercise] = ExerciseWork(exercise, str(path), problem=text)
        else:
            result.problem = text
        return result

    try:
        raw, size = read_regular(path)
    except UnsafeFile as error:
        return problem(str(error))
    if raw is None:
        return problem(f"the file is {size >> 20} MiB; notebooks over 20 MiB are not graded.")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        return problem(
            f"this is not a notebook: byte {error.start} is not UTF-8 text (a binary file?). "
            "Submit the .ipynb file saved by Jupyter."
        )
    try:
        nb = json.loads(text)
    except json.JSONDecodeError as error:
        return problem(
            f"this is not a valid notebook: invalid JSON at line {error.lineno}, column "
            f"{error.colno} ({error.msg}). Was the file edited outside Jupyter or truncated?"
        )
    if isinstance(nb, dict) and "nbformat" in nb and nb.get("nbformat") != 4:
        return problem(
            f"the notebook has nbformat {nb.get('nbformat')!r}; only nbformat 4 is graded. "
            "Open and save it with a current Jupyter."
        )
    if not isinstance(nb, dict) or not isinstance(nb.get("cells"), list):
        return problem("this is not a notebook: there is no list of cells.")
    if nb.get("nbformat") != 4:
        return problem("the notebook has no nbformat; only nbformat 4 is graded.")
    metadata = nb.get("metadata") if isinstance(nb.get("metadata"), dict) else {}
    course = metadata.get("course") if isinstance(metadata.get("course"), dict) else {}
    declared = course.get("exercise") if isinstance(course.get("exercise"), str) else None

    solutions: list[tuple[int, dict, dict]] = []
    manual: list[tuple[int, dict, dict]] = []
    for index, cell in enumerate(nb["cells"]):
        if not isinstance(cell, dict):
            return problem(f"cell {index + 1} is not a JSON object.", declared or guess)
        meta = cell.get("metadata") if isinstance(cell.get("metadata"), dict) else {}
        grading = meta.get("nbgrader") if isinstance(meta.get("nbgrader"), dict) else {}
        if not grading:
            continue
        if cell.get("cell_type") == "code" and grading.get("solution") is True:
            solutions.append((index, cell, grading))
        elif grading.get("task") is True or (
            cell.get("cell_type") == "markdown" and grading.get("grade") is True
        ):
            manual.append((index, cell, grading))

    exercise = declared
    if exercise is None:
        prefixes = {str(g.get("grade_id", "")).split("-", 1)[0] for _, _, g in solutions} & known
        exercise = prefixes.pop() if len(prefixes) == 1 else guess
    if exercise is None:
        return problem(
            "the notebook does not say which exercise it is (metadata course.exercise is "
            "missing); submit the notebook you downloaded from the course."
        )
    if exercise not in known:
        return problem(f"the notebook is for an unknown exercise {exercise!r}.", None)

    work = ExerciseWork(exercise, str(path))
    result.works[exercise] = work
    for index, cell, grading in manual:
        points = grading.get("points", 0)
        try:
            answer = _source(cell)[:MAX_ANSWER_CHARS]
        except ValueError:
            answer = ""
        grade_id = str(grading.get("grade_id", f"cell-{index + 1}"))
        work.manual.append(Manual(grade_id, _points(points), index, answer))
    if not solutions:
        work.problem = (
            f"{path.name}: no solution cells were found (cells marked by nbgrader as solutions); "
            "write your code in the cells of the notebook you downloaded, do not copy them."
        )
        return result
    seen: set[str] = set()
    for index, cell, grading in solutions:
        grade_id = grading.get("grade_id")
        if not isinstance(grade_id, str) or not grade_id:
            work.problem = (
                f"{path.name}: solution cell {index + 1} has no grade_id in its nbgrader metadata, "
                "so it cannot be matched to the exercise; copy your code into a fresh copy of "
                "the notebook."
            )
            return result
        if grade_id in seen:
            work.problem = (
                f"{path.name}: two solution cells share the grade_id {grade_id!r} (a copied "
                "cell?); keep one of them."
            )
            return result
        seen.add(grade_id)
        try:
            source = _source(cell)
        except ValueError as error:
            work.problem = f"{path.name}: solution cell {index + 1}: {error}."
            return result
        work.cells.append(Cell(grade_id, source, index))
    if not any(_has_code(c.source) for c in work.cells):
        work.problem = f"{path.name}: the solution cells contain no code."
    return result


def _points(value: Any) -> float:
    """A cell's points: a finite number ≥ 0, else 0 (the notebook is not trusted)."""
    try:
        points = float(value)
    except (TypeError, ValueError, OverflowError):
        return 0.0
    return points if math.isfinite(points) and points >= 0 else 0.0


def _has_code(source: str) -> bool:
    return any(line.strip() and not line.strip().startswith("#") for line in source.splitlines())


def find_notebooks(path: str | Path) -> list[Path]:
    """A notebook, or every notebook under a directory (checkpoints excluded), sorted.

    Symbolic links are never followed (the given path included: the CLI resolves the folders
    an instructor names once): a link named `*.ipynb`, a link to a folder, or any other
    non-regular `*.ipynb` entry is listed as it is, so that `read_notebook` refuses it with a
    message (it is never opened)."""
    path = Path(path)
    if path.is_symlink() or not path.is_dir():  # a link is listed, never walked
        return [path]
    found = []
    for folder, dirs, files in os.walk(path, followlinks=False):
        dirs[:] = [d for d in dirs if d != ".ipynb_checkpoints"]
        for name in dirs:
            if os.path.islink(os.path.join(folder, name)):
                found.append(Path(folder, name))  # a linked folder: refused, not walked
        found += [Path(folder, name) for name in files if name.endswith(".ipynb")]
    return sorted(found)


def student_id_from_path(path: Path) -> str:
    """nbgrader's layout submitted/<student>/<assignment>/<nb>.ipynb, else the file stem."""
    parts = Path(os.path.abspath(path)).parts  # the path as given: links are not followed
    if "submitted" in parts:
        i = len(parts) - 1 - parts[::-1].index("submitted")
        if i + 1 < len(parts) - 1 or (i + 1 < len(parts) and path.is_dir()):
            return parts[i + 1]
    return path.stem if path.suffix == ".ipynb" else path.name
