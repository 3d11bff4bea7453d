"""Every **Claim.** a chapter makes is checked in code by a `claim(...)` call (trainlab.claims)."""

import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHAPTERS = sorted((ROOT / "chapters").glob("*.ipynb"))
STATED = re.compile(r"\*\*Claim\.\*\*")
CHECKED = re.compile(r"(?<![\w.])claim\(")


def sources(path: Path, cell_type: str) -> str:
    cells = json.loads(path.read_text())["cells"]
    return "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == cell_type)


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_each_claim_in_the_prose_has_one_claim_call(path):
    stated = len(STATED.findall(sources(path, "markdown")))
    checked = len(CHECKED.findall(sources(path, "code")))
    assert stated == checked, (
        f"{path.name}: the prose states {stated} claims but the code checks {checked}; "
        "follow every **Claim.** with one claim(text, holds, evidence) call"
    )


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_each_claim_is_checked_before_the_next_one_is_stated(path):
    """In reading order a **Claim.** and its claim() call alternate, so the page shows each
    claim with the experiment that checks it (cells placed out of order fail here)."""
    order = ""
    for cell in json.loads(path.read_text())["cells"]:
        prose = cell["cell_type"] == "markdown"
        found = (STATED if prose else CHECKED).findall("".join(cell["source"]))
        order += ("S" if prose else "C") * len(found)
    assert order == "SC" * (len(order) // 2), (
        f"{path.name}: claims (S) and checks (C) in reading order: {order}"
    )
