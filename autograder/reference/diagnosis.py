"""The diagnosis gym: name why a run fails from its instruments, and repair its set-up.

A run is what the training doctor records (plain data): `train_loss` (one value per step),
`eval_phases` (validation loss and accuracy every 25 steps), `grad_rms` and `update_ratios`
(per weight matrix, every 5th step), `activations` (per layer: mean, std, ReLU `dead_frac`,
tanh/sigmoid `saturated_frac`), `inputs` (per-feature mean and RMS of the first batches),
`stale_gradients`, `layers` and `optimizers`. Self-contained: standard library only.
"""

import math
import statistics

# thresholds, each a factor of 3 or more away from what healthy runs of the gym measure
STALE_FRACTION = 0.5  # steps whose backward found the previous step's gradient still there
INPUT_SCALE = 10.0  # standardized features have RMS ≈ 1
DEAD_FRACTION = 0.5  # ReLU units silent on a whole batch, as initialized
SATURATED_FRACTION = 0.5  # tanh/sigmoid outputs beyond 0.99 of their range, as initialized
VANISHING_RATIO = 1e-2  # RMS gradient of the first weight matrix / the last hidden one
HIGH_UPDATE_RATIO = 0.2  # ||Δw|| / ||w|| in one early step (healthy: ≈ 1e-3 to 1e-2)
LOW_UPDATE_RATIO = 1e-4  # median ||Δw|| / ||w||
OVERFIT_RISE = 1.5  # final validation loss / its minimum


def activation_at_init(run: dict, kinds: tuple[str, ...], key: str) -> float:
    """Mean of `key` over the layers of the given kinds in the first sampled forward."""
    if not run["activations"]:
        return 0.0
    values = [x[key] for x in run["activations"][0]["layers"] if x["kind"] in kinds and key in x]
    return sum(values) / len(values) if values else 0.0


def gradient_ratio(run: dict) -> float | None:
    """RMS gradient of the first weight matrix over that of the last hidden one, median of the
    first three sampled steps; None with fewer than three weight matrices."""
    ratios = []
    for entry in run["grad_rms"][:3]:
        names = list(entry["rms"])
        if len(names) < 3:
            return None
        first, last = entry["rms"][names[0]], entry["rms"][names[-2]]
        if last > 0 and math.isfinite(first) and math.isfinite(last):
            ratios.append(first / last)
    return statistics.median(ratios) if ratios else None


def update_ratios(run: dict) -> list[float]:
    """Every finite ||Δw|| / ||w|| recorded, in order."""
    return [v for e in run["update_ratios"] for v in e["ratio"].values() if math.isfinite(v)]


def input_scale(run: dict) -> float:
    """The largest per-feature RMS of the recorded input batches."""
    return max((max(b["feature_rms"]) for b in run["inputs"] if b["feature_rms"]), default=0.0)


def diagnose(run: dict) -> str:
    """The cause of the doctor's vocabulary that explains the run, or "healthy".

    Bugs first (they are certain), then the network as initialized, then the dynamics:
    1. stale gradients in more than half of the steps → grad_not_zeroed;
    2. an input feature with RMS > 10 → unnormalized_inputs;
    3. at initialization, ReLU dead fraction > 0.5 → dead_relu; tanh/sigmoid saturated
       fraction > 0.5 → saturated_activations; ‖g_first‖/‖g_last hidden‖ < 10⁻² →
       vanishing_gradients;
    4. a non-finite loss, or an early update ‖Δw‖/‖w‖ > 0.2 → lr_too_high; a median update
       ratio < 10⁻⁴ → lr_too_low;
    5. final validation loss > 1.5 × its minimum while the train loss fell → overfitting.
    """
    stale = run["stale_gradients"]
    if stale["checks"] and stale["stale"] / stale["checks"] > STALE_FRACTION:
        return "grad_not_zeroed"
    if input_scale(run) > INPUT_SCALE:
        return "unnormalized_inputs"
    if activation_at_init(run, ("relu",), "dead_frac") > DEAD_FRACTION:
        return "dead_relu"
    if activation_at_init(run, ("tanh", "sigmoid"), "saturated_frac") > SATURATED_FRACTION:
        return "saturated_activations"
    ratio = gradient_ratio(run)
    if ratio is not None and ratio < VANISHING_RATIO:
        return "vanishing_gradients"
    losses = run["train_loss"]
    ratios = update_ratios(run)
    early = [v for e in run["update_ratios"][:5] for v in e["ratio"].values()]
    if not all(math.isfinite(x) for x in losses) or any(
        not math.isfinite(v) or v > HIGH_UPDATE_RATIO for v in early
    ):
        return "lr_too_high"
    if ratios and statistics.median(ratios) < LOW_UPDATE_RATIO:
        return "lr_too_low"
    val = [p["loss"] for p in run["eval_phases"] if math.isfinite(p["loss"])]
    if val and val[-1] > OVERFIT_RISE * min(val) and losses[-1] < losses[0]:
        return "overfitting"
    return "healthy"


GOOD_LR = {"adam": 3e-3, "sgd": 0.05}  # η that trains the gym's MLPs with either optimizer


def repair(config: dict, run: dict) -> dict:
    """The configuration with the smallest change that removes the cause `diagnose(run)` names.

    grad_not_zeroed → zero_grad=True; unnormalized_inputs → standardize=True; dead_relu →
    bias_init=0; saturated_activations → init="xavier" (Var w = 2/(fan_in + fan_out));
    vanishing_gradients → activation="relu", init="he" (Var w = 2/fan_in); lr_too_high or
    lr_too_low → lr = 3·10⁻³ (Adam) or 0.05 (SGD); overfitting → dropout=0.5 and
    weight_decay=0.05; healthy → unchanged. Returns a new dict; `config` is left unchanged.
    """
    fixed = dict(config)
    cause = diagnose(run)
    if cause == "grad_not_zeroed":
        fixed["zero_grad"] = True
    elif cause == "unnormalized_inputs":
        fixed["standardize"] = True
    elif cause == "dead_relu":
        fixed["bias_init"] = 0.0
    elif cause == "saturated_activations":
        fixed["init"] = "xavier"
    elif cause == "vanishing_gradients":
        fixed.update(activation="relu", init="he")
    elif cause in ("lr_too_high", "lr_too_low"):
        fixed["lr"] = GOOD_LR[config["optimizer"]]
    elif cause == "overfitting":
        fixed.update(dropout=0.5, weight_decay=0.05)
    return fixed
