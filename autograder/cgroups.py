"""A CPU, memory and process budget of its own for each sandboxed child (Linux cgroups).

Rlimits are per process (`RLIMIT_AS`, `RLIMIT_CPU`) or per uid (`RLIMIT_NPROC`): 400 processes
of one child, each within its limits, can still take every core and starve a child graded
beside it. A control group counts all the processes of one child together:

    cpu     at most `Limits.cpus` cores for the whole child (cpu.max, or cfs_quota_us in v1);
            the scheduler also shares the CPU between groups, not between processes
    memory  `Limits.memory_bytes` for the whole child (memory.max, no swap; v1 limit_in_bytes)
    pids    `Limits.processes` processes and threads for the whole child (pids.max)

The judge makes the group `autograder-<judge pid>-<child pid>` below its own group, one per
controller hierarchy that offers the controller (cgroup v2, where the judge's group can give
the controllers to its children; else the v1 hierarchies of a hybrid host) before the child is
sent its set-up. The child moves itself into the v1 ones first thing in its set-up (cheap, see
`ChildGroup.self_join_files`); the judge checks, and moves it in wherever it is not listed yet
(v2, or a failed self-move), before sending its cells, so before any learner code. The judge
removes the group once the child is
reaped, after killing whatever is left in it; a group whose processes take longer than that to
die (hundreds of them on a loaded machine) is removed again when the judge exits
(`remove_deferred`). Groups of judges killed with SIGKILL are removed by the next batch
(`remove_stale`). Needs write access to the hierarchy (root); where no
controller can be used, `ChildGroup.make` returns None and only the rlimits apply (see
autograder/README.md).
"""

from __future__ import annotations

import atexit
import contextlib
import multiprocessing.util
import os
import signal
import time
from dataclasses import dataclass

PREFIX = "autograder-"
CONTROLLERS = ("cpu", "memory", "pids")
CPU_PERIOD_US = 100_000
DEFERRED_TIMEOUT = 60.0  # seconds the exiting judge waits for the processes of a deferred group
_deferred: list[ChildGroup] = []  # groups not yet empty when their child was closed


@dataclass(frozen=True)
class Hierarchy:
    """Where the judge's own group is in one cgroup hierarchy, and what it controls there."""

    folder: str  # the judge's group, as a folder
    version: int  # 1 or 2
    controllers: tuple[str, ...]


def _mounts() -> list[tuple[str, str, str, set[str]]]:
    """(mount point, root inside the hierarchy, fs type, options) of every cgroup mount."""
    out = []
    with open("/proc/self/mountinfo") as f:
        for line in f:
            fields = line.split()
            sep = fields.index("-")
            fstype = fields[sep + 1]
            if fstype in ("cgroup", "cgroup2"):
                options = set(fields[sep + 3].split(",")) | set(fields[5].split(","))
                out.append((fields[4], fields[3], fstype, options))
    return out


def _own_groups() -> dict[str, str]:
    """controller (or "" for v2) → the judge's group path, from /proc/self/cgroup."""
    groups = {}
    with open("/proc/self/cgroup") as f:
        for line in f:
            _, names, path = line.rstrip("\n").split(":", 2)
            for name in names.split(",") if names else [""]:
                groups[name] = path
    return groups


def _inside(mount: str, root: str, path: str) -> str | None:
    if root != "/" and not (path == root or path.startswith(root + "/")):
        return None
    relative = path[len(root) :] if root != "/" else path
    return os.path.join(mount, relative.lstrip("/"))


def _read(path: str) -> str:
    with open(path) as f:
        return f.read()


def _write(path: str, text: str) -> None:
    """Write a control file (never created: a missing one raises FileNotFoundError)."""
    fd = os.open(path, os.O_WRONLY | os.O_CLOEXEC)
    try:
        os.write(fd, text.encode())
    finally:
        os.close(fd)


