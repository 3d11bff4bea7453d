"""The gym's trainer: deterministic runs observed by the doctor's recorder, nothing else."""

import json

import pytest

from trainlab.doctor.causes import CAUSES
from trainlab.gym.causes import GYM_CAUSES, broken_config
from trainlab.gym.train import INSTRUMENTS, data, instruments, train

SMALL = {"hidden": [16], "steps": 30, "n_train": 256, "seed": 3}


def test_a_run_is_deterministic_and_the_recorder_does_not_change_it():
    first, second = train(SMALL), train(SMALL)
    assert first["record"]["train_loss"] == second["record"]["train_loss"]
    assert first["outcome"] == second["outcome"]
    assert train(SMALL, record=False)["outcome"] == first["outcome"]


def test_what_a_learner_reads_is_the_instruments_and_no_label():
    for cause in GYM_CAUSES:
        run = instruments(train(dict(broken_config(cause, 1), steps=30))["record"])
        assert tuple(run) == INSTRUMENTS
        text = json.dumps(run)
        assert not [c for c in CAUSES if c in text], cause


def test_standardize_gives_unit_scale_features_and_raw_units_do_not():
    x, *_ = data(dict(SMALL, standardize=True))
    raw, *_ = data(dict(SMALL, standardize=False))
    assert x.std(dim=0).sub(1).abs().max() < 1e-4 and x.mean(dim=0).abs().max() < 1e-4
    assert raw.abs().mean(dim=0).max() > 30


@pytest.mark.parametrize("flag", ["zero_grad", "standardize"])
def test_the_flags_reach_the_instruments(flag):
    run = instruments(train(dict(SMALL, **{flag: False}))["record"])
    if flag == "zero_grad":
        assert run["stale_gradients"]["stale"] == run["stale_gradients"]["checks"] > 0
    else:
        assert max(run["inputs"][0]["feature_rms"]) > 30
