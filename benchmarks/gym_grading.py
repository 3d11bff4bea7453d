"""Grading time of the diagnosis gym per student, cold and warm, and the reference's accuracy.

    python benchmarks/gym_grading.py [--students 24] [--jobs 2]

Builds `--students` submissions of the gym's two assignments (12_diagnose, 13_repair): two in
three are the solution notebooks, one in three a known-wrong one (a diagnoser reading only the
loss curves and a repair that replaces the whole set-up with a known-good recipe, so that the
grader trains configurations no correct student returns). Then grades them with
`python -m autograder grade --jobs N` twice, with a fresh secret and an empty run cache
(`TRAINLAB_CACHE` in a temporary folder):

1. cold: the batch trains every run it needs (the public runs, the hidden pools, the learners'
   repairs) once; the figure is the batch's wall time divided by the students (amortised) and
   the median of each student's own time;
2. warm: the same batch again (`--no-resume`), every run now in the cache.

Then it prints the per-cause accuracy of the reference diagnoser on the hidden cases: on the
fresh candidate runs the pool drew (before the pool keeps only unambiguous instances) and on
the pool itself. Not a test: the figures depend on the machine. Nothing in the repository is
written.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat

from autograder import misconceptions

ROOT = Path(__file__).resolve().parents[1]
ASSIGNMENTS = ("12_diagnose", "13_repair")
WRONG = {"diagnose": "diagnose.loss_curve_only", "repair": "repair.known_good_recipe"}


def build(course: Path, students: int) -> list[str]:
    """nbgrader's layout submitted/<student>/<assignment>/<notebook>."""
    ids = []
    for i in range(students):
        kind = "wrong" if i % 3 == 2 else "correct"
        student = f"s{i:03d}_{kind}"
        ids.append(student)
        for assignment in ASSIGNMENTS:
            source = next((ROOT / "solutions" / assignment).glob("*.ipynb"))
            nb = nbformat.read(source, as_version=4)
            if kind == "wrong":
                exercise = assignment.split("_", 1)[1]
                cells = [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("solution")]
                code = [c for c in cells if c.cell_type == "code"]
                code[-1].source += "\n\n" + misconceptions.get(WRONG[exercise]).source
            target = course / "submitted" / student / assignment / source.name
            target.parent.mkdir(parents=True, exist_ok=True)
            nbformat.write(nb, target)
    return ids


def grade(course: Path, out: Path, jobs: int, env: dict[str, str]) -> tuple[float, list[dict]]:
    """Wall seconds of one batch and the students of its summary.json."""
    command = [
        sys.executable, "-m", "autograder", "grade", str(course / "submitted"),
        "--out", str(out), "--jobs", str(jobs), "--no-resume",
        "--secret-file", str(course / "secret"),
    ]  # fmt: skip
    start = time.monotonic()
    proc = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, env=env)
    wall = time.monotonic() - start
    if proc.returncode != 0:
        sys.exit(f"grading failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}")
    return wall, json.loads((out / "summary.json").read_text())["students"]


def report(label: str, wall: float, students: list[dict], jobs: int) -> None:
    own = [s["seconds"] for s in students]
    print(
        f"{label}: {wall:.1f} s for {len(students)} students with --jobs {jobs} = "
        f"{wall / len(students):.2f} s per student amortised; each student's own time: "
        f"median {statistics.median(own):.2f} s (min {min(own):.2f}, max {max(own):.2f})"
    )


def accuracy(cache: Path, secret: bytes) -> None:
    """Per cause: the reference diagnoser on the first candidate of every pool entry (fresh
    runs, before qualification) and on the pool's runs (as graded)."""
    os.environ["TRAINLAB_CACHE"] = str(cache)  # the runs the batch trained, read back
    from autograder.checks import _gym
    from autograder.reference import diagnose
    from trainlab.gym.cache import shared
    from trainlab.gym.causes import GYM_CAUSES, broken_config

    key, size = b"hidden\0" + secret, _gym.POOL_SIZE["diagnose"]
    print(f"reference diagnoser on the hidden cases ({size} pool entries per cause):")
    raw_right = pool_right = 0
    for cause in GYM_CAUSES:
        fresh = [
            shared().get(broken_config(cause, _gym._seed(key, cause, i, 0))) for i in range(size)
        ]
        raw = sum(diagnose(r["run"]) == cause for r in fresh)
        pool = sum(
            diagnose(_gym.pool_case(secret, "diagnose", cause, i).run) == cause for i in range(size)
        )
        raw_right, pool_right = raw_right + raw, pool_right + pool
        print(f"  {cause:22} fresh candidates {raw}/{size}   pool {pool}/{size}")
    total = size * len(GYM_CAUSES)
    print(
        f"  all causes             fresh candidates {raw_right}/{total}   pool {pool_right}/{total}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--students", type=int, default=24)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--keep", default=None, help="keep the course folder here")
    args = parser.parse_args()
    course = Path(args.keep or tempfile.mkdtemp(prefix="gym-grading-"))
    course.mkdir(parents=True, exist_ok=True)
    secret = os.urandom(16).hex().encode()
    (course / "secret").write_bytes(secret)
    cache = course / "cache"
    shutil.rmtree(cache, ignore_errors=True)
    env = {**os.environ, "TRAINLAB_CACHE": str(cache)}
    ids = build(course, args.students)
    print(f"{len(ids)} students x {len(ASSIGNMENTS)} gym notebooks in {course}")
    wall, cold = grade(course, course / "out_cold", args.jobs, env)
    report("cold (empty run cache)", wall, cold, args.jobs)
    wall, warm = grade(course, course / "out_warm", args.jobs, env)
    report("warm (every run cached)", wall, warm, args.jobs)
    scores = {s["student_id"]: s["score"] for s in warm}
    for kind in ("correct", "wrong"):
        print(f"  {kind}: scores {sorted({v for k, v in scores.items() if k.endswith(kind)})}")
    if {s["student_id"]: s["score"] for s in cold} != scores:
        sys.exit("the cold and the warm batch gave different scores")
    accuracy(cache, secret)
    if not args.keep:
        shutil.rmtree(course)


if __name__ == "__main__":
    main()
