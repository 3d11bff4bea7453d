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


def rehearse_gradescope(
    zip_path: Path, home: Path, files: dict, prefix: tuple[str, ...] = ("bash",)
) -> dict:
    """Unpack a Gradescope zip as Gradescope does (under `home` instead of /autograder, this
    Python as the image's venv), put `files` in the submission folder (file name → (exercise,
    source) for a notebook, or bytes), run run_autograder (after `prefix`: e.g. capsh), and
    return results.json."""
    import shutil
    import zipfile

    corpus = sys.modules["autograder_corpus"]
    with zipfile.ZipFile(zip_path) as zf:
        zf.extractall(home / "source")
    shutil.copy(home / "source" / "run_autograder", home / "run_autograder")
    (home / "venv").symlink_to(sys.prefix, target_is_directory=True)
    (home / "submission").mkdir(parents=True)
    for name, content in files.items():
        if isinstance(content, bytes):
            (home / "submission" / name).write_bytes(content)
        else:
            corpus.notebook(home / "submission" / name, *content)
    (home / "submission_metadata.json").write_text(
        json.dumps({"id": 7, "users": [{"email": "ana@example.edu", "name": "Ana"}]})
    )
    (home / "results").mkdir()
    proc = subprocess.run(
        [*prefix, str(home / "run_autograder")],
        env={**os.environ, "AUTOGRADER_HOME": str(home)},
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return json.loads((home / "results" / "results.json").read_text())


@pytest.fixture(scope="session")
def rehearse():
    return rehearse_gradescope


@pytest.fixture(scope="session")
def cli():
    return run_cli


@pytest.fixture(scope="session")
def summary_of():
    return read_summary


def pytest_configure(config: pytest.Config) -> None:
    # The check modules carry `@pytest.mark.points(n)`; tests here import them directly.
    config.addinivalue_line("markers", "points(n): points a check is worth (autograder/checks)")
