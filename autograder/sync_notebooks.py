"""Keep the graded test cells of every solution notebook in sync with the check modules.

In `solutions/NN_<exercise>/<exercise>.ipynb` the markdown cell starting with `## Graded tests`
is followed by one locked code cell per test of `autograder/checks/test_<exercise>.py`:

    from autograder import run_graded_test

    run_graded_test("adam", "test_first_step")

with nbgrader metadata {"grade": true, "solution": false, "locked": true, "points": <the test's
points marker>, "grade_id": "adam-test_first_step", "schema_version": 3}. This script rewrites
that run of code cells (the cells after it are left alone), so points live only in the markers.

Usage:
    python -m autograder.sync_notebooks          # rewrite the solution notebooks
    python -m autograder.sync_notebooks --check  # exit 1 and list the notebooks that drifted
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from autograder.runner import known_exercises, specs_of

ROOT = Path(__file__).resolve().parent.parent
HEADING = "## Graded tests"


def graded_cells(exercise: str) -> list[dict[str, Any]]:
    cells = []
    for spec in specs_of(exercise):
        call = f'run_graded_test("{exercise}", "{spec.name}")'
        source = f"from autograder import run_graded_test\n\n{call}"
        cells.append(
            {
                "cell_type": "code",
                "execution_count": None,
                "id": f"{exercise}-{spec.name}".replace("_", "-")[:64],
                "metadata": {
                    "nbgrader": {
                        "grade": True,
                        "grade_id": f"{exercise}-{spec.name}",
                        "locked": True,
                        "points": int(spec.points) if spec.points.is_integer() else spec.points,
                        "schema_version": 3,
                        "solution": False,
                        "task": False,
                    }
                },
                "outputs": [],
                "source": source,
            }
        )
    return cells


def _text(cell: dict[str, Any]) -> str:
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else source


def _comparable(cell: dict[str, Any]) -> tuple:
    grading = cell.get("metadata", {}).get("nbgrader", {})
    return (cell.get("cell_type"), _text(cell), json.dumps(grading, sort_keys=True))


def sync(path: Path, *, write: bool) -> tuple[bool, str | None]:
    """Bring one notebook in line: (whether it drifted, an error that prevents syncing)."""
    import nbformat

    nb = nbformat.read(path, as_version=4)
    exercise = nb.get("metadata", {}).get("course", {}).get("exercise")
    if exercise not in known_exercises():
        return False, f"{path}: metadata course.exercise is {exercise!r}, which has no check module"
    cells = nb["cells"]
    heading = next(
        (
            i
            for i, c in enumerate(cells)
            if c.get("cell_type") == "markdown" and _text(c).lstrip().startswith(HEADING)
        ),
        None,
    )
    if heading is None:
        return False, f"{path}: no markdown cell starting with {HEADING!r}"
    end = heading + 1
    while end < len(cells) and cells[end].get("cell_type") == "code":
        end += 1
    wanted = graded_cells(exercise)
    if [_comparable(c) for c in cells[heading + 1 : end]] == [_comparable(c) for c in wanted]:
        return False, None
    if write:
        nb["cells"] = cells[: heading + 1] + [nbformat.from_dict(c) for c in wanted] + cells[end:]
        tmp = path.with_suffix(".ipynb.tmp")
        nbformat.write(nb, tmp)
        tmp.replace(path)
    return True, None


def solution_notebooks(root: Path = ROOT) -> list[Path]:
    return sorted(
        p for p in (root / "solutions").glob("*/*.ipynb") if ".ipynb_checkpoints" not in p.parts
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--check", action="store_true", help="only report drift (exit 1)")
    parser.add_argument("notebooks", nargs="*", type=Path, help="default: solutions/*/*.ipynb")
    args = parser.parse_args(argv)
    failed = False
    for path in args.notebooks or solution_notebooks():
        drifted, error = sync(path, write=not args.check)
        if error:
            print(error)
            failed = True
        elif drifted:
            print(
                f"{path}: graded test cells differ from the checks"
                if args.check
                else f"updated {path}"
            )
            failed = failed or args.check
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
