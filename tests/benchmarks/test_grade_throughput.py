"""The throughput benchmark still runs (a smoke run: its figures are not asserted)."""

import re
import subprocess
import sys
from pathlib import Path

import pytest

from autograder.runner import specs_of

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]


def points(exercise: str) -> float:
    return sum(spec.points for spec in specs_of(exercise))


def test_the_benchmark_grades_correct_partial_and_wrong_submissions():
    # the benchmark's partial submissions leave the first five notebooks (in folder order) undone
    exercises = [p.parent.name.split("_", 1)[1] for p in sorted(ROOT.glob("solutions/*/*.ipynb"))]
    full = sum(points(e) for e in exercises)
    partial = sum(points(e) for e in exercises[5:])
    proc = subprocess.run(
        [
            sys.executable, str(ROOT / "benchmarks" / "grade_throughput.py"),
            "--students", "3", "--repeat", "1", "--nbgrader-students", "0",
        ],
        cwd=ROOT, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert re.search(r"median of 1 runs: .* s/submission amortised", proc.stdout), proc.stdout
    assert f"correct: scores [{full}]" in proc.stdout
    assert f"partial: scores [{partial}]" in proc.stdout
    assert "wrong: scores [0.0]" in proc.stdout
