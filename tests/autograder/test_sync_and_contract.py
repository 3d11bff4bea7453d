"""Graded cells in sync with the checks, and the rules every check module follows."""

import inspect
import json
import subprocess
import sys
from pathlib import Path

import autograder_corpus as corpus
import pytest

from autograder.runner import check_module, known_exercises, specs_of
from autograder.sync_notebooks import graded_cells, main, solution_notebooks

ROOT = Path(__file__).resolve().parents[2]


def test_sync_rewrites_only_the_graded_block(tmp_path):
    path = corpus.notebook(
        tmp_path / "04_adam" / "adam.ipynb", "adam", corpus.correct_source("adam")
    )
    nb = json.loads(path.read_text())
    nb["cells"].append(
        {"cell_type": "markdown", "id": "key-terms", "metadata": {}, "source": "## Key terms"}
    )
    path.write_text(json.dumps(nb))
    assert main(["--check", str(path)]) == 1
    assert main([str(path)]) == 0
    assert main(["--check", str(path)]) == 0
    cells = json.loads(path.read_text())["cells"]
    graded = [c for c in cells if c.get("metadata", {}).get("nbgrader", {}).get("grade")]
    assert [c["metadata"]["nbgrader"]["points"] for c in graded] == [
        s.points for s in specs_of("adam")
    ]
    assert (
        "".join(graded[0]["source"])
        == 'from autograder import run_graded_test\n\nrun_graded_test("adam", "test_first_step")'
    )
    assert "".join(cells[-1]["source"]) == "## Key terms"


def test_solution_notebooks_are_in_sync():
    """CI invariant: run `python -m autograder.sync_notebooks` after changing a check."""
    assert solution_notebooks(), "solutions/ holds the instructor notebooks"
    proc = subprocess.run(
        [sys.executable, "-m", "autograder.sync_notebooks", "--check"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stdout


@pytest.mark.parametrize("exercise", known_exercises())
def test_check_module_contract(exercise):
    module = check_module(exercise)
    assert module.EXERCISE == exercise and module.FUNCTIONS
    specs = specs_of(exercise)
    assert len(specs) >= 3
    for spec in specs:
        assert list(inspect.signature(spec.function).parameters) == ["submission", "cases"], (
            spec.name
        )
        assert spec.points > 0
        doc = spec.docstring
        assert doc.endswith(".") and doc.count(". ") == 0, f"{spec.name}: one sentence, please"
    assert len(graded_cells(exercise)) == len(specs)
