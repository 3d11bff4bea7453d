"""Fixtures for checks on the built website (`make book` writes it to _build/html).

The test modules beside this file share `site_pages.py` (`from site_pages import ...`): pytest's
importlib import mode puts no test folder on sys.path, and pytest imports this conftest before
them, so it registers that single module by name.
"""

import importlib.util
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
HTML = ROOT / "_build" / "html"

if "site_pages" not in sys.modules:
    _spec = importlib.util.spec_from_file_location(
        "site_pages", Path(__file__).with_name("site_pages.py")
    )
    assert _spec is not None and _spec.loader is not None
    _module = importlib.util.module_from_spec(_spec)
    sys.modules["site_pages"] = _module
    _spec.loader.exec_module(_module)


@pytest.fixture(scope="session")
def html() -> Path:
    if not (HTML / "index.html").exists():
        pytest.fail("_build/html is missing: these checks need the built book (run `make book`)")
    return HTML
