"""Each child's own cgroup: its processes, wherever they move, share one CPU, memory and
process budget, die with it, and the group is gone after it."""

import os
import time

import autograder_corpus as corpus
import pytest

from autograder import cgroups
from autograder.errors import Delegation
from autograder.limits import Limits
from autograder.pool import Zygote
from autograder.sandbox import RemoteSubmission, Sandbox

pytestmark = pytest.mark.slow

USABLE = bool(cgroups.hierarchies())

BURN = """
import os
def burn(n, marker):
    for _ in range(n):
        if os.fork() == 0:  # each in its own session: out of the child's process group
            os.setsid()
            os.execvp("sh", ["sh", "-c", "while :; do :; done", marker])
    return n
"""


def _burners(marker):
    return corpus.processes_running(["sh", "-c", "while :; do :; done", marker])


@pytest.mark.skipif(not USABLE, reason="no cgroup controller can be used here (not root?)")
@pytest.mark.parametrize("pooled", [True, False], ids=["forked", "spawned"])
def test_burners_in_their_own_sessions_stay_in_the_childs_group_and_die_with_it(pooled):
    marker = f"burner-{os.getpid()}-{pooled}"
    zygote = Zygote() if pooled else None
    limits = Limits(timeout=30, cpus=0.5, processes=100)
    sandbox = Sandbox("adam", [("x-solution", BURN)], limits, pool=zygote)
    try:
        sandbox.start()
        assert sandbox.report["cgroup"].startswith("own cgroup: cpu")
        group = sandbox.cgroup
        # the own-work guard records the programs started (a Delegation, 0 points), and the
        # burners run all the same: the group must hold them
        with pytest.raises(Delegation, match="started another program"):
            RemoteSubmission(sandbox).burn(6, marker)
        deadline = time.monotonic() + 10
        while len(_burners(marker)) < 6 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert len(_burners(marker)) == 6
        assert set(_burners(marker)) <= group.processes()  # setsid does not leave the group
        for folder in group.folders:
            if "/cpu" in folder and os.path.exists(os.path.join(folder, "cpu.cfs_quota_us")):
                assert open(os.path.join(folder, "cpu.cfs_quota_us")).read().strip() == "50000"
            if os.path.exists(os.path.join(folder, "pids.max")):
                assert open(os.path.join(folder, "pids.max")).read().strip() == "100"
    finally:
        sandbox.close()
        if zygote is not None:
            zygote.close()
    assert _burners(marker) == []  # even spawned (--no-pool): the group is emptied
    ours = f"{cgroups.PREFIX}{os.getpid()}-"  # this test process is the judge
    assert [g for g in cgroups.leftover_groups() if os.path.basename(g).startswith(ours)] == []


def test_without_cgroups_the_rlimits_still_apply(monkeypatch):
    monkeypatch.setattr(cgroups, "hierarchies", lambda: [])
    group, text = cgroups.ChildGroup.make(os.getpid(), cpus=1, memory=1 << 30, processes=9)
    assert group is None and "rlimits only" in text


def test_groups_of_killed_judges_are_removed(tmp_path, monkeypatch):
    dead = tmp_path / "autograder-999999999-5"
    alive = tmp_path / f"autograder-{os.getpid()}-6"
    dead.mkdir()
    alive.mkdir()
    (tmp_path / "other").mkdir()
    monkeypatch.setattr(cgroups, "hierarchies", lambda: [cgroups.Hierarchy(str(tmp_path), 2, ())])
    assert cgroups.remove_stale() == 1
    assert not dead.exists() and alive.exists() and (tmp_path / "other").exists()


