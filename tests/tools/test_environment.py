"""The pinned environment: lock file, conda file and pyproject agree with each other."""

import re
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_environment_yml_matches_the_lock():
    """environment.yml is generated from requirements.lock; regenerate it after `make lock`."""
    result = subprocess.run(
        [sys.executable, "tools/sync_environment.py", "--check"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout


def test_lock_pins_every_package_exactly_and_torch_to_the_cpu_wheel():
    pins = [
        line
        for line in (ROOT / "requirements.lock").read_text().splitlines()
        if line and not line.startswith("#")
    ]
    assert all(re.fullmatch(r"[A-Za-z0-9_.\-\[\]]+==[^\s=]+", p) for p in pins), (
        "every line is name==version"
    )
    assert "torch==2.13.0" in pins
    assert any(p.startswith("jupyter-book==1.") for p in pins), "the book needs Jupyter Book 1"
    assert "nbgrader==0.9.6" in pins


def test_pyproject_keeps_loose_ranges_for_colab():
    """A pinned torch in pyproject would make Colab replace its own CUDA build."""
    deps = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    torch_dep = next(d for d in deps if d.startswith("torch"))
    assert torch_dep == "torch>=2.3"
    assert not any("==" in d for d in deps)


def test_ci_runs_the_readme_test_command():
    readme = (ROOT / "README.md").read_text()
    assert "make test" in readme and "make book" in readme
    assert "make test" in (ROOT / ".ci" / "run").read_text()
