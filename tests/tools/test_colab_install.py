"""The Colab path: installing the course package into an environment that already has torch.

Colab ships its own torch build. The setup cell runs `pip install <course>`, which must keep that
torch (pyproject asks only for torch>=2.3) and must make `trainlab` and `autograder` importable.
Here a fresh virtual environment with torch stands in for Colab.
"""

import json
import os
import shutil
import subprocess
import venv
from pathlib import Path

import pytest

from autograder.runner import specs_of

ROOT = Path(__file__).resolve().parents[2]


def sh(*args: str, cwd: Path | None = None) -> str:
    result = subprocess.run(args, cwd=cwd, capture_output=True, text=True)
    assert result.returncode == 0, f"{args}\n{result.stdout}\n{result.stderr}"
    return result.stdout


@pytest.mark.slow
def test_pip_install_keeps_the_existing_torch(tmp_path):
    # a copy of what the repository URL would deliver (no build artefacts in the checkout)
    src = tmp_path / "course"
    src.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, src / name)
    for package in ("autograder", "trainlab"):
        shutil.copytree(ROOT / package, src / package, ignore=shutil.ignore_patterns("__pycache__"))

    env = tmp_path / "colab"
    venv.create(env, with_pip=True)
    py = str(env / "bin" / "python")
    sh(py, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "torch==2.13.0")
    torch_before = sh(
        py, "-c", "import torch, os; print(torch.__version__, os.stat(torch.__file__).st_mtime_ns)"
    )

    # the setup cell's command, with the repository URL replaced by the local copy
    out = sh(
        py,
        "-m",
        "pip",
        "install",
        "--disable-pip-version-check",
        f"why-wont-my-network-train @ {src.as_uri()}",
    )
    assert (
        "Successfully installed" in out
        and "torch-" not in out.split("Successfully installed", 1)[1]
    )
    torch_after = sh(
        py, "-c", "import torch, os; print(torch.__version__, os.stat(torch.__file__).st_mtime_ns)"
    )
    assert torch_before == torch_after, "installing the course package replaced torch"

    # from outside the checkout, so that the INSTALLED packages are imported
    where = sh(
        py,
        "-c",
        "import trainlab, autograder.reference; from autograder import check; "
        "print(autograder.__file__)",
        cwd=tmp_path,
    )
    assert "site-packages" in where, where
    # the grader's Chinese catalogue ships inside the package (check(..., lang="zh_CN"))
    translated = sh(
        py,
        "-c",
        "from autograder import i18n; print(len(i18n.translations('zh_CN')))",
        cwd=tmp_path,
    )
    assert int(translated) > 100, translated

    # the installed grader (in site-packages, not a checkout): the check modules import (pytest
    # is a dependency), and a sandboxed grading hides the course's packages, not torch's
    notebook = next(ROOT.glob("solutions/*_momentum/momentum.ipynb"))
    out = tmp_path / "out"
    graded = sh(py, "-m", "autograder", "grade", str(notebook), "--out", str(out), cwd=tmp_path)
    points = sum(spec.points for spec in specs_of("momentum"))
    assert f"momentum 02_momentum: {points:g} / " in graded, graded  # + written points pending
    result = json.loads((out / "students" / "momentum" / "result.json").read_text())
    assert result["exercises"]["momentum"]["score"] == points, result
    if os.geteuid() == 0:  # autograder, trainlab, the notebook and the output: nothing else
        assert result["exercises"]["momentum"]["sandbox"]["files"].startswith("4 of 4 ")
