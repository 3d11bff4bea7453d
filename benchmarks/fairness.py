"""Fairness figures: every variant of every exercise graded under 24 student ids, one secret.

    python benchmarks/fairness.py [exercise ...]

Prints, per exercise, the number of implementations (correct ones written differently,
misconceptions, contract breakers) × student ids graded through the batch grader's sandboxes,
and the number of distinct score tuples per implementation (fair: 1 for every one), with any
implementation whose marks depend on the student id. The same run is the assertion of
tests/autograder/test_fairness.py. Not a test: the seconds depend on the machine.
"""

from __future__ import annotations

import importlib.util
import sys
import tempfile
from pathlib import Path

from autograder.runner import known_exercises

CORPUS = Path(__file__).resolve().parents[1] / "tests" / "autograder" / "corpus"


def _load(name: str, file: str):
    spec = importlib.util.spec_from_file_location(name, CORPUS / file)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def main(exercises: list[str]) -> int:
    _load("autograder_corpus", "build.py")
    fairness = _load("autograder_fairness", "fairness.py")
    unfair = 0
    with tempfile.TemporaryDirectory() as folder:
        for exercise in exercises or known_exercises():
            figures = fairness.grade_variants(exercise, Path(folder) / exercise)
            print(figures.line(), flush=True)
            for name, seen in figures.unfair().items():
                unfair += 1
                print(f"    depends on the id: {name}: {[len(ids) for ids in seen.values()]}")
    return 1 if unfair else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
