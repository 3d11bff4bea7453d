"""Instructor command line: grade notebooks in batches, build the Gradescope autograder.

    python -m autograder grade SUBMISSION.ipynb|DIR ... --out DIR [--assignment A]
                               [--secret-file F] [--roster R] [--jobs N] [--require-isolation]
                               [--no-pool] [--no-resume] [--shard I/N] [--feedback DIR]
    python -m autograder merge OUT_DIR ... --out DIR
    python -m autograder gradescope --assignment A [--out ZIP] [--secret-file F] [--roster R]
    python -m autograder export canvas|moodle|plain --out DIR [--roster R] [--to FILE]
    python -m autograder written export|import ... (written answers, `autograder.lms.written`)

`grade` groups the files by student and assignment (`autograder.batch`), states the isolation
the children will get (`autograder.isolation`), grades each (student, assignment) with
`autograder.grading.grade_student`, shows a progress bar on stdout, and writes
    DIR/students/<student>/feedback.md, feedback.html, result.json, results.json (the course
        summary; students live apart from the batch's own files)
    DIR/feedback/<student>/<assignment>/<notebook>.html|.md (nbgrader's feedback layout)
    DIR/gradebook.csv   one row per student, one column per assignment, total, pending
    DIR/summary.json    every student's course record
Earlier assignments in DIR are kept; a (student, assignment) whose recorded resume key matches
(submission, secret, grader version) is not graded again (`--no-resume` regrades). The terminal
gets the isolation line, a missing secret, every malformed or ignored file, and a summary line.
`--shard I/N` keeps the students whose id hashes to shard I (1 ≤ I ≤ N); `merge` joins shard
and assignment folders into one gradebook. Submissions whose student ids collide once made safe
for a folder name are refused (`autograder.students`): listed on stderr and in summary.json, and
the command exits with status 1.
"""

from __future__ import annotations

import argparse
import hashlib
import shutil
import sys
import tempfile
import zipfile
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from pathlib import Path

from autograder import affinity
from autograder.assignments import assignment_of, exercise_of
from autograder.batch import EVERY_EXERCISE
from autograder.limits import Limits
from autograder.results import score_line

PACKAGE_DIR = Path(__file__).resolve().parent
TEMPLATES = PACKAGE_DIR / "gradescope"


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


Job = tuple[str, list[tuple[str | None, list[str], list[str], str]], dict]


def _grade_one(job: Job):
    """Grade one student's units in order; return (course record, the new results)."""
    from autograder.batch import CourseBook
    from autograder.grading import grade_student
    from autograder.report import write_student
    from autograder.results import StudentResult

    student, units, options = job
    record = CourseBook(options["out"]).load(student) or StudentResult(student)
    fresh = []
    for assignment, notebooks, ignored, key in units:
        result = grade_student(
            notebooks,
            student,
            secret_file=options["secret_file"],
            timeout=options["timeout"],
            pool=options["pool"],
            hide=options["hide"],
            assignment=assignment,
            ignored=ignored,
        )
        result.graded = {assignment or EVERY_EXERCISE: key}
        record = record.merged(result)
        fresh.append((assignment, result))
    record.seconds = sum(result.seconds for _, result in fresh)  # this run's grading time
    write_student(record, Path(options["out"]), options["feedback"])
    return record, fresh


def _problems(student: str, assignment: str | None, result) -> list[str]:
    """What the terminal must say about one grading: malformed notebooks, ignored files, and a
    sandbox that ran weakened."""
    where = f"{student}/{assignment}" if assignment else student
    lines = [f"{where}: {p}" for p in result.problems]
    for ex in result.exercises.values():
        lines += [f"{where}: {text}" for text in (ex.problem, *ex.notes) if text]
    return lines


def _weakened(result) -> bool:
    for ex in result.exercises.values():
        report = ex.sandbox
        if not report:
            continue
        if "disabled" in str(report.get("network", "")) or "visible" in str(
            report.get("files", "")
        ):
            return True
    return False


def own_folder(folder: Path, out: Path) -> list[str]:
    """[folder] (made now, so that it can be hidden from learner code) unless it lies inside
    `out`, which is hidden already: the default feedback folder, `out/feedback`."""
    if folder.resolve().is_relative_to(out.resolve()):
        return []
    folder.mkdir(parents=True, exist_ok=True)
    return [str(folder)]


