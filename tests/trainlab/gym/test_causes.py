"""Broken set-ups per cause: valid configurations that vary with the seed."""

import pytest

from trainlab.doctor.causes import CAUSES
from trainlab.gym.causes import GYM_CAUSES, REPAIR_KEYS, broken_config, healthy_config
from trainlab.gym.configs import DEFAULTS, FIXED_KEYS, changed_keys, validate


def test_the_gym_speaks_the_doctors_vocabulary():
    assert set(GYM_CAUSES) <= set(CAUSES) and set(REPAIR_KEYS) == set(GYM_CAUSES)
    for keys in REPAIR_KEYS.values():
        assert keys <= set(DEFAULTS) - set(FIXED_KEYS)


@pytest.mark.parametrize("cause", GYM_CAUSES)
def test_every_set_up_is_a_valid_configuration_that_varies_with_the_seed(cause):
    configs = [broken_config(cause, seed) for seed in range(8)]
    assert all(validate(c) == c for c in configs)
    assert len({str(sorted(c.items())) for c in configs}) == 8
    assert broken_config(cause, 5) == broken_config(cause, 5)


def test_breaking_changes_the_healthy_recipe_of_the_same_seed():
    for cause in GYM_CAUSES:
        changed = changed_keys(healthy_config(4), broken_config(cause, 4))
        assert (changed == []) == (cause == "healthy"), cause


def test_an_unknown_cause_is_refused():
    with pytest.raises(ValueError, match="unknown gym cause"):
        broken_config("bad_luck", 0)
