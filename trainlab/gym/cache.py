"""Train each configuration once: results cached by content, in memory and on disk.

The key of a configuration is SHA-256 of its canonical JSON (the complete, validated config,
keys sorted) and of `code_version()` (the gym's, the recorder's and the data loader's source and
torch's version): the same configuration trained by the same code gives the same run (one
thread, seeded), so a grading batch trains it once and every student whose case or repair is
that configuration reuses the result. Files live in `folder` (default
`trainlab.data.cache_dir() / "gym"`), one JSON file per run, created by the owner only (mode
0600 in a 0700 folder: learner code, which runs as another user when grading as root, cannot
read them) and written atomically, so two grading processes may share the folder.
"""

from __future__ import annotations

import hashlib
import json
import os
from functools import cache
from pathlib import Path
from typing import Any

import torch

from trainlab.data import cache_dir
from trainlab.gym.configs import validate
from trainlab.gym.train import instruments, train

_SOURCES = ("gym/configs.py", "gym/train.py", "doctor/instruments.py", "data.py")


@cache
def code_version() -> str:
    """A hash of the code a run depends on, and of torch's version."""
    root = Path(__file__).resolve().parents[1]
    h = hashlib.sha256(torch.__version__.encode())
    for name in _SOURCES:
        h.update((root / name).read_bytes())
    return h.hexdigest()[:16]


def config_key(config: dict[str, Any]) -> str:
    """SHA-256 of the canonical JSON of the validated config and of the code version."""
    canonical = json.dumps(validate(config), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(f"{code_version()}\0{canonical}".encode()).hexdigest()


class RunCache:
    """`get(config)`: the run of a configuration, `{"config", "run", "outcome"}` (`run` = the
    instruments a learner may read), trained on first request; `get(config, run=False)` needs
    only the outcome, so a missing run is trained without the recorder (faster) and `run` may
    be None. `trained`, `memory_hits` and `disk_hits` count how requests were served."""

    def __init__(self, folder: str | os.PathLike | None = None) -> None:
        self.folder = Path(folder) if folder is not None else cache_dir() / "gym"
        self._memory: dict[str, dict[str, Any]] = {}
        self.trained = self.memory_hits = self.disk_hits = 0

    def _path(self, key: str) -> Path:
        return self.folder / code_version() / f"{key}.json"

    def _lookup(self, key: str, run: bool) -> dict[str, Any] | None:
        result = self._memory.get(key)
        if result is not None and (result["run"] is not None or not run):
            self.memory_hits += 1
            return result
        try:
            result = json.loads(self._path(key).read_text())
        except (OSError, ValueError):
            return None  # missing, or half-written by a killed process
        if result["run"] is None and run:
            return None
        self.disk_hits += 1
        self._memory[key] = result
        return result

    def get(self, config: dict[str, Any], run: bool = True) -> dict[str, Any]:
        key = config_key(config)
        result = self._lookup(key, run)
        if result is None:
            full = train(config, record=run)
            result = {
                "config": full["config"],
                "run": instruments(full["record"]) if run else None,
                "outcome": full["outcome"],
            }
            self.trained += 1
            self._memory[key] = result
            self._write(self._path(key), result)
        return result

    def _write(self, path: Path, result: dict[str, Any]) -> None:
        try:
            for folder in (self.folder, path.parent):
                folder.mkdir(mode=0o700, parents=True, exist_ok=True)
            tmp = path.with_suffix(f".{os.getpid()}.tmp")
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "w") as f:
                json.dump(result, f)
            os.replace(tmp, path)
        except OSError:
            pass  # a read-only cache folder only costs speed


@cache
def shared() -> RunCache:
    """The process's cache (one per grading process), in the default folder."""
    return RunCache()
