"""CI invariants on the real notebooks: every solution earns full marks through the CLI, every
released exercise earns zero."""

from pathlib import Path

import pytest

from autograder.reader import read_notebook
from autograder.runner import InProcessSubmission, known_exercises, run_inprocess
from autograder.worker import PREAMBLE

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow


def notebooks(folder):
    return sorted((ROOT / folder).glob("*/*.ipynb"))


def test_every_solution_notebook_earns_full_marks(tmp_path, cli, summary_of):
    found = notebooks("solutions")
    if not found:
        pytest.skip("no solution notebooks yet")
    out = tmp_path / "out"
    args = ["grade", *map(str, found), "--out", str(out), "--student-id", "solutions"]
    proc = cli(*args)
    assert proc.returncode == 0, proc.stderr
    student = summary_of(out)["solutions"]
    for name, ex in student["exercises"].items():
        failing = [(t["name"], t["message"]) for t in ex["tests"] if t["status"] != "passed"]
        assert ex["score"] == ex["max_score"] > 0, (name, ex["problem"], failing)


def test_every_released_notebook_earns_zero():
    found = notebooks("exercises")
    if not found:
        pytest.skip("no released notebooks yet (make exercises)")
    known = set(known_exercises())
    for path in found:
        for exercise, work in read_notebook(path, known).works.items():
            assert work.problem is None, work.problem
            namespace: dict = {"__name__": "__main__"}
            exec(PREAMBLE, namespace)
            for cell in work.cells:
                exec(compile(cell.source, f"<cell {cell.grade_id}>", "exec"), namespace)
            results = run_inprocess(exercise, InProcessSubmission(namespace, exercise), "grade")
            assert sum(r.score for r in results) == 0, (path, [r.name for r in results if r.passed])
