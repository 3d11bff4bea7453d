"""Fixtures for checks on the built website (`make book` writes it to _build/html)."""

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
HTML = ROOT / "_build" / "html"


@pytest.fixture(scope="session")
def html() -> Path:
    if not (HTML / "index.html").exists():
        pytest.fail("_build/html is missing: these checks need the built book (run `make book`)")
    return HTML
