"""The warm pool: a pre-started "zygote" that forks one sandboxed child per (submission, exercise).

Starting a fresh Python and importing torch costs ~2–3 s per child. The zygote pays it once:

    judge (trusted)                               zygote (python -I -B -m autograder.pool FD)
    ───────────────                               ──────────────────────────────────────────
    Zygote.fork(pipes, workdir, env) ──SCM_RIGHTS──►  imported numpy, torch, the grader's
        ◄── {"kind": "forked", "pid": P}              child modules (and, as root with a
        ◄── {"kind": "exit", "pid": P, "code": c}     private stdlib, the standard library)
                                                      BEFORE any learner code; one thread.
                                                      fork() → the child: setsid, its own
                                                      pipes on fd 1/2, the scrubbed env, the
                                                      empty workdir, then `worker.serve`,
                                                      which applies the usual isolation.

The judge then talks to the forked child over its own pipes exactly as to a spawned one
(`autograder.protocol`, plain data). The zygote never runs learner code, never sees the
secret (it is started from the judge with the scrubbed environment, not forked from it) and
holds no CUDA context (torch initialises CUDA lazily, in the child). It checks that it has a
single thread before forking (`threads` in its `ready` message). If it dies, the next `fork`
starts a new one; a child whose zygote died is killed by `PR_SET_PDEATHSIG`. The zygote is
a child subreaper: a process of learner code that outlives its parent (a daemon) becomes the
zygote's child, wherever it moved in sessions and process groups, and is killed as soon as
any child of the zygote ends — before the judge hears that the exercise's child ended. As
root, each child is forked into a PID namespace of its own (`unshare(CLONE_NEWPID)` before the
fork, `setns` back after it): it is pid 1 there, sees only its own processes once it mounts
its own /proc, and the kernel kills every process left in it when it ends.
"""

from __future__ import annotations

import atexit
import gc
import json
import os
import queue
import select
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import traceback
from typing import Any

MAX_CONTROL = 1 << 16
PR_SET_PDEATHSIG, PR_SET_CHILD_SUBREAPER = 1, 36
CLONE_NEWPID = 0x20000000

# The zygote's heap in transparent huge pages: glibc's malloc asks for them (glibc >= 2.35) and
# PYTHONMALLOC=malloc puts Python's objects there too. Forking a process with torch loaded then
# copies a few hundred page-table entries for its ~150 MB of heap instead of ~37,000, and a
# child's exit frees as few. Measured here: the zygote's CPU per fork 9 -> 1-3 ms (a bare fork
# and exit of a process with torch loaded: 20 -> 5 ms). Ignored where huge pages are off or
# glibc is older.
FORK_FRIENDLY_HEAP = {"PYTHONMALLOC": "malloc", "GLIBC_TUNABLES": "glibc.malloc.hugetlb=1"}
# -I without its -E (which would ignore PYTHONMALLOC): no user site, no cwd on sys.path; the
# environment is ours (`scrubbed_environment`). -P needs Python 3.11.
ISOLATED = ("-s", "-P") if sys.version_info >= (3, 11) else ("-I",)


class ZygoteError(Exception):
    """The zygote could not be started or stopped answering."""


class ForkedChild:
    """The judge's handle on a child forked by the zygote (what the sandbox uses of `Popen`)."""

    def __init__(self, zygote: Zygote, pid: int) -> None:
        self.zygote, self.pid = zygote, pid
        self.returncode: int | None = None

    def poll(self) -> int | None:
        if self.returncode is None:
            self.returncode = self.zygote.exit_code(self.pid, timeout=0)
        return self.returncode

    def wait(self, timeout: float | None = None) -> int | None:
        if self.returncode is None:
            code = self.zygote.exit_code(self.pid, timeout=timeout)
            if code is None:
                raise subprocess.TimeoutExpired(f"forked child {self.pid}", timeout or 0)
            self.returncode = code
        return self.returncode


