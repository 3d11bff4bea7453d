"""What the grader runs of a notebook, for `check()` as for the sandbox: the solution cells only.

The isolated grader executes the grader's `PREAMBLE` and then the notebook's solution cells
(nbgrader metadata `solution: true`) in a fresh namespace; nothing else of the notebook exists
there. `check("adam")` in a learner's kernel does the same (`fresh_namespace`), so a helper
or an import written in another cell fails locally exactly as it fails when graded, and both say
where helpers must live (`helper_rule`).

Finding the solution cells from a kernel (`solution_cells`): the notebook file is the one named
by Jupyter (`JPY_SESSION_NAME`, `__session__`, VS Code's `__vsc_ipynb_file__`), else the one
notebook of the working directory declaring the exercise. The saved file may lag behind the
kernel (a cell edited and run, not saved): a solution cell that defines one of the exercise's
functions is replaced by the cell the kernel last ran to define it (IPython keeps every cell's
source in `linecache`).
"""

from __future__ import annotations

import ast
import builtins
import linecache
import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from autograder.worker import PREAMBLE

_NAME_ERROR = re.compile(r"name '([^']+)' is not defined")


def helper_rule(name: str) -> str:
    """The sentence a learner reads when `name` is used but defined in no solution cell."""
    return (
        f"`{name}` is not defined in any solution cell. The grader runs only your solution "
        "cells (the cells where you write your code), after its own imports (math, numpy as "
        "np, torch, Tensor, torch.nn.functional as F, nn): a helper function, constant or "
        f"import written in another cell does not exist there. Define `{name}` in a solution "
        "cell."
    )


def defined_names(sources: Sequence[str]) -> set[str]:
    """Every name bound anywhere in the cells (defs, classes, assignments, imports, loop and
    with targets), plus the preamble's names: a superset of what a cell can define."""
    names: set[str] = set()
    for source in (PREAMBLE, *sources):
        try:
            tree = ast.parse(source)
        except SyntaxError:
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                names.add(node.name)
            elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store | ast.Del):
                names.add(node.id)
            elif isinstance(node, ast.alias):
                names.add((node.asname or node.name).split(".", 1)[0])
            elif isinstance(node, ast.Global | ast.Nonlocal):
                names.update(node.names)
    return names


def undefined_name(error: Mapping[str, Any], sources: Sequence[str]) -> str | None:
    """For an error report (type, message) of learner code: the name of a NameError that no
    solution cell defines (and Python does not provide), else None."""
    if error.get("type") != "NameError":
        return None
    found = _NAME_ERROR.search(str(error.get("message", "")))
    if found is None:
        return None
    name = found.group(1)
    if name in defined_names(sources) or hasattr(builtins, name):
        return None
    return name


@dataclass
class FreshRun:
    """The namespace made by running the preamble and the solution cells, and their errors."""

    namespace: dict[str, Any]
    sources: list[tuple[str, str]]
    cell_errors: list[str] = field(default_factory=list)


def fresh_namespace(cells: Sequence[tuple[str, str]]) -> FreshRun:
    """Run the grader's preamble, then each (grade_id, source) cell, in a new namespace (as the
    sandboxed worker does; in this process: feedback, not isolation)."""
    namespace: dict[str, Any] = {"__name__": "__main__", "__builtins__": builtins}
    run = FreshRun(namespace, list(cells))
    exec(compile(PREAMBLE, "<preamble>", "exec"), namespace)
    sources = [source for _, source in cells]
    for grade_id, source in cells:
        try:
            exec(compile(source, f"<cell {grade_id}>", "exec"), namespace)
        except SyntaxError as error:
            run.cell_errors.append(f"cell {grade_id} (line {error.lineno}): SyntaxError: {error}")
        except Exception as error:
            text = f"cell {grade_id}: {type(error).__name__}: {error}"
            name = undefined_name({"type": type(error).__name__, "message": str(error)}, sources)
            if name is not None:
                text += ". " + helper_rule(name)
            run.cell_errors.append(text)
    return run


def notebook_path(exercise: str, kernel: Mapping[str, Any]) -> Path | None:
    """The notebook this kernel runs (see the module docstring), or None."""
    for candidate in (
        kernel.get("__vsc_ipynb_file__"),
        kernel.get("__session__"),
        os.environ.get("JPY_SESSION_NAME"),
    ):
        if (
            isinstance(candidate, str)
            and candidate.endswith(".ipynb")
            and Path(candidate).is_file()
        ):
            return Path(candidate)
    from autograder.reader import read_notebook

    mine = [
        path
        for path in sorted(Path.cwd().glob("*.ipynb"))
        if exercise in read_notebook(path, {exercise}).works
    ]
    return mine[0] if len(mine) == 1 else None


def _kernel_cell(function: Any) -> str | None:
    """The full source of the notebook cell that defined `function` in this kernel (IPython
    registers each cell in `linecache` under a file name of its own), or None."""
    filename = getattr(getattr(function, "__code__", None), "co_filename", "")
    if not filename or "ipykernel_" not in filename and not filename.startswith("<ipython-input"):
        return None
    return "".join(linecache.getlines(filename)) or None


def _defines(source: str, name: str) -> bool:
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return name in source
    return any(
        isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name == name
        for node in tree.body
    )


def solution_cells(
    exercise: str, kernel: Mapping[str, Any], functions: Sequence[str], path: Path | None
) -> list[tuple[str, str]] | str:
    """The (grade_id, source) solution cells of the notebook at `path`, freshened with the
    kernel's cells (module docstring); or a sentence saying why they cannot be read."""
    from autograder.reader import read_notebook

    work = read_notebook(path, {exercise}).works.get(exercise) if path else None
    if work is None:
        return f"{path.name if path else 'this notebook'} is not a notebook of {exercise!r}."
    if work.problem:
        return work.problem
    cells = work.sources()
    for name in functions:
        current = _kernel_cell(kernel.get(name))
        if current is None or any(source == current for _, source in cells):
            continue
        for i, (grade_id, source) in enumerate(cells):
            if _defines(source, name):
                cells[i] = (grade_id, current)
                break
    return cells
