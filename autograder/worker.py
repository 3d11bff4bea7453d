"""The sandboxed child: runs one learner's solution cells for one exercise and serves calls.

Started by `autograder.sandbox.Sandbox` as `python -I -B -m autograder.worker IN_FD OUT_FD`
in its own session, with a scrubbed environment and an empty working directory. The life of
a child:

1. `prepare()`: import numpy and torch (the expensive part, done before any learner code; the
   warm zygote of `autograder.pool` does it once and forks a child per exercise, which then
   enters `serve()` directly).
2. `enter_sandbox(config)`: die with the parent, a private network namespace (or, if the kernel
   refuses, a disabled `socket` module), resource limits, and — when started as root — a
   private IPC namespace (its SysV objects die with it), the course repository covered in a
   private mount namespace (its own /proc when it is pid 1 of a PID namespace) and a uid/gid
   of its own (`UID_BASE` + its pid as the judge sees it; no account, like `nobody` but
   unique). Then forget the grader:
   `autograder` and `trainlab` leave `sys.modules` and cannot be imported again.
3. `serve()`: receive the cells over the pipe (the child never opens the submission), run the
   trusted preamble and the cells, then answer `call` messages with plain data only (see
   `autograder.protocol`) until told `bye`.

Everything the learner's code can reach here is untrusted from then on: verdicts are computed
in the judge process, never here.
"""

from __future__ import annotations

import ctypes
import difflib
import os
import resource
import sys
import traceback
from typing import Any

PREAMBLE = (
    "import math\n"
    "import numpy as np\n"
    "import torch\n"
    "from torch import Tensor\n"
    "import torch.nn.functional as F\n"
    "from torch import nn\n"
)
NOBODY = 65534
# As root, each child becomes a uid of its own, with no account: UID_BASE + its pid (unique among
# living processes), so that children graded side by side cannot signal or ptrace each other and
# RLIMIT_NPROC counts one child's processes only.
UID_BASE = 1 << 30
CLONE_NEWNET = 0x40000000
PR_SET_PDEATHSIG = 1
MAX_TRACEBACK = 4000
MAX_MESSAGE = 2000


def prepare() -> None:
    """Import the heavy libraries once, before anything untrusted runs."""
    import numpy  # noqa: F401
    import torch

    from autograder import guard

    torch.set_num_threads(1)
    guard.prepare()  # the own-work guard's plan, once (in the zygote: for every child)


def enter_sandbox(config: dict[str, Any]) -> dict[str, Any]:
    """Apply the isolation described in `config`; return what actually took effect."""
    report: dict[str, Any] = {}
    libc = ctypes.CDLL(None, use_errno=True)
    import signal

    libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() == 1:  # the parent died before prctl: do not outlive it
        os._exit(1)
    report["cgroup_joined"] = _join_cgroup(config.get("cgroup_tasks") or [])
    # PID 1 of its own PID namespace (forked so by a root zygote): getppid() is 0 there.
    in_pid_namespace = os.getpid() == 1

    report["network"] = "none"
    if config.get("network_namespace", True) and libc.unshare(CLONE_NEWNET) == 0:
        report["network"] = "private network namespace (unshare CLONE_NEWNET)"
    else:
        _disable_sockets()
        report["network"] = "socket module disabled (unshare not permitted)"

    workdir = config["workdir"]
    report["ipc"] = "shared System V IPC and POSIX message queues (not root)"
    report["pids"] = "other processes visible in /proc (no PID namespace)"
    if os.geteuid() == 0:
        if libc.unshare(CLONE_NEWIPC) == 0:  # its SysV objects die with its last process
            report["ipc"] = "private IPC namespace (unshare CLONE_NEWIPC)"
        if libc.unshare(CLONE_NEWNS) == 0:  # a private mount namespace, undone at exit
            libc.mount(b"none", b"/", None, MS_REC | MS_PRIVATE, None)
            if config.get("hide"):
                report["files"] = _hide(libc, list(config["hide"]))
            if config.get("scratch_bytes"):
                report["scratch"] = _private_scratch(libc, workdir, int(config["scratch_bytes"]))
            if in_pid_namespace:
                flags = MS_NOSUID | MS_NODEV | MS_NOEXEC
                if libc.mount(b"proc", b"/proc", b"proc", flags, None) == 0:
                    report["pids"] = "private PID namespace and /proc (pid 1)"
                else:
                    report["pids"] = "private PID namespace; host /proc still mounted"
        else:
            report["files"] = "course files visible (unshare CLONE_NEWNS not permitted)"
    os.chdir(workdir)

    limits = config.get("limits", {})
    used_cpu = resource.getrusage(resource.RUSAGE_SELF)
    used = int(used_cpu.ru_utime + used_cpu.ru_stime) + 1
    applied = {}
    wanted = {
        "RLIMIT_CPU": used + int(limits.get("cpu_seconds", 60)),
        "RLIMIT_NPROC": int(limits.get("processes", 256)),
        "RLIMIT_NOFILE": int(limits.get("open_files", 64)),
        "RLIMIT_FSIZE": int(limits.get("file_bytes", 16 << 20)),
        "RLIMIT_CORE": 0,
    }
    memory = int(limits.get("memory_bytes", 4 << 30))
    # CUDA reserves a huge virtual address space, so RLIMIT_AS would break it: limit the data
    # segment (heap) instead when CUDA may be used.
    wanted["RLIMIT_DATA" if config.get("cuda") else "RLIMIT_AS"] = memory
    for name, value in wanted.items():
        which = getattr(resource, name)
        soft, hard = resource.getrlimit(which)
        if hard != resource.RLIM_INFINITY:
            value = min(value, hard)
        try:
            resource.setrlimit(which, (value, value))
            applied[name] = value
        except (ValueError, OSError):
            pass
    report["rlimits"] = applied

    report["user"] = f"uid {os.getuid()}"
    if os.geteuid() == 0 and config.get("drop_privileges", True):
        if not _world_readable(os.path.dirname(os.__file__)):
            # e.g. a pyenv Python under /root (mode 700): nobody could not import the standard
            # library any more, so import it now, while we still can.
            report["stdlib"] = f"preloaded {_preload_stdlib()} modules (not readable by nobody)"
        parent = os.getppid()
        # the judge names the uid after the child's pid as it sees it (1 in a PID namespace)
        own = int(config.get("uid") or UID_BASE + os.getpid())
        uid = own if config.get("unique_uid", True) else NOBODY
        os.chown(workdir, uid, uid)
        os.setgroups([])
        os.setgid(uid)
        os.setuid(uid)
        # Changing the uid clears the parent-death signal: set it again.
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        if os.getppid() != parent:
            os._exit(1)
        report["user"] = f"unprivileged (uid {os.getuid()}, gid {os.getgid()}, no account)"
    report["threads"] = len(os.listdir("/proc/self/task"))
    _forget_grader()
    return report


