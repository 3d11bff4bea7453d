"""Shared set-up of the doctor's tests: `doctor_corpus` (the corpus and cached runs of it) is
registered as a module, since pytest runs with `--import-mode=importlib`."""

import importlib.util
import sys
from pathlib import Path

import pytest

if "doctor_corpus" not in sys.modules:
    _spec = importlib.util.spec_from_file_location(
        "doctor_corpus", Path(__file__).with_name("doctor_corpus.py")
    )
    assert _spec is not None and _spec.loader is not None
    _module = importlib.util.module_from_spec(_spec)
    sys.modules["doctor_corpus"] = _module
    _spec.loader.exec_module(_module)

from doctor_corpus import SCRIPTS  # noqa: E402


@pytest.fixture(params=SCRIPTS, ids=[s.stem for s in SCRIPTS])
def corpus_script(request: pytest.FixtureRequest) -> Path:
    return request.param
