"""Keep the first code cell of every notebook identical: the Colab setup cell.

The cell installs the course package from the repository URL configured in `_config.yml`,
only when the notebook runs on Colab, and leaves Colab's preinstalled torch alone (the package
asks for torch>=2.3, which Colab already satisfies). Locally it does nothing.

On the website the cell is collapsed behind a toggle: it carries the Jupyter Book cell tag
`hide-cell` (the notebooks keep the cell; only its display is folded).

Usage:
    python tools/setup_cell.py          # rewrite the setup cell of every notebook
    python tools/setup_cell.py solutions  # only the notebooks under the named folders
    python tools/setup_cell.py --check  # exit 1 and list the notebooks whose cell differs
                                        # (source or tag)
"""

import json
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOK_DIRS = ("chapters", "solutions", "exercises")
MARKER = "# Course setup"
TAG = "hide-cell"  # Jupyter Book folds the cell (input and output) behind a "show" toggle


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


def notebooks(folders: tuple[str, ...] = NOTEBOOK_DIRS) -> list[Path]:
    return sorted(
        p
        for d in folders
        for p in (ROOT / d).rglob("*.ipynb")
        if ".ipynb_checkpoints" not in p.parts
    )


def first_code_cell(nb: dict) -> dict | None:
    return next((c for c in nb["cells"] if c["cell_type"] == "code"), None)


def is_setup_cell(cell: dict | None, source: str) -> bool:
    """The cell holds exactly `source` and carries the `hide-cell` tag."""
    return (
        cell is not None
        and "".join(cell["source"]) == source
        and TAG in cell.get("metadata", {}).get("tags", [])
    )


def apply(path: Path, source: str) -> bool:
    """Make `path`'s setup cell `source`, tagged `hide-cell`; return True if the file changed."""
    nb = json.loads(path.read_text())
    cell = first_code_cell(nb)
    if is_setup_cell(cell, source):
        return False
    lines = source.splitlines(keepends=True)  # nbformat's layout of a cell's source
    if cell is not None and "".join(cell["source"]).startswith(MARKER):
        if "".join(cell["source"]) != source:
            cell["source"] = lines
        tags = cell.setdefault("metadata", {}).setdefault("tags", [])
        if TAG not in tags:
            tags.append(TAG)
    else:
        new = {
            "cell_type": "code",
            "execution_count": None,
            "metadata": {"tags": [TAG]},
            "outputs": [],
            "source": lines,
        }
        if (nb["nbformat"], nb["nbformat_minor"]) >= (4, 5):  # cell ids are required from 4.5
            new["id"] = "course-setup"
        index = nb["cells"].index(cell) if cell is not None else len(nb["cells"])
        nb["cells"].insert(index, new)
    path.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n")
    return True


def main(argv: list[str]) -> int:
    source = setup_source(repository_url())
    folders = tuple(a for a in argv if not a.startswith("--")) or NOTEBOOK_DIRS
    if "--check" in argv:
        bad = []
        for path in notebooks(folders):
            if not is_setup_cell(first_code_cell(json.loads(path.read_text())), source):
                bad.append(path.relative_to(ROOT))
        for path in bad:
            print(
                f"{path}: first code cell is not the setup cell tagged {TAG!r} "
                "(run python tools/setup_cell.py)"
            )
        return 1 if bad else 0
    for path in notebooks(folders):
        if apply(path, source):
            print(f"updated {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
