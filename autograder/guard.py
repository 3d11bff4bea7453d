"""The own-work guard in the child: the routines the exercises ask for cannot run at all.

The static scan (`autograder.forbidden.scan`, in the judge) reads the source; this guard acts
where the work is done, so that it does not matter how a routine is reached (an alias, a
private kernel, `torch.ops.aten`, `__wrapped__`, a re-imported module, a thread, a popped or
disabled dispatch mode, a tensor subclass):

1. Dispatcher: each aten operator that IS an exercise (`forbidden.FORBIDDEN_OPS`) gets a kernel
   of our own at every dispatch key where torch computes it (CPU, CUDA, MKL-DNN, nested, sparse,
   functorch, composite), which records the call and raises. The dispatcher is process-wide and
   below every Python dispatch mode: nothing a learner pops, disables or starts gets around it.
2. Python code: every function (and method) of the torch code that IS an exercise
   (`forbidden.FORBIDDEN_CODE`, `forbidden.GLOBAL_CODE` and the Python routines of
   `forbidden.FORBIDDEN`: `torch.optim.adam._single_tensor_adam`,
   `torch.autograd.functional.jacobian`, `torch.func`, `torch._refs`, `torch._decomp`) gets its
   `__code__` replaced by a stub that records the call and raises; the original code object is
   dropped, so no alias or `__wrapped__` leads back to it.
3. Integrity: an audit hook (which Python code cannot remove) records, while learner code runs,
   an assignment to a function's `__code__`, the execution of a forbidden torch file (a reload)
   and the `gc` calls that reach the grader's objects; after each call trusted code checks that
   the dispatcher still holds our kernel for an operator drawn at random. A disabled guard is a
   sticky trip: every later call of the exercise costs its points.
4. Other programs: a new program (`os.exec*`, `os.posix_spawn`, `os.spawn*`, `subprocess`,
   `os.system`) runs without this guard, so a fresh Python could compute the exercise with
   torch's own routine and hand the result back. Starting one, in this process or in any process
   it forked, is a sticky trip too: the audit hook of a forked process writes it into a byte of
   memory shared with its descendants, which `run` reads after every call.

The zygote applies 1 and 2 once, for the routines of every exercise (no exercise's honest
solution needs another's routine), so a child pays nothing for them; nothing runs per aten op,
and a call pays one dispatcher-table read (~20 µs). Honest solutions never trip it
(tests/autograder/test_guard.py, test_independence_checks.py, the adversarial corpus).
Limits: learner code runs in this process, so native code (ctypes) or a copy of torch's source
compiled under another file name can still evade it; see autograder/README.md.
"""

from __future__ import annotations

import importlib
import mmap
import os
import re
import sys
import types
import warnings
from collections.abc import Callable
from typing import Any

import torch

from autograder import forbidden

# Dispatch keys at which torch computes an operator; autograd, tracing, autocast, meta (shapes
# only) and the Python key only forward to them.
_COMPUTING = re.compile(
    r"^(CPU|CUDA|MPS|XPU|HPU|MkldnnCPU|QuantizedCPU|QuantizedCUDA|Sparse\w*|NestedTensor\w*"
    r"|FuncTorch\w*|CompositeImplicitAutograd|CompositeExplicitAutograd\w*)(\[alias\])?: "
    r"registered",
    re.MULTILINE,
)
_TORCH_DIR = os.path.dirname(os.path.dirname(torch.__file__)) + os.sep
_PROGRAMS = frozenset({"os.exec", "os.posix_spawn", "os.spawn", "subprocess.Popen", "os.system"})
_WATCHED = (
    frozenset(
        {"object.__setattr__", "exec", "gc.get_objects", "gc.get_referrers", "gc.get_referents"}
    )
    | _PROGRAMS
)


