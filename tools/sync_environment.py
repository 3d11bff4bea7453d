"""Write environment.yml from requirements.lock, so conda users get the same pinned set.

Usage: python tools/sync_environment.py [--check]
With --check, exit 1 (and say why) when environment.yml differs from what would be written.
"""

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HEADER = """\
# Conda environment for 'Why won't my network train?'.
# Generated from requirements.lock by `python tools/sync_environment.py`; do not edit by hand.
name: why-wont-my-network-train
channels:
  - conda-forge
dependencies:
  - python=3.11
  - pip
  - nodejs=20
  - pip:
"""


def pins(lock: Path) -> list[str]:
    """The `name==version` lines of a lock file, comments and blanks dropped."""
    lines = (line.split("#", 1)[0].strip() for line in lock.read_text().splitlines())
    return [line for line in lines if line]


def render(lock: Path) -> str:
    body = "".join(f"      - {pin}\n" for pin in pins(lock))
    return HEADER + body + "      - -e .\n"


def main(argv: list[str]) -> int:
    want = render(ROOT / "requirements.lock")
    target = ROOT / "environment.yml"
    if "--check" in argv:
        if not target.exists() or target.read_text() != want:
            print("environment.yml drifted from requirements.lock: run tools/sync_environment.py")
            return 1
        return 0
    target.write_text(want)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
