"""tools/execute_notebooks.py: the notebooks the build would execute land in its cache, found
by the same lookup myst-nb makes; excluded ones are left alone and failures are not cached."""

import sys
from pathlib import Path

import nbformat
import pytest
from jupyter_cache import get_cache

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tools"))
import execute_notebooks  # noqa: E402

sys.path.pop(0)

CONFIG = """title: mini
execute:
  execute_notebooks: cache
  cache: _build/.jupyter_cache
  timeout: 60
  allow_errors: false
  exclude_patterns:
    - "exercises/*.ipynb"
"""
TOC = """format: jb-book
root: intro
parts:
  - caption: Chapters
    chapters:
      - file: chapters/good
      - file: chapters/bad
      - file: chapters/prose
  - caption: Exercises
    chapters:
      - file: exercises/stub
"""


def _notebook(path: Path, code: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(code)])
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nbformat.write(nb, path)


def test_toc_files_in_reading_order():
    toc = {"root": "intro", "parts": [{"chapters": [{"file": "a", "sections": [{"file": "b"}]}]}]}
    assert execute_notebooks.toc_files(toc) == ["intro", "a", "b"]


@pytest.mark.slow
def test_executed_notebooks_are_cached_for_the_build(tmp_path, capsys):
    (tmp_path / "_config.yml").write_text(CONFIG)
    (tmp_path / "_toc.yml").write_text(TOC)
    (tmp_path / "intro.md").write_text("# Intro\n")
    (tmp_path / "chapters").mkdir()
    (tmp_path / "chapters" / "prose.md").write_text("# Prose\n")
    _notebook(tmp_path / "chapters" / "good.ipynb", "import os\nprint(os.getcwd())")
    _notebook(tmp_path / "chapters" / "bad.ipynb", "raise ValueError('broken')")
    _notebook(tmp_path / "exercises" / "stub.ipynb", "print('not run')")

    assert execute_notebooks.main(["--root", str(tmp_path), "--jobs", "2"]) == 0
    out = capsys.readouterr().out
    assert "2 notebooks, 2 at a time" in out and "chapters/bad.ipynb: FAILED" in out

    cache = get_cache(str(tmp_path / "_build" / ".jupyter_cache"))
    good = nbformat.read(tmp_path / "chapters" / "good.ipynb", as_version=4)
    record = cache.match_cache_notebook(good)  # what myst-nb's cache client looks up
    _, merged = cache.merge_match_into_notebook(good)
    assert merged.cells[0].outputs[0]["text"].strip() == str(tmp_path / "chapters")
    assert record.data["execution_seconds"] > 0
    for name in ("chapters/bad.ipynb", "exercises/stub.ipynb"):
        with pytest.raises(KeyError):
            cache.match_cache_notebook(nbformat.read(tmp_path / name, as_version=4))

    assert execute_notebooks.main(["--root", str(tmp_path)]) == 0  # only the failure again
    assert "1 notebooks" in capsys.readouterr().out
