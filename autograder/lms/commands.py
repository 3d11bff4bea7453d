"""The `export` and `written` commands of `python -m autograder` (see `autograder.lms`)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def _course(out: str):
    from autograder.batch import CourseBook

    book = CourseBook(out)
    if not (Path(out) / "summary.json").is_file():
        raise FileNotFoundError(2, "no summary.json", str(Path(out) / "summary.json"))
    return book, {r.student_id: r for r in book.everyone()}


def export_command(args: argparse.Namespace) -> int:
    from autograder.lms.exports import FORMATS
    from autograder.lms.roster import RosterError, load
    from autograder.report import atomic_write

    try:
        roster = load(args.roster)
    except RosterError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    ids = dict(item.split("=", 1) for item in args.canvas_assignment)
    _, results = _course(args.out)
    records = list(results.values())
    text = (
        FORMATS[args.format](records, roster, ids)
        if args.format == "canvas"
        else FORMATS[args.format](records, roster)
    )
    target = Path(args.to) if args.to else Path(args.out) / f"{args.format}.csv"
    atomic_write(target, text)
    print(f"wrote {target} ({len(records)} students)")
    return 0


def written_command(args: argparse.Namespace) -> int:
    from autograder.lms.written import MarksError, apply_marks, export_written, read_marks
    from autograder.report import write_student

    book, results = _course(args.out)
    if args.action == "export":
        target = Path(args.to) if args.to else Path(args.out) / "written"
        paths = export_written(list(results.values()), target)
        print(f"wrote {len(paths)} question files under {target}")
        return 0
    if not args.marks:
        print("error: written import needs the marked CSV files or their folder", file=sys.stderr)
        return 2
    try:
        marks = read_marks([Path(p) for p in args.marks], results)
    except MarksError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    changed = apply_marks(results, marks)
    for record in changed:
        write_student(record, Path(args.out))
    book.write(book.everyone(changed))
    print(f"imported {len(marks)} marks; {len(changed)} students updated")
    return 0


def add_commands(sub: argparse._SubParsersAction) -> None:
    export = sub.add_parser("export", help="the course gradebook as an LMS import file")
    export.add_argument("format", choices=["canvas", "moodle", "plain"])
    export.add_argument("--out", required=True, help="the grade --out folder")
    export.add_argument("--roster", default=None, help="roster CSV (names, LMS ids, sections)")
    export.add_argument("--to", default=None, help="the file (default: OUT/<format>.csv)")
    export.add_argument(
        "--canvas-assignment",
        action="append",
        default=[],
        metavar="ASSIGNMENT=ID",
        help="Canvas id of an assignment (repeatable): its column becomes 'name (id)'",
    )
    export.set_defaults(func=export_command)
    written = sub.add_parser("written", help="export written answers / import their marks")
    written.add_argument("action", choices=["export", "import"])
    written.add_argument("marks", nargs="*", help="import: marked CSV files or folders")
    written.add_argument("--out", required=True, help="the grade --out folder")
    written.add_argument("--to", default=None, help="export: folder (default: OUT/written)")
    written.set_defaults(func=written_command)
