"""Each configuration is trained once: the cache by content, in memory and on disk."""

import stat

from trainlab.gym.cache import RunCache, config_key

SMALL = {"hidden": [8], "steps": 10, "n_train": 64, "seed": 1}


def test_the_key_is_the_content_of_the_complete_configuration():
    assert config_key(SMALL) == config_key(dict(SMALL, lr=1e-3))  # the default, written out
    assert config_key(SMALL) != config_key(dict(SMALL, seed=2))


def test_a_configuration_is_trained_once_then_served_from_memory_and_disk(tmp_path):
    runs = RunCache(tmp_path)
    first = runs.get(SMALL)
    assert runs.get(dict(SMALL)) is first and (runs.trained, runs.memory_hits) == (1, 1)
    (path,) = tmp_path.rglob("*.json")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    other = RunCache(tmp_path)  # another grading process sharing the folder
    assert other.get(SMALL) == first and (other.trained, other.disk_hits) == (0, 1)


def test_an_outcome_only_request_trains_without_the_recorder_and_upgrades_later(tmp_path):
    runs = RunCache(tmp_path)
    quick = runs.get(SMALL, run=False)
    assert quick["run"] is None and runs.trained == 1
    full = runs.get(SMALL)
    assert full["run"] is not None and full["outcome"] == quick["outcome"]
    assert runs.trained == 2 and runs.get(SMALL, run=False) is full