# Standard-library modules not preloaded: GUI, platform-specific, test and side-effect modules.
_NO_PRELOAD = {
    "antigravity", "this", "tkinter", "turtle", "turtledemo", "idlelib", "ensurepip", "venv",
    "lib2to3", "pydoc_data", "curses", "dbm", "sqlite3", "readline", "tty", "pty", "crypt",
    "nis", "spwd", "ossaudiodev", "msilib", "winreg", "winsound", "msvcrt", "nt", "sys",
    "builtins", "xxlimited", "xxlimited_35", "xxsubtype",
}  # fmt: skip
_NO_PRELOAD_PREFIXES = (
    "_test", "_xx", "_ctypes_test", "_msi", "_win", "_overlapped", "_scproxy", "_osx", "_aix",
    "_bootsubprocess", "_tkinter", "_curses", "_gdbm", "_dbm", "_sqlite3", "_crypt", "__",
)  # fmt: skip


def _world_readable(path: str) -> bool:
    """Whether `nobody` can read a directory: o+x on every ancestor, o+rx on the directory."""
    import stat

    path = os.path.realpath(path)
    parts = path.split(os.sep)
    for i in range(2, len(parts) + 1):
        mode = os.stat(os.sep.join(parts[:i]) or os.sep).st_mode
        needed = stat.S_IXOTH | (stat.S_IROTH if i == len(parts) else 0)
        if mode & needed != needed:
            return False
    return True


_preloaded: int | None = None  # set once: a zygote preloads for all the children it forks


def _preload_stdlib() -> int:
    global _preloaded
    if _preloaded is not None:
        return _preloaded
    import contextlib
    import importlib
    import io

    count = 0
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        for name in sorted(sys.stdlib_module_names - _NO_PRELOAD):
            if name.startswith(_NO_PRELOAD_PREFIXES) or name in sys.modules:
                continue
            try:
                importlib.import_module(name)
                count += 1
            except Exception:
                continue
        for codec in ("utf_8", "utf_16", "utf_32", "latin_1", "ascii", "idna", "cp1252"):
            with contextlib.suppress(Exception):
                importlib.import_module(f"encodings.{codec}")
    _preloaded = count
    return count


MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC = 1, 2, 4, 8
MS_BIND, MS_REC, MS_PRIVATE = 4096, 16384, 1 << 18
CLONE_NEWNS = 0x00020000
CLONE_NEWIPC = 0x08000000


