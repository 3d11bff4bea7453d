"""The gym's grading benchmark still runs (a smoke run: its figures are not asserted)."""

import re
import subprocess
import sys
from pathlib import Path

import pytest

from autograder.runner import specs_of

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]


def test_the_benchmark_grades_cold_then_warm_and_prints_the_accuracy():
    full = sum(s.points for e in ("diagnose", "repair") for s in specs_of(e))
    proc = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "gym_grading.py"), "--students", "3"],
        cwd=ROOT, capture_output=True, text=True, timeout=1800,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert re.search(r"cold .*: .* s per student amortised; .* median", proc.stdout)
    assert re.search(r"warm .*: .* s per student amortised; .* median", proc.stdout)
    assert f"correct: scores [{full}]" in proc.stdout
    assert re.search(r"all causes +fresh candidates \d+/54 +pool 54/54", proc.stdout)
