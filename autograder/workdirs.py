"""The grading processes' working folders: `autograder-<judge pid>-<random>` in the temporary
folder.

The judge makes one per child and removes it when the child ends, and one for itself
(`process_workdir`: torch's compile cache of the judge and its zygote, `TORCHINDUCTOR_CACHE_DIR`,
which torch would otherwise create as `$TMPDIR/torchinductor_<user>` and leave behind), removed
when it exits; a judge killed with SIGKILL cannot, so the next batch removes the folders of
judges that no longer run.
"""

from __future__ import annotations

import atexit
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


_OWN: dict[int, str] = {}  # pid → that process's own working folder


def process_workdir() -> str:
    """This process's own working folder (made once per process, removed when it exits: at
    interpreter exit, or at the end of a multiprocessing worker, which skips `atexit`)."""
    from multiprocessing.util import Finalize

    pid = os.getpid()
    if pid not in _OWN:
        _OWN[pid] = new_workdir()
        atexit.register(shutil.rmtree, _OWN[pid], True)
        Finalize(None, shutil.rmtree, args=(_OWN[pid], True), exitpriority=0)
    return _OWN[pid]


def inductor_cache_dir(workdir: str) -> str:
    """Where torch may write its compile cache (`TORCHINDUCTOR_CACHE_DIR`): inside `workdir`,
    so it goes when that folder goes (torch's optimizer step imports `torch._dynamo`, which
    makes the cache folder)."""
    return os.path.join(workdir, "torchinductor")


def keep_torch_cache_in_workdir() -> None:
    """Point this process's (and its future children's) torch compile cache into
    `process_workdir()`; call before torch is imported."""
    os.environ["TORCHINDUCTOR_CACHE_DIR"] = inductor_cache_dir(process_workdir())