def _hide(libc: Any, paths: list[str]) -> str:
    """In the private mount namespace, cover each path: an empty mode-000 tmpfs over a folder,
    /dev/null over a file. Needs root (before dropping privileges); undone when the child ends.
    """
    hidden = 0
    for given in paths:
        # a symbolic link (a Kubernetes secret: key -> ..data/key, ..data -> ..2026_01/) is
        # covered where it leads: reading through the link, or the target by its own path,
        # finds the cover (mount(2) would follow the link anyway).
        path = os.path.realpath(given)
        target = path.encode()
        if os.path.isdir(path):
            flags = MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC
            ok = libc.mount(b"none", target, b"tmpfs", flags, b"size=4k,mode=000") == 0
        elif os.path.isfile(path):
            ok = libc.mount(b"/dev/null", target, None, MS_BIND, None) == 0
        else:
            continue
        hidden += ok
    return f"{hidden} of {len(paths)} course paths hidden (private mount namespace)"


SCRATCH = ("/tmp", "/var/tmp", "/dev/shm")  # the world-writable folders


def _private_scratch(libc: Any, workdir: str, size: int) -> str:
    """In the private mount namespace, put an empty tmpfs of `size` bytes over each
    world-writable folder, and make the working directory again inside the one that holds it:
    learner code can neither fill the disk nor leave files for other submissions to find.

    The Python installation stays where it was (a course checkout under /tmp has its .venv
    there): it is bound back into the new tmpfs through a descriptor opened beforehand.
    """
    flags = MS_NOSUID | MS_NODEV
    options = f"size={size},mode=1777".encode()
    python = sorted({os.path.realpath(p) for p in (sys.prefix, sys.exec_prefix, sys.base_prefix)})
    covered = []
    for folder in SCRATCH:
        if not os.path.isdir(folder) or os.path.islink(folder):
            continue
        inside = [p for p in python if p.startswith(folder.rstrip("/") + "/")]
        keep = {p: os.open(p, os.O_RDONLY | os.O_DIRECTORY) for p in inside}
        try:
            if libc.mount(b"none", folder.encode(), b"tmpfs", flags, options) != 0:
                continue
            covered.append(folder)
            for path, fd in keep.items():
                os.makedirs(path, exist_ok=True)
                source = f"/proc/self/fd/{fd}".encode()
                if libc.mount(source, path.encode(), None, MS_BIND | MS_REC, None) != 0:
                    raise OSError(f"could not keep {path} visible under the private {folder}")
        finally:
            for fd in keep.values():
                os.close(fd)
    os.makedirs(workdir, mode=0o700, exist_ok=True)
    return f"private {', '.join(covered) or 'nothing'} (tmpfs of {size >> 20} MiB each)"


def _disable_sockets() -> None:
    import socket

    def refuse(*args, **kwargs):
        raise OSError("network access is disabled while grading")

    socket.socket = refuse  # type: ignore[assignment, misc]
    socket.create_connection = refuse  # type: ignore[assignment]
    socket.socketpair = refuse  # type: ignore[assignment]


class _BlockGrader:
    """A meta-path finder that refuses to import the grader or the course helpers."""

    @staticmethod
    def find_spec(name, path=None, target=None):
        top = name.split(".", 1)[0]
        if top in ("autograder", "trainlab"):
            raise ImportError(
                f"`import {name}` is not available while grading: solution cells must be your "
                "own code using math, numpy and torch only."
            )
        return None


def _join_cgroup(tasks_files: list[str]) -> int:
    """Move this process into its group (cgroup v1) by writing 0 to each `tasks` file: a
    thread moving itself is cheap (`cgroups.ChildGroup.self_join_files`). Only while it has
    one thread, so that the whole process moves; the judge checks and moves it otherwise.
    Returns how many files were joined."""
    if len(os.listdir("/proc/self/task")) != 1:
        return 0
    joined = 0
    for path in tasks_files:
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CLOEXEC)
            try:
                os.write(fd, b"0")
            finally:
                os.close(fd)
            joined += 1
        except (OSError, TypeError):
            continue
    return joined


def _grader_modules() -> tuple[str, ...]:
    return tuple(n for n in sys.modules if n.split(".", 1)[0] in ("autograder", "trainlab"))


# The zygote lists the grader's modules once (`remember_grader_modules`): a child that walked
# sys.modules itself would write the reference count of every module name, a copy-on-write
# fault on ~1000 pages (4 ms per exercise). The modules it drops are kept alive (`_FORGOTTEN`)
# for the same reason: freeing them would write to every page they occupy.
_GRADER_MODULES: tuple[tuple[str, ...], int] | None = None
_FORGOTTEN: list[Any] = []


def remember_grader_modules() -> None:
    """In the zygote, after its imports: the names `_forget_grader` removes in each child."""
    global _GRADER_MODULES
    _GRADER_MODULES = (_grader_modules(), len(sys.modules))


