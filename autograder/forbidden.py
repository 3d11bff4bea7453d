"""Own work only: the torch routines each exercise asks the learner to write, and how we notice.

Two detectors share the table `FORBIDDEN`:
- `scan` (judge side, trusted): a static AST scan of the submitted solution source for those
  routines as attributes (`F.batch_norm`), imported names (`from torch.optim import Adam`),
  string names handed to `getattr`/`importlib`/`__import__`, and imports of the grader itself.
- `install_tripwires` (child side, best effort since the child is untrusted): wrappers around the
  same routines that record any call made while a learner function runs.

A learner's own functions share names with some routines (`softmax`, `dropout`, `hessian`), so a
bare name is never flagged: only attribute access, `from ... import`, and string lookups are.
Imported by the child before learner code runs: standard library only.
"""

from __future__ import annotations

import ast
import functools
import importlib
from collections.abc import Callable
from dataclasses import dataclass

# Dotted paths of the routines an exercise must not delegate to. The last component is what
# the static scan looks for; the full path is what the child wraps.
_ADAM = (
    "torch.optim.Adam",
    "torch.optim.AdamW",
    "torch.optim.Adamax",
    "torch.optim.NAdam",
    "torch.optim.RAdam",
    "torch.optim.adam.adam",
    "torch.optim.adamw.adamw",
    "torch._fused_adam_",
    "torch._fused_adamw_",
)
FORBIDDEN: dict[str, tuple[str, ...]] = {
    "adam": _ADAM,
    "momentum": ("torch.optim.SGD", "torch.optim.sgd.sgd"),
    "rmsprop": ("torch.optim.RMSprop", "torch.optim.rmsprop.rmsprop"),
    "adagrad": ("torch.optim.Adagrad", "torch.optim.adagrad.adagrad"),
    "batchnorm": (
        "torch.nn.functional.batch_norm",
        "torch.batch_norm",
        "torch.native_batch_norm",
        "torch._native_batch_norm_legit",
        "torch.nn.BatchNorm1d",
        "torch.nn.BatchNorm2d",
        "torch.nn.BatchNorm3d",
        "torch.nn.LazyBatchNorm1d",
        "torch.nn.LazyBatchNorm2d",
        "torch.nn.SyncBatchNorm",
        "torch.nn.functional.instance_norm",
    ),
    "he_init": (
        "torch.nn.init.kaiming_normal_",
        "torch.nn.init.kaiming_normal",
        "torch.nn.init.kaiming_uniform_",
        "torch.nn.init.kaiming_uniform",
        "torch.nn.init._calculate_fan_in_and_fan_out",
        "torch.nn.init._calculate_correct_fan",
    ),
    "dropout": (
        "torch.nn.functional.dropout",
        "torch.nn.functional.dropout1d",
        "torch.nn.functional.dropout2d",
        "torch.nn.functional.dropout3d",
        "torch.nn.functional.alpha_dropout",
        "torch.nn.functional.feature_alpha_dropout",
        "torch.dropout",
        "torch.dropout_",
        "torch.native_dropout",
        "torch.nn.Dropout",
        "torch.nn.Dropout1d",
        "torch.nn.Dropout2d",
        "torch.nn.AlphaDropout",
    ),
    "hessian": (
        "torch.autograd.functional.hessian",
        "torch.func.hessian",
    ),
    "lr_schedule": (
        "torch.optim.lr_scheduler",
        "torch.optim.lr_scheduler.LambdaLR",
        "torch.optim.lr_scheduler.LinearLR",
        "torch.optim.lr_scheduler.CosineAnnealingLR",
        "torch.optim.lr_scheduler.CosineAnnealingWarmRestarts",
        "torch.optim.lr_scheduler.SequentialLR",
        "torch.optim.lr_scheduler.OneCycleLR",
        "torch.optim.lr_scheduler.PolynomialLR",
    ),
    "softmax_cross_entropy": (
        "torch.softmax",
        "torch.log_softmax",
        "torch.nn.functional.softmax",
        "torch.nn.functional.log_softmax",
        "torch.nn.functional.cross_entropy",
        "torch.nn.functional.nll_loss",
        "torch.special.softmax",
        "torch.special.log_softmax",
        "torch.Tensor.softmax",
        "torch.Tensor.log_softmax",
        "torch._softmax",
        "torch._log_softmax",
        "torch.nn.Softmax",
        "torch.nn.LogSoftmax",
        "torch.nn.CrossEntropyLoss",
        "torch.nn.NLLLoss",
    ),
    "layernorm": (
        "torch.nn.functional.layer_norm",
        "torch.layer_norm",
        "torch.native_layer_norm",
        "torch.nn.LayerNorm",
        "torch.nn.functional.group_norm",
        "torch.nn.GroupNorm",
    ),
}

