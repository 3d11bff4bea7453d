"""The diagnosis gym's cases (judge side): fresh runs of every cause, the same difficulty for all.

Every check of `diagnose` and `repair` is about one cause of `trainlab.gym.causes.GYM_CAUSES`.
Its public round uses one fixed run of the cause; its hidden round one run from the cause's
pool: `POOL_SIZE[task]` runs per cause derived from the course secret (so no one can train them
in advance), the student's hidden seed choosing which; nbgrader's graded cells use one more run
(`graded_case`). Every student therefore faces every cause, and the runs of a pool are shared by
the whole batch: trained once (`trainlab.gym.cache`) and reused.

Same difficulty: a candidate run enters a pool only if it is an unambiguous instance of its
cause (`qualifies`): the reference diagnoser names it, every measurement the diagnosis rests
on lies about a factor 2 or more beyond the reference's threshold (`MARGINS`), and every
known-wrong solution of the task (`autograder.misconceptions`) gets the verdict it gets on the
public run; for `repair`, also the reference repair reaches the target and the broken run does
not. A rejected candidate is replaced by the next seed. Both tasks draw the same candidates,
so their pools share most trained runs.
"""

from __future__ import annotations

import hashlib
import hmac
import math
import statistics
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Any

from autograder import misconceptions
from autograder.cases import Cases, Round
from autograder.reference import diagnosis as ref
from trainlab.doctor.causes import CAUSES
from trainlab.gym.cache import RunCache, shared
from trainlab.gym.causes import REPAIR_KEYS, broken_config
from trainlab.gym.configs import changed_keys, validate

POOL_SIZE = {"diagnose": 6, "repair": 4}  # hidden runs per cause (repairs train more)
MAX_ATTEMPTS = 16  # candidates tried for one pool entry before the grader gives up (a bug)
PUBLIC_KEY = b"diagnosis gym: public runs"
TARGET_ACCURACY = 0.3  # a repair must reach 30 % validation accuracy (chance: 10 %)
OVERFIT_TARGET = 1.2  # an overfitting repair: final validation loss <= 1.2 x its minimum
OVERFIT_ACCURACY = 0.8  # ... and at least 80 % of the broken run's final validation accuracy


def evidence(run: dict) -> dict[str, float | None]:
    """The measurements the diagnosis rests on (see `autograder.reference.diagnosis`)."""
    stale = run["stale_gradients"]
    losses = run["train_loss"]
    early = [v for e in run["update_ratios"][:5] for v in e["ratio"].values()]
    ratios = ref.update_ratios(run)
    val = [p["loss"] for p in run["eval_phases"]]
    finite_val = [v for v in val if math.isfinite(v)]
    return {
        "stale": stale["stale"] / stale["checks"] if stale["checks"] else 0.0,
        "input_rms": ref.input_scale(run),
        "dead": ref.activation_at_init(run, ("relu",), "dead_frac"),
        "saturated": ref.activation_at_init(run, ("tanh", "sigmoid"), "saturated_frac"),
        "grad_ratio": ref.gradient_ratio(run),
        "early_update": max(early, default=0.0) if all(map(math.isfinite, early)) else math.inf,
        "median_update": statistics.median(ratios) if ratios else 0.0,
        "finite_loss": float(all(map(math.isfinite, losses))),
        "val_rise": finite_val[-1] / min(finite_val)
        if finite_val and len(finite_val) == len(val) and min(finite_val) > 0
        else math.inf,
        "first_loss": losses[0] if losses else math.nan,
        "last_loss": losses[-1] if losses else math.nan,
    }


def _at_most(key: str, bound: float) -> Callable[[dict], bool]:
    return lambda e: e[key] is not None and e[key] <= bound


def _at_least(key: str, bound: float) -> Callable[[dict], bool]:
    return lambda e: e[key] is not None and e[key] >= bound


