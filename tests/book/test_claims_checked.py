"""Every **Claim.** a chapter makes is checked in code by a `claim(...)` call (trainlab.claims)."""

import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHAPTERS = sorted((ROOT / "chapters").glob("*.ipynb"))


def sources(path: Path, cell_type: str) -> str:
    cells = json.loads(path.read_text())["cells"]
    return "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == cell_type)


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_each_claim_in_the_prose_has_one_claim_call(path):
    stated = len(re.findall(r"\*\*Claim\.\*\*", sources(path, "markdown")))
    checked = len(re.findall(r"(?<![\w.])claim\(", sources(path, "code")))
    assert stated == checked, (
        f"{path.name}: the prose states {stated} claims but the code checks {checked}; "
        "follow every **Claim.** with one claim(text, holds, evidence) call"
    )