def grade_command(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from autograder import batch, isolation
    from autograder.cgroups import remove_stale
    from autograder.lms.roster import RosterError, load
    from autograder.report import atomic_write, gradescope_results, json_text
    from autograder.workdirs import keep_torch_cache_in_workdir, remove_stale_workdirs

    missing = [p for p in args.inputs if not Path(p).exists()]
    if missing:
        print(f"error: no such file or folder: {', '.join(missing)}", file=sys.stderr)
        return 2
    try:
        assignment = batch.resolve_assignment(args.assignment)
        roster = load(args.roster)
        secret = batch.secret_fingerprint(args.secret_file)
    except (ValueError, OSError, RosterError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    found = isolation.probe()
    statement = isolation.statement(found)
    print(statement)
    if args.require_isolation and isolation.missing(found):
        print(
            "error: --require-isolation: missing "
            + ", ".join(isolation.missing(found))
            + "; nothing was graded (run as root with CAP_SYS_ADMIN, e.g. a privileged "
            "container, or drop --require-isolation)",
            file=sys.stderr,
        )
        return 3
    if secret == "default":
        print(
            "warning: no course secret (--secret-file or $AUTOGRADER_SECRET): hidden cases "
            "use the public default and are predictable; set a secret for real grading"
        )
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    feedback = Path(args.feedback) if args.feedback else out / "feedback"
    if stale := remove_stale_workdirs():
        print(f"removed {stale} working folders of killed grading runs")
    keep_torch_cache_in_workdir()  # the grading processes' torch cache goes with this run
    if stale := remove_stale():
        print(f"removed {stale} cgroups of killed grading runs")
    groups, refused = batch.group(
        args.inputs, student_id=args.student_id, assignment=assignment, roster=roster
    )
    if args.shard is not None:
        i, n = args.shard
        groups = {s: units for s, units in groups.items() if shard_of(s, n) == i}
        refused = [r for r in refused if shard_of(r.student, n) == i]
    for r in refused:
        print(f"error: {r.path} was not graded: {r.reason}", file=sys.stderr)
    book = batch.CourseBook(out)
    options = {
        "out": str(out),
        "feedback": str(feedback),
        "secret_file": args.secret_file,
        "timeout": args.timeout,
        "pool": args.pool,
        "hide": [*args.inputs, str(out), *own_folder(feedback, out), *args.hide],
    }
    jobs: list[Job] = []
    resumed = []
    for student, units in sorted(groups.items()):
        old = book.load(student) if args.resume else None
        todo = []
        for unit in units:
            key = batch.resume_key(unit, secret)
            if old is None or old.graded.get(unit.key) != key:
                todo.append((unit.assignment, [str(p) for p in unit.notebooks], unit.ignored, key))
        if todo:
            jobs.append((student, todo, options))
        else:
            resumed.append(old)
    if resumed:
        print(f"{len(resumed)} students already graded (same submission, secret and grader)")
    bar = tqdm(total=len(jobs), desc="grading", unit="student", file=sys.stdout, ncols=80)
    done = []
    if args.jobs > 1 and len(jobs) > 1:
        context = get_context("spawn")
        plan, cpus = affinity.plan(args.jobs), context.Queue()
        cpus.cancel_join_thread()  # CPUs of workers never started stay unread
        for cpu in plan:
            cpus.put(cpu)
        with ProcessPoolExecutor(
            args.jobs,
            mp_context=context,
            initializer=affinity.pin_from if plan else None,
            initargs=(cpus,),
        ) as pool:
            for item in pool.map(_grade_one, jobs):
                done.append(item)
                bar.update()
    else:
        for cpu in affinity.plan(1):
            affinity.pin(cpu)  # this process is the judge: it and its children share a CPU
        for job in jobs:
            done.append(_grade_one(job))
            bar.update()
    bar.close()
    book.write(book.everyone([record for record, _ in done] + resumed), refused)
    problems, weakened, graded = [], 0, 0
    for record, fresh in sorted(done, key=lambda item: item[0].student_id):
        for unit_assignment, result in fresh:
            graded += 1
            problems += _problems(record.student_id, unit_assignment, result)
            weakened += _weakened(result)
            exercises = sorted(result.exercises)
            for name in exercises:
                ex = result.exercises[name]
                print(
                    f"{record.student_id} {assignment_of(name)}: "
                    f"{score_line(ex.total, ex.total_max, ex.pending)} ({result.seconds:.1f} s)"
                )
            if not exercises:
                print(f"{record.student_id}: nothing gradable was submitted")
    if args.gradescope_results:
        fresh = [item for _, items in done for item in items]
        if fresh:
            unit_assignment, result = fresh[-1]
            names = [exercise_of(unit_assignment)] if unit_assignment else None
            data = gradescope_results(result, names, statement)
        else:
            data = {"score": 0, "output": "Nothing gradable was submitted: 0 points.", "tests": []}
        atomic_write(args.gradescope_results, json_text(data))
    for line in problems:
        print(f"problem: {line}")
    if weakened:
        print(f"warning: {weakened} gradings ran in a weakened sandbox (see the isolation line)")
    print(
        f"summary: {len(done)} students graded ({graded} assignments), {len(resumed)} resumed; "
        f"{len(problems)} problems; secret {'MISSING' if secret == 'default' else 'set'}; "
        f"{statement.split(':')[0]}"
        + (f"; {len(refused)} submissions REFUSED (see above)" if refused else "")
    )
    if refused:
        print(f"error: {len(refused)} submissions were refused (see above)", file=sys.stderr)
    return 1 if refused else 0


def merge_command(args: argparse.Namespace) -> int:
    """Merge output folders (shards of one batch, or different assignments) into one gradebook.

    A student's records are merged exercise by exercise; the same exercise graded differently
    in two folders is an error, and so are two students of one folder name (`bob.` and `bob`):
    both stop it before anything is written. Each student's files are written again from the
    merged record (byte for byte the same as the folder's when only one folder has that
    student); the folders' refused submissions are carried into summary.json.
    """
    from autograder.batch import CourseBook
    from autograder.report import write_student
    from autograder.results import StudentResult
    from autograder.students import safe_name

    out = Path(args.out)
    results: dict[str, StudentResult] = {}
    folders: dict[str, str] = {}  # safe folder name → student id
    refused: list = []
    for folder in map(Path, args.shards):
        source = CourseBook(folder)
        if not (folder / "summary.json").is_file():
            print(
                f"error: {folder} holds no summary.json (not a grade --out folder)", file=sys.stderr
            )
            return 2
        refused += [r for r in source.refused() if r not in refused]  # a folder given twice
        for student in source.students():
            other = folders.setdefault(safe_name(student), student)
            if other != student:
                print(f"error: {student} ({folder}) and {other} share a folder", file=sys.stderr)
                return 1
            new = source.load(student)
            if new is None:
                print(f"error: {folder}: the result of {student} is unreadable", file=sys.stderr)
                return 1
            old = results.get(student)
            if old is not None:
                for name in set(old.exercises) & set(new.exercises):
                    if old.to_json()["exercises"][name] != new.to_json()["exercises"][name]:
                        print(
                            f"error: {student}'s {assignment_of(name)} was graded differently in "
                            f"two folders ({folder})",
                            file=sys.stderr,
                        )
                        return 1
                new = old.merged(new)
            results[student] = new
    out.mkdir(parents=True, exist_ok=True)
    for record in results.values():
        write_student(record, out)
    CourseBook(out).write(sorted(results.values(), key=lambda r: r.student_id), refused)
    print(f"merged {len(results)} students from {len(args.shards)} folders into {out}")
    return 0


def default_zip(assignment: str) -> Path:
    """Under `_build/` (ignored by git): the zip bundles the secret, never commit it."""
    return PACKAGE_DIR.parent / "_build" / "gradescope" / f"{assignment}.zip"


def gradescope_command(args: argparse.Namespace) -> int:
    """Build the zip Gradescope expects for one assignment: setup.sh, run_autograder, the
    course package, the locked requirements, the assignment's name (and secret, roster)."""
    from autograder.assignments import resolve

    try:
        assignment = resolve(args.assignment)
    except ValueError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    for given in (args.secret_file, args.roster):
        if given and not Path(given).is_file():
            print(f"error: no such file: {given}", file=sys.stderr)
            return 2
    root = PACKAGE_DIR.parent
    out = Path(args.out) if args.out else default_zip(assignment)
    with tempfile.TemporaryDirectory() as tmp:
        staging = Path(tmp) / "autograder"
        staging.mkdir()
        shutil.copy(TEMPLATES / "setup.sh", staging / "setup.sh")
        shutil.copy(TEMPLATES / "run_autograder.sh", staging / "run_autograder")
        (staging / "assignment.txt").write_text(assignment + "\n")
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
        if args.roster:
            shutil.copy(args.roster, staging / "roster.csv")
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
    print(f"wrote {out} (assignment {assignment}; Gradescope base image: Ubuntu 22.04)")
    if args.secret_file:
        print("it holds the course secret: keep it out of the repository")
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
        "--assignment",
        default=None,
        help="grade this assignment only (04_adam or adam); notebooks of other exercises are "
        "ignored (default: nbgrader's submitted/<student>/<assignment>/, else every exercise)",
    )
    grade.add_argument("--roster", default=None, help="roster CSV: LMS identities → student ids")
    grade.add_argument(
        "--feedback",
        default=None,
        metavar="DIR",
        help="nbgrader feedback folder: DIR/<student>/<assignment>/<notebook>.html "
        "(default: OUT/feedback; use your nbgrader course's feedback/ for release_feedback)",
    )
    grade.add_argument(
        "--require-isolation",
        action="store_true",
        help="refuse to grade unless every isolation layer is available",
    )
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
    gs = sub.add_parser("gradescope", help="build the Gradescope autograder zip of an assignment")
    gs.add_argument("--assignment", required=True, help="the assignment (04_adam or adam)")
    gs.add_argument(
        "--out", default=None, help="the zip (default: _build/gradescope/<assignment>.zip)"
    )
    gs.add_argument("--secret-file", default=None, help="bundle this course secret")
    gs.add_argument("--roster", default=None, help="bundle this roster (e-mail → student id)")
    gs.set_defaults(func=gradescope_command)
    from autograder.lms.commands import add_commands

    add_commands(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except FileNotFoundError as error:  # a path given on the command line: one line, no traceback
        print(f"error: no such file or folder: {error.filename}", file=sys.stderr)
        return 2
