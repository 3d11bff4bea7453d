"""Learning-rate schedules: linear warm-up followed by a decay, as a function of the step."""

import math

DECAYS = ("cosine", "linear", "inverse_sqrt", "constant")


def lr_at(
    step: int,
    base_lr: float,
    warmup_steps: int,
    total_steps: int,
    decay: str = "cosine",
    min_lr: float = 0.0,
) -> float:
    """Learning rate η for the 0-based update index `step`: linear warm-up, then a decay.

    Warm-up (only if W > 0), for s < W:   η = η_0·(s + 1)/W
    After warm-up, with p = clip((s − W) / max(1, T − W), 0, 1):
      "cosine":        η = η_min + (η_0 − η_min)·(1 + cos(π·p))/2
      "linear":        η = η_min + (η_0 − η_min)·(1 − p)
      "inverse_sqrt":  η = η_0·√(max(W, 1)/(s + 1))
      "constant":      η = η_0

    Symbols: step = s, base_lr = η_0, warmup_steps = W, total_steps = T, min_lr = η_min.

    The warm-up starts at η_0/W (not at 0, not at η_min) and reaches η_0 at s = W − 1; the
    decay starts from η_0 at s = W. Cosine and linear reach η_min at s = T and stay there.
    "inverse_sqrt" and "constant" ignore η_min. With W ≥ 1, "inverse_sqrt" is the Transformer
    schedule normalised to peak at η_0: η_0·√W·min((s+1)^(−1/2), (s+1)·W^(−3/2)).

    Args:
        step: 0-based index s ≥ 0 of the update about to be taken.
        base_lr: peak learning rate η_0.
        warmup_steps: number W ≥ 0 of warm-up updates.
        total_steps: number T of updates in the whole run (the decay ends at s = T).
        decay: one of "cosine", "linear", "inverse_sqrt", "constant".
        min_lr: final learning rate η_min of the cosine and linear decays.

    Returns:
        η as a Python float.

    Convention: "cosine" equals `SequentialLR([LinearLR(start_factor=1/W,
    total_iters=W−1), CosineAnnealingLR(T_max=T−W, eta_min=η_min)], milestones=[W])`, and
    "linear" the same with `LinearLR(1, η_min/η_0, total_iters=T−W)`, read with
    `scheduler.get_last_lr()` before the update s (torch steps the scheduler after it).
    Reference: Loshchilov & Hutter 2017, "SGDR" (cosine); Goyal et al. 2017, "Accurate,
    Large Minibatch SGD" (warm-up); Vaswani et al. 2017, "Attention Is All You Need"
    (inverse square root).
    """
    if decay not in DECAYS:
        raise ValueError(f"decay must be one of {', '.join(map(repr, DECAYS))}; got {decay!r}")
    if step < 0:
        raise ValueError(f"step is a 0-based index and must be >= 0, got {step}")
    if warmup_steps < 0:
        raise ValueError(f"warmup_steps must be >= 0, got {warmup_steps}")
    if step < warmup_steps:
        return float(base_lr * (step + 1) / warmup_steps)
    if decay == "constant":
        return float(base_lr)
    if decay == "inverse_sqrt":
        return float(base_lr * math.sqrt(max(warmup_steps, 1) / (step + 1)))
    p = (step - warmup_steps) / max(1, total_steps - warmup_steps)
    p = min(max(p, 0.0), 1.0)
    if decay == "cosine":
        return float(min_lr + (base_lr - min_lr) * (1 + math.cos(math.pi * p)) / 2)
    return float(min_lr + (base_lr - min_lr) * (1 - p))  # "linear"