def test_a_group_still_busy_at_close_is_removed_when_the_judge_exits(tmp_path, monkeypatch):
    """Hundreds of processes can take longer to die than `remove` waits on a loaded machine:
    the group is kept aside and removed again at exit (a plain folder stands in for the group;
    a file inside makes rmdir fail as a group that still holds processes does)."""
    folder = tmp_path / "autograder-1-2"
    folder.mkdir()
    (folder / "still-dying").write_text("")
    monkeypatch.setattr(cgroups, "_deferred", [])
    cgroups.ChildGroup([str(folder)]).remove_or_defer()
    assert folder.exists() and len(cgroups._deferred) == 1
    assert cgroups.remove_deferred(timeout=0.05) == 1  # still busy: kept for later
    (folder / "still-dying").unlink()  # its processes are gone
    assert cgroups.remove_deferred(timeout=0.05) == 0 and not folder.exists()


def test_v2_is_preferred_and_v1_gives_what_v2_cannot(tmp_path, monkeypatch):
    """A hybrid host: the judge's v2 group can delegate `pids` only; cpu and memory come from
    the v1 hierarchies (the judge's own group in each); a controller is never used twice."""
    unified, cpu, memory = tmp_path / "unified", tmp_path / "cpu", tmp_path / "memory"
    (unified / "judge").mkdir(parents=True)
    (unified / "judge" / "cgroup.controllers").write_text("pids hugetlb\n")
    (unified / "judge" / "cgroup.subtree_control").write_text("pids\n")
    (cpu / "batch").mkdir(parents=True)
    (memory / "batch").mkdir(parents=True)  # /job/batch, seen through a mount of /job
    mounts = [
        (str(unified), "/", "cgroup2", {"rw"}),
        (str(cpu), "/", "cgroup", {"rw", "cpu"}),
        (str(memory), "/job", "cgroup", {"rw", "memory"}),  # mounted from inside the hierarchy
        (str(tmp_path / "pids"), "/", "cgroup", {"rw", "pids"}),
    ]
    own = {"": "/judge", "cpu": "/batch", "memory": "/job/batch", "pids": "/"}
    monkeypatch.setattr(cgroups, "_mounts", lambda: mounts)
    monkeypatch.setattr(cgroups, "_own_groups", lambda: own)
    assert cgroups.hierarchies() == [
        cgroups.Hierarchy(str(unified / "judge"), 2, ("pids",)),
        cgroups.Hierarchy(str(cpu / "batch"), 1, ("cpu",)),
        cgroups.Hierarchy(str(memory / "batch"), 1, ("memory",)),
    ]
    v2 = cgroups.Hierarchy("x", 2, ("cpu", "memory", "pids"))
    assert dict(cgroups._limit_files(v2, 0.5, 1 << 30, 64)) == {
        "cpu.max": "50000 100000",
        "memory.max": str(1 << 30),
        "memory.swap.max": "0",
        "pids.max": "64",
    }


WHERE = """
def where():
    return open("/proc/self/cgroup").read()
"""


@pytest.mark.skipif(not USABLE, reason="no cgroup controller can be used here (not root?)")
@pytest.mark.parametrize("child_joins", [True, False], ids=["joins-itself", "moved-by-judge"])
def test_the_child_is_in_its_group_before_its_cells_run(child_joins, monkeypatch):
    """A v1 child moves itself in (cheap: no global lock); where it cannot, the judge moves it
    before sending the cells. Either way every folder of the group lists it."""
    if not child_joins:
        monkeypatch.setattr(cgroups.ChildGroup, "self_join_files", lambda self: [])
    zygote = Zygote()
    sandbox = Sandbox("adam", [("x-solution", WHERE)], Limits(timeout=30), pool=zygote)
    try:
        sandbox.start()
        group = sandbox.cgroup
        v1 = len(group.v1)
        assert sandbox.report["cgroup_joined"] == (v1 if child_joins else 0)
        assert "not joined" not in sandbox.report["cgroup"]
        for folder in group.folders:  # seen from the judge
            assert str(sandbox.process.pid) in open(os.path.join(folder, "cgroup.procs")).read()
        seen = RemoteSubmission(sandbox).where()  # seen from the child
        for folder in group.folders:
            assert os.path.basename(folder) in seen
    finally:
        sandbox.close()
        zygote.close()
