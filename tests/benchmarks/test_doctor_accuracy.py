"""The doctor's accuracy benchmark still runs (a smoke run on two scripts; its times are not
asserted)."""

import re
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]


def test_the_benchmark_scores_a_broken_and_a_healthy_script():
    proc = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "doctor_accuracy.py"), "--repeat", "1",
         "--only", "sequential_sgd", "--process"],
        cwd=ROOT, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert re.search(r"healthy__sequential_sgd +top-1 ok \(healthy\)", proc.stdout)
    assert re.search(r"grad_not_zeroed__sequential_sgd +top-1 ok \(grad_not_zeroed\)", proc.stdout)
    assert "false alarms on healthy scripts: 0/1" in proc.stdout
    assert re.search(r"top-1 accuracy: \d+/\d+ = ", proc.stdout)
    assert re.search(r"overhead, the script's run .*: median x\d+\.\d\d", proc.stdout)
    assert re.search(r"overhead, whole process .*: median x\d+\.\d\d", proc.stdout)
