"""Repository-wide notebook rules: no stored outputs, shared setup cell, fresh glossary."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = sorted(
    p
    for d in ("chapters", "solutions", "exercises")
    for p in (ROOT / d).rglob("*.ipynb")
    if ".ipynb_checkpoints" not in p.parts
)


def run_tool(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, *args], cwd=ROOT, capture_output=True, text=True)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: str(p.relative_to(ROOT)))
def test_notebook_is_stored_without_outputs(path):
    """The build executes notebooks; committed outputs would go stale."""
    nb = json.loads(path.read_text())
    for cell in nb["cells"]:
        if cell["cell_type"] == "code":
            assert cell["outputs"] == [] and cell["execution_count"] is None, path


def test_every_notebook_starts_with_the_shared_setup_cell():
    result = run_tool("tools/setup_cell.py", "--check")
    assert result.returncode == 0, result.stdout


def test_setup_cell_installs_from_the_configured_repository():
    sys.path.insert(0, str(ROOT / "tools"))
    try:
        import setup_cell
    finally:
        sys.path.pop(0)
    url = setup_cell.repository_url()
    source = setup_cell.setup_source(url)
    assert url.startswith("https://") and f"git+{url}" in source
    assert 'if "google.colab" in sys.modules:' in source  # a no-op outside Colab
    assert "torch" not in source.split("%pip", 1)[1]  # never asks for torch itself


def test_glossary_is_generated_from_the_terms_file():
    result = run_tool("tools/glossary.py", "--check")
    assert result.returncode == 0, result.stdout


@pytest.mark.parametrize(
    "path", sorted((ROOT / "chapters").glob("[0-9][0-9]_*.ipynb")), ids=lambda p: p.name
)
def test_chapter_has_key_terms_and_a_title(path):
    sys.path.insert(0, str(ROOT / "tools"))
    try:
        import glossary
    finally:
        sys.path.pop(0)
    markdown = glossary.chapter_markdown(path)
    assert markdown.lstrip().startswith("# "), "a chapter opens with its title"
    assert glossary.key_term_rows(markdown), "a chapter ends with a `## Key terms` table"
    sections = [line for line in markdown.splitlines() if line.startswith("#")]
    closing = sections[sections.index("## Key terms") :]
    assert closing in (
        ["## Key terms", "## Try it", "## References"],
        ["## Key terms", "## References"],
    ), f"after Key terms only Try it and References follow, found {closing}"


def test_setup_cell_is_collapsed_on_the_website(tmp_path):
    """The tool tags the setup cell `hide-cell` (Jupyter Book folds it), and `--check` rejects a
    cell with the right source but without the tag."""
    sys.path.insert(0, str(ROOT / "tools"))
    try:
        import setup_cell
    finally:
        sys.path.pop(0)
    source = setup_cell.setup_source(setup_cell.repository_url())
    untagged = {"cell_type": "code", "metadata": {}, "source": source, "outputs": []}
    nb = {"cells": [untagged], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    path = tmp_path / "nb.ipynb"
    path.write_text(json.dumps(nb))
    assert not setup_cell.is_setup_cell(untagged, source)
    assert setup_cell.apply(path, source), "the missing tag is a change"
    cell = setup_cell.first_code_cell(json.loads(path.read_text()))
    assert cell["metadata"]["tags"] == ["hide-cell"] and "".join(cell["source"]) == source
    assert setup_cell.is_setup_cell(cell, source)
    assert not setup_cell.apply(path, source), "a second run changes nothing"
