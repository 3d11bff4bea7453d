"""Cheap confirmations: replay the first recorded train batches on a copy of the model as it
was before its first update, with a changed learning rate, and compare the losses.

The copy, its optimizer and the batches are the doctor's own; the random number generators
are forked (`torch.random.fork_rng`) so dropout in the copy draws nothing from the script's
streams. Runs after the script has finished and every hook is removed.
"""

from __future__ import annotations

import copy
import math

import torch

from trainlab.doctor.instruments import Recorder
from trainlab.doctor.rules import Finding

PASSES = 3  # passes over the recorded batches (8 at most): 24 steps


def replay_loss(recorder: Recorder, lr: float) -> float:
    """Mean loss over the recorded batches after `PASSES` passes of training a copy of the
    initial model on them with the script's optimizer at learning rate `lr`."""
    assert recorder.initial_model is not None and recorder.optimizer_factory is not None
    cls, defaults = recorder.optimizer_factory
    model = copy.deepcopy(recorder.initial_model)
    model.train()
    opt = cls(model.parameters(), **{**defaults, "lr": lr})
    batches = recorder.replay
    devices = sorted(
        {t.device.index or 0 for b in batches for t in b["args"] if isinstance(t, torch.Tensor)
         and t.device.type == "cuda"}
    )  # fmt: skip
    with torch.random.fork_rng(devices=devices):
        for _ in range(PASSES):
            for b in batches:
                opt.zero_grad()
                b["func"](model(*b["args"]), b["target"], **b["kwargs"]).backward()
                opt.step()
        with torch.no_grad():
            losses = [float(b["func"](model(*b["args"]), b["target"], **b["kwargs"]))
                      for b in batches]  # fmt: skip
    return sum(losses) / len(losses)


def confirm(finding: Finding, recorder: Recorder) -> None:
    """For lr_too_high (try η/10) and lr_too_low (try 10η): replay both learning rates and
    write the outcome into `finding.confirmation`; confidence +0.05 if the suggested η ends
    lower, -0.1 if not. A finding explained by another cause is left alone."""
    factor = {"lr_too_high": 0.1, "lr_too_low": 10.0}.get(finding.cause)
    if (
        factor is None
        or finding.explained_by
        or recorder.initial_model is None
        or not recorder.optimizers
    ):
        return
    lr = recorder.optimizers[0].get("lr")
    if not isinstance(lr, float | int) or lr <= 0:
        return
    try:
        same, suggested = replay_loss(recorder, lr), replay_loss(recorder, lr * factor)
    except Exception as e:  # a model the copy cannot replay: say so, change nothing
        finding.confirmation = f"not run ({type(e).__name__}: {e})"
        return
    better = math.isfinite(suggested) and (not math.isfinite(same) or suggested < same)
    finding.confirmation = (
        f"{'confirmed' if better else 'not confirmed'}: on a copy of the initial model, "
        f"{PASSES} passes over {len(recorder.replay)} recorded batches end at loss {same:.3g} "
        f"with η = {lr:g} and {suggested:.3g} with η = {lr * factor:g}"
    )
    finding.confidence = (
        min(0.99, finding.confidence + 0.05) if better else finding.confidence - 0.1
    )