# Packages a solution may not import (the grader and its reference, the course helpers).
BLOCKED_PACKAGES = ("autograder", "trainlab")
_LOOKUPS = {"getattr", "__import__", "import_module", "attrgetter", "methodcaller", "find_spec"}


@dataclass(frozen=True)
class Finding:
    """One use of a forbidden routine in the source: what, and on which line of which cell."""

    routine: str
    cell: str
    line: int

    def sentence(self) -> str:
        where = f"line {self.line} of cell {self.cell}"
        if self.routine in BLOCKED_PACKAGES:
            return (
                f"Your solution imports `{self.routine}` ({where}): solutions must be your own "
                "code using math, numpy and torch only."
            )
        return (
            f"Your solution uses `{self.routine}` ({where}), the very routine this exercise "
            "asks you to write yourself."
        )


def _names(exercise: str) -> dict[str, str]:
    """Last component → dotted path, for the exercise's routines."""
    names: dict[str, str] = {}
    for path in FORBIDDEN.get(exercise, ()):
        names.setdefault(path.rsplit(".", 1)[-1], path)  # the first (public) path wins
    return names


def scan(exercise: str, cells: list[tuple[str, str]]) -> list[Finding]:
    """Forbidden routines used in the (cell id, source) pairs; unparsable cells are skipped."""
    names = _names(exercise)
    findings: list[Finding] = []
    for cell, source in cells:
        try:
            tree = ast.parse(source)
        except (SyntaxError, ValueError):
            continue
        for node in ast.walk(tree):
            for routine in _hits(node, names):
                findings.append(Finding(routine, cell, getattr(node, "lineno", 0)))
    unique = {(f.routine, f.cell, f.line): f for f in findings}
    return sorted(unique.values(), key=lambda f: (f.cell, f.line, f.routine))


def _hits(node: ast.AST, names: dict[str, str]) -> list[str]:
    hits: list[str] = []
    if isinstance(node, ast.Attribute) and node.attr in names:
        hits.append(names[node.attr])
    elif isinstance(node, ast.Import):
        for alias in node.names:
            hits += _blocked(alias.name)
    elif isinstance(node, ast.ImportFrom):
        hits += _blocked(node.module or "")
        for alias in node.names:
            if alias.name in names:
                hits.append(names[alias.name])
            elif node.module and f"{node.module}.{alias.name}" in names.values():
                hits.append(f"{node.module}.{alias.name}")
    elif isinstance(node, ast.Call):
        func = node.func
        called = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
        if called in _LOOKUPS:
            for arg in node.args:
                if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                    text = arg.value.strip()
                    last = text.rsplit(".", 1)[-1]
                    if last in names:
                        hits.append(names[last])
                    hits += _blocked(text)
    return hits


def _blocked(module: str) -> list[str]:
    top = module.split(".", 1)[0]
    return [top] if top in BLOCKED_PACKAGES else []


# --------------------------------------------------------------------------- child trip-wires


class Tripwires:
    """Wrappers that record calls of forbidden routines while `armed` (during learner calls)."""

    def __init__(self) -> None:
        self.armed = False
        self.tripped: list[str] = []

    def record(self, path: str) -> None:
        if self.armed and path not in self.tripped:
            self.tripped.append(path)

    def take(self) -> list[str]:
        tripped, self.tripped = self.tripped, []
        return tripped


def install_tripwires(exercise: str) -> Tripwires:
    """Wrap every forbidden routine of the exercise that exists in this torch."""
    wires = Tripwires()
    for path in FORBIDDEN.get(exercise, ()):
        owner_path, name = path.rsplit(".", 1)
        try:
            owner = _resolve(owner_path)
            original = getattr(owner, name)
        except (ImportError, AttributeError):
            continue
        if isinstance(original, type):
            _wrap_class(original, path, wires)
        elif callable(original):
            try:
                setattr(owner, name, _wrap_function(original, path, wires))
            except (AttributeError, TypeError):
                continue
    return wires


def _resolve(dotted: str) -> object:
    parts = dotted.split(".")
    for i in range(len(parts), 0, -1):
        try:
            obj: object = importlib.import_module(".".join(parts[:i]))
        except ImportError:
            continue
        for attr in parts[i:]:
            obj = getattr(obj, attr)
        return obj
    raise ImportError(dotted)


def _wrap_function(original: Callable, path: str, wires: Tripwires) -> Callable:
    @functools.wraps(original)
    def wrapper(*args, **kwargs):
        wires.record(path)
        return original(*args, **kwargs)

    return wrapper


def _wrap_class(cls: type, path: str, wires: Tripwires) -> None:
    original_init = cls.__init__

    @functools.wraps(original_init)
    def __init__(self, *args, **kwargs):
        wires.record(path)
        original_init(self, *args, **kwargs)

    try:
        cls.__init__ = __init__
    except (AttributeError, TypeError):
        pass
