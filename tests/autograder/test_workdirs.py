"""Working folders of the children: named after their judge, removed once that judge is gone."""

import os
import subprocess

from autograder.workdirs import new_workdir, remove_stale_workdirs


def test_a_new_working_folder_is_private_and_named_after_this_process(tmp_path, monkeypatch):
    monkeypatch.setattr("tempfile.tempdir", str(tmp_path))
    folder = new_workdir()
    assert os.path.dirname(folder) == str(tmp_path)
    assert os.path.basename(folder).startswith(f"autograder-{os.getpid()}-")
    assert os.stat(folder).st_mode & 0o777 == 0o700


def test_working_folders_of_judges_that_no_longer_run_are_removed(tmp_path):
    gone = subprocess.Popen(["true"])
    gone.wait()
    stale = tmp_path / f"autograder-{gone.pid}-k1ll3d"
    (stale / "sub").mkdir(parents=True)
    (stale / "sub" / "file.txt").write_text("left by learner code")
    kept = [
        tmp_path / f"autograder-{os.getpid()}-running",  # this judge still runs
        tmp_path / "autograder-notapid-x",
        tmp_path / f"other-{gone.pid}-x",
    ]
    for path in kept:
        path.mkdir()
    (tmp_path / f"autograder-{gone.pid}-file").write_text("a file, not a folder")
    assert remove_stale_workdirs(str(tmp_path)) == 1
    assert not stale.exists()
    assert all(path.is_dir() for path in kept)
    assert (tmp_path / f"autograder-{gone.pid}-file").is_file()


def test_torchs_compile_cache_stays_in_the_process_folder_and_goes_with_it(tmp_path):
    """torch's optimizer step makes `$TMPDIR/torchinductor_<user>` (importing torch._dynamo);
    a grading process puts it in its own working folder, removed when it exits, also when it
    is a multiprocessing worker (which skips atexit)."""
    import sys

    script = (
        "import multiprocessing as mp, os, sys\n"
        "from autograder.workdirs import keep_torch_cache_in_workdir, process_workdir\n"
        "def step():\n"
        "    keep_torch_cache_in_workdir()\n"
        "    import torch\n"
        "    p = torch.zeros(1, requires_grad=True)\n"
        "    p.grad = torch.ones(1)\n"
        "    torch.optim.Adam([p]).step()\n"
        "    assert os.path.isdir(os.environ['TORCHINDUCTOR_CACHE_DIR'])\n"
        "    assert os.environ['TORCHINDUCTOR_CACHE_DIR'].startswith(process_workdir())\n"
        "if __name__ == '__main__':\n"
        "    worker = mp.get_context('spawn').Process(target=step)\n"
        "    worker.start(); worker.join()\n"
        "    assert worker.exitcode == 0\n"
        "    step()\n"
    )
    (tmp_path / "grading.py").write_text(script)  # a file: spawn imports the target from it
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    env = {**os.environ, "TMPDIR": str(scratch)}
    env.pop("TORCHINDUCTOR_CACHE_DIR", None)
    proc = subprocess.run(
        [sys.executable, str(tmp_path / "grading.py")],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    assert list(scratch.iterdir()) == []
