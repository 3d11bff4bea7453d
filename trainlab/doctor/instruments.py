"""Instruments: what the doctor records while an unmodified training run executes.

Everything is observed through PyTorch's own global hooks, never by patching user code:

- module forward pre/post hooks (`register_module_forward_pre_hook` / `..._forward_hook`):
  the layer list, the input scale, activation statistics, forwards in training mode;
- a tensor hook on a model's output: whether that forward's output ever got a gradient;
- optimizer step pre/post hooks (`register_optimizer_step_pre_hook` / `..._post_hook`):
  per-layer gradient norms, update/weight ratios, the optimizer's settings, the step count;
- a `TorchFunctionMode`, on from the end of a model's forward until the next optimizer step:
  the loss functions (`F.cross_entropy`, `F.mse_loss`, ...) with their inputs and targets, and
  `.backward()`; on sampled forwards it is on during the forward too, for the functional
  activations (`F.relu`, `torch.tanh`, ...). (A "model" is a module with
  parameters called outside any other module's forward.)

The recorder only reads: statistics are computed on detached values under `torch.no_grad()`,
no random number is drawn, nothing is modified in place. Expensive statistics are sampled
(activations every `activation_every`-th forward, gradient and update norms every
`step_every`-th step after the first few). `Recorder.record()` returns plain JSON-able data.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Callable
from typing import Any

import torch
import torch.nn.functional as F
from torch import nn
from torch.nn.modules.module import (
    register_module_forward_hook,
    register_module_forward_pre_hook,
)
from torch.optim.optimizer import (
    register_optimizer_step_post_hook,
    register_optimizer_step_pre_hook,
)
from torch.overrides import TorchFunctionMode, _get_current_function_mode

LOSSES: dict[Callable, str] = {
    F.cross_entropy: "cross_entropy",
    F.nll_loss: "nll_loss",
    F.mse_loss: "mse_loss",
    F.l1_loss: "l1_loss",
    F.smooth_l1_loss: "smooth_l1_loss",
    F.huber_loss: "huber_loss",
    F.binary_cross_entropy: "binary_cross_entropy",
    F.binary_cross_entropy_with_logits: "binary_cross_entropy_with_logits",
}
CLASSIFICATION_LOSSES = ("cross_entropy", "nll_loss")
ACTIVATION_FUNCTIONS: dict[Callable, str] = {
    F.relu: "relu",
    torch.relu: "relu",
    torch.Tensor.relu: "relu",
    torch.tanh: "tanh",
    F.tanh: "tanh",
    torch.Tensor.tanh: "tanh",
    torch.sigmoid: "sigmoid",
    F.sigmoid: "sigmoid",
    torch.Tensor.sigmoid: "sigmoid",
}
ACTIVATION_MODULES: dict[type, str] = {nn.ReLU: "relu", nn.Tanh: "tanh", nn.Sigmoid: "sigmoid"}
WEIGHTED_MODULES = (nn.Linear, nn.Conv1d, nn.Conv2d, nn.Conv3d)
STOCHASTIC_MODULES = (nn.Dropout, nn.modules.batchnorm._BatchNorm)
BACKWARDS = (torch.Tensor.backward, torch.autograd.backward)

REPLAY_BATCHES = 8  # train batches kept (with the initial model) for the cheap confirmations


class StopRun(BaseException):
    """Raised from the step hook after `max_steps` optimizer steps; the runner catches it.

    A BaseException, like KeyboardInterrupt, so a script's own `except Exception` lets it pass.
    """


def _float(t: torch.Tensor) -> float:
    return float(t.detach().float().item())


def _class_dim(t: torch.Tensor) -> int:
    return 1 if t.dim() >= 2 else 0


class _Mode(TorchFunctionMode):
    """Sees loss functions, functional activations and `.backward()`; passes everything on."""

    def __init__(self, recorder: Recorder):
        super().__init__()
        self.recorder = recorder

    def __torch_function__(self, func, types, args=(), kwargs=None):
        kwargs = kwargs or {}
        r = self.recorder
        if func in BACKWARDS:
            r.before_backward(args[0] if args else kwargs.get("tensors"))
            return func(*args, **kwargs)
        out = func(*args, **kwargs)
        if func in LOSSES:
            r.on_loss(LOSSES[func], func, args, kwargs, out)
        elif (
            func in ACTIVATION_FUNCTIONS
            and r.depth > 0
            and r.sampling
            and not r.in_activation_module
        ):
            r.on_activation(ACTIVATION_FUNCTIONS[func], None, out)
        return out


class Recorder:
    """Installs the global hooks (`start`), removes every one of them (`stop`), and keeps
    the measurements; `record()` gives them as plain data (see the module docstring)."""

    def __init__(
        self, max_steps: int | None = None, activation_every: int = 10, step_every: int = 5
    ):
        self.max_steps = max_steps
        self.activation_every = activation_every
        self.step_every = step_every
        self._handles: list[Any] = []
        self._mode: _Mode | None = None
        self._mode_active = False
        # state of the forward being observed
        self.depth = 0
        self.sampling = False
        self.in_activation_module = False
        self._stack: list[bool] = []
        self._order = 0
        self._forward_stats: list[dict] = []
        self._roots: list[nn.Module] = []
        self._param_names: dict[int, str] = {}
        self._module_names: dict[int, str] = {}
        self._stochastic: dict[int, list[str]] = {}
        self._last_output: Any = None
        self._last_root_args: tuple = ()
        # records
        self.forwards = 0
        self.steps = 0
        self.inputs: list[dict] = []
        self.activations: list[dict] = []
        self.losses: list[dict] = []  # one per loss-function call, in order
        self._train_calls = 0  # details (accuracy, classes, ...) of every 4th after the 20th
        self._pending: list[dict] = []  # loss calls since the last backward
        self.train_loss: list[list[float]] = [[]]  # per step: the losses backpropagated
        self.grad_norms: list[dict] = []
        self.update_ratios: list[dict] = []
        self.optimizers: list[dict] = []
        self._optimizer_ids: set[int] = set()
        self._params_by_optimizer: list[list[torch.Tensor]] = []
        self._snapshot: dict[int, torch.Tensor] = {}
        self.stale_checks = 0
        self.stale_steps = 0
        self._stepped = False
        self.train_mode_eval = {"no_grad": 0, "unused": 0, "modules": []}
        self._output_flags: list[dict] = []
        self.errors: list[str] = []
        # for the confirmations: the model before its first update and its first batches
        self.initial_model: nn.Module | None = None
        self.optimizer_factory: tuple[type, dict] | None = None
        self.replay: list[dict] = []

    # ---- installation -------------------------------------------------------------------
    def start(self) -> None:
        self._handles = [
            register_module_forward_pre_hook(self._forward_pre),
            register_module_forward_hook(self._forward_post, always_call=True),
            register_optimizer_step_pre_hook(self._step_pre),
            register_optimizer_step_post_hook(self._step_post),
        ]
        self._mode = _Mode(self)

    def _mode_on(self) -> None:
        """The function mode is on from the end of a model's forward (its start, on sampled
        forwards) to the next optimizer step: it sees the loss and the backward (and the
        functional activations of sampled forwards), not the optimizer's own arithmetic."""
        if self._mode is not None and not self._mode_active:
            self._mode.__enter__()
            self._mode_active = True

    def _mode_off(self) -> None:
        if self._mode_active and _get_current_function_mode() is self._mode:
            self._mode.__exit__(None, None, None)
            self._mode_active = False

    def stop(self) -> None:
        self._mode_off()
        self._mode = None
        for h in self._handles:
            h.remove()
        self._handles = []
        self._flush_pending()
        self.train_mode_eval["unused"] = sum(not f["used"] for f in self._output_flags)
        self._last_output = None

    # ---- forwards -----------------------------------------------------------------------
    def _is_root_candidate(self, module: nn.Module) -> bool:
        return next(module.parameters(), None) is not None

    def _forward_pre(self, module: nn.Module, args: tuple) -> None:
        if self.depth == 0 and not self._is_root_candidate(module):
            self._stack.append(False)
            return
        self._stack.append(True)
        if self.depth == 0:
            with torch._C.DisableTorchFunction():
                self._root_begins(module, args)
            if self.sampling:  # functional activations are measured on sampled forwards only
                self._mode_on()
        elif type(module) in ACTIVATION_MODULES:
            self.in_activation_module = True
        self.depth += 1

    def _root_begins(self, module: nn.Module, args: tuple) -> None:
        if all(module is not r for r in self._roots):
            self._roots.append(module)
            for name, p in module.named_parameters():
                self._param_names.setdefault(id(p), name)
            for name, m in module.named_modules():
                self._module_names.setdefault(id(m), name or type(m).__name__)
            self._stochastic[id(module)] = [
                f"{n or type(m).__name__}: {type(m).__name__}"
                for n, m in module.named_modules()
                if isinstance(m, STOCHASTIC_MODULES)
            ]
        self.sampling = self.forwards < 3 or self.forwards % self.activation_every == 0
        self._order = 0
        self._forward_stats = []
        x = args[0] if args else None
        if isinstance(x, torch.Tensor) and x.is_floating_point() and len(self.inputs) < 5:
            self.inputs.append(_input_stats(x))
        self._last_root_args = args
        if module.training and self._stochastic[id(module)] and not torch.is_grad_enabled():
            self.train_mode_eval["no_grad"] += 1
            self._note_stochastic(module)

    def _forward_post(self, module: nn.Module, args: tuple, output: Any) -> None:
        if not self._stack or not self._stack.pop():
            return
        self.depth -= 1
        self.in_activation_module = False
        if self.sampling and self.depth > 0:
            kind = ACTIVATION_MODULES.get(type(module))
            if kind is not None or isinstance(module, WEIGHTED_MODULES):
                self.on_activation(kind or "linear", module, output)
        if self.depth == 0:
            with torch._C.DisableTorchFunction():
                self._root_ends(module, output)

    def _root_ends(self, module: nn.Module, output: Any) -> None:
        if self.sampling and self._forward_stats:
            self.activations.append(
                {"step": self.steps, "forward": self.forwards, "layers": self._forward_stats}
            )
        self.forwards += 1
        self.sampling = False
        self._mode_on()
        self._last_output = output if isinstance(output, torch.Tensor) else None
        if (
            module.training
            and self._stochastic[id(module)]
            and isinstance(output, torch.Tensor)
            and output.requires_grad
        ):
            flag = {"used": False}

            def mark(grad: torch.Tensor, flag: dict = flag) -> None:
                flag["used"] = True

            output.register_hook(mark)
            self._output_flags.append(flag)
            self._note_stochastic(module)

    def _note_stochastic(self, module: nn.Module) -> None:
        if not self.train_mode_eval["modules"]:
            self.train_mode_eval["modules"] = self._stochastic[id(module)]

    def on_activation(self, kind: str, module: nn.Module | None, out: Any) -> None:
        """Mean, std, and for ReLU the zero fraction and dead units, for tanh/sigmoid the
        saturated fraction, of one layer's output (in forward order)."""
        if not isinstance(out, torch.Tensor) or not out.is_floating_point() or out.numel() < 2:
            return
        with torch.no_grad(), torch._C.DisableTorchFunction():
            h = out.detach().float()
            name = self._module_name(module) if module is not None else f"F.{kind}#{self._order}"
            stats = {
                "name": name,
                "kind": kind,
                "mean": _float(h.mean()),
                "std": _float(h.std()) if h.numel() > 1 else 0.0,
            }
            if kind == "relu" and h.dim() >= 2 and h.shape[0] >= 16:
                units = h.transpose(0, 1).reshape(h.shape[1], -1)  # (units, N * positions)
                stats["zero_frac"] = _float((h == 0).float().mean())
                stats["dead_frac"] = _float((units == 0).all(dim=1).float().mean())
            elif kind == "tanh":
                stats["saturated_frac"] = _float((h.abs() > 0.99).float().mean())
            elif kind == "sigmoid":
                stats["saturated_frac"] = _float(((h < 0.01) | (h > 0.99)).float().mean())
        self._order += 1
        self._forward_stats.append(stats)

    def _module_name(self, module: nn.Module) -> str:
        return self._module_names.get(id(module), type(module).__name__)

    # ---- losses and backward ------------------------------------------------------------
    def on_loss(self, kind: str, func: Callable, args: tuple, kwargs: dict, out: Any) -> None:
        with torch.no_grad(), torch._C.DisableTorchFunction():
            inp = args[0] if args else kwargs.get("input")
            target = args[1] if len(args) > 1 else kwargs.get("target")
            if not isinstance(inp, torch.Tensor) or not isinstance(out, torch.Tensor):
                return
            if out.numel() != 1:
                return
            call: dict[str, Any] = {
                "kind": kind,
                "value": _float(out),
                "n": int(inp.shape[0]) if inp.dim() > 0 else 1,
                "grad": bool(out.requires_grad),
                "step": self.steps,
                "train": False,
            }
            self._train_calls += call["grad"]
            detailed = not call["grad"] or self._train_calls <= 20 or self._train_calls % 4 == 0
            if detailed and kind in CLASSIFICATION_LOSSES and isinstance(target, torch.Tensor):
                _classification_stats(call, inp, target)
            elif detailed and kind == "mse_loss" and isinstance(target, torch.Tensor):
                _regression_target_stats(call, inp, target)
            if call["grad"]:
                call["_replay"] = self._replay_entry(func, inp, target, kwargs)
                call["_out"] = out
        self.losses.append(call)
        if call["grad"]:
            self._pending.append(call)

    def _replay_entry(self, func: Callable, inp: torch.Tensor, target: Any, kwargs: dict):
        """The batch and loss of an early train step whose loss input is the model's output,
        kept (cloned) so that a confirmation can replay it on a copy of the initial model."""
        if (
            len(self.replay) >= REPLAY_BATCHES
            or inp is not self._last_output
            or not isinstance(target, torch.Tensor)
            or not self._roots
        ):
            return None
        args = self._last_root_args
        return {
            "func": func,
            "args": tuple(a.detach().clone() if isinstance(a, torch.Tensor) else a for a in args),
            "target": target.detach().clone(),
            "kwargs": {k: v for k, v in kwargs.items() if k not in ("input", "target")},
        }

    def before_backward(self, tensor: Any) -> None:
        with torch.no_grad(), torch._C.DisableTorchFunction():
            if self._stepped:
                self._stepped = False
                self._check_stale_gradients()
            if len(self._pending) == 1 and self._pending[0].get("_out") is tensor:
                self.train_loss[-1].append(self._pending[0]["value"])
            elif isinstance(tensor, torch.Tensor) and tensor.numel() == 1:
                self.train_loss[-1].append(_float(tensor))
            for call in self._pending:
                call["train"] = True
                call.pop("_out", None)
                entry = call.pop("_replay", None)
                if entry is not None and len(self.replay) < REPLAY_BATCHES:
                    self.replay.append(entry)
            self._pending = []

    def _check_stale_gradients(self) -> None:
        """At the first backward after an optimizer step: do the gradients still hold the
        previous step's values (nonzero) instead of None or zeros?"""
        grads = [ps[-1].grad for ps in self._params_by_optimizer if ps]
        self.stale_checks += 1
        # the last parameter (usually the output bias) has a gradient on every useful step
        if any(g is not None and bool(g.any()) for g in grads):
            self.stale_steps += 1

    def _flush_pending(self) -> None:
        for call in self.losses:
            call.pop("_replay", None)
            call.pop("_out", None)
        self._pending = []

    # ---- optimizer steps ----------------------------------------------------------------
    def _step_pre(self, optimizer: torch.optim.Optimizer, args: tuple, kwargs: dict) -> None:
        self._mode_off()
        with torch.no_grad(), torch._C.DisableTorchFunction():
            if id(optimizer) not in self._optimizer_ids:
                self._optimizer_ids.add(id(optimizer))
                self.optimizers.append(_optimizer_settings(optimizer))
                params = [p for g in optimizer.param_groups for p in g["params"]]
                self._params_by_optimizer.append(params)
            if self.initial_model is None and self._roots and self.replay:
                self._keep_initial_model(optimizer)
            for call in self._pending:  # a loss never backpropagated before this step
                call.pop("_replay", None)
                call.pop("_out", None)
            if self._sampled_step():
                weights = self._weights(optimizer)
                norms = {}
                for name, p in weights:
                    if p.grad is not None:
                        g = p.grad.detach()
                        norms[name] = _float(g.norm()) / math.sqrt(g.numel())
                self.grad_norms.append({"step": self.steps, "rms": norms})
                self._snapshot = {id(p): p.detach().clone() for _, p in weights}

    def _step_post(self, optimizer: torch.optim.Optimizer, args: tuple, kwargs: dict) -> None:
        with torch.no_grad(), torch._C.DisableTorchFunction():
            if self._snapshot:
                ratios = {}
                for name, p in self._weights(optimizer):
                    old = self._snapshot.get(id(p))
                    if old is not None:
                        w = _float(old.norm())
                        ratios[name] = _float((p.detach() - old).norm()) / w if w > 0 else 0.0
                self.update_ratios.append({"step": self.steps, "ratio": ratios})
                self._snapshot = {}
        self.steps += 1
        self._stepped = True
        self.train_loss.append([])
        if self.max_steps is not None and self.steps >= self.max_steps:
            raise StopRun()

    def _keep_initial_model(self, optimizer: torch.optim.Optimizer) -> None:
        """A copy of the model before its first update, and how to rebuild its optimizer."""
        try:
            self.initial_model = copy.deepcopy(self._roots[-1])
        except Exception:  # a model that cannot be copied gets no confirmation
            self.replay = []
            return
        self.optimizer_factory = (type(optimizer), dict(optimizer.defaults))

    def _sampled_step(self) -> bool:
        return self.steps < 5 or self.steps % self.step_every == 0

    def _weights(self, optimizer: torch.optim.Optimizer) -> list[tuple[str, torch.Tensor]]:
        """The optimizer's weight matrices/kernels (dim >= 2), named by the model's names."""
        out = []
        for g in optimizer.param_groups:
            for i, p in enumerate(g["params"]):
                if p.dim() >= 2:
                    out.append((self._param_names.get(id(p), f"param{i}"), p))
        return out

    # ---- the record ---------------------------------------------------------------------
    def layers(self) -> list[dict]:
        out = []
        for root in self._roots:
            for name, m in root.named_modules():
                if not list(m.children()):
                    n = sum(p.numel() for p in m.parameters(recurse=False))
                    out.append({"name": name or type(m).__name__, "type": type(m).__name__,
                                "params": n})  # fmt: skip
        return out

    def record(self) -> dict:
        """The measurements as plain data (lists, dicts, numbers, strings): JSON-able."""
        train_loss = [sum(v) / len(v) for v in self.train_loss if v]
        losses = [{k: v for k, v in c.items() if not k.startswith("_")} for c in self.losses]
        return {
            "steps": self.steps,
            "forwards": self.forwards,
            "layers": self.layers(),
            "optimizers": self.optimizers,
            "train_loss": train_loss,
            "loss_calls": losses,
            "eval_phases": _eval_phases(losses),
            "grad_rms": self.grad_norms,
            "update_ratios": self.update_ratios,
            "activations": self.activations,
            "inputs": self.inputs,
            "stale_gradients": {"checks": self.stale_checks, "stale": self.stale_steps},
            "train_mode_eval": dict(self.train_mode_eval),
        }


