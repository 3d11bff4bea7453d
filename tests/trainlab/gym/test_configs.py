"""The gym's configuration schema: complete configs, clear errors, changed keys."""

import pytest

from trainlab.gym.configs import DEFAULTS, changed_keys, cost, validate


def test_missing_keys_take_the_defaults():
    assert validate({}) == DEFAULTS
    assert validate({"lr": 0.1})["lr"] == 0.1


@pytest.mark.parametrize(
    ("config", "words"),
    [
        ([("lr", 1)], "is a dict"),
        ({"learning_rate": 0.1}, "unknown configuration key(s) 'learning_rate'"),
        ({"lr": 0.0}, "config['lr'] = 0.0 is outside (0, 100]"),
        ({"lr": float("nan")}, "outside"),
        ({"lr": "0.1"}, "must be a number"),
        ({"lr": True}, "must be a number"),
        ({"batch_size": 32.0}, "must be an int"),
        ({"hidden": []}, "list of 1 to 10"),
        ({"hidden": [64, 1000]}, "each width is an int in [4, 512]"),
        ({"activation": "gelu"}, "choose one of"),
        ({"zero_grad": 1}, "True or False"),
        ({"dropout": 0.95}, "outside [0, 0.9]"),
    ],
)
def test_a_bad_configuration_is_named_in_the_error(config, words):
    with pytest.raises(ValueError) as error:
        validate(config)
    assert words in str(error.value)


def test_changed_keys_compare_values():
    base = validate({})
    assert changed_keys(base, dict(base)) == []
    assert changed_keys(base, dict(base, lr=base["lr"], steps=300.0)) == []  # 300 == 300.0
    assert changed_keys(base, dict(base, zero_grad=False, lr=1.0)) == ["lr", "zero_grad"]


def test_the_cost_counts_the_multiply_adds_of_training():
    config = validate({"hidden": [10], "batch_size": 2, "steps": 3})
    assert cost(config) == 3 * 2 * (40 * 10 + 10 * 10)
