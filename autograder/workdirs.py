"""The children's working folders: `autograder-<judge pid>-<random>` in the temporary folder.

The judge makes one per child and removes it when the child ends; a judge killed with SIGKILL
cannot, so the next batch removes the folders of judges that no longer run.
"""

from __future__ import annotations

import os
import shutil
import tempfile

WORKDIR_PREFIX = "autograder-"


def remove_stale_workdirs(folder: str | None = None) -> int:
    """Remove the working directories of judges that no longer run (a batch killed with
    SIGKILL cannot clean up): `autograder-<pid>-*` in the temporary folder whose pid is gone.
    Returns how many were removed."""
    folder = folder or tempfile.gettempdir()
    removed = 0
    for entry in os.scandir(folder):
        rest = entry.name.removeprefix(WORKDIR_PREFIX)
        pid = rest.split("-", 1)[0]
        if rest == entry.name or not pid.isdigit() or not entry.is_dir(follow_symlinks=False):
            continue
        try:
            os.kill(int(pid), 0)
            continue  # that judge still runs (or the pid was reused: kept, harmless)
        except ProcessLookupError:
            pass
        except PermissionError:
            continue
        shutil.rmtree(entry.path, ignore_errors=True)
        removed += not os.path.exists(entry.path)
    return removed


def new_workdir() -> str:
    """An empty private folder (mode 700) named after this judge process."""
    return tempfile.mkdtemp(prefix=f"{WORKDIR_PREFIX}{os.getpid()}-")
