"""Judge side of the sandbox: start the child, feed it the cells, proxy calls, enforce time.

One `Sandbox` = one child process for one (submission, exercise). `RemoteSubmission` wraps it
so that a check can write `submission.adam_step(theta, grad, ...)`: the arguments are encoded
as plain data (`autograder.protocol`), the child calls the learner's function, and the result
comes back decoded — or a `SubmissionError` is raised (not implemented, raised, missing,
timeout, crash, delegation).

The wall-clock budget is per exercise and counts only the time spent waiting for the learner's
code (executing the cells and the calls), not the child's start-up (importing torch).
"""

from __future__ import annotations

import functools
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from autograder import forbidden, protocol
from autograder.cgroups import ChildGroup
from autograder.errors import (
    Delegation,
    InputModified,
    LearnerRaised,
    MissingFunction,
    NotImplementedYet,
    SandboxFailure,
    Timeout,
)
from autograder.limits import Limits
from autograder.pool import ForkedChild, Zygote, ZygoteError
from autograder.solution_cells import helper_rule, undefined_name
from autograder.workdirs import inductor_cache_dir, new_workdir
from autograder.worker import UID_BASE

NOBODY = 65534
# the most a cell's outcome may take in the `loaded` reply: a 2,000-character message and a
# 4,000-character traceback (worker.MAX_MESSAGE, MAX_TRACEBACK), each character JSON-escaped
CELL_REPORT_BYTES = 64 << 10


COURSE_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def hidden_paths(extra: tuple[str, ...] = ()) -> list[str]:
    """What the child must not read, besides `extra` (the secret, the inputs, the output).

    From a checkout (the package imported from the course repository): every entry of the
    repository (the grader, its reference and checks, the solutions, .git), except the folder
    holding the Python installation that the child still imports from (a `.venv` inside it).
    Installed into site-packages (Gradescope, `pip install`): only the course's own packages;
    the other libraries stay visible, since the child imports from them.
    """
    extra_paths = list(dict.fromkeys(os.path.abspath(p) for p in extra))  # once each
    return [*_course_paths(COURSE_ROOT, os.stat(COURSE_ROOT).st_mtime_ns), *extra_paths]


@functools.lru_cache(maxsize=1)
def _course_paths(root: str, listed_at: int) -> tuple[str, ...]:
    """The course's part of `hidden_paths`, listed again only when the repository's top folder
    changed (`listed_at`: its mtime; an entry added or removed changes it)."""
    if os.path.realpath(root) in _site_packages():
        return tuple(os.path.join(root, name) for name in COURSE_PACKAGES)
    keep = {os.path.realpath(p) for p in (sys.prefix, sys.base_prefix)}
    out = []
    for name in sorted(os.listdir(root)):
        path = os.path.join(root, name)
        real = os.path.realpath(path)
        if any(k == real or k.startswith(real + os.sep) for k in keep):
            continue
        out.append(path)
    return tuple(out)


COURSE_PACKAGES = ("autograder", "trainlab")


def _site_packages() -> set[str]:
    import site
    import sysconfig

    paths = [*site.getsitepackages(), site.getusersitepackages()]
    paths += [sysconfig.get_paths()[k] for k in ("purelib", "platlib")]
    return {os.path.realpath(p) for p in paths}


def scrubbed_environment(workdir: str) -> dict[str, str]:
    """No secrets and no course paths: only what torch needs to start; temporary files and
    torch's compile cache inside `workdir`."""
    env = {
        "PATH": "/usr/local/bin:/usr/bin:/bin",
        "HOME": workdir,
        "TMPDIR": workdir,
        "TORCHINDUCTOR_CACHE_DIR": inductor_cache_dir(workdir),
        "LANG": "C.UTF-8",
        "LC_ALL": "C.UTF-8",
        "OMP_NUM_THREADS": "1",
        "MKL_NUM_THREADS": "1",
        "OPENBLAS_NUM_THREADS": "1",
    }
    for name in ("CUDA_VISIBLE_DEVICES", "NVIDIA_VISIBLE_DEVICES", "LD_LIBRARY_PATH"):
        if name in os.environ:
            env[name] = os.environ[name]
    return env


