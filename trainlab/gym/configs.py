"""The gym's training set-ups as plain configurations: one flat dict, every key checked.

A configuration says everything the gym's trainer (`trainlab.gym.train`) needs, in the
categories of the course's checklist:

| key | category | values |
| --- | --- | --- |
| `hidden` | architecture | 1 to 10 hidden widths, each 4..512 |
| `activation` | activation | `relu`, `leaky_relu`, `tanh`, `sigmoid` |
| `init`, `init_std` | initialization | `default`, `he`, `xavier`, `normal` (std `init_std`) |
| `bias_init` | initialization | a constant for the hidden biases, or None (the init's own) |
| `optimizer`, `lr` | optimizer | `sgd` or `adam`; η in (0, 100] |
| `momentum`, `weight_decay` | optimizer | momentum in [0, 0.999] (SGD); decay in [0, 1] |
| `batch_size` | batch size | 1..1024 |
| `norm` | normalization | `none`, `batchnorm`, `layernorm` |
| `loss` | loss | `cross_entropy`, `mse` (on one-hot targets) |
| `dropout` | regularization | p in [0, 0.9] (with `weight_decay`) |
| `standardize` | data preprocessing | standardize each feature with the train statistics |
| `zero_grad`, `shuffle` | training-loop flags | zero the gradients each step; reshuffle |
| `n_train`, `steps`, `seed` | the run itself | examples, steps, seed (fixed by the task) |

`validate(config)` returns the complete configuration (missing keys take `DEFAULTS`) or raises
ValueError naming the first bad key and what it accepts; `changed_keys(a, b)` lists the keys
whose values differ, which is how the repair exercise counts changes.
"""

from __future__ import annotations

import math
from typing import Any

DEFAULTS: dict[str, Any] = {
    "hidden": [64, 64],
    "activation": "relu",
    "init": "default",
    "init_std": 0.05,
    "bias_init": None,
    "optimizer": "adam",
    "lr": 1e-3,
    "momentum": 0.0,
    "weight_decay": 0.0,
    "batch_size": 64,
    "norm": "none",
    "loss": "cross_entropy",
    "dropout": 0.0,
    "standardize": True,
    "zero_grad": True,
    "shuffle": True,
    "n_train": 2000,
    "steps": 300,
    "seed": 0,
}

CHOICES: dict[str, tuple[str, ...]] = {
    "activation": ("relu", "leaky_relu", "tanh", "sigmoid"),
    "init": ("default", "he", "xavier", "normal"),
    "optimizer": ("sgd", "adam"),
    "norm": ("none", "batchnorm", "layernorm"),
    "loss": ("cross_entropy", "mse"),
}

# (low, high) of the numbers, both included unless the key is in OPEN_LOW
RANGES: dict[str, tuple[float, float]] = {
    "init_std": (1e-6, 100.0),
    "bias_init": (-100.0, 100.0),
    "lr": (0.0, 100.0),
    "momentum": (0.0, 0.999),
    "weight_decay": (0.0, 1.0),
    "dropout": (0.0, 0.9),
    "batch_size": (1, 1024),
    "n_train": (16, 4000),
    "steps": (1, 2000),
    "seed": (0, 2**31 - 1),
}
OPEN_LOW = ("lr",)
INTEGERS = ("batch_size", "n_train", "steps", "seed")
FLAGS = ("standardize", "zero_grad", "shuffle")

# What the gym's tasks fix: a repair may not change the data, the budget or the seed.
FIXED_KEYS = ("n_train", "steps", "seed")


def _number(key: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"config[{key!r}] must be a number, got {type(value).__name__}")
    if key in INTEGERS and not isinstance(value, int):
        raise ValueError(f"config[{key!r}] must be an int, got {value!r}")
    low, high = RANGES[key]
    if (
        not math.isfinite(value)
        or value > high
        or value < low
        or (key in OPEN_LOW and value == low)
    ):
        bound = "(" if key in OPEN_LOW else "["
        raise ValueError(f"config[{key!r}] = {value!r} is outside {bound}{low:g}, {high:g}]")
    return value


def validate(config: Any) -> dict[str, Any]:
    """The complete configuration: `DEFAULTS` updated with `config`, every value checked.

    Raises ValueError for a config that is not a dict, an unknown key, or a value of the wrong
    type or outside its range, naming the key and what it accepts.
    """
    if not isinstance(config, dict):
        raise ValueError(f"a configuration is a dict, got {type(config).__name__}")
    unknown = sorted(str(k) for k in config if k not in DEFAULTS)
    if unknown:
        raise ValueError(
            f"unknown configuration key(s) {', '.join(map(repr, unknown))}; the keys are: "
            + ", ".join(DEFAULTS)
        )
    out = dict(DEFAULTS, **config)
    hidden = out["hidden"]
    if not isinstance(hidden, list) or not 1 <= len(hidden) <= 10:
        raise ValueError("config['hidden'] must be a list of 1 to 10 hidden widths")
    for h in hidden:
        if isinstance(h, bool) or not isinstance(h, int) or not 4 <= h <= 512:
            raise ValueError(f"config['hidden'] holds {h!r}; each width is an int in [4, 512]")
    out["hidden"] = list(hidden)
    for key, options in CHOICES.items():
        if out[key] not in options:
            raise ValueError(f"config[{key!r}] = {out[key]!r}; choose one of {options}")
    for key in FLAGS:
        if not isinstance(out[key], bool):
            raise ValueError(f"config[{key!r}] must be True or False, got {out[key]!r}")
    for key in RANGES:
        if key == "bias_init" and out[key] is None:
            continue
        out[key] = _number(key, out[key])
    return out


def changed_keys(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    """The keys whose values differ between two complete configurations (in `DEFAULTS` order);
    numbers compare by value (3 == 3.0)."""
    return [k for k in DEFAULTS if before.get(k) != after.get(k)]


def cost(config: dict[str, Any], in_features: int = 40, classes: int = 10) -> int:
    """The training compute of a complete configuration, in multiply-adds of the weight
    matrices: steps · batch_size · Σ fan_in · fan_out (forward; backward is about twice)."""
    widths = [in_features, *config["hidden"], classes]
    weights = sum(a * b for a, b in zip(widths, widths[1:], strict=False))
    return config["steps"] * config["batch_size"] * weights
