"""Rules: each turns the recorded measurements (see `instruments.Recorder.record`) into a
finding, or None. Every rule states in its docstring the measurement it rests on and the
threshold, with the chapter whose experiment the threshold comes from.

Confidence: a rule that fires returns a confidence in [0.6, 0.99], growing with how far the
measurement lies beyond its threshold (`_beyond`); findings at or above `REPORT_THRESHOLD` are
reported. A cause that explains another's symptoms (`EXPLAINS`: e.g. dead ReLU units make the
early layers' gradients vanish) halves the confidence of the symptom's finding, so the root
cause ranks first and the symptom drops below the report threshold. A finding measured during
training (`at_init=False`, e.g. a loss that rose) never explains one measured on the network as
initialized.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Callable
from dataclasses import dataclass

from trainlab.doctor.causes import CAUSES

REPORT_THRESHOLD = 0.5

# CS231n's rule of thumb, measured in chapter 15: a healthy update changes a weight matrix by
# about 1e-3 of its norm per step.
HEALTHY_UPDATE_RATIO = 1e-3


@dataclass
class Finding:
    """One cause with its confidence, the measured evidence, the fix and the chapter URL."""

    cause: str
    confidence: float
    evidence: str
    fix: str = ""
    chapter: str = ""
    confirmation: str = ""
    explained_by: str = ""
    at_init: bool = True  # measured on the network as initialized (or a bug in the code)

    def __post_init__(self) -> None:
        cause = CAUSES[self.cause]  # a KeyError here is a rule naming an unknown cause
        self.fix = self.fix or cause.fix
        self.chapter = self.chapter or cause.url

    def to_dict(self) -> dict:
        d = {
            "cause": self.cause,
            "confidence": round(self.confidence, 3),
            "evidence": self.evidence,
            "fix": self.fix,
            "chapter": self.chapter,
        }
        for key in ("confirmation", "explained_by"):
            if getattr(self, key):
                d[key] = getattr(self, key)
        return d


def _beyond(decades: float, base: float = 0.6, span: float = 0.35) -> float:
    """Confidence `base` at the threshold, rising by `span` over `decades` in [0, 1]."""
    return min(0.99, base + span * max(0.0, min(1.0, decades)))


def _mean(xs: list[float]) -> float:
    return sum(xs) / len(xs)


def _ln_classes(r: dict) -> float | None:
    cs = [c["num_classes"] for c in r["loss_calls"] if c["train"] and "num_classes" in c]
    return math.log(cs[0]) if cs and cs[0] > 1 else None


def _finite(xs: list[float]) -> list[float]:
    return [x for x in xs if math.isfinite(x)]


def _head_tail(losses: list[float]) -> tuple[float, float]:
    """Mean of the first 3 train losses and of the last fifth (at least 3) of them."""
    k = max(3, len(losses) // 5)
    return _mean(losses[:3]), _mean(losses[-k:])


def _early_update_ratio(r: dict) -> float:
    """The largest ||Δw|| / ||w|| of any weight matrix over the first 5 sampled steps."""
    values = [v for e in r["update_ratios"][:5] for v in e["ratio"].values() if math.isfinite(v)]
    return max(values, default=0.0)


def _update_ratios(r: dict) -> dict[str, float]:
    """Per weight matrix: the median over sampled steps of ||Δw|| / ||w||."""
    per: dict[str, list[float]] = {}
    for entry in r["update_ratios"]:
        for name, v in entry["ratio"].items():
            if math.isfinite(v):
                per.setdefault(name, []).append(v)
    return {k: statistics.median(v) for k, v in per.items()}


def _layer_stat(r: dict, kinds: tuple[str, ...], key: str) -> dict[str, float]:
    """Per layer of the given kinds: the mean of `key` over the sampled forwards."""
    per: dict[str, list[float]] = {}
    for sample in r["activations"]:
        for layer in sample["layers"]:
            if layer["kind"] in kinds and key in layer:
                per.setdefault(layer["name"], []).append(layer[key])
    return {k: _mean(v) for k, v in per.items()}


def _first_last_grad_ratio(r: dict) -> tuple[float, str, str] | None:
    """RMS gradient of the first weight matrix over that of the last hidden one (the output
    layer's gradient has its own scale), median of the first three sampled steps (the network
    as initialized); None with fewer than 3 matrices."""
    ratios = []
    first = last = ""
    for entry in r["grad_rms"][:3]:
        names = list(entry["rms"])
        if len(names) < 3:
            return None
        first, last = names[0], names[-2]
        a, b = entry["rms"][first], entry["rms"][last]
        if b > 0 and math.isfinite(a) and math.isfinite(b):
            ratios.append(a / b if a > 0 else 1e-30)
    return (statistics.median(ratios), first, last) if ratios else None


# ---- the rules --------------------------------------------------------------------------


def lr_too_high(r: dict) -> Finding | None:
    """The train loss becomes NaN/inf, or its mean over the last fifth of the steps exceeds
    its mean over the first 3 steps by more than 10 %; or it ends at or above ln C (no better
    than a uniform guess) after a first update that moved a weight matrix by more than 3e-2 of
    its norm, 30x the ~1e-3 update/weight ratio of a healthy run (chapter 15's learning-rate
    range test: past the best η the loss climbs, then explodes; chapter 10: η = 10⁻¹ kills
    ReLU units, leaving the loss at ln C)."""
    losses = r["train_loss"]
    if len(losses) < 5:
        return None
    bad = [i for i, x in enumerate(losses) if not math.isfinite(x)]
    if bad:
        return Finding(
            "lr_too_high",
            0.95,
            f"the train loss became {losses[bad[0]]} at step {bad[0]}",
            at_init=False,
        )
    start, end = _head_tail(losses)
    ratio = _early_update_ratio(r)
    if end > 1.1 * start:
        return Finding(
            "lr_too_high",
            _beyond(math.log10(end / start) * 2),
            f"the train loss rose from {start:.3g} (first steps) to {end:.3g} (last fifth); "
            f"largest early update/weight ratio {ratio:.2g}",
            at_init=False,
        )
    ln_c = _ln_classes(r)
    if ln_c is not None and end >= ln_c and ratio > 30 * HEALTHY_UPDATE_RATIO:
        return Finding(
            "lr_too_high",
            _beyond(math.log10(ratio / (30 * HEALTHY_UPDATE_RATIO))),
            f"the train loss ends at {end:.3g} >= ln C = {ln_c:.3g} after early updates of "
            f"{ratio:.2g} of the weights' norm (healthy: ~{HEALTHY_UPDATE_RATIO:g})",
            at_init=False,
        )
    return None


def lr_too_low(r: dict) -> Finding | None:
    """Every weight matrix moves by less than 1e-4 of its norm per step (median over the
    sampled steps), 10x below CS231n's healthy ~1e-3 (chapter 15), and the train loss falls
    by less than 10 % from its first steps to its last fifth."""
    losses = _finite(r["train_loss"])
    ratios = _update_ratios(r)
    if len(losses) < 10 or not ratios:
        return None
    start, end = _head_tail(losses)
    top = max(ratios.values())
    if top < 1e-4 and end > 0.9 * start:
        return Finding(
            "lr_too_low",
            _beyond(math.log10(1e-4 / max(top, 1e-12)) / 2),
            f"largest median update/weight ratio {top:.2g} (healthy: ~{HEALTHY_UPDATE_RATIO:g}); "
            f"the train loss only went from {start:.3g} to {end:.3g}",
            at_init=False,
        )
    return None


def vanishing_gradients(r: dict) -> Finding | None:
    """At initialization the first weight matrix's RMS gradient is below 1e-2 of the last
    hidden one's (chapter 10: each sigmoid layer scales the gradient by at most 1/4, 10⁻⁶
    after ten layers)."""
    found = _first_last_grad_ratio(r)
    if found is None or found[0] >= 1e-2:
        return None
    ratio, first, last = found
    return Finding(
        "vanishing_gradients",
        _beyond(math.log10(1e-2 / ratio) / 2),
        f"RMS gradient of {first} / {last} = {ratio:.2g} at the first steps (threshold 1e-2)",
    )


def exploding_gradients(r: dict) -> Finding | None:
    """At initialization the first weight matrix's RMS gradient exceeds 100x the last hidden
    one's: the gradient grows geometrically on its way back to the input (chapter 12: a
    per-layer gain above 1 explodes exponentially with depth)."""
    found = _first_last_grad_ratio(r)
    if found is None or found[0] <= 1e2:
        return None
    ratio, first, last = found
    return Finding(
        "exploding_gradients",
        _beyond(math.log10(ratio / 1e2) / 2),
        f"RMS gradient of {first} / {last} = {ratio:.3g} at the first steps (threshold 100)",
    )


def _first_sample(r: dict, kinds: tuple[str, ...], key: str) -> float:
    layers = r["activations"][0]["layers"] if r["activations"] else []
    return max((x[key] for x in layers if x["kind"] in kinds and key in x), default=0.0)


def dead_relu(r: dict) -> Finding | None:
    """More than 40 % of a ReLU layer's units output exactly 0 for every example of a
    (sampled) batch of at least 16, averaged over the sampled forwards (chapter 10: after
    η = 10⁻¹ many units of the second hidden layer are dead and the loss stalls). Units dead
    from the first forward on point at the initialization (e.g. negative biases); units that
    died during training may be a symptom of a too-high learning rate."""
    dead = _layer_stat(r, ("relu",), "dead_frac")
    if not dead:
        return None
    name, frac = max(dead.items(), key=lambda kv: kv[1])
    if frac <= 0.4:
        return None
    at_init = _first_sample(r, ("relu",), "dead_frac") > 0.4
    return Finding(
        "dead_relu",
        _beyond((frac - 0.4) / 0.5),
        f"{frac:.0%} of the units of {name} output 0 on every example of a batch "
        f"(threshold 40 %){' from the first forward on' if at_init else ''}",
        at_init=at_init,
    )


def saturated_activations(r: dict) -> Finding | None:
    """More than 30 % of a tanh layer's outputs have |h| > 0.99 (or a sigmoid's lie outside
    [0.01, 0.99]), averaged over the sampled forwards: there the slope is below 0.02 and the
    gradient dies (chapter 12: N(0, 0.2²) weights saturate a tanh network)."""
    sat = _layer_stat(r, ("tanh", "sigmoid"), "saturated_frac")
    if not sat:
        return None
    name, frac = max(sat.items(), key=lambda kv: kv[1])
    if frac <= 0.3:
        return None
    return Finding(
        "saturated_activations",
        _beyond((frac - 0.3) / 0.5),
        f"{frac:.0%} of the outputs of {name} are saturated (threshold 30 %)",
        at_init=_first_sample(r, ("tanh", "sigmoid"), "saturated_frac") > 0.3,
    )


def bad_init_scale(r: dict) -> Finding | None:
    """The initial train loss exceeds 3 ln C (chapter 15: weights ×5 start many times above
    ln C), or, at the first forward, the std of the linear layers' outputs changes from the
    first to the last by more than 100x in total and by more than 3x (or less than 0.2x) per
    layer (chapter 12: only a variance-preserving scale keeps the activations alive; PyTorch's
    default shrinks a ReLU stack by ~0.4 per layer and is not flagged)."""
    losses = r["train_loss"]
    ln_c = _ln_classes(r)
    if ln_c is not None and losses and math.isfinite(losses[0]) and losses[0] > 3 * ln_c:
        return Finding(
            "bad_init_scale",
            _beyond(math.log10(losses[0] / (3 * ln_c))),
            f"initial train loss {losses[0]:.3g} vs ln C = {ln_c:.3g} (threshold 3 ln C)",
        )
    if not r["activations"]:
        return None
    stds = [(x["name"], x["std"]) for x in r["activations"][0]["layers"] if x["kind"] == "linear"]
    if len(stds) < 3 or stds[0][1] <= 0:
        return None
    total = max(stds[-1][1], 1e-30) / stds[0][1]
    per_layer = total ** (1 / (len(stds) - 1))
    if (per_layer < 0.2 or per_layer > 3) and (total < 1e-2 or total > 1e2):
        return Finding(
            "bad_init_scale",
            _beyond(abs(math.log10(total)) / 4 - 0.5),
            f"at the first forward the std of the linear outputs goes from {stds[0][1]:.3g} "
            f"({stds[0][0]}) to {stds[-1][1]:.3g} ({stds[-1][0]}): x{per_layer:.2g} per layer",
        )
    return None


def unnormalized_inputs(r: dict) -> Finding | None:
    """The model's input batches have an RMS above 20 or below 0.05, a mean more than 3 stds
    from 0, or per-feature RMS values whose 90th and 10th percentiles differ by more than
    100x (chapter 11: unscaled features stretch the error surface into a narrow valley)."""
    if not r["inputs"]:
        return None
    x = r["inputs"][0]
    rms = sorted(v for v in x["feature_rms"] if v > 1e-8)
    if not rms:
        return None
    overall = math.sqrt(_mean([v * v for v in rms]))
    spread = rms[int(0.9 * (len(rms) - 1))] / rms[int(0.1 * (len(rms) - 1))]
    if overall > 20 or overall < 0.05:
        decades = abs(math.log10(overall / (20 if overall > 20 else 0.05)))
        what = f"input RMS {overall:.3g} (expected ~1; thresholds 0.05 and 20)"
    elif spread > 100:
        decades = math.log10(spread / 100)
        what = f"per-feature RMS from {rms[0]:.3g} to {rms[-1]:.3g} (90/10 percentile ratio " \
            f"{spread:.3g}, threshold 100)"  # fmt: skip
    elif abs(x["mean"]) > 3 * x["std"]:
        decades = math.log10(abs(x["mean"]) / (3 * x["std"]))
        what = f"input mean {x['mean']:.3g} vs std {x['std']:.3g} (threshold: 3 stds)"
    else:
        return None
    return Finding("unnormalized_inputs", _beyond(0.3 + decades), what)


def grad_not_zeroed(r: dict) -> Finding | None:
    """At the first backward after an optimizer step the gradients still hold nonzero values
    (neither None nor zeros) in at least half of the steps (2 at least): each step then
    follows the sum of all past gradients."""
    s = r["stale_gradients"]
    if s["checks"] < 2 or s["stale"] < 0.5 * s["checks"]:
        return None
    grads = [sum(e["rms"].values()) for e in r["grad_rms"] if e["rms"]]
    growth = f"; gradient RMS went from {grads[0]:.3g} to {grads[-1]:.3g}" if grads else ""
    return Finding(
        "grad_not_zeroed",
        _beyond(s["stale"] / s["checks"], base=0.75, span=0.2),
        f"{s['stale']} of {s['checks']} backward passes after a step started from the previous "
        f"step's gradients{growth}",
    )


def eval_mode_missing(r: dict) -> Finding | None:
    """A model with dropout or batch norm ran in training mode under torch.no_grad() at least
    once, or at least twice with an output that never received a gradient: an evaluation or
    prediction made with dropout active / batch statistics (chapter 13)."""
    t = r["train_mode_eval"]
    if t["no_grad"] < 1 and t["unused"] < 2:
        return None
    return Finding(
        "eval_mode_missing",
        0.85,
        f"{t['no_grad']} forwards under no_grad and {t['unused']} forwards never backpropagated "
        f"ran in training mode, with {', '.join(t['modules'][:3])}",
    )


def softmax_before_cross_entropy(r: dict) -> Finding | None:
    """In at least half of the training cross-entropy / NLL calls the input is a probability
    vector (entries >= 0 summing to 1 over the classes) rather than logits or log-probabilities
    (chapter 7: cross-entropy applies log-softmax itself; softmax twice flattens the
    gradient)."""
    calls = [c for c in r["loss_calls"] if c["train"] and "probabilities" in c]
    if not calls:
        return None
    frac = _mean([float(c["probabilities"]) for c in calls])
    if frac < 0.5:
        return None
    kind = calls[0]["kind"]
    return Finding(
        "softmax_before_cross_entropy",
        0.95,
        f"{frac:.0%} of the {kind} calls received probabilities (rows >= 0 summing to 1)",
    )


def mse_for_classification(r: dict) -> Finding | None:
    """In at least half of the training MSE calls the target is one-hot (confidence 0.9) or
    class-like: integer values, 2 to 20 distinct ones (0.75) (chapter 7: with softmax outputs
    MSE's gradient vanishes on confidently wrong examples)."""
    calls = [c for c in r["loss_calls"] if c["train"] and "onehot_target" in c]
    if not calls:
        return None
    onehot = _mean([float(c["onehot_target"]) for c in calls])
    classlike = _mean([float(c["classlike_target"]) for c in calls])
    if onehot >= 0.5:
        return Finding(
            "mse_for_classification",
            0.9,
            f"mse_loss targets are one-hot vectors of {calls[0]['output_dim']} classes",
        )
    if classlike >= 0.5:
        return Finding(
            "mse_for_classification",
            0.75,
            f"in {classlike:.0%} of the mse_loss calls the targets take only "
            f"{max(c['target_values'] for c in calls)} integer values (class labels)",
        )
    return None


def labels_shuffled(r: dict) -> Finding | None:
    """The run trains (≥ 50 steps) but the last evaluation's accuracy stays within 5 points of
    the majority-class share (or, without evaluation, the train accuracy over the last fifth
    of the sampled train batches stays within 5 points of 1/C): the labels carry no information
    the model can use (chapter 1: uniform guessing gives 1/C accuracy, loss ln C). Other
    findings that stop the training explain this symptom first (see `EXPLAINS`)."""
    if r["steps"] < 50:
        return None
    phases = [p for p in r["eval_phases"] if "acc" in p]
    if phases:
        p = phases[-1]
        if p["acc"] > p["majority"] + 0.05:
            return None
        return Finding(
            "labels_shuffled",
            0.75,
            f"evaluation accuracy {p['acc']:.1%} vs majority-class share {p['majority']:.1%} "
            f"after {r['steps']} steps",
            at_init=False,
        )
    calls = [c for c in r["loss_calls"] if c["train"] and "acc" in c]
    if len(calls) < 10:
        return None
    tail = calls[-len(calls) // 5 :]
    acc = _mean([c["acc"] for c in tail])
    chance = 1 / tail[0]["num_classes"]
    if acc > chance + 0.05:
        return None
    return Finding(
        "labels_shuffled",
        0.65,
        f"train accuracy {acc:.1%} over the last fifth of {r['steps']} steps (chance {chance:.1%})",
        at_init=False,
    )


def unshuffled_data(r: dict) -> Finding | None:
    """The median total-variation distance between a train batch's class histogram and the
    whole run's exceeds max(0.5, 2.5x its value for random batches of that size), over ≥ 5
    batches (chapter 3: a minibatch gradient estimates the full gradient only if the batch is
    a random sample)."""
    calls = [c for c in r["loss_calls"] if c["train"] and "class_counts" in c]
    if len(calls) < 5:
        return None
    totals = [sum(col) for col in zip(*(c["class_counts"] for c in calls), strict=True)]
    n_all = sum(totals)
    if n_all == 0:
        return None
    p = [t / n_all for t in totals]
    tvs, expected = [], []
    for c in calls:
        n = sum(c["class_counts"])
        if n == 0:
            continue
        tvs.append(0.5 * sum(abs(k / n - q) for k, q in zip(c["class_counts"], p, strict=True)))
        expected.append(0.5 * sum(math.sqrt(2 * q * (1 - q) / (math.pi * n)) for q in p))
    tv, threshold = statistics.median(tvs), max(0.5, 2.5 * statistics.median(expected))
    if tv <= threshold:
        return None
    return Finding(
        "unshuffled_data",
        _beyond((tv - threshold) / (1 - threshold + 1e-9)),
        f"median distance between a batch's class histogram and the data's: {tv:.2f} "
        f"(random batches: ~{statistics.median(expected):.2f}; threshold {threshold:.2f})",
    )


def overfitting(r: dict) -> Finding | None:
    """Over ≥ 3 evaluations the validation loss ends more than 10 % above its minimum while
    the train loss is below half of it (chapter 1's table: training loss small, validation
    loss large)."""
    phases = [p for p in r["eval_phases"] if p["train_loss"] is not None]
    if len(phases) < 3:
        return None
    val = [p["loss"] for p in phases]
    best, last, train = min(val), val[-1], phases[-1]["train_loss"]
    if not (last > 1.1 * best and train < 0.5 * last):
        return None
    return Finding(
        "overfitting",
        _beyond(last / best - 1.1),
        f"validation loss rose from {best:.3g} to {last:.3g} while the train loss is {train:.3g}",
        at_init=False,
    )


def underfitting(r: dict) -> Finding | None:
    """A classifier's train loss ends above 0.6 ln C, has stopped falling (under 3 % between
    the last two quarters of ≥ 50 steps), and the validation loss, if seen, is within 15 % of
    it (chapter 1's table: training loss large, the model is too simple; there the linear
    model stalls near 2 ≈ 0.87 ln C on MNIST-1D while an MLP goes well below 0.6 ln C). Other
    findings explain this symptom first (see `EXPLAINS`)."""
    losses = _finite(r["train_loss"])
    ln_c = _ln_classes(r)
    if ln_c is None or len(losses) < 50:
        return None
    q = len(losses) // 4
    before, end = _mean(losses[-2 * q : -q]), _mean(losses[-q:])
    if end <= 0.6 * ln_c or end < 0.97 * before:
        return None
    phases = [p for p in r["eval_phases"] if p["train_loss"] is not None]
    if phases and abs(phases[-1]["loss"] - end) > 0.15 * end:
        return None
    return Finding(
        "underfitting",
        _beyond((end / ln_c - 0.6) * 2.5, base=0.6, span=0.2),
        f"train loss plateaued at {end:.3g} (ln C = {ln_c:.3g}; threshold 0.6 ln C)",
        at_init=False,
    )


# In order of precedence: a cause that fires explains away the causes it lists.
RULES: list[Callable[[dict], Finding | None]] = [
    grad_not_zeroed,
    softmax_before_cross_entropy,
    mse_for_classification,
    eval_mode_missing,
    unnormalized_inputs,
    bad_init_scale,
    unshuffled_data,
    exploding_gradients,
    lr_too_high,
    saturated_activations,
    dead_relu,
    vanishing_gradients,
    lr_too_low,
    labels_shuffled,
    overfitting,
    underfitting,
]

_NUMERIC = [
    "lr_too_high",
    "lr_too_low",
    "vanishing_gradients",
    "exploding_gradients",
    "dead_relu",
    "saturated_activations",
    "labels_shuffled",
    "overfitting",
    "underfitting",
]
EXPLAINS: dict[str, list[str]] = {
    "grad_not_zeroed": _NUMERIC,
    "softmax_before_cross_entropy": _NUMERIC,
    "mse_for_classification": _NUMERIC,
    "eval_mode_missing": ["labels_shuffled", "overfitting", "underfitting"],
    "unnormalized_inputs": [*_NUMERIC, "bad_init_scale"],
    "bad_init_scale": _NUMERIC,
    "unshuffled_data": ["lr_too_high", "labels_shuffled", "underfitting", "overfitting"],
    "exploding_gradients": ["lr_too_high", "labels_shuffled", "underfitting"],
    "lr_too_high": ["dead_relu", "saturated_activations", "labels_shuffled", "underfitting"],
    "saturated_activations": [
        "vanishing_gradients",
        "lr_too_low",
        "labels_shuffled",
        "underfitting",
    ],  # fmt: skip
    "dead_relu": ["vanishing_gradients", "lr_too_low", "labels_shuffled", "underfitting"],
    "vanishing_gradients": ["lr_too_high", "lr_too_low", "labels_shuffled", "underfitting"],
    "lr_too_low": ["labels_shuffled", "underfitting"],
    "labels_shuffled": ["overfitting", "underfitting"],
    "overfitting": ["underfitting"],
}


def diagnose(record: dict) -> list[Finding]:
    """Every rule's finding, explained-away symptoms halved, ranked by confidence (highest
    first). Findings below `REPORT_THRESHOLD` are kept (a second opinion) but not reported."""
    fired = [f for rule in RULES if (f := rule(record)) is not None]
    at_init = {f.cause for f in fired if f.at_init}
    explained: dict[str, str] = {}
    # RULES order is the order of precedence, findings about the initial network first: a
    # symptom that developed during training never explains one present from the start
    for f in sorted(fired, key=lambda f: not f.at_init):
        if f.cause in explained or f.confidence < REPORT_THRESHOLD:
            continue
        for symptom in EXPLAINS.get(f.cause, []):
            if f.at_init or symptom not in at_init:
                explained.setdefault(symptom, f.cause)
    for f in fired:
        if f.cause in explained:
            f.confidence *= 0.5
            f.explained_by = explained[f.cause]
    return sorted(fired, key=lambda f: -f.confidence)