class _OutputDrain(threading.Thread):
    """Reads the child's stdout+stderr pipe, keeping the first `cap` bytes and counting the rest."""

    def __init__(self, fd: int, cap: int) -> None:
        super().__init__(daemon=True)
        self.fd, self.cap = fd, cap
        self.kept = bytearray()
        self.total = 0

    def run(self) -> None:
        try:
            while chunk := os.read(self.fd, 1 << 16):
                self.total += len(chunk)
                room = self.cap - len(self.kept)
                if room > 0:
                    self.kept += chunk[:room]
        except OSError:
            pass
        finally:
            try:
                os.close(self.fd)
            except OSError:
                pass

    def text(self) -> str:
        out = self.kept.decode("utf-8", errors="replace")
        if self.total > len(self.kept):
            out += f"\n[... {self.total - len(self.kept)} more bytes of output not kept]"
        return out


@dataclass
class CellOutcome:
    grade_id: str
    error: dict[str, Any] | None


@dataclass
class Sandbox:
    """A child process running one exercise's solution cells (see `autograder.worker`)."""

    exercise: str
    cells: list[tuple[str, str]]  # (grade_id, source)
    limits: Limits = field(default_factory=Limits)
    cuda: bool = False
    pool: Zygote | None = None  # fork from this warm zygote; None: spawn a fresh Python

    def __post_init__(self) -> None:
        self.process: subprocess.Popen | ForkedChild | None = None
        self.workdir: str | None = None
        self.report: dict[str, Any] = {}
        self.cell_outcomes: list[CellOutcome] = []
        self.functions: list[str] = []
        self.failure: SandboxFailure | None = None
        self.spent = 0.0
        self._drain: _OutputDrain | None = None
        self.cgroup: ChildGroup | None = None
        self._to_child = self._from_child = -1

    # ----------------------------------------------------------------- life cycle
    def start(self) -> None:
        self.workdir = new_workdir()
        as_root = os.geteuid() == 0 and self.limits.drop_privileges
        if as_root:
            os.chown(self.workdir, NOBODY, NOBODY)
        child_in, self._to_child = os.pipe()
        self._from_child, child_out = os.pipe()
        out_read, out_write = os.pipe()
        env = scrubbed_environment(self.workdir)
        started = "spawned"
        try:
            if self.pool is not None:
                try:
                    fds = (child_in, child_out, out_write)
                    self.process = self.pool.fork(fds, self.workdir, env)
                    started = f"forked from the warm zygote (pid {self.pool.process.pid})"
                except ZygoteError:
                    started = "spawned (the warm zygote could not start)"
            if self.process is None:
                self.process = subprocess.Popen(
                    [
                        sys.executable,
                        "-I",
                        "-B",
                        "-m",
                        "autograder.worker",
                        str(child_in),
                        str(child_out),
                    ],
                    pass_fds=(child_in, child_out),
                    stdin=subprocess.DEVNULL,
                    stdout=out_write,
                    stderr=out_write,
                    cwd=self.workdir,
                    env=env,
                    start_new_session=True,
                    close_fds=True,
                )
        finally:
            for fd in (child_in, child_out, out_write):
                os.close(fd)
        self._drain = _OutputDrain(out_read, self.limits.output_bytes)
        self._drain.start()
        setup = {
            "exercise": self.exercise,
            "workdir": self.workdir,
            "cuda": self.cuda,
            "drop_privileges": self.limits.drop_privileges,
            "uid": UID_BASE + self.process.pid,  # its pid here (it may be pid 1 in its own)
            "network_namespace": self.limits.network_namespace,
            "hide": hidden_paths(self.limits.hide) if self.limits.hide_course else [],
            "scratch_bytes": self.limits.scratch_bytes,
            "limits": {
                "cpu_seconds": self.limits.cpu_seconds,
                "memory_bytes": self.limits.memory_bytes,
                "processes": self.limits.processes,
                "open_files": self.limits.open_files,
                "file_bytes": self.limits.file_bytes,
            },
        }
        cgroup = "no cgroup (Limits.cgroup is off)"
        if self.limits.cgroup:  # the child joins first thing in its set-up: before learner code
            self.cgroup, cgroup = ChildGroup.make(
                self.process.pid,
                cpus=self.limits.cpus,
                memory=self.limits.memory_bytes,
                processes=self.limits.processes,
            )
        setup["cgroup_tasks"] = self.cgroup.self_join_files() if self.cgroup else []
        self._send(protocol.dumps("setup", **setup))
        hello = self._receive(self.limits.startup_timeout, counts=False, during="starting up")
        if self.cgroup is not None:  # where the child could not join itself: moved in now
            missed = self.cgroup.join(self.process.pid)
            if missed:
                cgroup += f" (not joined: {', '.join(missed)})"
        sandbox_report = hello.meta.get("sandbox", {})
        self.report = {"process": started, **(sandbox_report if _is_dict(sandbox_report) else {})}
        self.report["cgroup"] = cgroup
        load = protocol.dumps("load", [{"grade_id": g, "source": s} for g, s in self.cells])
        self._send(load)
        loaded = self._receive(
            self.limits.timeout,
            during="running your solution cells",
            request=len(load) + CELL_REPORT_BYTES * len(self.cells),
        )
        try:
            self.cell_outcomes = [_cell_outcome(c) for c in loaded.payload]
            self.functions = _strings(loaded.meta.get("functions", []))
        except (TypeError, KeyError, ValueError) as error:
            raise self._fail(f"the grading process sent garbage ({error})") from None

    def close(self) -> None:
        """Ask the child to leave, then kill its whole process group and remove its directory."""
        if self.process is not None:
            if self.process.poll() is None and self.failure is None:
                try:
                    self._send(protocol.dumps("bye"))
                    self.process.wait(timeout=2)
                except (OSError, subprocess.TimeoutExpired, SandboxFailure):
                    pass
            self._kill()
        if self.cgroup is not None:  # whatever is left in it is killed, then it is removed
            self.cgroup.remove_or_defer()
            self.cgroup = None
        for fd in (self._to_child, self._from_child):
            if fd >= 0:
                try:
                    os.close(fd)
                except OSError:
                    pass
        self._to_child = self._from_child = -1
        if self._drain is not None:
            self._drain.join(timeout=2)
        if self.workdir is not None:
            shutil.rmtree(self.workdir, ignore_errors=True)
            self.workdir = None

    def _kill(self) -> None:
        assert self.process is not None
        try:
            os.killpg(self.process.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            pass

    @property
    def output(self) -> str:
        """The child's captured stdout and stderr (capped)."""
        return self._drain.text() if self._drain is not None else ""

    # ----------------------------------------------------------------- messages
    def _send(self, data: bytes) -> None:
        try:
            protocol.write_frame(self._to_child, data)
        except (BrokenPipeError, OSError):
            raise self._fail("the grading process of this exercise ended unexpectedly") from None

    def _receive(
        self, budget: float, *, counts: bool = True, during: str, request: int = 0
    ) -> protocol.Message:
        """The child's next message; a frame larger than `protocol.reply_bound(request)` is
        refused from its prefix (never read), and any malformed frame is the student's
        protocol error (the child is killed, the rest of the exercise is lost)."""
        start = time.monotonic()
        remaining = budget - self.spent if counts else budget
        bound = protocol.reply_bound(request)
        try:
            return protocol.read_message(self._from_child, start + max(remaining, 0.0), bound)
        except protocol.Timeout:
            if counts:
                raise self._fail(
                    f"Your code did not finish within the {self.limits.timeout:g} s this "
                    f"exercise may use (while {during}); the grader stopped it. Look for an "
                    "endless loop or a far too large computation.",
                    Timeout,
                ) from None
            raise self._fail(f"the grader could not start ({during} took too long)") from None
        except protocol.Closed:
            raise self._fail(self._death_message(during)) from None
        except protocol.ProtocolError as error:
            raise self._fail(f"the grading process sent garbage ({error})") from None
        finally:
            if counts:
                self.spent += time.monotonic() - start

    def _death_message(self, during: str) -> str:
        assert self.process is not None
        try:
            code = self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            code = None
        if code is not None and code < 0:
            try:
                name = signal.Signals(-code).name
            except ValueError:
                name = str(-code)
            cause = {
                "SIGXCPU": "it used more CPU time than allowed",
                "SIGKILL": "it was killed, most likely for using too much memory or CPU",
                "SIGSEGV": "it crashed (segmentation fault)",
                "SIGXFSZ": "it wrote a file larger than allowed",
            }.get(name, f"it received {name}")
            return f"Your code stopped the grading process while {during}: {cause}."
        return (
            f"Your code ended the grading process while {during} (exit code {code}): "
            "do not call exit(), os._exit() or quit() in solution cells."
        )

    def _fail(self, message: str, kind: type[SandboxFailure] = SandboxFailure) -> SandboxFailure:
        self.failure = kind(message)
        if self.process is not None:
            self._kill()
        return self.failure

    def call(self, function: str, args: tuple, kwargs: dict) -> tuple[str, Any, dict]:
        """Call a learner function in the child: (reply kind, value, meta)."""
        if self.failure is not None:
            raise self.failure
        request = protocol.dumps("call", (tuple(args), dict(kwargs)), function=function)
        self._send(request)
        reply = self._receive(
            self.limits.timeout, during=f"running {function}", request=len(request)
        )
        problem = _reply_problem(reply)
        if problem:
            raise self._fail(f"the grading process sent garbage ({problem})")
        return reply.kind, reply.payload, reply.meta


def _is_dict(value: Any) -> bool:
    return isinstance(value, dict)


def _strings(value: Any) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ValueError("expected a list of names")
    return value


def _error_info(value: Any) -> dict[str, Any] | None:
    """An error report of the child: None, or a dict of the text fields the judge reads."""
    if value is None:
        return None
    if not isinstance(value, dict):
        raise ValueError("malformed error report")
    for key in ("type", "message", "traceback"):
        if key in value and not isinstance(value[key], str):
            raise ValueError(f"malformed error report field {key!r}")
    if "line" in value and not (value["line"] is None or type(value["line"]) is int):
        raise ValueError("malformed error line")
    return value


def _cell_outcome(value: Any) -> CellOutcome:
    if not isinstance(value, dict) or not isinstance(value.get("grade_id"), str):
        raise ValueError("malformed cell outcome")
    return CellOutcome(value["grade_id"], _error_info(value.get("error")))


def _reply_problem(reply: protocol.Message) -> str | None:
    """Why a call's reply is malformed (None: it is well formed)."""
    if reply.kind not in ("result", "missing", "raised"):
        return f"an unexpected reply {reply.kind[:40]!r}"
    meta = reply.meta
    try:
        _strings(meta.get("tripped") or [])
        _strings(meta.get("candidates") or [])
        _error_info(meta.get("error"))
    except ValueError as error:
        return str(error)
    return None


class RemoteSubmission:
    """The learner's functions, called in the sandbox: `submission.adam_step(...)`.

    Every call returns decoded plain data or raises a `SubmissionError`. A trip-wire report from
    the child (a forbidden routine was called) raises `Delegation`.
    """

    def __init__(self, sandbox: Sandbox) -> None:
        self._sandbox = sandbox

    @property
    def sandbox(self) -> Sandbox:
        return self._sandbox

    def cell_errors(self) -> list[str]:
        out = []
        for cell in self._sandbox.cell_outcomes:
            if cell.error:
                err = cell.error
                where = f" (line {err['line']})" if err.get("line") else ""
                text = f"cell {cell.grade_id}{where}: {err['type']}: {err['message']}"
                name = undefined_name(err, [source for _, source in self._sandbox.cells])
                out.append(f"{text}. {helper_rule(name)}" if name else text)
        return out

    def __getattr__(self, function: str) -> Any:
        if function.startswith("_"):
            raise AttributeError(function)

        def call(*args: Any, **kwargs: Any) -> Any:
            kind, value, meta = self._sandbox.call(function, args, kwargs)
            tripped = meta.get("tripped") or []
            if tripped:
                raise Delegation([tripwire_sentence(function, tripped)])
            if kind == "result":
                if meta.get("modified"):
                    raise InputModified(function, [str(n) for n in meta["modified"]])
                return value
            if kind == "missing":
                raise MissingFunction(function, meta.get("candidates"), self.cell_errors())
            error = meta.get("error") or {}
            if error.get("not_implemented"):
                raise NotImplementedYet(function)
            name = undefined_name(error, [source for _, source in self._sandbox.cells])
            raise LearnerRaised(function, error, helper_rule(name) if name else None)

        call.__name__ = function
        return call


def tripwire_sentence(function: str, tripped: list[str]) -> str:
    return forbidden.trip_sentence(function, [str(t) for t in tripped])


def static_delegation(exercise: str, cells: list[tuple[str, str]]) -> Delegation | None:
    """The judge's static scan of the solution source (trusted, before anything runs)."""
    findings = forbidden.scan(exercise, cells)
    if not findings:
        return None
    return Delegation([f.sentence() for f in findings[:3]])