_CLEAN = {  # what a run of another cause must measure, beyond each threshold by a factor ~2
    "stale": _at_most("stale", 0.0),
    "input_rms": _at_most("input_rms", 3.0),
    "dead": _at_most("dead", 0.1),
    "saturated": _at_most("saturated", 0.1),
    "grad_ratio": lambda e: e["grad_ratio"] is None or e["grad_ratio"] >= 0.1,
}
MARGINS: dict[str, tuple[Callable[[dict], bool], ...]] = {
    "grad_not_zeroed": (_at_least("stale", 0.9), _CLEAN["input_rms"]),
    "unnormalized_inputs": (_at_least("input_rms", 100.0), _CLEAN["stale"]),
    "dead_relu": (_at_least("dead", 0.9), _CLEAN["stale"], _CLEAN["input_rms"]),
    "saturated_activations": (
        _at_least("saturated", 0.65),
        _CLEAN["stale"],
        _CLEAN["input_rms"],
        _CLEAN["dead"],
    ),  # fmt: skip
    "vanishing_gradients": (
        _at_most("grad_ratio", 1e-3),
        _CLEAN["stale"],
        _CLEAN["input_rms"],
        _CLEAN["dead"],
        _CLEAN["saturated"],
    ),  # fmt: skip
    "lr_too_high": (
        lambda e: e["early_update"] >= 0.5 or not e["finite_loss"],
        *_CLEAN.values(),
    ),  # fmt: skip
    "lr_too_low": (
        _at_most("median_update", 3e-5),
        _at_most("early_update", 0.05),
        *_CLEAN.values(),
    ),  # fmt: skip
    "overfitting": (
        _at_least("val_rise", 1.8),
        _at_most("early_update", 0.1),
        _at_least("median_update", 3e-4),
        *_CLEAN.values(),
    ),  # fmt: skip
    "healthy": (
        _at_most("val_rise", 1.2),
        _at_most("early_update", 0.1),
        _at_least("median_update", 1e-3),
        *_CLEAN.values(),
    ),  # fmt: skip
}


@dataclass(frozen=True)
class GymCase:
    """One run of a cause: its broken configuration and what training it recorded."""

    cause: str
    config: dict[str, Any]
    run: dict[str, Any]
    outcome: dict[str, Any]
    target: float  # the validation accuracy a repair must reach (see `reaches`)


def _seed(key: bytes, cause: str, index: int, attempt: int) -> int:
    """The seed of a candidate; the same for both tasks, so their pools share trained runs."""
    message = f"gym\0{cause}\0{index}\0{attempt}".encode()
    return int.from_bytes(hmac.new(key, message, hashlib.sha256).digest()[:4], "big") >> 1


def reaches(case: GymCase, outcome: dict[str, Any]) -> bool:
    """Whether a repaired run reached the case's target: finite, validation accuracy at least
    `case.target`; for overfitting, also a final validation loss within OVERFIT_TARGET of its
    minimum."""
    if outcome["diverged"] or not outcome["val_acc"] >= case.target:
        return False
    if case.cause == "overfitting":
        return outcome["val_loss"] <= OVERFIT_TARGET * outcome["best_val_loss"]
    return True


def repair_verdict(case: GymCase, repair: Callable, runs: RunCache) -> tuple[bool, bool]:
    """(reaches the target, changes only the keys the cause needs) of a trusted repair."""
    fixed = validate(repair(dict(case.config), case.run))
    reached = reaches(case, runs.get(fixed, run=False)["outcome"])
    return reached, set(changed_keys(case.config, fixed)) <= REPAIR_KEYS[case.cause]


def qualifies(task: str, case: GymCase, public: GymCase | None, runs: RunCache) -> bool:
    """An unambiguous instance of its cause for the task (`diagnose` or `repair`), as hard as
    `public` for every known-wrong solution of the task (see the module docstring)."""
    if ref.diagnose(case.run) != case.cause:
        return False
    if not all(test(evidence(case.run)) for test in MARGINS[case.cause]):
        return False
    variants = misconceptions.for_function(task) if public is not None else []
    if task == "diagnose":
        return all(v.impl(case.run) == v.impl(public.run) for v in variants)
    if case.cause != "healthy" and reaches(case, case.outcome):
        return False
    if not repair_verdict(case, ref.repair, runs)[0]:
        return False
    return all(
        repair_verdict(case, v.impl, runs) == repair_verdict(public, v.impl, runs) for v in variants
    )


