"""Build corpus submissions (notebooks) from source strings, so the corpus tracks the code.

The correct solution of an exercise is the source of its reference module (self-contained:
it imports only the standard library and torch); a stub replaces the bodies of the exercise's
functions by `raise NotImplementedError()` as nbgrader's release does; a misconception
submission appends the variant's definition (`autograder.misconceptions`) to the correct
source, so the later definition wins.
"""

from __future__ import annotations

import ast
import inspect
import json
import os
from pathlib import Path

import nbformat

from autograder import misconceptions
from autograder import reference as ref
from autograder.runner import functions_of


def correct_source(exercise: str) -> str:
    """The reference module that defines the exercise's functions, as a solution cell."""
    module = inspect.getmodule(getattr(ref, functions_of(exercise)[0]))
    return inspect.getsource(module)


def stub_source(exercise: str) -> str:
    """The released version: the exercise's functions keep signature and docstring only."""
    tree = ast.parse(correct_source(exercise))
    for node in tree.body:
        if isinstance(node, ast.FunctionDef) and node.name in functions_of(exercise):
            doc = ast.get_docstring(node)
            body: list[ast.stmt] = [ast.Expr(ast.Constant(doc))] if doc else []
            body.append(ast.parse("raise NotImplementedError()").body[0])
            node.body = body
    return ast.unparse(tree)


def variant_source(key: str) -> str:
    variant = misconceptions.get(key)
    return correct_source(variant.exercise) + "\n\n" + variant.source


def notebook(
    path: Path,
    exercise: str,
    sources: list[str] | str,
    *,
    manual_points: float | None = None,
    grade_ids: list[str | None] | None = None,
) -> Path:
    """A minimal exercise notebook with the course metadata and nbgrader solution cells."""
    if isinstance(sources, str):
        sources = [sources]
    nb = nbformat.v4.new_notebook()
    nb.metadata["course"] = {"exercise": exercise}
    nb.cells.append(nbformat.v4.new_markdown_cell(f"# Exercise {exercise}"))
    nb.cells.append(
        nbformat.v4.new_code_cell("import math\nimport torch\nfrom autograder import check")
    )
    for i, source in enumerate(sources):
        grade_id = f"{exercise}-solution-{i}" if grade_ids is None else grade_ids[i]
        meta = {
            "solution": True,
            "grade": False,
            "locked": False,
            "schema_version": 3,
            "task": False,
        }
        if grade_id is not None:
            meta["grade_id"] = grade_id
        nb.cells.append(nbformat.v4.new_code_cell(source, metadata={"nbgrader": meta}))
    if manual_points is not None:
        meta = {
            "solution": True,
            "grade": True,
            "locked": False,
            "points": manual_points,
            "grade_id": f"{exercise}-written",
            "schema_version": 3,
            "task": False,
        }
        nb.cells.append(nbformat.v4.new_markdown_cell("My answer.", metadata={"nbgrader": meta}))
    nb.cells.append(nbformat.v4.new_markdown_cell("## Graded tests"))
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, path)
    return path


def raw_notebook(path: Path, content: bytes | dict) -> Path:
    """A file with arbitrary content (malformed notebooks)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content if isinstance(content, bytes) else json.dumps(content).encode())
    return path


def processes_running(argv: list[str]) -> list[int]:
    """The pids of the processes whose command line is exactly `argv`."""
    wanted = "\0".join(argv).encode() + b"\0"
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/cmdline", "rb") as f:
                    if f.read() == wanted:
                        found.append(int(entry))
            except OSError:
                continue
    return found
