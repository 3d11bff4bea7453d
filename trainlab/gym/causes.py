"""Broken training set-ups, one family per cause of the doctor's vocabulary, drawn from a seed.

`broken_config(cause, seed)` starts from a healthy recipe whose size, data and optimizer vary
with the seed (hidden widths, depth, Adam or SGD with momentum and a learning rate inside its
good range, batch size, training-set size), then breaks it the way the cause says:

| cause | what is broken | a minimal repair changes |
| --- | --- | --- |
| `healthy` | nothing | nothing |
| `lr_too_high` | η × 100–300 (Adam) or × 30–60 (SGD) | `lr` |
| `lr_too_low` | η ÷ 1000–3000 | `lr` |
| `vanishing_gradients` | 6–8 sigmoid layers, SGD + momentum | `activation`, `init`, `norm` |
| `dead_relu` | every hidden bias starts at −2.5 to −4 | `bias_init`, `activation` |
| `saturated_activations` | tanh, weights N(0, σ²), σ = 1–3 | `init`, `init_std`, `activation` |
| `unnormalized_inputs` | raw features (scales 1–1000, offsets ±100), Adam | `standardize` |
| `grad_not_zeroed` | `zero_grad()` never called, SGD + momentum | `zero_grad` |
| `overfitting` | 64–128 examples, 128–192-wide layers, 250 steps | `weight_decay`, `dropout` |

`REPAIR_KEYS[cause]` is the set of keys a minimal repair may change. Chapters: `CAUSES[cause]`.
"""

from __future__ import annotations

import math
import random
from typing import Any

from trainlab.gym.configs import DEFAULTS

GYM_CAUSES: tuple[str, ...] = (
    "healthy",
    "lr_too_high",
    "lr_too_low",
    "vanishing_gradients",
    "dead_relu",
    "saturated_activations",
    "unnormalized_inputs",
    "grad_not_zeroed",
    "overfitting",
)

REPAIR_KEYS: dict[str, frozenset[str]] = {
    "healthy": frozenset(),
    "lr_too_high": frozenset({"lr"}),
    "lr_too_low": frozenset({"lr"}),
    "vanishing_gradients": frozenset({"activation", "init", "init_std", "norm"}),
    "dead_relu": frozenset({"bias_init", "activation"}),
    "saturated_activations": frozenset({"init", "init_std", "activation"}),
    "unnormalized_inputs": frozenset({"standardize"}),
    "grad_not_zeroed": frozenset({"zero_grad"}),
    "overfitting": frozenset({"weight_decay", "dropout"}),
}

GOOD_LR = {"adam": (2e-3, 5e-3), "sgd": (0.03, 0.08)}  # η the healthy recipes draw from


def _log_uniform(g: random.Random, low: float, high: float) -> float:
    return math.exp(g.uniform(math.log(low), math.log(high)))


def healthy_config(seed: int) -> dict[str, Any]:
    """A recipe that trains (≈ 40–50 % validation accuracy on MNIST-1D in 200 steps), its size,
    data and optimizer drawn from `seed`."""
    g = random.Random(seed)
    optimizer = g.choice(("adam", "sgd"))
    return dict(
        DEFAULTS,
        hidden=[g.choice((48, 64, 96, 128))] * g.choice((2, 3)),
        optimizer=optimizer,
        lr=round(_log_uniform(g, *GOOD_LR[optimizer]), 5),
        momentum=0.9 if optimizer == "sgd" else 0.0,
        batch_size=g.choice((32, 64, 128)),
        n_train=g.randrange(1500, 4001, 100),
        steps=200,
        seed=seed,
    )


def broken_config(cause: str, seed: int) -> dict[str, Any]:
    """A set-up of `cause` (one of `GYM_CAUSES`), varied by `seed` (see the module table)."""
    if cause not in GYM_CAUSES:
        raise ValueError(f"unknown gym cause {cause!r}; the causes are {GYM_CAUSES}")
    c = healthy_config(seed)
    g = random.Random(f"{cause}/{seed}")
    if cause == "lr_too_high":
        factor = g.uniform(100, 300) if c["optimizer"] == "adam" else g.uniform(30, 60)
        c["lr"] = round(c["lr"] * factor, 4)
    elif cause == "lr_too_low":
        c["lr"] = float(f"{c['lr'] / g.uniform(1000, 3000):.3g}")
    elif cause == "vanishing_gradients":
        c.update(hidden=[c["hidden"][0]] * g.choice((6, 7, 8)), activation="sigmoid",
                 optimizer="sgd", lr=round(g.uniform(0.03, 0.08), 4), momentum=0.9)  # fmt: skip
    elif cause == "dead_relu":
        c["bias_init"] = round(-g.uniform(2.5, 4.0), 2)
    elif cause == "saturated_activations":
        c.update(activation="tanh", init="normal", init_std=round(g.uniform(1.0, 3.0), 2))
    elif cause == "unnormalized_inputs":
        c.update(standardize=False, optimizer="adam", momentum=0.0,
                 lr=round(_log_uniform(g, *GOOD_LR["adam"]), 5))  # fmt: skip
    elif cause == "grad_not_zeroed":
        c.update(zero_grad=False, optimizer="sgd", momentum=0.9,
                 lr=round(_log_uniform(g, *GOOD_LR["sgd"]), 5))  # fmt: skip
    elif cause == "overfitting":
        c.update(n_train=g.randrange(64, 129, 8), hidden=[g.choice((128, 192))] * 2,
                 optimizer="adam", lr=round(_log_uniform(g, 1e-3, 2e-3), 5), momentum=0.0,
                 batch_size=32, steps=250)  # fmt: skip
    return c
