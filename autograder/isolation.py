"""Which isolation layers the children will get here, said before a batch starts.

`probe()` runs `python -I -B -m autograder.isolation` once: a throwaway process that tries what
each child does in `autograder.worker.enter_sandbox`, and reports each layer as active or
missing, with the fallback the child uses instead:

- network namespace: `unshare(CLONE_NEWNET)` (CAP_SYS_ADMIN); else the socket module is
  disabled (ctypes can get around it);
- mount hiding: root and `unshare(CLONE_NEWNS)`; else file permissions only (paths other users
  cannot read stay hidden from the children's uids);
- private /tmp: root and a tmpfs mount in that namespace; else /tmp is shared;
- per-child uid: root (CAP_SETUID); else the children run as the grader's user;
- rlimits: `setrlimit` (always available on Linux).

In a container without CAP_SYS_ADMIN (Gradescope's Docker) as root, the per-child uid remains:
the strongest fallback is then to make what learner code must not read unreadable to other
users (`run_autograder` does `chmod -R go-rwx` on the course sources, the secret and the
results before grading). `--require-isolation` makes the CLI refuse to grade when a layer is
missing.
"""

from __future__ import annotations

import ctypes
import json
import os
import resource
import subprocess
import sys
import tempfile

LAYERS = ("network namespace", "mount hiding", "private /tmp", "per-child uid", "rlimits")
FALLBACK = {
    "network namespace": "socket module disabled instead",
    "mount hiding": "hidden paths protected by file permissions only",
    "private /tmp": "/tmp shared between children",
    "per-child uid": "children run as the grader's user",
    "rlimits": "no resource limits",
}
CLONE_NEWNET = 0x40000000
CLONE_NEWNS = 0x00020000
MS_REC, MS_PRIVATE = 0x4000, 1 << 18
UID_BASE = 1 << 30  # as autograder.worker


def _try_uid() -> bool:
    pid = os.fork()
    if pid == 0:
        try:
            os.setgroups([])
            os.setgid(UID_BASE + os.getpid())
            os.setuid(UID_BASE + os.getpid())
            os._exit(0)
        except OSError:
            os._exit(1)
    return os.waitpid(pid, 0)[1] == 0


def _measure() -> dict[str, bool]:
    """Try each layer in this (throwaway) process."""
    libc = ctypes.CDLL(None, use_errno=True)
    root = os.geteuid() == 0
    found = {"per-child uid": root and _try_uid()}
    found["network namespace"] = libc.unshare(CLONE_NEWNET) == 0
    mounts = root and libc.unshare(CLONE_NEWNS) == 0
    mounts = mounts and libc.mount(b"none", b"/", None, MS_REC | MS_PRIVATE, None) == 0
    found["mount hiding"] = bool(mounts)
    scratch = False
    if mounts:
        folder = tempfile.mkdtemp(prefix="autograder-probe-")
        scratch = libc.mount(b"none", folder.encode(), b"tmpfs", 0, b"size=1m") == 0
        if scratch:
            libc.umount2(folder.encode(), 2)
        os.rmdir(folder)
    found["private /tmp"] = scratch
    try:
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
        found["rlimits"] = True
    except (ValueError, OSError):
        found["rlimits"] = False
    return found


def probe() -> dict[str, bool]:
    """layer → active, measured in a fresh process (nothing here changes)."""
    proc = subprocess.run(
        [sys.executable, "-I", "-B", "-m", "autograder.isolation"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    try:
        found = json.loads(proc.stdout)
    except ValueError:
        found = {}
    return {layer: bool(found.get(layer)) for layer in LAYERS}


def missing(found: dict[str, bool]) -> list[str]:
    return [layer for layer in LAYERS if not found.get(layer)]


def statement(found: dict[str, bool]) -> str:
    """One line: 'isolation: network namespace ✓, …' with each missing layer's fallback."""
    parts = [
        f"{layer} ✓" if found.get(layer) else f"{layer} ✗ ({FALLBACK[layer]})" for layer in LAYERS
    ]
    verdict = "full" if not missing(found) else "WEAKENED"
    return f"isolation {verdict}: " + ", ".join(parts)


if __name__ == "__main__":
    print(json.dumps(_measure()))