def _candidate(cause: str, seed: int, runs: RunCache) -> GymCase:
    result = runs.get(broken_config(cause, seed))
    # overfitting has no accuracy to reach: its repair must not lose much of what it had
    if cause == "overfitting":
        target = OVERFIT_ACCURACY * result["outcome"]["val_acc"]
    else:
        target = TARGET_ACCURACY
    return GymCase(cause, result["config"], result["run"], result["outcome"], target)


@cache
def public_case(task: str, cause: str) -> GymCase:
    """The public run of a cause for a task (the same for everyone; feedback shows it)."""
    return _pool_entry(PUBLIC_KEY, task, cause, 0, None)


@cache
def pool_case(secret: bytes, task: str, cause: str, index: int) -> GymCase:
    """Entry `index` of the cause's hidden pool for a task under the course secret."""
    return _pool_entry(b"hidden\0" + secret, task, cause, index, public_case(task, cause))


@cache
def graded_case(secret: bytes, task: str, cause: str) -> GymCase:
    """The run of nbgrader's graded cells (feedback in the notebook; marks come from the CLI):
    qualified like a hidden run except for the known-wrong solutions, to keep notebooks fast."""
    return _pool_entry(b"graded\0" + secret, task, cause, 0, None)


def _pool_entry(key: bytes, task: str, cause: str, index: int, public: GymCase | None):
    runs = shared()
    for attempt in range(MAX_ATTEMPTS):
        case = _candidate(cause, _seed(key, cause, index, attempt), runs)
        if qualifies(task, case, public, runs):
            return case
    raise RuntimeError(f"no qualifying {cause} run in {MAX_ATTEMPTS} candidates (a gym bug)")


def case_of(task: str, cases: Cases, r: Round, cause: str) -> GymCase:
    """The run of `cause` for this round: the public one, or the learner's pick from the pool
    (`POOL_SIZE[task]` runs per cause)."""
    if r.public:
        return public_case(task, cause)
    if cases.mode == "graded_cell":
        return graded_case(cases.secret, task, cause)
    return pool_case(cases.secret, task, cause, r.integer(0, POOL_SIZE[task] - 1))


def chapter(cause: str) -> str:
    return f"{CAUSES[cause].title}, {CAUSES[cause].url}"


def explain(cause: str, run: dict) -> str:
    """The evidence of the run that points to `cause`, as a sentence for the feedback."""
    e = evidence(run)
    if cause == "grad_not_zeroed":
        text = (f"in {e['stale']:.0%} of the steps the backward pass found the previous "
                "step's gradient still in .grad (stale_gradients)")  # fmt: skip
    elif cause == "unnormalized_inputs":
        text = f"an input feature has RMS {e['input_rms']:.3g} (standardized features: ≈ 1)"
    elif cause == "dead_relu":
        text = f"{e['dead']:.0%} of the ReLU units output 0 on the whole first batch"
    elif cause == "saturated_activations":
        text = f"{e['saturated']:.0%} of the tanh/sigmoid outputs lie beyond ±0.99 at the start"
    elif cause == "vanishing_gradients":
        text = (f"the first layer's gradient RMS is {e['grad_ratio']:.1e} of the last hidden "
                "layer's (grad_rms)")  # fmt: skip
    elif cause == "lr_too_high":
        text = (f"one early step changed a weight matrix by {e['early_update']:.3g} of its norm "
                "(update_ratios; healthy: about 1e-3 to 1e-2)")  # fmt: skip
    elif cause == "lr_too_low":
        text = (f"the median update changes a weight matrix by only {e['median_update']:.1e} of "
                "its norm (update_ratios; healthy: about 1e-3)")  # fmt: skip
    elif cause == "overfitting":
        text = (f"the validation loss ends {e['val_rise']:.2f}× above its minimum while the "
                f"train loss fell from {e['first_loss']:.3g} to {e['last_loss']:.3g}")  # fmt: skip
    else:
        text = ("the instruments are within their healthy ranges and the validation loss ends "
                f"at {e['val_rise']:.2f}× its minimum")  # fmt: skip
    return f"{text}: see {chapter(cause)}"
