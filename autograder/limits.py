"""The resource limits of one sandboxed child (importable without torch: the CLI's main
process reads its defaults and never imports torch)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class Limits:
    """Resource limits of one child. The CLI sets `timeout` (`--timeout`) and `hide` (its
    inputs, output and secret file); the others are the course's defaults."""

    timeout: float = 60.0  # wall-clock seconds for the learner's code, per exercise
    startup_timeout: float = 120.0  # seconds to import torch on a loaded machine
    cpu_seconds: int = 120  # RLIMIT_CPU, on top of the start-up
    memory_bytes: int = 4 << 30  # RLIMIT_AS (RLIMIT_DATA when CUDA is used); the cgroup's memory
    processes: int = 512  # RLIMIT_NPROC (threads count; per child: each has its own uid); pids
    cpus: float = 1.0  # the cgroup's CPU quota: cores for all the child's processes together
    cgroup: bool = True  # a cgroup of its own per child where one can be made (autograder.cgroups)
    open_files: int = 64  # RLIMIT_NOFILE
    file_bytes: int = 16 << 20  # RLIMIT_FSIZE
    output_bytes: int = 64 << 10  # captured stdout/stderr kept (the rest is counted, dropped)
    drop_privileges: bool = True  # as root: become an unprivileged uid of its own in the child
    network_namespace: bool = True  # try unshare(CLONE_NEWNET)
    hide_course: bool = True  # as root: cover the course repository in a mount namespace
    hide: tuple[str, ...] = ()  # more paths to cover (the secret, the submissions, the output)
    scratch_bytes: int = 64 << 20  # as root: a private tmpfs this big over /tmp, /var/tmp, /dev/shm
