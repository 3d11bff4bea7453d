"""`make exercises`: generate the student notebooks in exercises/ from the instructor ones.

Every folder `solutions/<assignment>/` holding a notebook is one nbgrader assignment. For each,
this runs nbgrader's `generate_assignment` (as `--force`, with the repository's
`nbgrader_config.py`), which removes the solutions, locks the read-only and graded cells and
clears outputs, and writes `exercises/<assignment>/`. The generated notebooks are then normalized
so that regenerating an unchanged source gives byte-identical files: no outputs, no execution
counts, JSON indented by one space with sorted keys and a trailing newline (the layout nbformat
itself writes). Exercise folders whose solution folder is gone are removed.

Usage:
    python -m autograder.release          # regenerate exercises/ (what `make exercises` runs)
    python -m autograder.release --check  # regenerate into a temporary folder and exit 1,
                                          # listing every file of exercises/ that differs

`--check` never writes inside the repository: both the release folder and the gradebook are
temporary. The normal run records the assignments in the gradebook named by `nbgrader_config.py`
(`gradebook.db`, ignored by git), as `nbgrader generate_assignment` does.
"""

from __future__ import annotations

import argparse
import filecmp
import shutil
import sys
import tempfile
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "solutions"
RELEASE = ROOT / "exercises"
CONFIG = ROOT / "nbgrader_config.py"


class ReleaseError(Exception):
    """nbgrader could not generate an assignment; the message carries its log."""


def assignments(source: Path = SOURCE) -> list[str]:
    """Names of the folders of `source` that contain at least one notebook, sorted."""
    return sorted(
        d.name
        for d in source.iterdir()
        if d.is_dir() and not d.name.startswith(".") and any(d.glob("*.ipynb"))
    )


def _api(release: Path, db_url: str | None):
    """An NbGraderAPI configured by the repository's nbgrader_config.py, writing to `release`."""
    from nbgrader.apps import NbGraderAPI
    from nbgrader.coursedir import CourseDirectory
    from traitlets.config import Config
    from traitlets.config.loader import PyFileConfigLoader

    config = PyFileConfigLoader(CONFIG.name, path=str(CONFIG.parent)).load_config()
    overrides = Config()
    overrides.CourseDirectory.root = str(ROOT)
    overrides.CourseDirectory.release_directory = str(release)  # absolute: used as is
    if db_url is not None:
        overrides.CourseDirectory.db_url = db_url
    config.merge(overrides)
    coursedir = CourseDirectory(config=config)
    return NbGraderAPI(coursedir=coursedir, config=config)


def normalize(path: Path) -> None:
    """Rewrite one generated notebook in the canonical, output-free layout."""
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
    text = nbformat.writes(nb)  # indent=1, sorted keys, source split into lines
    path.write_text(text if text.endswith("\n") else text + "\n", encoding="utf-8")


def generate(release: Path, db_url: str | None = None) -> list[str]:
    """Generate every assignment of solutions/ into `release`; return the assignment names."""
    names = assignments()
    api = _api(release, db_url)
    for name in names:
        result = api.generate_assignment(name, force=True, create=True)
        if not result["success"]:
            raise ReleaseError(
                f"nbgrader generate_assignment failed for {name}:\n"
                f"{result.get('log', '')}{result.get('error', '')}"
            )
        for notebook in sorted((release / name).glob("*.ipynb")):
            normalize(notebook)
    return names


def _files(folder: Path) -> set[Path]:
    if not folder.is_dir():
        return set()
    return {p.relative_to(folder) for p in folder.rglob("*") if p.is_file()}


def drift(fresh: Path, committed: Path = RELEASE) -> list[str]:
    """Human-readable differences between a fresh release and the committed exercises/."""
    problems = []
    fresh_files, committed_files = _files(fresh), _files(committed)
    for rel in sorted(fresh_files - committed_files):
        problems.append(f"exercises/{rel}: missing (run `make exercises`)")
    for rel in sorted(committed_files - fresh_files):
        problems.append(f"exercises/{rel}: not generated from solutions/ (stale or hand-made)")
    for rel in sorted(fresh_files & committed_files):
        if not filecmp.cmp(fresh / rel, committed / rel, shallow=False):
            problems.append(f"exercises/{rel}: differs from a fresh release (run `make exercises`)")
    return problems


def check() -> int:
    """Regenerate into a temporary folder and compare with exercises/; 1 if anything drifted."""
    with tempfile.TemporaryDirectory(prefix="release-check-") as tmp:
        fresh = Path(tmp) / "exercises"
        generate(fresh, db_url=f"sqlite:///{Path(tmp) / 'gradebook.db'}")
        problems = drift(fresh)
    for line in problems:
        print(line)
    if not problems:
        print("exercises/ is up to date with solutions/")
    return 1 if problems else 0


def release() -> int:
    """Regenerate exercises/ in place and remove exercise folders without a solution."""
    names = generate(RELEASE)
    for stale in sorted(d for d in RELEASE.iterdir() if d.is_dir() and d.name not in names):
        shutil.rmtree(stale)
        print(f"removed exercises/{stale.name} (no solutions/{stale.name})")
    for name in names:
        print(f"generated exercises/{name}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--check", action="store_true", help="only report drift of exercises/ (exit 1)"
    )
    args = parser.parse_args(argv)
    try:
        return check() if args.check else release()
    except ReleaseError as error:
        print(error, file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