class Guard:
    """The child's own-work guard (see the module docstring); it reports to the exercise's calls.

    `loading()` arms it before the learner's cells run; `run(function, args, kwargs)` calls a
    learner function and returns (value, exception, trips).
    """

    def __init__(self, exercise: str) -> None:
        plan = _plan()
        if not plan.applied:
            plan.apply()  # a spawned child (--no-pool): the zygote would have done it
        self.exercise = exercise
        self.armed = False
        self.trips: list[str] = []
        self.sticky: list[str] = []  # a disabled guard: every later call is tainted
        self._files = plan.files
        self._tables = plan.tables
        self._ops = sorted(plan.tables)
        self._urandom, self._dump = os.urandom, torch._C._dispatch_dump_table
        self._program = mmap.mmap(
            -1, 1
        )  # shared with forked processes: 1 once one started a program
        _CURRENT[:] = [self]

    def trip(self, what: str, *, sticky: bool = False) -> None:
        found = self.sticky if sticky else self.trips
        if what not in found:
            found.append(what)

    def loading(self) -> None:
        """Learner cells are about to run: record tampering from now on."""
        self.armed = True

    def run(
        self, function: Callable, args: tuple, kwargs: dict
    ) -> tuple[Any, BaseException | None, list[str]]:
        """(value, exception, trips) of the learner's `function(*args, **kwargs)`."""
        self.trips = []
        value, error = None, None
        try:
            value = function(*args, **kwargs)
        except BaseException as raised:  # the learner's code may raise anything
            error = raised
        self._verify()
        if self._program[0]:
            self.trip(forbidden.GUARD_PROGRAM, sticky=True)
        return value, error, self.trips + self.sticky

    def _verify(self) -> None:
        """Does the dispatcher still hold our kernel? (one operator drawn at random per call)"""
        if not self._ops:
            return
        op = self._ops[int.from_bytes(self._urandom(2), "little") % len(self._ops)]
        if self._dump(op) != self._tables[op]:
            self.trip(forbidden.GUARD_DISABLED, sticky=True)

    def audit(self, event: str, args: tuple) -> None:
        """The audit hook's view while learner code runs (see the module docstring)."""
        if event == "object.__setattr__":
            if len(args) > 1 and args[1] == "__code__":
                self.trip(forbidden.GUARD_DISABLED, sticky=True)
        elif event == "exec":
            code = args[0] if args else None
            path = getattr(code, "co_filename", "")
            if isinstance(path, str) and _relative(path).startswith(self._files):
                self.trip(forbidden.GUARD_DISABLED, sticky=True)
        elif event in _PROGRAMS:
            self._program[0] = 1
            self.trip(forbidden.GUARD_PROGRAM, sticky=True)
        else:
            self.trip(forbidden.GUARD_REACHED, sticky=True)


_CURRENT: list[Guard] = []  # the guard of this child (the audit hook and the stubs report to it)
_LIBRARIES: list[Any] = []  # our kernel registrations live as long as the process


def _audit(event: str, args: tuple) -> None:
    if event in _WATCHED and _CURRENT and _CURRENT[0].armed:
        _CURRENT[0].audit(event, args)


def _refused(routine: str) -> RuntimeError:
    """Record a call of a forbidden routine (stubs and kernels call it) and say why it failed."""
    if _CURRENT:
        _CURRENT[0].trip(routine)
    return RuntimeError(f"{routine} is what this exercise asks you to write yourself")


def _relative(path: str) -> str:
    return path[len(_TORCH_DIR) :].replace(os.sep, "/") if path.startswith(_TORCH_DIR) else ""


# --------------------------------------------------------------------------- dispatcher


def _kernel_plan(names: tuple[str, ...]) -> list[tuple[str, str, str]]:
    """(overload, dispatch key, operator) for every overload of these aten operators and every
    key where torch computes it (operators this torch lacks are skipped)."""
    existing = set(torch._C._dispatch_get_all_op_names())
    plan = []
    for name in dict.fromkeys(names):
        packet = getattr(torch.ops.aten, name, None) if f"aten::{name}" in existing else None
        for overload in packet.overloads() if packet is not None else ():
            qualified = name if overload == "default" else f"{name}.{overload}"
            dump = torch._C._dispatch_dump(f"aten::{qualified}")
            for key in dict.fromkeys(m.group(1) for m in _COMPUTING.finditer(dump)):
                plan.append((qualified, key, f"aten::{qualified}"))
    return plan


def _refuse_kernels(plan: list[tuple[str, str, str]]) -> Any:
    library = torch.library.Library("aten", "IMPL")
    with warnings.catch_warnings():  # "Overriding a previously registered kernel"
        warnings.simplefilter("ignore")
        for qualified, key, op in plan:
            library.impl(qualified, _kernel_refusal(op.split(".")[0]), key)
    return library


def _kernel_refusal(op: str) -> Callable:
    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise _refused(op)

    return refuse


# --------------------------------------------------------------------------- Python code


def _stub(function: types.FunctionType, routine: str) -> types.CodeType:
    """A code object for `function` that reports `routine` and raises (same free variables)."""
    free = function.__code__.co_freevars
    source = (
        "def _outer():\n"
        + "".join(f"    {name} = None\n" for name in free)
        + "    def _stub(*args, **kwargs):\n"
        + (f"        ({', '.join(free)},)\n" if free else "")
        + "        raise __own_work__('ROUTINE')\n"
        + "    return _stub\n"
    )
    outer = compile(source, _relative(function.__code__.co_filename) or "<torch>", "exec")
    code = next(c for c in outer.co_consts if isinstance(c, types.CodeType))
    inner = next(c for c in code.co_consts if isinstance(c, types.CodeType))
    return inner.replace(
        co_consts=tuple(routine if c == "ROUTINE" else c for c in inner.co_consts),
        co_name=function.__code__.co_name,
        co_qualname=function.__code__.co_qualname,
    )


