"""The built website: every page present in both editions, executed cleanly, math and Colab wired
offline, the Chinese edition in Chinese."""

import json
import re
from pathlib import Path

import pytest
import yaml
from babel.messages.pofile import read_po
from site_pages import EDITIONS, site_pages, source_doc, toc_files

ROOT = Path(__file__).resolve().parents[2]


NOTEBOOK_DOCS = [f for f in toc_files() if (ROOT / f"{f}.ipynb").exists()]
EXECUTED_DOCS = [f for f in NOTEBOOK_DOCS if not f.startswith("exercises/")]
NOTEBOOK_PAGES = [p for p in site_pages() if source_doc(p) in NOTEBOOK_DOCS]
ZH = EDITIONS["zh_CN"]


@pytest.mark.parametrize("doc", site_pages())
def test_every_toc_entry_has_a_page(html, doc):
    assert (html / f"{doc}.html").exists()


@pytest.mark.parametrize("doc", [p for p in site_pages() if source_doc(p) in EXECUTED_DOCS])
def test_chapter_executed_without_errors_or_stderr(html, doc):
    """Chapters must run cleanly: no tracebacks and nothing on stderr in the executed outputs."""
    page = (html / f"{doc}.html").read_text()
    assert "cell_output" in page or "output" in page, "the notebook produced no outputs at all"
    assert "output stderr" not in page, (
        "a cell wrote to stderr (warnings, tqdm.auto...): fix the cause"
    )
    assert "Traceback (most recent call last)" not in page


@pytest.mark.parametrize("edition", EDITIONS.values())
def test_mathjax_is_vendored_and_loaded_locally(html, edition):
    assert (html / edition / "mathjax" / "tex-chtml.js").exists()
    page = (html / edition / "intro.html").read_text()
    src = re.findall(r'<script[^>]+src="([^"]*tex-chtml\.js)[^"]*"', page)
    assert src and not src[0].startswith(("http:", "https:", "//")), src


@pytest.mark.parametrize("doc", NOTEBOOK_PAGES)
def test_notebook_pages_have_a_colab_launch_button(html, doc):
    url = yaml.safe_load((ROOT / "_config.yml").read_text())["repository"]["url"]
    repo = url.removeprefix("https://github.com/")
    page = (html / f"{doc}.html").read_text()
    assert f"colab.research.google.com/github/{repo}/blob/main/{source_doc(doc)}.ipynb" in page


def test_the_chinese_edition_is_in_chinese(html):
    """The Chinese pages declare their language, carry the translated title, and the sidebar
    shows the part captions of _toc.yml as intro.po translates them (sphinx-external-toc adds
    those after Sphinx translated the page; tools/i18n_sphinx.py translates them)."""
    page = (html / ZH / "intro.html").read_text(encoding="utf-8")
    assert '<html lang="zh-CN"' in page
    assert "我的网络为什么训练不起来？" in page
    with (ROOT / "locales/zh_CN/LC_MESSAGES/intro.po").open("rb") as f:
        catalog = read_po(f)
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    captions = [part["caption"] for part in toc["parts"]]
    for caption in captions:
        shown = catalog[caption].string or caption
        assert re.search(
            rf'<p aria-level="2" class="caption"[^>]*>\s*<span class="caption-text">'
            rf"{re.escape(shown)}</span>",
            page,
        ), caption


def test_catalogues_are_compiled_outside_locales(html):
    """The Chinese build compiles the catalogues it reads from _build/locales, never in locales/."""
    assert (ROOT / "_build/locales/zh_CN/LC_MESSAGES/intro.mo").is_file()
    assert not list((ROOT / "locales").rglob("*.mo"))


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
