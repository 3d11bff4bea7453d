"""Own work only: the torch routines each exercise asks the learner to write, and how we notice.

- `scan` (judge side, trusted): a static AST scan of the submitted solution source for the
  routines of `FORBIDDEN` as attributes (`F.batch_norm`), imported names (`from torch.optim
  import Adam`), string names handed to `getattr`/`importlib`/`__import__`, imports of the
  grader itself, and the private entry points that would reach into the grader's guard
  (`TAMPERING`).
- `autograder.guard` (child side, where the work is done): the aten operators that ARE the
  exercise (`FORBIDDEN_OPS`, refused at the dispatcher), the Python code of forbidden torch
  routines on the stack while an op runs (`FORBIDDEN_CODE` and the functions of `FORBIDDEN`),
  and calls of `GUARD_ENTRY_POINTS` (popping or disabling dispatch modes, threads, processes).

A learner's own functions share names with some routines (`softmax`, `dropout`, `hessian`), so a
bare name is never flagged: only attribute access, `from ... import`, and string lookups are.
Imported by the child before learner code runs: standard library only.
"""

from __future__ import annotations

import ast
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
    "torch.optim.adam._single_tensor_adam",
    "torch.optim.adam._multi_tensor_adam",
    "torch.optim.adam._fused_adam",
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
        "torch.autograd.functional.jacobian",
        "torch.autograd.functional.hvp",
        "torch.autograd.functional.vhp",
        "torch.func.hessian",
        "torch.func.jacrev",
        "torch.func.jacfwd",
        "torch.func.vmap",
        "torch.vmap",
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
        "torch._C._special.special_softmax",
        "torch._C._special.special_log_softmax",
        "torch._C._nn.cross_entropy_loss",
        "torch._C._nn.nll_loss",
    ),
    # the gym's exercises delegate to nothing in torch; trainlab (the doctor) is refused to
    # every exercise by the import block
    "diagnose": (),
    "repair": (),
    "layernorm": (
        "torch.nn.functional.layer_norm",
        "torch.layer_norm",
        "torch.native_layer_norm",
        "torch.nn.LayerNorm",
        "torch.nn.functional.group_norm",
        "torch.nn.GroupNorm",
    ),
}

# The aten operators that ARE an exercise's computation (schema names without "aten::"). The
# child replaces their kernels at every dispatch key by one that refuses; elementwise and
# reduction ops stay allowed. Batch and layer normalization share one list: either can be had
# from the other on transposed data, and group/instance/RMS norm from both.
_NORMALIZATION_OPS = (
    "batch_norm", "native_batch_norm", "_native_batch_norm_legit",
    "_native_batch_norm_legit_no_training", "_native_batch_norm_legit_functional",
    "_native_batch_norm_legit_no_stats", "_batch_norm_impl_index", "_batch_norm_with_update",
    "_batch_norm_with_update_functional", "_batch_norm_no_update", "cudnn_batch_norm",
    "miopen_batch_norm", "batch_norm_stats", "batch_norm_elemt", "batch_norm_gather_stats",
    "batch_norm_gather_stats_with_counts", "instance_norm", "layer_norm", "native_layer_norm",
    "group_norm", "native_group_norm", "rms_norm", "_fused_rms_norm",
)  # fmt: skip
_OPTIMIZER_OPS = (
    "_fused_adam", "_fused_adam_", "_fused_adamw", "_fused_adamw_", "_fused_sgd", "_fused_sgd_",
    "_fused_adagrad", "_fused_adagrad_", "_fused_rmsprop", "_fused_rmsprop_",
)  # fmt: skip
FORBIDDEN_OPS: dict[str, tuple[str, ...]] = {
    "adam": _OPTIMIZER_OPS,
    "momentum": _OPTIMIZER_OPS,
    "rmsprop": _OPTIMIZER_OPS,
    "adagrad": _OPTIMIZER_OPS,
    "batchnorm": _NORMALIZATION_OPS,
    "layernorm": _NORMALIZATION_OPS,
    "dropout": (
        "dropout", "dropout_", "native_dropout", "feature_dropout", "feature_dropout_",
        "alpha_dropout", "alpha_dropout_", "feature_alpha_dropout", "feature_alpha_dropout_",
        "_fused_dropout",
    ),
    "softmax_cross_entropy": (
        "softmax", "_softmax", "log_softmax", "_log_softmax", "_safe_softmax", "_masked_softmax",
        "_sparse_softmax", "_sparse_log_softmax", "special_softmax", "special_log_softmax",
        "cross_entropy_loss", "nll_loss", "nll_loss_forward", "nll_loss2d",
        "nll_loss2d_forward", "nll_loss_nd",
    ),
}  # fmt: skip