def _functions_in(module: types.ModuleType, path: str) -> list[types.FunctionType]:
    """The Python functions and methods defined in `path` that the module holds (decorated
    ones through their `__wrapped__` chain)."""
    found: dict[int, types.FunctionType] = {}

    def visit(value: Any, depth: int = 0) -> None:
        for _ in range(8):
            if isinstance(value, (staticmethod, classmethod)):
                value = value.__func__
            if isinstance(value, property):
                for part in (value.fget, value.fset, value.fdel):
                    visit(part, depth)
                return
            if isinstance(value, types.FunctionType) and value.__code__.co_filename == path:
                found[id(value)] = value
            if isinstance(value, type) and depth == 0 and value.__module__ == module.__name__:
                for member in list(vars(value).values()):
                    visit(member, 1)
                return
            value = getattr(value, "__wrapped__", None)
            if value is None:
                return

    for value in list(vars(module).values()):
        visit(value)
    return list(found.values())


class _Plan:
    """What the guard needs, computed once per process (the zygote, before forking): the
    kernels to replace, and the functions of the forbidden torch code with their stubs. Applied
    once too (`apply`): the routines of every exercise are refused in every child, since no
    exercise's honest solution needs another exercise's routine."""

    def __init__(self) -> None:
        names = tuple(dict.fromkeys(n for ops in forbidden.FORBIDDEN_OPS.values() for n in ops))
        self.kernels = _kernel_plan(names)
        prefixes = {p for paths in forbidden.FORBIDDEN_CODE.values() for p in paths}
        prefixes.update(forbidden.GLOBAL_CODE)
        self.files = tuple(sorted(prefixes))
        functions: set[tuple[str, str]] = set()
        for paths in forbidden.FORBIDDEN.values():
            for dotted in paths:
                target = _try_resolve(dotted)
                code = getattr(target, "__code__", None)
                while code is None and hasattr(target, "__wrapped__"):
                    target = target.__wrapped__
                    code = getattr(target, "__code__", None)
                if code is not None and _relative(code.co_filename):
                    functions.add((_relative(code.co_filename), code.co_name))
        files = {f for f, _ in functions}
        self.stubs: list[tuple[types.FunctionType, types.CodeType]] = []
        for module in list(sys.modules.values()):
            path = getattr(module, "__file__", None)
            relative = _relative(path) if isinstance(path, str) else ""
            whole = bool(relative) and relative.startswith(self.files)
            if not (whole or relative in files):
                continue
            for f in _functions_in(module, path):
                if whole or (relative, f.__code__.co_name) in functions:
                    routine = f"{module.__name__}.{f.__code__.co_qualname}"
                    self.stubs.append((f, _stub(f, routine)))
        self.tables: dict[str, str] = {}
        self.applied = False

    def apply(self) -> None:
        """Refuse the kernels and stub the code, in this process (and the children it forks)."""
        _LIBRARIES.append(_refuse_kernels(self.kernels))
        self.tables = {op: torch._C._dispatch_dump_table(op) for _, _, op in self.kernels}
        for function, stub in self.stubs:
            function.__code__ = stub
        self.applied = True


def _try_resolve(dotted: str) -> Any:
    parts = dotted.split(".")
    for i in range(len(parts), 0, -1):
        try:
            obj: Any = importlib.import_module(".".join(parts[:i]))
        except ImportError:
            continue
        try:
            for attr in parts[i:]:
                obj = getattr(obj, attr)
        except AttributeError:
            return None
        return obj
    return None


_PLAN: list[_Plan] = []


def _plan() -> _Plan:
    if not _PLAN:
        _PLAN.append(_Plan())
    return _PLAN[0]


# The forbidden torch modules a learner could import after the plan was made: imported first.
_PRELOAD = (
    "torch.optim",
    "torch.optim.lr_scheduler",
    "torch.optim.swa_utils",
    "torch.autograd.functional",
    "torch.func",
    "torch._functorch.eager_transforms",
    "torch._functorch.apis",
    "torch._functorch.vmap",
    "torch._functorch.functional_call",
    "torch._refs",
    "torch._refs.nn.functional",
    "torch._refs.special",
    "torch._decomp",
    "torch._decomp.decompositions",
    "torch.nn.init",
)


def prepare() -> None:
    """Import the forbidden modules, compute the plan and install the audit hook (the zygote
    calls it once, so that each child only applies the plan)."""
    if _PLAN:
        return
    for name in _PRELOAD:
        try:
            importlib.import_module(name)
        except ImportError:
            continue
    for name in [n for n in sys.modules if n.startswith("torch.optim.")]:
        importlib.import_module(name)
    _plan().apply()
    sys.addaudithook(_audit)
    builtins = vars(__builtins__) if isinstance(__builtins__, types.ModuleType) else __builtins__
    # the stubs find it as a builtin, whatever the learner does to torch's modules' globals
    builtins["__own_work__"] = _refused
