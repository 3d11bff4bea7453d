"""The built pages read cleanly: no raw TeX in the prose, no broken internal link, no empty figure,
in both editions (English at the root, Chinese under zh_CN/); each page links to its twin.

These read the static HTML of `_build/html` (`make book`); `test_browser.py` looks at the live DOM.
"""

import re
from functools import cache
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from site_pages import parse, raw_tex, site_pages, source_doc, twin

ROOT = Path(__file__).resolve().parents[2]
DOCS = site_pages()
NOTEBOOKS = [d for d in DOCS if (ROOT / f"{source_doc(d)}.ipynb").exists()]
EXECUTED = [d for d in NOTEBOOKS if not source_doc(d).startswith("exercises/")]
SWITCH = re.compile(r'<a class="btn btn-sm language-switch" href="([^"]+)"')
# A code cell that draws: its output must hold an image.
DRAWS = re.compile(r"\bplt\.(subplots|figure|plot|imshow|hist|scatter)\(|\.imshow\(")


@cache
def page_of(path: Path):
    return parse(path.read_text(encoding="utf-8"))


def internal_target(page: Path, link: str) -> tuple[Path, str] | None:
    """(file, fragment) a relative link points to, or None for an external or data link."""
    parts = urlsplit(link)
    if parts.scheme or parts.netloc or link.startswith("//"):
        return None
    path = unquote(parts.path)
    target = page if path == "" else (page.parent / path).resolve()
    if target.is_dir():
        target = target / "index.html"
    return target, unquote(parts.fragment)


def broken_links(page: Path, html: Path) -> list[str]:
    broken = []
    for tag, link in page_of(page).links:
        resolved = internal_target(page, link)
        if resolved is None:
            continue
        target, fragment = resolved
        if not target.is_file():
            broken.append(f"<{tag}> {link}: no file {target.relative_to(html.parent)}")
        elif fragment and target.suffix == ".html" and fragment not in page_of(target).ids:
            broken.append(f"<{tag}> {link}: no id {fragment!r} in {target.name}")
    return broken


@pytest.mark.parametrize("doc", DOCS)
def test_no_raw_tex_outside_math(html, doc):
    """Text outside math, code and scripts shows no `$`, `$$` or TeX command such as `\\frac`:
    such text is math that Sphinx did not recognise, so MathJax never typesets it."""
    found = raw_tex((html / f"{doc}.html").read_text(encoding="utf-8"))
    assert not found, "raw TeX in the rendered text:\n  " + "\n  ".join(found)


@pytest.mark.parametrize("doc", DOCS)
def test_internal_links_resolve(html, doc):
    """Every relative href/src names a file of the site, and each #anchor an id of its page."""
    broken = broken_links(html / f"{doc}.html", html)
    assert not broken, "broken internal links:\n  " + "\n  ".join(broken)


@pytest.mark.parametrize("doc", EXECUTED)
def test_figures_are_not_empty(html, doc):
    """A cell that draws shows an image, and every output image is a non-empty file."""
    page = html / f"{doc}.html"
    problems = []
    for number, (code, images) in enumerate(page_of(page).cells, start=1):
        source = "".join(code)
        if DRAWS.search(source) and not images:
            first = source.strip().splitlines()[0] if source.strip() else ""
            problems.append(f"code cell {number} draws a figure but shows none ({first!r})")
        for src in images:
            if not src:  # a matplotlib animation: its script fills the <img> frame by frame
                continue
            resolved = internal_target(page, src)
            if resolved is None:
                if src.startswith("data:") and len(src.partition(",")[2]) == 0:
                    problems.append(f"code cell {number}: empty inline image")
                continue
            target = resolved[0]
            if not target.is_file() or target.stat().st_size == 0:
                problems.append(f"code cell {number}: image {src} is missing or empty")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("doc", NOTEBOOKS)
def test_setup_cell_is_collapsed(html, doc):
    """The Colab setup cell stays in the notebook but is folded on the page: Jupyter Book turns its
    `hide-cell` tag (written by tools/setup_cell.py) into the cell class `tag_hide-cell`."""
    page = page_of(html / f"{doc}.html")
    assert page.cells, "the page shows no code cell"
    code, _ = page.cells[0]
    assert "# Course setup" in "".join(code), "the first code cell is the setup cell"
    assert "tag_hide-cell" in page.cell_classes[0], (
        "the setup cell is shown unfolded: run python tools/setup_cell.py, then rebuild"
    )


@pytest.mark.parametrize("doc", DOCS)
def test_language_switch_links_to_the_twin_page(html, doc):
    """One language switch per page (tools/i18n_sphinx.py), pointing at the same document in the
    other edition, which exists."""
    page = html / f"{doc}.html"
    links = SWITCH.findall(page.read_text(encoding="utf-8"))
    assert len(links) == 1, f"{len(links)} language switches on the page"
    target, _ = internal_target(page, links[0])
    assert target == (html / f"{twin(doc)}.html").resolve(), links[0]
    assert target.is_file(), f"the twin page {twin(doc)}.html was not built"


@pytest.mark.parametrize("doc", [d for d in NOTEBOOKS if d != source_doc(d)])
def test_translated_notebook_pages_keep_the_code_and_outputs(html, doc):
    """The Chinese page shows the English page's code cells and output images: translation
    touches the prose only, and both editions read the same execution cache."""
    chinese, english = page_of(html / f"{doc}.html"), page_of(html / f"{source_doc(doc)}.html")
    assert ["".join(code) for code, _ in chinese.cells] == [
        "".join(code) for code, _ in english.cells
    ]
    assert [len(images) for _, images in chinese.cells] == [
        len(images) for _, images in english.cells
    ]


def test_the_checks_see_what_they_must(html):
    """The parser finds the notebook cells and their figures, and it rejects raw TeX it is shown:
    guards against a page layout change that would make the checks above pass vacuously."""
    page = page_of(html / "chapters/01_general_guide.html")
    assert page.cells and any(images for _, images in page.cells)
    assert any(DRAWS.search("".join(code)) for code, _ in page.cells)
    assert raw_tex("<p>where $$x = \\frac{a}{b}$$ holds</p>")
    assert raw_tex("<li>the mean \\mu is</li>")
    assert not raw_tex(
        '<p>a <span class="math notranslate nohighlight">\\(\\frac{a}{b}\\)</span></p>'
    )
    assert not raw_tex("<p>run <code>echo $HOME</code></p>")