def hierarchies() -> list[Hierarchy]:
    """The hierarchies where a child's group can get cpu, memory or pids limits (each
    controller once: v2 first, v1 for what v2 does not give). Empty without write access."""
    try:
        mounts, own = _mounts(), _own_groups()
    except OSError:
        return []
    found: list[Hierarchy] = []
    given: set[str] = set()
    for mount, root, fstype, _ in mounts:
        if fstype != "cgroup2" or "" not in own:
            continue
        folder = _inside(mount, root, own[""])
        if folder is None or not os.access(folder, os.W_OK):
            continue
        try:
            available = set(_read(os.path.join(folder, "cgroup.controllers")).split())
            wanted = [c for c in CONTROLLERS if c in available]
            enabled = set(_read(os.path.join(folder, "cgroup.subtree_control")).split())
            missing = [c for c in wanted if c not in enabled]
            if missing:  # refused when the judge's group holds processes (not the root)
                _write(
                    os.path.join(folder, "cgroup.subtree_control"),
                    " ".join(f"+{c}" for c in missing),
                )
            enabled = set(_read(os.path.join(folder, "cgroup.subtree_control")).split())
        except OSError:
            continue
        controllers = tuple(c for c in wanted if c in enabled)
        if controllers:
            found.append(Hierarchy(folder, 2, controllers))
            given.update(controllers)
    for mount, root, fstype, options in mounts:
        if fstype != "cgroup":
            continue
        controllers = tuple(c for c in CONTROLLERS if c in options and c not in given)
        if not controllers or controllers[0] not in own:
            continue
        folder = _inside(mount, root, own[controllers[0]])
        if folder is not None and os.access(folder, os.W_OK):
            found.append(Hierarchy(folder, 1, controllers))
            given.update(controllers)
    return found


def _limit_files(hierarchy: Hierarchy, cpus: float, memory: int, pids: int) -> list[tuple]:
    quota = str(max(1000, int(cpus * CPU_PERIOD_US)))
    files = []
    for controller in hierarchy.controllers:
        if hierarchy.version == 2:
            files += {
                "cpu": [("cpu.max", f"{quota} {CPU_PERIOD_US}")],
                "memory": [("memory.max", str(memory)), ("memory.swap.max", "0")],
                "pids": [("pids.max", str(pids))],
            }[controller]
        else:
            files += {
                "cpu": [("cpu.cfs_period_us", str(CPU_PERIOD_US)), ("cpu.cfs_quota_us", quota)],
                "memory": [("memory.limit_in_bytes", str(memory))],
                "pids": [("pids.max", str(pids))],
            }[controller]
    return files


