"""Shared test configuration: devices to run on and the Hypothesis profile."""

import os

import pytest
import torch
from hypothesis import HealthCheck, settings

# Derandomized so that CI failures reproduce; a few examples per property keep the suite quick.
settings.register_profile(
    "course",
    derandomize=True,
    max_examples=int(os.environ.get("HYPOTHESIS_MAX_EXAMPLES", "25")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile("course")

DEVICES = ["cpu"] + (["cuda"] if torch.cuda.is_available() else [])


@pytest.fixture(params=DEVICES)
def device(request: pytest.FixtureRequest) -> torch.device:
    """Every test that takes `device` runs on the CPU and, when present, on CUDA."""
    return torch.device(request.param)


@pytest.fixture(params=[torch.float32, torch.float64], ids=["float32", "float64"])
def dtype(request: pytest.FixtureRequest) -> torch.dtype:
    return request.param