class Zygote:
    """Judge side of the zygote: start it, ask it to fork, learn its children's exit codes."""

    def __init__(self, startup_timeout: float = 120.0) -> None:
        self.startup_timeout = startup_timeout
        self.process: subprocess.Popen | None = None
        self.ready: dict[str, Any] = {}
        self.starts = 0
        self._sock: socket.socket | None = None
        self._lock = threading.Lock()
        self._changed = threading.Condition()
        self._exits: dict[int, int] = {}
        self._forked: queue.Queue[dict[str, Any] | None] = queue.Queue()
        self._dead = True

    # ----------------------------------------------------------------- life cycle
    def alive(self) -> bool:
        return not self._dead and self.process is not None and self.process.poll() is None

    def _start(self) -> None:
        from autograder.sandbox import scrubbed_environment
        from autograder.workdirs import inductor_cache_dir, process_workdir

        self.close()
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        try:
            self.process = subprocess.Popen(
                [sys.executable, *ISOLATED, "-B", "-m", "autograder.pool", str(theirs.fileno())],
                pass_fds=(theirs.fileno(),),
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                cwd="/",  # each child gets its own empty directory
                env={
                    **scrubbed_environment(tempfile.gettempdir()),
                    "TORCHINDUCTOR_CACHE_DIR": inductor_cache_dir(process_workdir()),
                    **FORK_FRIENDLY_HEAP,
                },
                start_new_session=True,
                close_fds=True,
            )
        finally:
            theirs.close()
        self._sock = ours
        ours.settimeout(self.startup_timeout)
        try:
            data = ours.recv(MAX_CONTROL)
        except OSError as error:
            self.close()
            raise ZygoteError(f"the zygote did not start ({error})") from None
        ours.settimeout(None)
        if not data:
            self.close()
            raise ZygoteError("the zygote exited while starting")
        self.ready = json.loads(data)
        if self.ready.get("threads") != 1:
            self.close()
            raise ZygoteError(f"the zygote has {self.ready.get('threads')} threads: not fork-safe")
        self._dead = False
        self._exits.clear()
        self._forked = queue.Queue()
        self.starts += 1
        threading.Thread(target=self._listen, args=(ours, self._forked), daemon=True).start()

    def _listen(self, sock: socket.socket, forked: queue.Queue) -> None:
        while True:
            try:
                data = sock.recv(MAX_CONTROL)
            except OSError:
                data = b""
            if not data:
                break
            message = json.loads(data)
            if message["kind"] == "forked":
                forked.put(message)
            elif message["kind"] == "exit":
                with self._changed:
                    self._exits[message["pid"]] = message["code"]
                    self._changed.notify_all()
        with self._changed:
            if self._sock is sock:
                self._dead = True
            self._changed.notify_all()
        forked.put(None)

    def close(self) -> None:
        """Stop the zygote (its children die with it)."""
        if self._sock is not None:
            self._sock.close()
            self._sock = None
        if self.process is not None:
            try:
                os.killpg(self.process.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
            self.process.wait()
            self.process = None
        self._dead = True

    # ----------------------------------------------------------------- requests
    def fork(self, fds: tuple[int, int, int], workdir: str, env: dict[str, str]) -> ForkedChild:
        """A child with `fds` = (its input pipe, its output pipe, its stdout+stderr)."""
        with self._lock:
            for _attempt in (1, 2):  # a dead zygote is replaced once
                if not self.alive():
                    self._start()
                assert self._sock is not None
                request = json.dumps({"kind": "fork", "workdir": workdir, "env": env}).encode()
                try:
                    socket.send_fds(self._sock, [request], list(fds))
                    reply = self._forked.get(timeout=30)
                except (OSError, queue.Empty):
                    reply = None
                if reply is not None:
                    return ForkedChild(self, int(reply["pid"]))
                self.close()
            raise ZygoteError("the zygote died twice while forking")

    def exit_code(self, pid: int, timeout: float | None) -> int | None:
        """The child's exit code (negative: killed by that signal), or None if still running.

        If the zygote died, its children were killed with it (PDEATHSIG): -SIGKILL.
        """
        with self._changed:
            self._changed.wait_for(lambda: pid in self._exits or self._dead, timeout)
            if pid in self._exits:
                return self._exits.pop(pid)
            return -signal.SIGKILL if self._dead else None


_shared: Zygote | None = None


def shared() -> Zygote:
    """This process's zygote (created on first use, stopped at exit)."""
    global _shared
    if _shared is None:
        _shared = Zygote()
        atexit.register(_shared.close)
    return _shared


# --------------------------------------------------------------------- the zygote itself
def _thread_count() -> int:
    return len(os.listdir("/proc/self/task"))


def _child(request: dict[str, Any], fds: list[int], closing: list[int]) -> None:
    """In the forked child: become a fresh session with its own pipes, then serve."""
    try:
        signal.set_wakeup_fd(-1)
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        for fd in closing:
            os.close(fd)
        os.setsid()
        in_fd, out_fd, log_fd = fds
        os.dup2(log_fd, 1)
        os.dup2(log_fd, 2)
        os.close(log_fd)
        devnull = os.open(os.devnull, os.O_RDONLY)
        os.dup2(devnull, 0)
        os.close(devnull)
        os.chdir(request["workdir"])
        os.environ.clear()
        os.environ.update(request["env"])
        import tempfile as _tempfile

        _tempfile.tempdir = None
        from autograder import worker

        worker.serve(in_fd, out_fd)
    except BaseException:  # protocol trouble: the judge sees the pipe close
        traceback.print_exc(limit=3)
        sys.stderr.flush()
        os._exit(3)
    sys.stdout.flush()
    os._exit(0)


def _own_children() -> set[int]:
    """The pids whose parent is this process (the zygote has one thread)."""
    pid = os.getpid()
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as f:
            return {int(p) for p in f.read().split()}
    except FileNotFoundError:  # a kernel without CONFIG_PROC_CHILDREN: scan every process
        children = set()
        for entry in os.listdir("/proc"):
            if entry.isdigit():
                try:
                    with open(f"/proc/{entry}/stat") as f:
                        if int(f.read().rsplit(")", 1)[1].split()[1]) == pid:
                            children.add(int(entry))
                except (OSError, IndexError, ValueError):
                    continue
        return children


def _kill_strays(forked: set[int]) -> None:
    """SIGKILL every child of the zygote that it did not fork itself.

    The zygote is a child subreaper, so a process that learner code started and that outlived
    its parent (a daemon: fork, setsid, fork again) becomes the zygote's child instead of
    init's, whatever session or process group it moved to, and is killed here.
    """
    for pid in _own_children() - forked:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


def _pid_namespace_fd() -> int:
    """As root: a descriptor of the zygote's own PID namespace, to return to after forking a
    child into a new one (each child is pid 1 of its own PID namespace: it sees only its own
    processes, and when it ends the kernel kills every process left in it). -1 otherwise."""
    if os.geteuid() != 0:
        return -1
    try:
        return os.open("/proc/self/ns/pid", os.O_RDONLY | os.O_CLOEXEC)
    except OSError:
        return -1


def zygote_main(fd: int) -> None:
    """Import what every child needs, then fork on request until the judge goes away."""
    import ctypes

    libc = ctypes.CDLL(None)
    libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)  # die with the judge
    if os.getppid() == 1:
        os._exit(1)
    libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)  # orphans of learner code come back to us
    control = socket.socket(fileno=fd)
    from autograder import catalogue, forbidden, guard, protocol, purity, worker  # noqa: F401

    worker.prepare()
    preloaded = 0
    if os.geteuid() == 0 and not worker._world_readable(os.path.dirname(os.__file__)):
        preloaded = worker._preload_stdlib()  # nobody could not import it later
    worker.remember_grader_modules()
    own_pid_namespace = _pid_namespace_fd()
    gc.freeze()  # children never traverse (nor copy, for the gc's bookkeeping) what is here
    wake_read, wake_write = os.pipe()
    os.set_blocking(wake_read, False)
    os.set_blocking(wake_write, False)
    signal.set_wakeup_fd(wake_write)
    signal.signal(signal.SIGCHLD, lambda *_: None)

    def send(**message: Any) -> None:
        control.send(json.dumps(message).encode())

    send(kind="ready", pid=os.getpid(), threads=_thread_count(), preloaded=preloaded)
    forked: set[int] = set()  # the children forked on request and not yet reaped
    while True:
        readable, _, _ = select.select([control, wake_read], [], [])
        if wake_read in readable:
            while True:
                try:
                    if not os.read(wake_read, 512):
                        break
                except BlockingIOError:
                    break
        ended, reaped = {}, False
        while True:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                break
            if pid == 0:
                break
            reaped = True
            if pid in forked:
                forked.discard(pid)
                ended[pid] = os.waitstatus_to_exitcode(status)
        if reaped:  # a death orphans descendants: they die before the judge hears of it
            _kill_strays(forked)
        for pid, code in ended.items():
            send(kind="exit", pid=pid, code=code)
        if control in readable:
            data, fds, _, _ = socket.recv_fds(control, MAX_CONTROL, 3)
            if not data:
                os._exit(0)
            request = json.loads(data)
            if request.get("kind") != "fork" or len(fds) != 3 or _thread_count() != 1:
                os._exit(2)  # not fork-safe any more, or garbage: the judge starts a new one
            sys.stdout.flush()
            sys.stderr.flush()
            in_namespace = own_pid_namespace >= 0 and libc.unshare(CLONE_NEWPID) == 0
            pid = os.fork()
            if pid == 0:
                closing = [control.fileno(), wake_read, wake_write]
                _child(request, fds, closing + ([own_pid_namespace] if in_namespace else []))
            if in_namespace and libc.setns(own_pid_namespace, CLONE_NEWPID) != 0:
                os._exit(2)  # the next child would share this one's: the judge starts anew
            for f in fds:
                os.close(f)
            forked.add(pid)
            send(kind="forked", pid=pid)


if __name__ == "__main__":
    zygote_main(int(sys.argv[1]))
