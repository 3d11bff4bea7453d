"""Instructor command line: grade notebooks in batches, build the Gradescope autograder.

    python -m autograder grade SUBMISSION.ipynb|DIR ... --out DIR [--secret-file F] [--jobs N]
    python -m autograder gradescope --out autograder.zip [--secret-file F]

`grade` groups notebooks by student (nbgrader's submitted/<student>/<assignment>/<nb>.ipynb,
else the first folder below a given folder, else the file stem; `--student-id` puts everything
in one student), grades each student with `autograder.grading.grade_student` (a pytest run of
the checks against sandboxed children), shows a progress bar on stdout, and writes
    DIR/<student>/feedback.md, feedback.html, result.json, results.json (Gradescope format)
    DIR/gradebook.csv   one row per student, one column per exercise, and the total
    DIR/summary.json    every student's result
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import zipfile
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from pathlib import Path

from autograder.sandbox import Limits

PACKAGE_DIR = Path(__file__).resolve().parent
TEMPLATES = PACKAGE_DIR / "gradescope"


def group_by_student(inputs: Sequence[str], forced: str | None = None) -> dict[str, list[Path]]:
    """student id → notebooks (see the module docstring for the rules)."""
    from autograder.plugin import student_id_from_path
    from autograder.reader import find_notebooks

    groups: dict[str, list[Path]] = {}
    for given in inputs:
        root = Path(given)
        for nb in find_notebooks(root):
            if forced:
                student = forced
            elif "submitted" in nb.resolve().parts:
                student = student_id_from_path(nb)
            elif root.is_dir() and len(nb.relative_to(root).parts) > 1:
                student = nb.relative_to(root).parts[0]
            else:
                student = nb.stem
            groups.setdefault(student, []).append(nb)
    return groups


def _grade_one(job: tuple[str, list[str], str | None, float, str]):
    from autograder.grading import grade_student
    from autograder.report import write_student

    student, notebooks, secret_file, timeout, out = job
    result = grade_student(notebooks, student, secret_file=secret_file, timeout=timeout)
    write_student(result, Path(out))
    return result


def grade_command(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from autograder.report import atomic_write, gradebook_csv
    from autograder.runner import known_exercises

    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    groups = group_by_student(args.inputs, args.student_id)
    missing = [p for p in args.inputs if not Path(p).exists()]
    for p in missing:
        print(f"warning: {p} does not exist", file=sys.stdout)
    jobs = [
        (student, [str(p) for p in nbs], args.secret_file, args.timeout, str(out))
        for student, nbs in sorted(groups.items())
    ]
    results = []
    bar = tqdm(total=len(jobs), desc="grading", unit="student", file=sys.stdout, ncols=80)
    if args.jobs > 1 and len(jobs) > 1:
        with ProcessPoolExecutor(args.jobs, mp_context=get_context("spawn")) as pool:
            for result in pool.map(_grade_one, jobs):
                results.append(result)
                bar.update()
    else:
        for job in jobs:
            results.append(_grade_one(job))
            bar.update()
    bar.close()
    atomic_write(out / "gradebook.csv", gradebook_csv(results, known_exercises()))
    summary = {"students": [r.to_json() for r in sorted(results, key=lambda r: r.student_id)]}
    atomic_write(out / "summary.json", json.dumps(summary, indent=1, ensure_ascii=False))
    if args.gradescope_results and results:
        from autograder.report import gradescope_results

        atomic_write(args.gradescope_results, json.dumps(gradescope_results(results[0]), indent=1))
    for r in sorted(results, key=lambda r: r.student_id):
        print(f"{r.student_id}: {r.score:g} / {r.max_score:g} ({r.seconds:.1f} s)")
    return 0


def gradescope_command(args: argparse.Namespace) -> int:
    """Build the zip Gradescope expects: setup.sh, run_autograder and the course package."""
    root = PACKAGE_DIR.parent
    out = Path(args.out)
    with tempfile.TemporaryDirectory() as tmp:
        staging = Path(tmp) / "autograder"
        staging.mkdir()
        shutil.copy(TEMPLATES / "setup.sh", staging / "setup.sh")
        shutil.copy(TEMPLATES / "run_autograder.sh", staging / "run_autograder")
        source = staging / "course"
        ignore = shutil.ignore_patterns("__pycache__", "*.pyc", ".ipynb_checkpoints")
        for package in ("autograder", "trainlab"):
            if (root / package).is_dir():
                shutil.copytree(root / package, source / package, ignore=ignore)
        for name in ("pyproject.toml", "README.md", "requirements.lock"):
            if (root / name).is_file():
                shutil.copy(root / name, source / name)
        if args.secret_file:
            shutil.copy(args.secret_file, staging / "secret.txt")
        out.parent.mkdir(parents=True, exist_ok=True)
        tmp_zip = out.with_suffix(".zip.tmp")
        with zipfile.ZipFile(tmp_zip, "w", zipfile.ZIP_DEFLATED) as zf:
            for path in sorted(staging.rglob("*")):
                if path.is_file():
                    info = zipfile.ZipInfo.from_file(path, path.relative_to(staging).as_posix())
                    if path.name in ("setup.sh", "run_autograder"):
                        info.external_attr = 0o755 << 16
                    zf.writestr(info, path.read_bytes(), zipfile.ZIP_DEFLATED)
        tmp_zip.replace(out)
    print(f"wrote {out}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m autograder", description=__doc__.split("\n")[0]
    )
    sub = parser.add_subparsers(dest="command", required=True)
    grade = sub.add_parser("grade", help="grade notebooks (files or folders)")
    grade.add_argument("inputs", nargs="+", help="notebooks or folders of notebooks")
    grade.add_argument("--out", required=True, help="folder for feedback and the gradebook")
    grade.add_argument("--secret-file", default=None, help="course secret for hidden cases")
    grade.add_argument("--jobs", type=int, default=1, help="students graded in parallel")
    grade.add_argument("--timeout", type=float, default=Limits.timeout, help="seconds per exercise")
    grade.add_argument("--student-id", default=None, help="grade all inputs as this student")
    grade.add_argument(
        "--gradescope-results", default=None, help="also write Gradescope's results.json here"
    )
    grade.set_defaults(func=grade_command)
    gs = sub.add_parser("gradescope", help="build the Gradescope autograder zip")
    gs.add_argument("--out", default="autograder.zip")
    gs.add_argument("--secret-file", default=None, help="bundle this course secret")
    gs.set_defaults(func=gradescope_command)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.func(args)
