"""One CPU per grading worker: the judge, its zygote and every child they start share it.

Grading is a conversation: the judge sends a call and waits; the child computes, answers and
waits for the next one. The two never run at the same time, so they lose nothing by sharing a
CPU, and they gain the cheap wake-up of a process on the same CPU. On a virtual machine a
wake-up on another CPU is an inter-processor interrupt through the hypervisor: a pipe round
trip measured 7-14 µs within one CPU and 210-270 µs across two on the 2-core machines this
course is tested on (a check makes ~400 calls per student).

Pinning is done only where it cannot cost parallelism: at most one worker per allowed CPU.
With more workers than CPUs the scheduler places them, as before.
"""

from __future__ import annotations

import os
from typing import Any


def allowed_cpus() -> list[int]:
    """The CPUs this process may run on (all of them where the platform cannot say)."""
    if hasattr(os, "sched_getaffinity"):
        return sorted(os.sched_getaffinity(0))
    return list(range(os.cpu_count() or 1))


def plan(workers: int) -> list[int]:
    """The CPU of each of `workers` workers, or [] when they should not be pinned (more workers
    than allowed CPUs, or a platform without `sched_setaffinity`)."""
    cpus = allowed_cpus()
    if not hasattr(os, "sched_setaffinity") or not 1 <= workers <= len(cpus):
        return []
    return cpus[:workers]


def pin(cpu: int) -> None:
    """Run this process, and every process it starts from now on, on `cpu` only."""
    try:
        os.sched_setaffinity(0, {cpu})
    except OSError:  # a CPU taken away since `plan` (cpuset changed): stay unpinned
        pass


def pin_from(queue: Any) -> None:
    """A pool worker's initializer: take the next CPU of the plan from `queue` and pin to it."""
    pin(queue.get())
