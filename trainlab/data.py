"""MNIST-1D, the course's embedded dataset, generated offline and cached on disk.

MNIST-1D (Greydanus & Kabra, 2020) turns ten 1-D digit templates into 40-sample signals with
random padding, shear, translation and noise: 4000 training and 1000 test examples, 10 classes.
It is generated procedurally by `mnist1d.data.make_dataset`, so nothing is downloaded; the
package's `get_dataset` (which downloads) is never used.
"""

import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

CACHE_ENV = "TRAINLAB_CACHE"


@dataclass(frozen=True)
class MNIST1D:
    """A train/test split of MNIST-1D as tensors.

    Shapes: x_train (N, 40) float32, y_train (N,) int64, x_test (M, 40), y_test (M,);
    with the default arguments N = 4000 and M = 1000.
    """

    x_train: torch.Tensor
    y_train: torch.Tensor
    x_test: torch.Tensor
    y_test: torch.Tensor

    @property
    def num_classes(self) -> int:
        return int(self.y_train.max()) + 1

    @property
    def num_features(self) -> int:
        return self.x_train.shape[1]

    def to(self, device: torch.device | str) -> "MNIST1D":
        """The same split on another device."""
        return MNIST1D(
            *(t.to(device) for t in (self.x_train, self.y_train, self.x_test, self.y_test))
        )


def cache_dir() -> Path:
    """Where generated datasets are kept: $TRAINLAB_CACHE, else ~/.cache/trainlab."""
    root = os.environ.get(CACHE_ENV) or Path.home() / ".cache" / "trainlab"
    return Path(root)


def _generate(args: dict) -> dict[str, np.ndarray]:
    from mnist1d.data import get_dataset_args, make_dataset

    full = get_dataset_args(as_dict=True)
    full.update(args)
    full.pop("url", None)  # never download
    data = make_dataset(_ObjectView(full))
    return {k: data[k] for k in ("x", "y", "x_test", "y_test")}


class _ObjectView:
    """Attribute access to a dict, the form `make_dataset` expects its arguments in."""

    def __init__(self, d: dict):
        self.__dict__.update(d)


def load_mnist1d(
    num_samples: int = 5000,
    train_split: float = 0.8,
    seed: int = 42,
    device: torch.device | str = "cpu",
    cache: bool = True,
) -> MNIST1D:
    """Generate (or load from the cache) MNIST-1D as float32/int64 tensors on `device`.

    The first call takes a few seconds and writes an .npz file (no pickle) into `cache_dir()`;
    later calls with the same arguments read it back. The arguments are those of
    `mnist1d.data.get_dataset_args`; the defaults reproduce the published dataset.
    """
    args = {"num_samples": num_samples, "train_split": train_split, "seed": seed}
    key = hashlib.sha256(json.dumps(args, sort_keys=True).encode()).hexdigest()[:12]
    path = cache_dir() / f"mnist1d-{key}.npz"
    arrays = None
    if cache and path.exists():
        try:
            with np.load(path, allow_pickle=False) as f:
                arrays = {k: f[k] for k in ("x", "y", "x_test", "y_test")}
        except (OSError, ValueError, KeyError):
            arrays = None  # a broken cache file is regenerated below
    if arrays is None:
        arrays = _generate(args)
        if cache:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(f".{os.getpid()}.tmp.npz")
            np.savez(tmp, **arrays)
            os.replace(tmp, path)  # atomic: parallel builds never read half a file
    return MNIST1D(
        x_train=torch.as_tensor(arrays["x"], dtype=torch.float32, device=device),
        y_train=torch.as_tensor(arrays["y"], dtype=torch.int64, device=device),
        x_test=torch.as_tensor(arrays["x_test"], dtype=torch.float32, device=device),
        y_test=torch.as_tensor(arrays["y_test"], dtype=torch.int64, device=device),
    )
