"""One CPU per grading worker, shared with its zygote and children, only where it costs no
parallelism."""

import subprocess
import sys
from pathlib import Path

from autograder import affinity

ROOT = Path(__file__).resolve().parents[2]


def test_plan_gives_each_worker_its_own_cpu_or_pins_nothing():
    cpus = affinity.allowed_cpus()
    assert affinity.plan(1) == cpus[:1]
    assert affinity.plan(len(cpus)) == cpus  # distinct CPUs, one per worker
    assert affinity.plan(len(cpus) + 1) == []  # more workers than CPUs: the scheduler decides
    assert affinity.plan(0) == []


def _run(code: str) -> str:
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert out.returncode == 0, out.stderr
    return out.stdout.strip()


def test_a_pinned_worker_passes_its_cpu_to_the_processes_it_starts():
    cpu = affinity.allowed_cpus()[-1]
    code = (
        "import os, subprocess, sys\n"
        "from multiprocessing import get_context\n"
        "from autograder import affinity\n"
        "q = get_context('spawn').Queue()\n"
        f"q.put({cpu})\n"
        "affinity.pin_from(q)\n"
        "child = subprocess.run([sys.executable, '-c', 'import os; print(sorted("
        "os.sched_getaffinity(0)))'], capture_output=True, text=True).stdout.strip()\n"
        "print(sorted(os.sched_getaffinity(0)), child)\n"
    )
    assert _run(code) == f"[{cpu}] [{cpu}]"
