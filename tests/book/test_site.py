"""The built website: every page present, executed cleanly, math and Colab wired offline."""

import json
import re
from pathlib import Path

import pytest
import yaml
from site_pages import toc_files

ROOT = Path(__file__).resolve().parents[2]


NOTEBOOK_DOCS = [f for f in toc_files() if (ROOT / f"{f}.ipynb").exists()]
EXECUTED_DOCS = [f for f in NOTEBOOK_DOCS if not f.startswith("exercises/")]


@pytest.mark.parametrize("doc", toc_files())
def test_every_toc_entry_has_a_page(html, doc):
    assert (html / f"{doc}.html").exists()


@pytest.mark.parametrize("doc", EXECUTED_DOCS)
def test_chapter_executed_without_errors_or_stderr(html, doc):
    """Chapters must run cleanly: no tracebacks and nothing on stderr in the executed outputs."""
    page = (html / f"{doc}.html").read_text()
    assert "cell_output" in page or "output" in page, "the notebook produced no outputs at all"
    assert "output stderr" not in page, (
        "a cell wrote to stderr (warnings, tqdm.auto...): fix the cause"
    )
    assert "Traceback (most recent call last)" not in page


def test_mathjax_is_vendored_and_loaded_locally(html):
    assert (html / "mathjax" / "tex-chtml.js").exists()
    page = (html / "intro.html").read_text()
    src = re.findall(r'<script[^>]+src="([^"]*tex-chtml\.js)[^"]*"', page)
    assert src and not src[0].startswith(("http:", "https:", "//")), src


@pytest.mark.parametrize("doc", NOTEBOOK_DOCS)
def test_notebook_pages_have_a_colab_launch_button(html, doc):
    url = yaml.safe_load((ROOT / "_config.yml").read_text())["repository"]["url"]
    repo = url.removeprefix("https://github.com/")
    page = (html / f"{doc}.html").read_text()
    assert f"colab.research.google.com/github/{repo}/blob/main/{doc}.ipynb" in page


def test_chapters_are_cached_for_reuse(html):
    """make book executes through jupyter-cache, so unchanged chapters are not re-run."""
    cache = ROOT / "_build" / ".jupyter_cache"
    assert (cache / "global.db").exists()
    from jupyter_cache import get_cache

    cached = {Path(r.uri).resolve() for r in get_cache(str(cache)).list_project_records()}
    for doc in EXECUTED_DOCS:
        assert (ROOT / f"{doc}.ipynb").resolve() in cached, doc


def test_exercise_pages_are_shown_unexecuted(html):
    for doc in NOTEBOOK_DOCS:
        if doc.startswith("exercises/"):
            nb = json.loads((ROOT / f"{doc}.ipynb").read_text())
            assert all(not c.get("outputs") for c in nb["cells"] if c["cell_type"] == "code")
