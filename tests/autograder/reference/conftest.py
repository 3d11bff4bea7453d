"""Set-up shared by the reference tests: the oracle module, and one CPU thread per module.

The reference tests and the sensitivity test must run the very same comparison helpers, so
they import them from one module, `reference_oracles.py` beside this file. pytest runs with
`--import-mode=importlib`, which puts no test folder on sys.path; pytest imports this conftest
before the test modules beside it, so registering that single module here (not the folder)
lets them write `from reference_oracles import ...` in either import mode.
"""

import importlib.util
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import torch

if "reference_oracles" not in sys.modules:
    _spec = importlib.util.spec_from_file_location(
        "reference_oracles", Path(__file__).with_name("reference_oracles.py")
    )
    assert _spec is not None and _spec.loader is not None
    _module = importlib.util.module_from_spec(_spec)
    sys.modules["reference_oracles"] = _module
    _spec.loader.exec_module(_module)


@pytest.fixture(autouse=True, scope="module")
def one_cpu_thread() -> Iterator[None]:
    """Run these tests with one intra-op CPU thread, then restore the previous count.

    Their tensors are tiny: with several threads, torch's CPU kernels (batch_norm above all)
    spend ~1000x longer synchronising threads than computing, far worse on a busy machine.
    """
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)
