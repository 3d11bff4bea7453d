"""The warm pool: children forked from a zygote get exactly the isolation of spawned ones."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import autograder_corpus as corpus
import pytest

from autograder.errors import SandboxFailure, Timeout
from autograder.limits import Limits
from autograder.pool import Zygote
from autograder.sandbox import RemoteSubmission, Sandbox

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]

PROBE = """
import os
def probe():
    return {
        "uid": os.getuid(),
        "session_leader": os.getsid(0) == os.getpid(),
        "torch_threads": torch.get_num_threads(),
        "os_threads": len(os.listdir("/proc/self/task")),
        "cwd_empty": os.listdir(".") == [],
        "env": sorted(os.environ),
    }
def kill(pids):
    out = []
    for pid in pids:
        try:
            os.kill(pid, 9)
            out.append("killed")
        except OSError as error:
            out.append(type(error).__name__)
    return out
"""


@pytest.fixture(scope="module")
def zygote():
    z = Zygote()
    yield z
    z.close()


def _start(zygote, source=PROBE, timeout=20.0):
    sandbox = Sandbox("adam", [("x-solution", source)], Limits(timeout=timeout), pool=zygote)
    sandbox.start()
    return sandbox


def test_zygote_is_single_threaded_and_children_are_isolated(zygote):
    sandbox = _start(zygote)
    try:
        assert zygote.ready["threads"] == 1  # fork-safe: no torch/BLAS pool started
        report = sandbox.report
        assert report["process"].startswith("forked from the warm zygote")
        probe = RemoteSubmission(sandbox).probe()
        assert probe["session_leader"] and probe["cwd_empty"] and probe["torch_threads"] == 1
        assert probe["os_threads"] == 1 and "AUTOGRADER_SECRET" not in probe["env"]
        if os.geteuid() == 0:
            assert probe["uid"] >= 1 << 30 and report["user"].startswith("unprivileged")
            assert report["network"].startswith("private network namespace")
            assert "course paths hidden" in report["files"]
    finally:
        sandbox.close()


GRADER = """
import sys
def grader():
    try:
        import autograder.reference  # noqa: F401
        blocked = False
    except ImportError:
        blocked = True
    return {
        "modules": [m for m in sys.modules if m.split(".")[0] in ("autograder", "trainlab")],
        "blocked": blocked,
        "no_user_site": bool(sys.flags.no_user_site),
        "cwd_on_path": any(p in ("", ".", "/") for p in sys.path),
    }
