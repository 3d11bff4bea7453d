"""Instructor command line: grade notebooks in batches, build the Gradescope autograder.

    python -m autograder grade SUBMISSION.ipynb|DIR ... --out DIR [--secret-file F] [--jobs N]
                               [--no-pool] [--no-resume] [--shard I/N]
    python -m autograder merge OUT_DIR ... --out DIR
    python -m autograder gradescope --out autograder.zip [--secret-file F]

`grade` groups notebooks by student (nbgrader's submitted/<student>/<assignment>/<nb>.ipynb,
else the first folder below a given folder, else the file stem; `--student-id` puts everything
in one student), grades each student with `autograder.grading.grade_student` (every check of
each exercise against the exercise's sandboxed child), shows a progress bar on stdout, and writes
    DIR/students/<student>/feedback.md, feedback.html, result.json, results.json (Gradescope)
    DIR/gradebook.csv   one row per student, one column per exercise, and the total
    DIR/summary.json    every student's result

Each exercise's child is forked from a warm zygote (`autograder.pool`; one per grading
process) unless `--no-pool`. A student whose result.json records the sha256 of the very same
notebooks is not graded again (an interrupted batch restarts where it stopped; `--no-resume`
regrades). `--shard I/N` keeps the students whose id hashes to shard I (1 ≤ I ≤ N); `merge`
joins the shards' folders into one gradebook. Submissions whose student ids collide once made
safe for a folder name are refused (`autograder.students`): listed on stderr and in
summary.json, and the command exits with status 1.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import sys
import tempfile
import zipfile
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from pathlib import Path

from autograder.limits import Limits

PACKAGE_DIR = Path(__file__).resolve().parent
TEMPLATES = PACKAGE_DIR / "gradescope"


def submission_sha256(notebooks: Sequence[str | Path]) -> str:
    """One hash of a student's notebooks (names and bytes), read like the grader reads them
    (`reader.read_regular`: regular files only, through one descriptor); a file too large to
    be graded counts by its size, one that is refused (a link, a FIFO) by its refusal."""
    from autograder.reader import UnsafeFile, read_regular

    total = hashlib.sha256()
    for nb in sorted(Path(p) for p in notebooks):
        try:
            data, size = read_regular(nb)
            digest = hashlib.sha256(b"bytes\0" + data if data is not None else b"size %d" % size)
        except UnsafeFile as error:
            digest = hashlib.sha256(f"refused {error}".encode())
        total.update(f"{nb.name}\0{digest.hexdigest()}\n".encode())
    return total.hexdigest()


def shard_of(student: str, shards: int) -> int:
    """The shard (1..shards) of a student: stable across runs, machines and Python versions."""
    return int.from_bytes(hashlib.sha256(student.encode()).digest()[:8], "big") % shards + 1


def parse_shard(text: str) -> tuple[int, int]:
    try:
        i, n = (int(x) for x in text.split("/"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"--shard {text!r}: expected i/n, e.g. 2/4") from None
    if not 1 <= i <= n:
        raise argparse.ArgumentTypeError(f"--shard {text!r}: i must be between 1 and n")
    return i, n


def previous_result(out: Path, student: str, sha256: str):
    """The result.json already written for this exact submission, or None."""
    from autograder.results import StudentResult
    from autograder.students import student_folder

    path = student_folder(out, student) / "result.json"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or data.get("submission_sha256") != sha256:
        return None
    if data.get("student_id") != student:
        return None
    try:
        return StudentResult.from_json(data)
    except (KeyError, TypeError, ValueError):
        return None


def _grade_one(job: tuple[str, list[str], str | None, float, str, bool, str, list[str]]):
    from autograder.grading import grade_student
    from autograder.report import write_student

    student, notebooks, secret_file, timeout, out, pool, sha256, hide = job
    result = grade_student(
        notebooks, student, secret_file=secret_file, timeout=timeout, pool=pool, hide=hide
    )
    result.submission_sha256 = sha256
    write_student(result, Path(out))
    return result


def write_batch(out: Path, results: list, refused: Sequence = ()) -> None:
    """gradebook.csv and summary.json of a whole batch (or of merged shards); `refused`: the
    submissions not graded for a colliding student id (`autograder.students`)."""
    from autograder.report import atomic_write, gradebook_csv
    from autograder.runner import known_exercises

    atomic_write(out / "gradebook.csv", gradebook_csv(results, known_exercises()))
    summary = {"students": [r.to_json() for r in sorted(results, key=lambda r: r.student_id)]}
    summary["refused"] = [r if isinstance(r, dict) else r.to_json() for r in refused]
    atomic_write(out / "summary.json", json.dumps(summary, indent=1, ensure_ascii=False))


def grade_command(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from autograder.cgroups import remove_stale
    from autograder.report import atomic_write
    from autograder.students import group_by_student
    from autograder.workdirs import remove_stale_workdirs

    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    if stale := remove_stale_workdirs():
        print(f"removed {stale} working folders of killed grading runs")
    if stale := remove_stale():
        print(f"removed {stale} cgroups of killed grading runs")
    groups, refused = group_by_student(args.inputs, args.student_id)
    missing = [p for p in args.inputs if not Path(p).exists()]
    for p in missing:
        print(f"warning: {p} does not exist", file=sys.stdout)
    if args.shard is not None:
        i, n = args.shard
        groups = {s: nbs for s, nbs in groups.items() if shard_of(s, n) == i}
        refused = [r for r in refused if shard_of(r.student, n) == i]
    for r in refused:
        print(f"error: {r.path} was not graded: {r.reason}", file=sys.stderr)
    results, jobs = [], []
    for student, nbs in sorted(groups.items()):
        sha256 = submission_sha256(nbs)
        done = previous_result(out, student, sha256) if args.resume else None
        if done is not None:
            results.append(done)
            continue
        jobs.append((student, [str(p) for p in nbs], args.secret_file, args.timeout, str(out)))
        jobs[-1] += (args.pool, sha256, [*args.inputs, str(out), *args.hide])
    if len(results):
        print(f"{len(results)} students already graded (same submission): skipped")
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
    write_batch(out, results, refused)
    if args.gradescope_results and results:
        from autograder.report import gradescope_results

        atomic_write(args.gradescope_results, json.dumps(gradescope_results(results[0]), indent=1))
    for r in sorted(results, key=lambda r: r.student_id):
        print(f"{r.student_id}: {r.score:g} / {r.max_score:g} ({r.seconds:.1f} s)")
    if refused:
        print(f"error: {len(refused)} submissions were refused (see above)", file=sys.stderr)
    return 1 if refused else 0


def merge_command(args: argparse.Namespace) -> int:
    """Merge the outputs of `grade --shard i/n` runs into one gradebook.

    Each student's folder (feedback, result.json, Gradescope results.json) is copied byte for
    byte; gradebook.csv and summary.json are rebuilt from the students' result.json files.
    A student in two shards, or two students of one folder name, stop it before anything is
    copied.
    """
    from autograder.results import StudentResult
    from autograder.students import safe_name, student_folder

    out = Path(args.out)
    results: dict[str, StudentResult] = {}
    folders: dict[str, str] = {}  # safe folder name → student id
    copies: list[tuple[Path, Path]] = []
    refused: list = []
    for folder in map(Path, args.shards):
        summary = json.loads((folder / "summary.json").read_text(encoding="utf-8"))
        refused += summary.get("refused", [])
        for data in summary["students"]:
            student = data["student_id"]
            if student in results:
                print(f"error: {student} is in two shards ({folder})", file=sys.stderr)
                return 1
            if safe_name(student) in folders:
                other = folders[safe_name(student)]
                print(f"error: {student} ({folder}) and {other} share a folder", file=sys.stderr)
                return 1
            results[student] = StudentResult.from_json(data)
            folders[safe_name(student)] = student
            copies.append((student_folder(folder, student), student_folder(out, student)))
    out.mkdir(parents=True, exist_ok=True)
    for source, target in copies:
        if source.resolve() != target.resolve():
            shutil.copytree(source, target, dirs_exist_ok=True)
    write_batch(out, list(results.values()), refused)
    print(f"merged {len(results)} students from {len(args.shards)} folders into {out}")
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
    grade.add_argument(
        "--hide",
        action="append",
        default=[],
        metavar="PATH",
        help="a path learner code must not read (repeatable; as root; the inputs, the output "
        "and the secret file are always hidden)",
    )
    grade.add_argument(
        "--no-pool",
        dest="pool",
        action="store_false",
        help="spawn a fresh Python per exercise instead of forking from a warm zygote",
    )
    grade.add_argument(
        "--no-resume",
        dest="resume",
        action="store_false",
        help="regrade students whose result.json already matches their submission's sha256",
    )
    grade.add_argument(
        "--resume", dest="resume", action="store_true", help="skip those students (default)"
    )
    grade.add_argument(
        "--shard",
        type=parse_shard,
        default=None,
        metavar="I/N",
        help="grade only the students of shard I of N (by a hash of the student id)",
    )
    grade.set_defaults(func=grade_command)
    merge = sub.add_parser("merge", help="merge the output folders of sharded grade runs")
    merge.add_argument("shards", nargs="+", metavar="OUT_DIR", help="output folders of shards")
    merge.add_argument("--out", required=True, help="folder for the merged gradebook")
    merge.set_defaults(func=merge_command)
    gs = sub.add_parser("gradescope", help="build the Gradescope autograder zip")
    gs.add_argument("--out", default="autograder.zip")
    gs.add_argument("--secret-file", default=None, help="bundle this course secret")
    gs.set_defaults(func=gradescope_command)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.func(args)