def _input_stats(x: torch.Tensor) -> dict:
    """Per-feature (2-D input) or per-channel (N, C, ...) mean and RMS of one input batch."""
    with torch.no_grad():
        h = x.detach().float()
        feats = h.transpose(0, 1).reshape(h.shape[1], -1) if h.dim() >= 2 else h.reshape(1, -1)
        mean = feats.mean(dim=1)
        rms = feats.pow(2).mean(dim=1).sqrt()
        return {
            "shape": list(x.shape),
            "mean": _float(h.mean()),
            "std": _float(h.std()) if h.numel() > 1 else 0.0,
            "feature_mean": mean.tolist()[:256],
            "feature_rms": rms.tolist()[:256],
        }


def _classification_stats(call: dict, inp: torch.Tensor, target: torch.Tensor) -> None:
    """Classes, accuracy, per-batch class counts, and whether the input is a probability
    vector (non-negative, summing to 1 over the classes) rather than logits/log-probs."""
    d = _class_dim(inp)
    C = int(inp.shape[d])
    call["num_classes"] = C
    x = inp.detach().float()
    probabilities = (x >= 0).all() & ((x.sum(dim=d) - 1).abs().max() < 1e-3)
    t = target.detach().reshape(-1)
    pred = x.argmax(dim=d).reshape(-1)
    if target.is_floating_point() or target.dtype == torch.bool or pred.shape != t.shape:
        call["probabilities"] = bool(probabilities)
        return
    valid = t[(t >= 0) & (t < C)]
    counts = torch.bincount(valid, minlength=C)
    acc = (pred == t).float().mean()
    values = torch.cat([probabilities.float().view(1), acc.view(1), counts.float()]).tolist()
    call["probabilities"] = values[0] > 0
    call["acc"] = values[1]
    call["class_counts"] = [int(v) for v in values[2:]]


