"""Shared set-up of the grader tests: the corpus builder and helpers to run the CLI.

pytest runs with `--import-mode=importlib`, so the corpus builder in `corpus/build.py` is
registered here as the module `autograder_corpus`, and `corpus/fairness.py` (every variant under
many student ids) as `autograder_fairness` (the pattern of tests/autograder/reference).
"""

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

for _name, _file in (("autograder_corpus", "build.py"), ("autograder_fairness", "fairness.py")):
    if _name not in sys.modules:
        _spec = importlib.util.spec_from_file_location(
            _name, Path(__file__).parent / "corpus" / _file
        )
        assert _spec is not None and _spec.loader is not None
        _module = importlib.util.module_from_spec(_spec)
        sys.modules[_name] = _module
        _spec.loader.exec_module(_module)


def run_cli(
    *args: str, timeout: float = 600, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess:
    """`python -m autograder ...` in a fresh process, from the repository root (`env`: more
    environment variables)."""
    return subprocess.run(
        [sys.executable, "-m", "autograder", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, **(env or {})},
    )


def read_summary(out: Path) -> dict[str, dict]:
    summary = json.loads((out / "summary.json").read_text())
    return {s["student_id"]: s for s in summary["students"]}


@pytest.fixture(scope="session")
def cli():
    return run_cli


@pytest.fixture(scope="session")
def summary_of():
    return read_summary


def pytest_configure(config: pytest.Config) -> None:
    # The check modules carry `@pytest.mark.points(n)`; tests here import them directly.
    config.addinivalue_line("markers", "points(n): points a check is worth (autograder/checks)")
