"""`make exercises` is the only way exercises/ changes, and it is reproducible."""

import json
import shutil
import subprocess
import sys
from pathlib import Path

from autograder import release

ROOT = Path(__file__).resolve().parents[2]


def test_exercises_match_a_fresh_release(capsys):
    """exercises/ equals a fresh nbgrader generate_assignment of solutions/ (run
    `make exercises` after editing a solution notebook)."""
    status = release.check()
    out = capsys.readouterr().out
    assert status == 0, out


def test_graded_cells_carry_the_points_of_the_checks():
    """Every solution notebook's grade cells match the points markers of its check module
    (run `python -m autograder.sync_notebooks` after changing a check module)."""
    result = subprocess.run(
        [sys.executable, "-m", "autograder.sync_notebooks", "--check"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_normalize_gives_the_canonical_layout(tmp_path):
    """Outputs and execution counts are dropped; indent 1, sorted keys, a trailing newline."""
    source = next(ROOT.glob("solutions/*/*.ipynb"))
    nb = json.loads(source.read_text(encoding="utf-8"))
    for cell in nb["cells"]:
        if cell["cell_type"] == "code":
            cell["execution_count"] = 7
            cell["outputs"] = [{"output_type": "stream", "name": "stdout", "text": ["hi\n"]}]
    messy = tmp_path / "messy.ipynb"
    messy.write_text(json.dumps(nb, indent=4), encoding="utf-8")
    release.normalize(messy)
    first = messy.read_text(encoding="utf-8")
    release.normalize(messy)
    assert messy.read_text(encoding="utf-8") == first, "normalizing twice changes nothing"
    assert first.endswith("}\n") and first.startswith('{\n "cells": [\n')
    for cell in json.loads(first)["cells"]:
        if cell["cell_type"] == "code":
            assert cell["outputs"] == [] and cell["execution_count"] is None


def test_drift_names_missing_stale_and_changed_files(tmp_path):
    fresh, committed = tmp_path / "fresh", tmp_path / "committed"
    for folder in (fresh, committed):
        (folder / "01_a").mkdir(parents=True)
        (folder / "01_a" / "a.ipynb").write_text("{}\n")
    (fresh / "02_b").mkdir()
    (fresh / "02_b" / "b.ipynb").write_text("{}\n")
    (committed / "03_c").mkdir()
    (committed / "03_c" / "c.ipynb").write_text("{}\n")
    assert release.drift(fresh, committed) == [
        "exercises/02_b/b.ipynb: missing (run `make exercises`)",
        "exercises/03_c/c.ipynb: not generated from solutions/ (stale or hand-made)",
    ]
    (committed / "01_a" / "a.ipynb").write_text('{"edited": true}\n')
    assert any(
        line.startswith("exercises/01_a/a.ipynb: differs")
        for line in release.drift(fresh, committed)
    )
    shutil.rmtree(fresh)
    assert len(release.drift(fresh, committed)) == 2
