"""The instruments in one figure: loss, per-layer gradient RMS, update/weight ratios, and
activation statistics per layer at the first and last sampled forward."""

from __future__ import annotations

import matplotlib.pyplot as plt

from trainlab.doctor.rules import HEALTHY_UPDATE_RATIO


def _series(entries: list[dict], key: str) -> dict[str, tuple[list[int], list[float]]]:
    out: dict[str, tuple[list[int], list[float]]] = {}
    for e in entries:
        for name, v in e[key].items():
            steps, values = out.setdefault(name, ([], []))
            steps.append(e["step"])
            values.append(max(v, 1e-12))
    return out


def plot_record(record: dict) -> plt.Figure:
    """A 2x2 figure of a doctor's record (see `Recorder.record`)."""
    fig, axes = plt.subplots(2, 2, figsize=(10, 6.4))
    ax = axes[0, 0]
    ax.plot(record["train_loss"], lw=1, label="train (per step)")
    phases = record["eval_phases"]
    if phases:
        ax.plot([p["step"] for p in phases], [p["loss"] for p in phases], "o-", label="evaluation")
    ax.set(xlabel="optimizer step", ylabel="loss", title="loss")
    ax.legend(fontsize=8)
    for ax, key, entries, title in (
        (axes[0, 1], "rms", record["grad_rms"], "gradient RMS per weight matrix"),
        (axes[1, 0], "ratio", record["update_ratios"], "update / weight ratio"),
    ):
        for name, (steps, values) in _series(entries, key).items():
            ax.plot(steps, values, lw=1, label=name)
        ax.set(xlabel="optimizer step", yscale="log", title=title)
        if entries:
            ax.legend(fontsize=7)
    axes[1, 0].axhline(HEALTHY_UPDATE_RATIO, color="k", ls=":", lw=1)
    ax = axes[1, 1]
    samples = record["activations"]
    for sample, style in ((samples[:1], "o-"), (samples[-1:], "s--")):
        for s in sample:
            names = [x["name"] for x in s["layers"]]
            ax.plot(range(len(names)), [x["std"] for x in s["layers"]], style, ms=3,
                    label=f"std, forward {s['forward']}")  # fmt: skip
            ax.set_xticks(range(len(names)), names, rotation=60, fontsize=6, ha="right")
    ax.set(yscale="log", title="activation std per layer")
    if samples:
        ax.legend(fontsize=7)
    fig.tight_layout()
    return fig
