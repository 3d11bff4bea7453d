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