class ChildGroup:
    """The groups (one per hierarchy) of one child: made, joined, emptied and removed."""

    def __init__(self, folders: list[str], v1: set[str] | None = None) -> None:
        self.folders = folders
        self.v1 = v1 or set()  # the folders in v1 hierarchies (a child can join those itself)

    @classmethod
    def make(
        cls, pid: int, *, cpus: float, memory: int, processes: int
    ) -> tuple[ChildGroup | None, str]:
        """A new group for the process `pid` with these budgets, not joined yet: (the group, a
        sentence of what is enforced). (None, why) where no controller can be used."""
        found = hierarchies()
        if not found:
            return None, "no cgroup controller usable (rlimits only)"
        name = f"{PREFIX}{os.getpid()}-{pid}"
        group = cls([], set())
        enforced: list[str] = []
        for hierarchy in found:
            folder = os.path.join(hierarchy.folder, name)
            try:
                os.mkdir(folder, 0o755)
            except OSError:
                continue
            group.folders.append(folder)
            try:
                for file, value in _limit_files(hierarchy, cpus, memory, processes):
                    with contextlib.suppress(FileNotFoundError):  # memory.swap.max: no swap
                        _write(os.path.join(folder, file), value)
            except OSError:
                continue
            if hierarchy.version == 1:
                group.v1.add(folder)
            enforced += [f"{c} (v{hierarchy.version})" for c in hierarchy.controllers]
        if not enforced:
            group.remove()
            return None, "no cgroup could be made (rlimits only)"
        text = (
            f"own cgroup: {', '.join(enforced)}; {cpus:g} CPU, {memory >> 20} MiB, "
            f"{processes} processes for all its processes together"
        )
        return group, text

    def self_join_files(self) -> list[str]:
        """The v1 `tasks` files a single-threaded child writes 0 to, to move itself in.

        A thread that moves itself skips the kernel's global cgroup_threadgroup_rwsem, whose
        write side waits for an RCU grace period: the judge's write of the child's pid to
        cgroup.procs took ~11 ms here, the child's own write of 0 to `tasks` 0.3 ms. The judge
        still checks membership afterwards (`join`)."""
        return sorted(os.path.join(folder, "tasks") for folder in self.v1)

    def join(self, pid: int) -> list[str]:
        """Move the process `pid` (all its threads) into each folder that does not list it
        yet; returns the folders it could not be moved into."""
        failed = []
        for folder in self.folders:
            try:
                if str(pid) in _read(os.path.join(folder, "cgroup.procs")).split():
                    continue
                _write(os.path.join(folder, "cgroup.procs"), str(pid))
            except OSError:
                failed.append(folder)
        return failed

    def processes(self) -> set[int]:
        pids: set[int] = set()
        for folder in self.folders:
            with contextlib.suppress(OSError):
                pids |= {int(p) for p in _read(os.path.join(folder, "cgroup.procs")).split()}
        return pids

    def remove(self, timeout: float = 5.0) -> bool:
        """Kill every process left in the group, then remove it; True when it is gone."""
        deadline = time.monotonic() + timeout
        for folder in self.folders:
            with contextlib.suppress(OSError):  # v2: one write kills the whole group
                _write(os.path.join(folder, "cgroup.kill"), "1")
        while True:
            for pid in self.processes():
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
            left = []
            for folder in self.folders:
                try:
                    os.rmdir(folder)
                except FileNotFoundError:
                    pass
                except OSError:
                    left.append(folder)
            self.folders = left
            if not left or time.monotonic() > deadline:
                return not left
            time.sleep(0.02)

    def remove_or_defer(self) -> None:
        """Remove the group now, or, when its processes are still dying, once more when the
        judge exits (`remove_deferred`)."""
        if not self.remove():
            _deferred.append(self)


def remove_deferred(timeout: float = DEFERRED_TIMEOUT) -> int:
    """Remove the groups that were not yet empty when their child was closed; returns how many
    are still left (0 unless their processes outlive `timeout` seconds after SIGKILL)."""
    while _deferred:
        if not _deferred[-1].remove(timeout):
            break
        _deferred.pop()
    return len(_deferred)


# At the judge's exit: a plain process runs atexit; a multiprocessing worker (the CLI's --jobs)
# ends with os._exit after running multiprocessing's own exit finalizers.
atexit.register(remove_deferred)
multiprocessing.util.Finalize(None, remove_deferred, exitpriority=0)


def leftover_groups() -> list[str]:
    """Every `autograder-*` group below the judge's groups (after a batch: none)."""
    out = []
    for hierarchy in hierarchies():
        with contextlib.suppress(OSError):
            out += [
                os.path.join(hierarchy.folder, e)
                for e in os.listdir(hierarchy.folder)
                if e.startswith(PREFIX)
            ]
    return sorted(out)


def _judge_runs(folder: str) -> bool:
    """Does the judge named in `autograder-<judge pid>-<child pid>` still run?"""
    judge = os.path.basename(folder).removeprefix(PREFIX).split("-", 1)[0]
    if not judge.isdigit():
        return True  # not a name of ours: leave it alone
    try:
        os.kill(int(judge), 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def stale_groups() -> list[str]:
    """The `autograder-*` groups of judges that no longer run (after a batch: none)."""
    return [folder for folder in leftover_groups() if not _judge_runs(folder)]


def remove_stale() -> int:
    """Remove the groups of judges that no longer run (killed with SIGKILL): their pid in
    `autograder-<judge pid>-<child pid>` is gone. Returns how many were removed."""
    return sum(ChildGroup([folder]).remove() for folder in stale_groups())