def _regression_target_stats(call: dict, inp: torch.Tensor, target: torch.Tensor) -> None:
    """Whether an MSE target is one-hot (rows of 0/1 summing to 1) or class-like (integer
    values, 2 to 20 distinct ones)."""
    t = target.detach().float()
    call["output_dim"] = int(inp.shape[-1]) if inp.dim() >= 2 else 1
    integer = bool((t == t.round()).all())
    call["onehot_target"] = bool(
        t.dim() >= 2 and t.shape[-1] > 1 and integer and ((t == 0) | (t == 1)).all()
        and (t.sum(dim=-1) == 1).all()
    )  # fmt: skip
    distinct = int(torch.unique(t).numel()) if integer else 0
    call["classlike_target"] = bool(integer and 2 <= distinct <= 20 and t.numel() >= 8)
    call["target_values"] = distinct


def _optimizer_settings(optimizer: torch.optim.Optimizer) -> dict:
    settings = {"type": type(optimizer).__name__}
    g = optimizer.param_groups[0]
    for key in ("lr", "momentum", "betas", "weight_decay", "eps", "alpha", "nesterov"):
        if key in g:
            v = g[key]
            v = float(v) if isinstance(v, torch.Tensor) else v
            settings[key] = list(v) if isinstance(v, tuple) else v
    return settings


