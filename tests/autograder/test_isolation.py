"""The isolation a batch gets is stated, can be required, and degrades to the strongest
fallback where CAP_SYS_ADMIN is missing (a container like Gradescope's, rehearsed with
`capsh --drop=cap_sys_admin`: no namespaces, but the per-child uids remain)."""

import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import autograder_corpus as corpus
import pytest

from autograder.isolation import LAYERS, missing, statement

ROOT = Path(__file__).resolve().parents[2]
WITHOUT_SYS_ADMIN = ("capsh", "--drop=cap_sys_admin", "--")  # then: /bin/bash <args>
as_root = pytest.mark.skipif(os.geteuid() != 0, reason="the layers need the judge to be root")


def test_the_statement_names_every_layer_and_its_fallback():
    full = dict.fromkeys(LAYERS, True)
    assert statement(full) == (
        "isolation full: network namespace ✓, mount hiding ✓, private /tmp ✓, "
        "per-child uid ✓, rlimits ✓"
    )
    weak = {**full, "network namespace": False, "mount hiding": False}
    assert missing(weak) == ["network namespace", "mount hiding"]
    assert statement(weak).startswith("isolation WEAKENED: network namespace ✗ (socket module")
    assert "mount hiding ✗ (hidden paths protected by file permissions only)" in statement(weak)


def _without_sys_admin(*command: str, **kwargs) -> subprocess.CompletedProcess:
    script = " ".join(f"'{part}'" for part in command)
    return subprocess.run(
        [*WITHOUT_SYS_ADMIN, "-c", script], cwd=ROOT, capture_output=True, text=True, **kwargs
    )


@as_root
def test_the_probe_sees_what_a_container_without_cap_sys_admin_allows():
    assert shutil.which("capsh"), "capsh is missing: make test installs libcap2-bin"
    probe = "import json; from autograder import isolation; print(json.dumps(isolation.probe()))"
    proc = _without_sys_admin(sys.executable, "-c", probe, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout) == {
        "network namespace": False,
        "mount hiding": False,
        "private /tmp": False,
        "per-child uid": True,
        "rlimits": True,
    }


@as_root
def test_require_isolation_refuses_to_grade_there(tmp_path):
    corpus.notebook(tmp_path / "subs/ana/momentum.ipynb", "momentum", "x = 1\n")
    out = tmp_path / "out"
    proc = _without_sys_admin(
        sys.executable, "-m", "autograder", "grade", str(tmp_path / "subs"), "--out", str(out),
        "--require-isolation", timeout=120,
    )  # fmt: skip
    assert proc.returncode == 3, proc.stdout + proc.stderr
    assert "missing network namespace, mount hiding, private /tmp; nothing was graded" in (
        proc.stderr
    )
    assert proc.stdout.startswith("isolation WEAKENED: ") and not out.exists()


@as_root
def test_gradescope_without_cap_sys_admin_still_hides_the_secret(cli, rehearse):
    """The children cannot get a mount namespace there; run_autograder's fallback (the course
    sources, the secret and the results unreadable to other users) keeps them hidden, while a
    world-readable file beside them stays readable (so the home is not simply closed)."""
    home = Path(tempfile.mkdtemp(prefix="gradescope-nocap-", dir="/tmp"))
    try:
        os.chmod(home, 0o755)  # traversable by the children's uids, as /autograder is
        secret = home / "secret-input.txt"
        secret.write_text("nocap-secret\n")
        zip_path = home / "autograder.zip"
        proc = cli("gradescope", "--assignment", "momentum", "--out", str(zip_path),
                   "--secret-file", str(secret))  # fmt: skip
        assert proc.returncode == 0, proc.stdout + proc.stderr
        secret.unlink()
        (home / "public.txt").write_text("public-marker")
        os.chmod(home / "public.txt", 0o644)
        reads = [
            home / "autograder" / "source" / "secret.txt",
            home
            / "autograder"
            / "source"
            / "course"
            / "autograder"
            / "reference"
            / "optimizers.py",
            home / "public.txt",
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
            "    try:\n"
            "        import socket\n"
            "        socket.socket()\n"
            "        seen.append('socket open')\n"
            "    except Exception as error:\n"
            "        seen.append('socket refused')\n"
            "    raise ValueError(' | '.join(seen))\n"
        )
        (home / "autograder").mkdir()
        os.chmod(home / "autograder", 0o755)
        results = rehearse(
            zip_path, home / "autograder", {"momentum.ipynb": ("momentum", source)},
            prefix=WITHOUT_SYS_ADMIN,
        )  # fmt: skip
        text = json.dumps(results)
        assert results["score"] == 0
        assert "nocap-secret" not in text and "def momentum_step" not in text
        assert "PermissionError | PermissionError | public-marker | socket refused" in text, text
        last = results["output"].splitlines()[-1]
        assert last.startswith("isolation WEAKENED: network namespace ✗"), last
        assert "per-child uid ✓" in last and "rlimits ✓" in last
    finally:
        shutil.rmtree(home, ignore_errors=True)
