"""Keep the first code cell of every notebook identical: the Colab setup cell.

The cell installs the course package from the repository URL configured in `_config.yml`,
only when the notebook runs on Colab, and leaves Colab's preinstalled torch alone (the package
asks for torch>=2.3, which Colab already satisfies). Locally it does nothing.

Usage:
    python tools/setup_cell.py          # rewrite the setup cell of every notebook
    python tools/setup_cell.py --check  # exit 1 and list the notebooks whose cell differs
"""

import json
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOK_DIRS = ("chapters", "solutions", "exercises")
MARKER = "# Course setup"


def repository_url(config: Path = ROOT / "_config.yml") -> str:
    return yaml.safe_load(config.read_text())["repository"]["url"].rstrip("/")


def setup_source(url: str) -> str:
    """The canonical setup cell for a repository URL."""
    return (
        f"{MARKER}: on Colab, install the course package (Colab's own torch is kept).\n"
        "import sys\n"
        "\n"
        'if "google.colab" in sys.modules:\n'
        f'    %pip install -q "why-wont-my-network-train @ git+{url}"'
    )


def notebooks() -> list[Path]:
    return sorted(
        p
        for d in NOTEBOOK_DIRS
        for p in (ROOT / d).rglob("*.ipynb")
        if ".ipynb_checkpoints" not in p.parts
    )


def first_code_cell(nb: dict) -> dict | None:
    return next((c for c in nb["cells"] if c["cell_type"] == "code"), None)


def apply(path: Path, source: str) -> bool:
    """Make `path`'s setup cell `source`; return True if the file changed."""
    nb = json.loads(path.read_text())
    cell = first_code_cell(nb)
    if cell is not None and "".join(cell["source"]).startswith(MARKER):
        if "".join(cell["source"]) == source:
            return False
        cell["source"] = source
    else:
        new = {
            "cell_type": "code",
            "execution_count": None,
            "metadata": {},
            "outputs": [],
            "source": source,
        }
        if (nb["nbformat"], nb["nbformat_minor"]) >= (4, 5):  # cell ids are required from 4.5
            new["id"] = "course-setup"
        index = nb["cells"].index(cell) if cell is not None else len(nb["cells"])
        nb["cells"].insert(index, new)
    path.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n")
    return True


def main(argv: list[str]) -> int:
    source = setup_source(repository_url())
    if "--check" in argv:
        bad = []
        for path in notebooks():
            cell = first_code_cell(json.loads(path.read_text()))
            if cell is None or "".join(cell["source"]) != source:
                bad.append(path.relative_to(ROOT))
        for path in bad:
            print(f"{path}: first code cell is not the setup cell (run python tools/setup_cell.py)")
        return 1 if bad else 0
    for path in notebooks():
        if apply(path, source):
            print(f"updated {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