"""


def test_a_forked_child_forgets_the_grader_and_keeps_pythons_isolation(zygote):
    """The zygote lists the grader's modules once; each child drops exactly those (and any
    imported since) and refuses to import them again; -s -P (-I without -E) hold."""
    sandbox = _start(zygote, GRADER)
    try:
        seen = RemoteSubmission(sandbox).grader()
    finally:
        sandbox.close()
    assert seen == {"modules": [], "blocked": True, "no_user_site": True, "cwd_on_path": False}
    environ = Path(f"/proc/{zygote.process.pid}/environ").read_bytes().split(b"\0")
    assert b"PYTHONMALLOC=malloc" in environ  # the heap in huge pages (FORK_FRIENDLY_HEAP)


def test_the_list_of_grader_modules_is_made_again_when_sys_modules_changed():
    """A module imported after the zygote's list was made is forgotten too (fresh process)."""
    code = (
        "import sys\n"
        "from autograder import worker\n"
        "worker.remember_grader_modules()\n"
        "import autograder.errors, trainlab.seed\n"
        "worker._forget_grader()\n"
        "left = [m for m in sys.modules if m.split('.')[0] in ('autograder', 'trainlab')]\n"
        "assert left == [], left\n"
        "try:\n"
        "    import trainlab\n"
        "except ImportError:\n"
        "    print('blocked')\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "blocked"


def test_forked_children_are_fast(zygote):
    _start(zygote).close()  # the zygote is warm
    start = time.monotonic()
    for _ in range(3):
        _start(zygote).close()
    assert (time.monotonic() - start) / 3 < 1.5  # a spawned child takes 2–3 s (torch import)


def test_timeout_and_crash_cost_only_that_child(zygote):
    sandbox = _start(zygote, "def f():\n    while True:\n        pass\n", timeout=1.5)
    try:
        with pytest.raises(Timeout, match="did not finish within the 1.5 s"):
            RemoteSubmission(sandbox).f()
    finally:
        sandbox.close()
    sandbox = _start(zygote, "import ctypes\ndef f():\n    return ctypes.string_at(0)\n")
    try:
        with pytest.raises(SandboxFailure, match="segmentation fault"):
            RemoteSubmission(sandbox).f()
    finally:
        sandbox.close()
    sandbox = Sandbox("adam", [("x", "import os\nos._exit(7)\n")], Limits(), pool=zygote)
    try:
        with pytest.raises(SandboxFailure, match="exit code 7"):
            sandbox.start()
    finally:
        sandbox.close()
    sandbox = _start(zygote)
    try:
        assert RemoteSubmission(sandbox).probe()["cwd_empty"]  # the next child is fine
    finally:
        sandbox.close()


def test_a_dead_zygote_is_restarted(zygote):
    _start(zygote).close()
    starts = zygote.starts
    os.kill(zygote.process.pid, signal.SIGKILL)
    zygote.process.wait()
    sandbox = _start(zygote)
    try:
        assert RemoteSubmission(sandbox).probe()["torch_threads"] == 1
        assert zygote.starts == starts + 1
    finally:
        sandbox.close()


@pytest.mark.skipif(os.geteuid() != 0, reason="as the same non-root user the child CAN signal")
def test_the_child_cannot_signal_the_judge_the_zygote_or_another_child(zygote):
    sandbox, other = _start(zygote), _start(zygote)
    try:
        judge, parent, neighbour = os.getpid(), zygote.process.pid, other.process.pid
        # refused, or (each child in its own PID namespace) not even visible
        outcomes = RemoteSubmission(sandbox).kill([judge, parent, neighbour])
        assert set(outcomes) <= {"PermissionError", "ProcessLookupError"}, outcomes
        assert zygote.alive() and RemoteSubmission(other).probe()["cwd_empty"]
    finally:
        sandbox.close()
        other.close()


DAEMON = """
import os
def daemonize(marker):
    if os.fork() == 0:  # the classic escape: fork, leave the session, fork again, orphan
        os.setsid()
        if os.fork() == 0:
            os.execvp("sleep", ["sleep", marker])
        os._exit(0)
    return os.getpid()
"""


def test_a_daemon_started_by_learner_code_dies_with_its_exercise(zygote):
    marker = f"{86000 + os.getpid() % 400}"  # a sleep nobody else runs
    sandbox = _start(zygote, DAEMON)
    try:
        RemoteSubmission(sandbox).daemonize(marker)
        deadline = time.monotonic() + 10
        while not corpus.processes_running(["sleep", marker]) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert corpus.processes_running(["sleep", marker]), "the daemon never started"
    finally:
        sandbox.close()
    # killed before the judge learns that the child ended
    assert corpus.processes_running(["sleep", marker]) == []
    sandbox = _start(zygote)
    try:
        assert RemoteSubmission(sandbox).probe()["cwd_empty"]  # the zygote still serves
    finally:
        sandbox.close()


SCRATCH = """
import os
def scribble(name):
    found = {}
    for folder in ("/tmp", "/var/tmp", "/dev/shm"):
        with open(os.path.join(folder, name), "w") as f:
            f.write("left for the next submission")
        found[folder] = sorted(os.listdir(folder))
    written = 0
    try:
        for i in range(8):  # 128 MiB in files of 16 MiB, the largest RLIMIT_FSIZE allows
            with open(f"/tmp/fill{i}", "wb") as f:
                f.write(b"x" * (16 << 20))
            written += 16
    except OSError as error:
        found["error"] = type(error).__name__ + f" after {written} MiB"
    return found
"""


@pytest.mark.skipif(os.geteuid() != 0, reason="mount namespaces need the judge to run as root")
def test_scratch_folders_are_private_tmpfs_of_bounded_size(zygote):
    name = f"left-by-a-learner-{os.getpid()}"
    sandbox = _start(zygote, SCRATCH)
    workdir = os.path.basename(sandbox.workdir)
    try:
        found = RemoteSubmission(sandbox).scribble(name)
        assert "private /tmp, /var/tmp, /dev/shm" in sandbox.report["scratch"]
    finally:
        sandbox.close()
    # the Python installation stays visible where it is (a checkout under /tmp, with its .venv)
    python = {os.path.realpath(p) for p in (sys.prefix, sys.base_prefix)}
    kept = {p.split("/")[2] for p in python if p.startswith("/tmp/")}
    assert found["/tmp"] == sorted({workdir, name} | kept) and workdir.startswith("autograder-")
    assert found["/var/tmp"] == [name] and found["/dev/shm"] == [name]
    assert found["error"].startswith("OSError after 48 MiB")  # 64 MiB of tmpfs: the 4th file
    for folder in ("/tmp", "/var/tmp", "/dev/shm"):
        assert not os.path.exists(os.path.join(folder, name))


PROBE_FROM_A_TMP_VENV = """
import sys
from autograder.limits import Limits
from autograder.pool import Zygote
from autograder.sandbox import RemoteSubmission, Sandbox

source = "def f():\\n    import probe_module\\n    return probe_module.ANSWER\\n"
zygote = Zygote()
sandbox = Sandbox("adam", [("x-solution", source)], Limits(timeout=30), pool=zygote)
try:
    sandbox.start()
    print(sandbox.report["scratch"])
    print("answer", RemoteSubmission(sandbox).f())
finally:
    sandbox.close()
    zygote.close()
"""


@pytest.mark.skipif(os.geteuid() != 0, reason="mount namespaces need the judge to run as root")
def test_a_python_installation_under_tmp_stays_importable(tmp_path):
    """A course checkout under /tmp (its .venv too) keeps its modules under the private /tmp."""
    import subprocess
    import sysconfig
    import venv

    assert str(tmp_path).startswith("/tmp/")
    env = tmp_path / "venv"
    venv.create(env)
    site = next(env.glob("lib/python*/site-packages"))
    # torch & co from this venv, the course from the checkout (as an editable install would)
    (site / "course.pth").write_text(f"{sysconfig.get_paths()['purelib']}\n{ROOT}\n")
    (site / "probe_module.py").write_text("ANSWER = 42\n")  # only inside the /tmp venv
    proc = subprocess.run(
        [str(env / "bin" / "python"), "-c", PROBE_FROM_A_TMP_VENV],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
        env={"PATH": "/usr/bin:/bin"},
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "private /tmp" in proc.stdout and "answer 42" in proc.stdout, proc.stdout + proc.stderr


SHM = """
import ctypes, os
libc = ctypes.CDLL(None, use_errno=True)
libc.shmat.restype = ctypes.c_void_p
libc.shmat.argtypes = [ctypes.c_int, ctypes.c_void_p, ctypes.c_int]
IPC_CREAT = 0o1000

def share(key, size):
    shmid = libc.shmget(key, size, IPC_CREAT | 0o666)
    if shmid < 0:
        return "shmget failed: errno %d" % ctypes.get_errno()
    address = libc.shmat(shmid, None, 0)
    ctypes.memmove(address, b"left for the next child", 23)
    return shmid

def peek(key):
    shmid = libc.shmget(key, 0, 0o666)
    if shmid < 0:
        return "errno %d" % ctypes.get_errno()
    address = libc.shmat(shmid, None, 0)
    return ctypes.string_at(address, 23).decode()

def processes():
    return sorted(int(p) for p in os.listdir("/proc") if p.isdigit()), os.getpid()
"""


def _shm_keys() -> set[int]:
    with open("/proc/sysvipc/shm") as f:
        return {int(line.split()[0]) for line in f.read().splitlines()[1:]}


@pytest.mark.skipif(os.geteuid() != 0, reason="namespaces need the judge to run as root")
def test_ipc_and_pid_namespaces_are_private_to_each_child(zygote):
    """A 256 MiB SysV segment made by one child is gone with it and never seen by another;
    a child is pid 1 of its own PID namespace and sees no other process in /proc."""
    key = 0x5EED0000 + os.getpid() % 0xFFFF
    before = _shm_keys()
    first, second = _start(zygote, SHM), _start(zygote, SHM)
    try:
        assert isinstance(RemoteSubmission(first).share(key, 256 << 20), int)
        assert RemoteSubmission(first).peek(key) == "left for the next child"
        assert RemoteSubmission(second).peek(key) == "errno 2"  # ENOENT: another namespace
        assert "private IPC namespace" in first.report["ipc"]
        assert first.report["pids"].startswith("private PID namespace and /proc")
        pids, own = RemoteSubmission(second).processes()
        assert own == 1 and pids == [1]
    finally:
        first.close()
        second.close()
    later = _start(zygote, SHM)
    try:
        assert RemoteSubmission(later).peek(key) == "errno 2"
    finally:
        later.close()
    assert key not in _shm_keys() and _shm_keys() <= before
