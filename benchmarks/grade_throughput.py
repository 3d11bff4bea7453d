"""Throughput of batch grading: the isolated CLI (warm pool) against `nbgrader autograde`.

    python benchmarks/grade_throughput.py [--students 100] [--jobs 2] [--repeat 3]
                                          [--nbgrader-students 3]

Builds `--students` submissions of the whole assignment (every `solutions/NN_name/name.ipynb`)
in a temporary nbgrader course: a third correct (the solution notebooks), a third partial (the
first five exercises' functions redefined to raise NotImplementedError), a third wrong (every
exercise function redefined to return None; returning its first argument would repair a
healthy set-up of the gym rightly, unchanged). Then

1. grades them all with `python -m autograder grade` (pool on, `--jobs`), `--repeat` times
   (the machine's speed drifts: the median run is the figure), and reports submissions per
   minute and the amortised wall time per submission (start-up included), the CPU seconds per
   submission (user + system of the whole process tree: steadier than wall time on a shared
   machine), and the median seconds per submission per worker (each student's own time, from
   summary.json);
2. runs `nbgrader autograde` (every assignment) on the first `--nbgrader-students` of them
   and EXTRAPOLATES its wall time to all submissions (labelled as such), for the ratio.

Not a test: the figures depend on the machine. Nothing in the repository is written.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat

from autograder.reader import read_notebook
from autograder.runner import functions_of, known_exercises

ROOT = Path(__file__).resolve().parents[1]

NBGRADER_CONFIG = """c = get_config()  # noqa: F821
c.CourseDirectory.root = {root!r}
c.CourseDirectory.course_id = "benchmark"
c.CourseDirectory.source_directory = "source"
c.CourseDirectory.release_directory = "release"
c.ExecutePreprocessor.timeout = 300
"""


def redefine(nb: nbformat.NotebookNode, exercise: str, body: str) -> None:
    """Append to the last solution cell a redefinition of every function of the exercise."""
    cells = [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("solution")]
    code = [c for c in cells if c.cell_type == "code"]
    extra = "".join(f"\n\ndef {f}(*args, **kwargs):\n    {body}\n" for f in functions_of(exercise))
    code[-1].source += extra


def build(course: Path, students: int, only: set[str] | None = None) -> tuple[list[str], list[str]]:
    known = set(known_exercises())
    assignments = []
    for nb_path in sorted(ROOT.glob("solutions/*/*.ipynb")):
        if only is not None and nb_path.parent.name not in only:
            continue
        assignment = nb_path.parent.name
        (course / "source" / assignment).mkdir(parents=True, exist_ok=True)
        shutil.copy(nb_path, course / "source" / assignment / nb_path.name)
        assignments.append(assignment)
    ids = []
    for i in range(students):
        kind = ("correct", "partial", "wrong")[i % 3]
        student = f"s{i:03d}_{kind}"
        ids.append(student)
        for k, assignment in enumerate(assignments):
            source = next((course / "source" / assignment).glob("*.ipynb"))
            nb = nbformat.read(source, as_version=4)
            (exercise,) = read_notebook(source, known).works
            if kind == "partial" and k < 5:
                redefine(nb, exercise, "raise NotImplementedError()")
            elif kind == "wrong":
                redefine(nb, exercise, "return None")
            target = course / "submitted" / student / assignment / source.name
            target.parent.mkdir(parents=True, exist_ok=True)
            nbformat.write(nb, target)
    return ids, assignments


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run(command: list[str], cwd: Path) -> tuple[float, float]:
    """(wall seconds, CPU seconds of its whole process tree) of `command`; the venv's tools come
    first on PATH (nbgrader runs alembic)."""
    path = os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])
    cpu = _children_cpu()
    start = time.monotonic()
    proc = subprocess.run(
        command, cwd=cwd, capture_output=True, text=True, env={**os.environ, "PATH": path}
    )
    if proc.returncode != 0:
        sys.exit(f"{' '.join(command)} failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}")
    return time.monotonic() - start, _children_cpu() - cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--students", type=int, default=100)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=3, help="runs of the autograder CLI")
    parser.add_argument(
        "--nbgrader-students", type=int, default=3, help="0: skip the nbgrader comparison"
    )
    parser.add_argument("--keep", default=None, help="keep the course folder here")
    parser.add_argument(
        "--assignments",
        default=None,
        help="comma-separated solutions/ folders to grade (default: every one), e.g. "
        "01_hessian,02_momentum",
    )
    args = parser.parse_args()
    course = Path(args.keep or tempfile.mkdtemp(prefix="grade-throughput-"))
    course.mkdir(parents=True, exist_ok=True)
    only = set(args.assignments.split(",")) if args.assignments else None
    ids, assignments = build(course, args.students, only)
    print(f"{len(ids)} submissions of {len(assignments)} notebooks in {course}")

    out = course / "autograder_out"
    command = [sys.executable, "-m", "autograder", "grade", str(course / "submitted")]
    walls, cpus = [], []
    for i in range(args.repeat):
        wall, cpu = run(
            [*command, "--out", str(out), "--jobs", str(args.jobs), "--no-resume"], ROOT
        )
        walls.append(wall)
        cpus.append(cpu)
        summary = json.loads((out / "summary.json").read_text())["students"]
        own = [s["seconds"] for s in summary]
        print(
            f"autograder run {i + 1} (pool, --jobs {args.jobs}): {wall:.1f} s for {len(ids)} "
            f"submissions = {60 * len(ids) / wall:.1f} submissions/min, "
            f"{wall / len(ids):.2f} s/submission amortised, "
            f"{cpu / len(ids):.2f} CPU s/submission, "
            f"median {statistics.median(own):.2f} s per submission per worker"
        )
    scores = {s["student_id"]: s["score"] for s in summary}
    wall = statistics.median(walls)
    ours = wall / len(ids)
    print(
        f"autograder, median of {len(walls)} runs: {wall:.1f} s = "
        f"{60 * len(ids) / wall:.1f} submissions/min, {ours:.2f} s/submission amortised, "
        f"{statistics.median(cpus) / len(ids):.2f} CPU s/submission"
    )
    for kind in ("correct", "partial", "wrong"):
        values = sorted({v for k, v in scores.items() if k.endswith(kind)})
        print(f"  {kind}: scores {values}")

    if args.nbgrader_students > 0:
        compare_with_nbgrader(course, ids, assignments, args.nbgrader_students, ours)
    if not args.keep:
        shutil.rmtree(course, ignore_errors=True)


def compare_with_nbgrader(
    course: Path, ids: list[str], assignments: list[str], students: int, ours: float
) -> None:
    """`nbgrader autograde` on the first `students` submissions, extrapolated to all."""
    (course / "nbgrader_config.py").write_text(NBGRADER_CONFIG.format(root=str(course)))
    subset = ids[:students]
    for student in ids[students:]:
        shutil.move(course / "submitted" / student, course / "not_in_subset" / student)
    nbgrader = [str(Path(sys.executable).with_name("nbgrader"))]
    for assignment in assignments:
        run([*nbgrader, "generate_assignment", assignment, "--create", "--force"], course)
    start = time.monotonic()
    for assignment in assignments:
        run([*nbgrader, "autograde", assignment, "--create", "--force"], course)
    theirs = (time.monotonic() - start) / len(subset)
    print(
        f"nbgrader autograde: {theirs * len(subset):.1f} s for {len(subset)} submissions = "
        f"{theirs:.1f} s/submission; EXTRAPOLATED to {len(ids)}: {theirs * len(ids):.0f} s, "
        f"{60 / theirs:.2f} submissions/min"
    )
    print(f"ratio (throughput, autograder / nbgrader): {theirs / ours:.1f}x")


if __name__ == "__main__":
    main()
