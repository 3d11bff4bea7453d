"""MNIST-1D loader: offline generation, on-disk cache, tensors of the right shape and type."""

import numpy as np
import pytest
import torch

import trainlab.data
from trainlab import load_mnist1d


@pytest.fixture
def cache(tmp_path, monkeypatch):
    monkeypatch.setenv(trainlab.data.CACHE_ENV, str(tmp_path))
    return tmp_path


@pytest.fixture
def offline(monkeypatch):
    """Any attempt to download (mnist1d's get_dataset, or requests) fails the test."""
    import mnist1d.data
    import requests

    def refuse(*args, **kwargs):
        raise AssertionError("the loader must never download")

    monkeypatch.setattr(mnist1d.data, "get_dataset", refuse)
    monkeypatch.setattr(requests, "get", refuse)


def test_generates_the_published_split_offline(cache, offline):
    data = load_mnist1d()
    assert data.x_train.shape == (4000, 40) and data.x_test.shape == (1000, 40)
    assert data.y_train.shape == (4000,) and data.y_test.shape == (1000,)
    assert data.x_train.dtype == torch.float32 and data.y_train.dtype == torch.int64
    assert data.num_classes == 10 and data.num_features == 40
    assert set(data.y_train.tolist()) == set(range(10))
    # the generator standardizes the whole set: mean 0, std 1 overall
    x = torch.cat([data.x_train, data.x_test])
    assert abs(x.mean().item()) < 1e-3 and abs(x.std().item() - 1) < 1e-2


def test_second_call_reads_the_cache_and_is_identical(cache, offline, monkeypatch):
    first = load_mnist1d(num_samples=500)
    files = list(cache.glob("mnist1d-*.npz"))
    assert len(files) == 1
    with np.load(files[0], allow_pickle=False) as f:  # plain arrays, no pickle
        assert set(f.files) == {"x", "y", "x_test", "y_test"}

    def no_generation(args):
        raise AssertionError("cached data must not be regenerated")

    monkeypatch.setattr(trainlab.data, "_generate", no_generation)
    second = load_mnist1d(num_samples=500)
    assert torch.equal(first.x_train, second.x_train) and torch.equal(first.y_test, second.y_test)


def test_corrupt_cache_file_is_regenerated(cache, offline):
    good = load_mnist1d(num_samples=300)
    (path,) = cache.glob("mnist1d-*.npz")
    path.write_bytes(b"not an npz file")
    again = load_mnist1d(num_samples=300)
    assert torch.equal(good.x_train, again.x_train)


def test_arguments_change_the_data(cache, offline):
    a = load_mnist1d(num_samples=300, seed=1)
    b = load_mnist1d(num_samples=300, seed=2)
    assert not torch.equal(a.x_train, b.x_train)
    assert len(list(cache.glob("mnist1d-*.npz"))) == 2


def test_device_placement(cache, offline, device):
    data = load_mnist1d(num_samples=300, device=device)
    assert data.x_train.device.type == device.type
    moved = data.to("cpu")
    assert moved.y_test.device.type == "cpu"
