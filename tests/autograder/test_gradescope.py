"""The Gradescope package: the zip `python -m autograder gradescope` builds, and a rehearsal of
what Gradescope does with it (run_autograder on a submission, results.json read back).

The rehearsal puts the zip's files where Gradescope would, under a temporary AUTOGRADER_HOME
instead of /autograder, with this test's Python as the image's venv (setup.sh itself needs
apt and the network, so it is not run here).
"""

import json
import os
import re
import shutil
import subprocess
import sys
import zipfile

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
    proc = cli("gradescope", "--out", str(zip_path), "--secret-file", str(secret))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return root, zip_path


def test_the_zip_holds_the_scripts_the_course_package_and_the_secret(package):
    _, zip_path = package
    with zipfile.ZipFile(zip_path) as zf:
        names = set(zf.namelist())
        modes = {info.filename: info.external_attr >> 16 for info in zf.infolist()}
        assert zf.read("secret.txt") == b"gradescope-secret\n"
    assert {"setup.sh", "run_autograder", "course/pyproject.toml"} <= names
    assert {"course/autograder/cli.py", "course/autograder/checks/test_adam.py"} <= names
    assert "course/trainlab/__init__.py" in names
    assert modes["setup.sh"] & 0o111 and modes["run_autograder"] & 0o111
    assert not any("__pycache__" in n or n.endswith(".pyc") for n in names)
    assert not any(n.startswith(("course/solutions", "course/.git")) for n in names)


def rehearse(zip_path, home, notebooks: dict[str, tuple[str, str]]) -> dict:
    """Unpack the zip as Gradescope does, put `notebooks` (file name → (exercise, source)) in
    the submission folder, run run_autograder, and return results.json."""
    with zipfile.ZipFile(zip_path) as zf:
        zf.extractall(home / "source")
    shutil.copy(home / "source" / "run_autograder", home / "run_autograder")
    (home / "venv").symlink_to(sys.prefix, target_is_directory=True)
    for name, (exercise, source) in notebooks.items():
        corpus.notebook(home / "submission" / name, exercise, source)
    (home / "submission_metadata.json").write_text(
        json.dumps({"id": 7, "users": [{"email": "ana@example.edu", "name": "Ana"}]})
    )
    (home / "results").mkdir()
    proc = subprocess.run(
        ["bash", str(home / "run_autograder")],
        env={**os.environ, "AUTOGRADER_HOME": str(home)},
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return json.loads((home / "results" / "results.json").read_text())


def test_run_autograder_grades_the_submission_into_results_json(package, tmp_path):
    _, zip_path = package
    home = tmp_path / "autograder"
    results = rehearse(
        zip_path,
        home,
        {
            "momentum.ipynb": ("momentum", corpus.correct_source("momentum")),
            "adam.ipynb": ("adam", corpus.stub_source("adam")),
        },
    )
    momentum = sum(s.points for s in specs_of("momentum"))
    adam = sum(s.points for s in specs_of("adam"))
    assert results["score"] == momentum
    assert results["output"] == f"Automatic score {momentum:g} / {momentum + adam:g}."
    by_name = {t["name"]: t for t in results["tests"]}
    assert len(by_name) == len(specs_of("momentum")) + len(specs_of("adam"))
    assert all(t["status"] == "passed" for n, t in by_name.items() if n.startswith("momentum"))
    undone = [t for n, t in by_name.items() if n.startswith("adam")]
    assert all(t["score"] == 0 and "not implemented yet" in t["output"] for t in undone)
    gradebook = (home / "results" / "feedback" / "gradebook.csv").read_text()
    assert gradebook.startswith("student_id,") and "ana@example.edu" in gradebook


@pytest.mark.skipif(os.geteuid() != 0, reason="hiding files needs the judge to run as root")
def test_learner_code_cannot_read_the_secret_or_the_course_sources(package, tmp_path):
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