# Python code of torch that is an exercise's computation, relative to site-packages (a prefix:
# a folder or a file). The child replaces the code of each of its functions by a stub that
# refuses (so do the Python functions of `FORBIDDEN`). torch's reference implementations and
# decompositions (`torch._refs`, `torch._decomp`) compute every exercise from primitives, so
# they are out for all.
GLOBAL_CODE = ("torch/_refs/", "torch/_decomp/", "torch/_prims/")
_NORMALIZATION_CODE = (
    "torch/nn/modules/batchnorm.py",
    "torch/nn/modules/instancenorm.py",
    "torch/nn/modules/normalization.py",
)
FORBIDDEN_CODE: dict[str, tuple[str, ...]] = {
    "adam": ("torch/optim/",),
    "momentum": ("torch/optim/",),
    "rmsprop": ("torch/optim/",),
    "adagrad": ("torch/optim/",),
    "lr_schedule": ("torch/optim/",),
    "batchnorm": _NORMALIZATION_CODE,
    "layernorm": _NORMALIZATION_CODE,
    "dropout": ("torch/nn/modules/dropout.py",),
    # the exercise asks for double backward written by the learner: no autograd.functional, no
    # torch.func transforms (jacrev, jacfwd, hessian, vmap, grad)
    "hessian": (
        "torch/autograd/functional.py",
        "torch/_functorch/",
        "torch/func/",
        "torch/_vmap_internals.py",
    ),
}

# Trip ids of the guard's integrity layer (see `trip_sentence`).
GUARD_DISABLED = "guard:disabled"
GUARD_REACHED = "guard:reached"
GUARD_PROGRAM = "guard:program"
_GUARD_SENTENCES = {
    GUARD_DISABLED: "restored, reloaded or unregistered what the grader disables in this "
    "exercise (torch's own implementation of it)",
    GUARD_REACHED: "walked the garbage collector's objects, where the grader's own objects live",
    GUARD_PROGRAM: "started another program (os.exec, subprocess, os.system): what it computes "
    "runs outside the grader's checks, so it cannot count as your own work",
}
# Names that reach into the grader's guard or the frames of the grader: flagged by the static
# scan in every exercise (as attributes, imported names or strings handed to getattr). Honest
# solutions never use them.
TAMPERING = frozenset(
    {"_getframe", "f_back", "f_locals", "tb_frame", "gi_frame", "cell_contents", "__closure__"}
    | {"get_referrers", "get_referents", "get_objects", "create_dynamic", "create_builtin"}
    | {"__code__", "_destroy", "_dispatch_dump_table", "addaudithook", "__own_work__"}
)


def trip_sentence(function: str, tripped: list[str]) -> str:
    """The learner's sentence for what the guard recorded during a call of `function`."""
    routines = [t for t in tripped if t not in _GUARD_SENTENCES]
    parts = []
    if routines:
        names = ", ".join(f"`{t}`" for t in routines)
        parts.append(
            f"{function} called {names}, the very routine this exercise asks you to write yourself."
        )
    for t in tripped:
        if t in _GUARD_SENTENCES:
            parts.append(f"Your code {_GUARD_SENTENCES[t]}.")
    return " ".join(parts)


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
        if self.routine in TAMPERING:
            return (
                f"Your solution uses `{self.routine}` ({where}), which reaches into the grader "
                "or disables its checks: solutions must not inspect or change the grader."
            )
        return (
            f"Your solution uses `{self.routine}` ({where}), the very routine this exercise "
            "asks you to write yourself."
        )


def _names(exercise: str) -> dict[str, str]:
    """Last component → dotted path, for the exercise's routines, its aten operators and the
    names that reach into the grader."""
    names: dict[str, str] = {}
    for path in FORBIDDEN.get(exercise, ()):
        names.setdefault(path.rsplit(".", 1)[-1], path)  # the first (public) path wins
    for op in FORBIDDEN_OPS.get(exercise, ()):
        names.setdefault(op, f"torch.ops.aten.{op}")
    for name in TAMPERING:
        names.setdefault(name, name)
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
