"""The Gradescope package: the zip `python -m autograder gradescope` builds, and a rehearsal of
what Gradescope does with it (run_autograder on a submission, results.json read back).

The rehearsal puts the zip's files where Gradescope would, under a temporary AUTOGRADER_HOME
instead of /autograder, with this test's Python as the image's venv (setup.sh itself needs
apt and the network, so it is not run here).
"""

import json
import os
import re
import subprocess
import zipfile
from pathlib import Path

import autograder_corpus as corpus
import pytest

from autograder.runner import specs_of

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def package(tmp_path_factory, cli):
    root = tmp_path_factory.mktemp("gradescope")
    secret = root / "secret.txt"
    secret.write_text("gradescope-secret\n")
    zip_path = root / "autograder.zip"
    proc = cli(
        "gradescope", "--assignment", "02_momentum", "--out", str(zip_path),
        "--secret-file", str(secret),
    )  # fmt: skip
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return root, zip_path


def test_the_zip_holds_the_scripts_the_course_package_and_the_secret(package):
    _, zip_path = package
    with zipfile.ZipFile(zip_path) as zf:
        names = set(zf.namelist())
        modes = {info.filename: info.external_attr >> 16 for info in zf.infolist()}
        assert zf.read("secret.txt") == b"gradescope-secret\n"
    assert {"setup.sh", "run_autograder", "course/pyproject.toml", "assignment.txt"} <= names
    assert {"course/requirements.lock"} <= names
    assert {"course/autograder/cli.py", "course/autograder/checks/test_adam.py"} <= names
    assert "course/trainlab/__init__.py" in names
    assert modes["setup.sh"] & 0o111 and modes["run_autograder"] & 0o111
    assert not any("__pycache__" in n or n.endswith(".pyc") for n in names)
    assert not any(n.startswith(("course/solutions", "course/.git")) for n in names)
    with zipfile.ZipFile(zip_path) as zf:
        assert zf.read("assignment.txt").decode().strip() == "02_momentum"


def test_setup_installs_the_locked_versions_with_a_cpu_torch(package):
    """setup.sh pins every package to requirements.lock and takes torch, at the locked
    version, from PyTorch's CPU index; it states its base image (run needs the network: read)."""
    _, zip_path = package
    with zipfile.ZipFile(zip_path) as zf:
        setup = zf.read("setup.sh").decode()
        lock = zf.read("course/requirements.lock").decode()
    assert re.search(r"^torch==\d+\.\d+\.\d+$", lock, flags=re.MULTILINE)
    assert '--index-url https://download.pytorch.org/whl/cpu "$TORCH"' in setup
    assert "TORCH=$(grep -E '^torch==' \"$SOURCE/course/requirements.lock\")" in setup
    assert '-r "$SOURCE/course/requirements.lock"' in setup
    assert '--no-deps "$SOURCE/course"' in setup
    assert "Base image:" in setup and "python3.11" in setup
    assert "pip install" not in setup.replace("/autograder/venv/bin/pip install", "")


def test_run_autograder_grades_the_assignment_into_results_json(package, tmp_path, rehearse):
    """The zip of 02_momentum grades momentum only: the adam notebook beside it is ignored,
    and results.json says so, with the isolation the grading ran under."""
    _, zip_path = package
    home = tmp_path / "autograder"
    results = rehearse(
        zip_path,
        home,
        {
            "momentum.ipynb": ("momentum", corpus.correct_source("momentum")),
            "adam.ipynb": ("adam", corpus.correct_source("adam")),
        },
    )
    momentum = sum(s.points for s in specs_of("momentum"))
    assert results["score"] == momentum
    lines = results["output"].splitlines()
    assert lines[0] == f"Automatic score {momentum:g} / {momentum:g}."
    assert any(
        "adam.ipynb is for the exercise 'adam'" in line and "ignored" in line for line in lines
    )
    assert lines[-1].startswith("isolation ")
    by_name = {t["name"]: t for t in results["tests"]}
    assert len(by_name) == len(specs_of("momentum"))
    assert all(n.startswith("momentum") and t["status"] == "passed" for n, t in by_name.items())
    gradebook = (home / "results" / "feedback" / "gradebook.csv").read_text()
    assert gradebook.startswith("student_id,02_momentum,total,pending\n")
    assert "ana@example.edu" in gradebook


@pytest.mark.skipif(os.geteuid() != 0, reason="hiding files needs the judge to run as root")
def test_learner_code_cannot_read_the_secret_or_the_course_sources(package, tmp_path, rehearse):
    _, zip_path = package
    home = tmp_path / "autograder"
    reads = [
        home / "source" / "secret.txt",
        home / "source" / "course" / "autograder" / "reference" / "optimizers.py",
    ]
    source = (
        f"PATHS = {[str(p) for p in reads]!r}\n"
        "def momentum_step(theta, grad, movement, lr, momentum):\n"
        "    seen = []\n"
        "    for path in PATHS:\n"
        "        try:\n"
        "            seen.append(open(path).read()[:300])\n"
        "        except OSError as error:\n"
        "            seen.append(type(error).__name__)\n"
        "    raise ValueError(' | '.join(seen))\n"
    )
    results = rehearse(zip_path, home, {"momentum.ipynb": ("momentum", source)})
    text = json.dumps(results)
    assert results["score"] == 0
    assert "gradescope-secret" not in text and "def momentum_step" not in text
    # covered by the mount namespace: a mode-000 folder, or not there (a home under /tmp)
    unreadable = r"(PermissionError|FileNotFoundError)"
    assert re.search(f"{unreadable} \\| {unreadable}", text), text


def test_the_default_zip_path_is_ignored_by_git():
    """The zip holds the secret: by default it is written where git never commits it."""
    from autograder.cli import default_zip

    path = default_zip("04_adam")
    root = Path(__file__).resolve().parents[2]
    assert path.is_relative_to(root) and path.name == "04_adam.zip"
    proc = subprocess.run(["git", "check-ignore", "-q", str(path)], cwd=root)
    assert proc.returncode == 0, f"{path} is not ignored by git"