def _forget_grader() -> None:
    """Remove the grader and the course helpers from sys.modules and refuse to import them."""
    known = _GRADER_MODULES
    # the list made in the zygote is complete unless something was imported since
    names = known[0] if known is not None and known[1] == len(sys.modules) else _grader_modules()
    _FORGOTTEN.extend(sys.modules.pop(name) for name in names)
    sys.meta_path.insert(0, _BlockGrader)


def _learner_traceback(error: BaseException) -> str:
    """The traceback limited to frames in the learner's cells (`<cell ...>` file names)."""
    frames = [
        f
        for f in traceback.extract_tb(error.__traceback__)
        if f.filename.startswith("<cell ") or f.filename == "<preamble>"
    ]
    lines = traceback.format_list(frames)
    if isinstance(error, SyntaxError) and error.filename and error.filename.startswith("<cell "):
        lines = traceback.format_exception_only(type(error), error)[:-1]
    text = "".join(lines) + f"{type(error).__name__}: {_message(error)}"
    return text[-MAX_TRACEBACK:]


def _message(error: BaseException) -> str:
    try:
        text = str(error)
    except Exception:
        text = "<unprintable message>"
    return text[:MAX_MESSAGE]


def _error(error: BaseException, **extra: Any) -> dict[str, Any]:
    info = {
        "type": type(error).__name__,
        "message": _message(error),
        "traceback": _learner_traceback(error),
    }
    if isinstance(error, SyntaxError):
        info["line"] = error.lineno
    info.update(extra)
    return info


def serve(in_fd: int, out_fd: int) -> None:
    """The message loop (see the module docstring). Returns when told `bye`."""
    # Everything the loop needs is bound here, before the grader's modules are forgotten.
    from autograder import catalogue, guard, protocol, purity

    setup = protocol.read_message(in_fd)
    if setup.kind != "setup":
        raise protocol.ProtocolError(f"expected a setup message, got {setup.kind!r}")
    prepare()
    read, send = protocol.read_message, protocol.dumps
    materialize = catalogue.materialize
    own_work = guard.Guard(str(setup.meta.get("exercise", "")))
    report = enter_sandbox(setup.meta)
    protocol.write_frame(out_fd, send("hello", sandbox=report))

    namespace: dict[str, Any] = {"__name__": "__main__", "__builtins__": __builtins__}
    loaded = read(in_fd)
    cell_results = []
    exec(compile(PREAMBLE, "<preamble>", "exec"), namespace)
    own_work.loading()
    for cell in loaded.payload:
        grade_id, source = cell["grade_id"], cell["source"]
        result: dict[str, Any] = {"grade_id": grade_id, "error": None}
        try:
            code = compile(source, f"<cell {grade_id}>", "exec")
            exec(code, namespace)
        except SystemExit as error:
            result["error"] = _error(error, type="SystemExit", message="the cell called exit()")
        except BaseException as error:  # the learner's code may raise anything
            result["error"] = _error(error)
        cell_results.append(result)
    defined = sorted(
        name
        for name, value in namespace.items()
        if callable(value) and getattr(value, "__module__", None) == "__main__"
    )
    protocol.write_frame(out_fd, send("loaded", cell_results, functions=defined))

    while True:
        message = read(in_fd)
        if message.kind == "bye":
            return
        if message.kind != "call":
            raise protocol.ProtocolError(f"unexpected message {message.kind!r}")
        name = str(message.meta.get("function"))
        function = namespace.get(name)
        if not callable(function):
            close = difflib.get_close_matches(name, defined, n=3, cutoff=0.6)
            reply = send("missing", function=name, candidates=close, defined=defined)
            protocol.write_frame(out_fd, reply)
            continue
        args, kwargs = materialize(message.payload)
        taken = purity.snapshot(function, args, kwargs)
        value, error, tripped = own_work.run(function, args, kwargs)
        if isinstance(error, SystemExit):
            info = _error(error, type="SystemExit", message="the function called exit()")
            reply = send("raised", error=info, tripped=tripped)
        elif error is not None:
            info = _error(error, not_implemented=isinstance(error, NotImplementedError))
            reply = send("raised", error=info, tripped=tripped)
        else:
            try:
                changed = purity.modified(taken)
                reply = send("result", value, tripped=tripped, modified=changed)
            except Exception as error:
                info = _error(error, type="UnsendableResult")
                reply = send("raised", error=info, tripped=tripped)
        protocol.write_frame(out_fd, reply)


def main(argv: list[str]) -> int:
    in_fd, out_fd = int(argv[1]), int(argv[2])
    os.set_inheritable(in_fd, False)
    os.set_inheritable(out_fd, False)
    try:
        serve(in_fd, out_fd)
    except BaseException:  # protocol trouble: the parent sees the pipe close
        traceback.print_exc(limit=3)
        os._exit(3)
    sys.stdout.flush()
    os._exit(0)


if __name__ == "__main__":
    main(sys.argv)