def _eval_phases(losses: list[dict]) -> list[dict]:
    """Group the loss calls that were never backpropagated (evaluation) between optimizer
    steps: one phase per run of evaluation, with its example-weighted loss and accuracy, and
    the mean train loss and accuracy of the steps since the previous phase."""
    phases: list[dict] = []
    train: list[dict] = []
    current: list[dict] = []
    for c in losses:
        if c["train"]:
            if current:
                phases.append(_phase(current, train))
                current, train = [], []
            train.append(c)
        else:
            current.append(c)
    if current:
        phases.append(_phase(current, train))
    return phases


def _phase(evals: list[dict], train: list[dict]) -> dict:
    n = sum(c["n"] for c in evals)
    phase = {
        "step": evals[0]["step"],
        "loss": sum(c["value"] * c["n"] for c in evals) / n,
        "n": n,
        "train_loss": sum(c["value"] for c in train) / len(train) if train else None,
    }
    if all("acc" in c for c in evals):
        phase["acc"] = sum(c["acc"] * c["n"] for c in evals) / n
        counts = [c["class_counts"] for c in evals]
        phase["majority"] = max(map(sum, zip(*counts, strict=True))) / n
    accs = [c["acc"] for c in train if "acc" in c]
    if accs:
        phase["train_acc"] = sum(accs) / len(accs)
    return phase
