"""The diagnosis gym: broken training set-ups as plain configurations, trained and recorded.

    from trainlab.gym import example_runs, train
    examples = example_runs()            # {cause: {"config", "run", "outcome"}}, labelled
    result = train({"lr": 10.0, "optimizer": "sgd"})

`configs` (the schema), `train` (config → the doctor's record), `causes` (broken set-ups per
cause), `cache` (each configuration trained once). The exercises `diagnose` and `repair` are
graded on fresh runs that the grader generates the same way.
"""

from typing import Any

from trainlab.gym.cache import RunCache, shared
from trainlab.gym.causes import GYM_CAUSES, REPAIR_KEYS, broken_config, healthy_config
from trainlab.gym.configs import DEFAULTS, changed_keys, validate
from trainlab.gym.train import instruments, train

EXAMPLE_SEED = 7


def example_runs(seed: int = EXAMPLE_SEED) -> dict[str, dict[str, Any]]:
    """One labelled run of every cause of the gym: `{cause: {"config", "run", "outcome"}}`,
    trained once and cached (`shared()`); `run` holds what a diagnoser may read."""
    return {cause: shared().get(broken_config(cause, seed)) for cause in GYM_CAUSES}


__all__ = [
    "DEFAULTS",
    "GYM_CAUSES",
    "REPAIR_KEYS",
    "RunCache",
    "broken_config",
    "changed_keys",
    "example_runs",
    "healthy_config",
    "instruments",
    "shared",
    "train",
    "validate",
]
