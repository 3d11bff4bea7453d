"""What a reader of the built website sees: the pages of the table of contents, their links and
their text outside math and code.

Shared by the checks on the static pages (`test_rendering.py`, `test_site.py`) and on the live
DOM (`test_browser.py`); `conftest.py` registers this module by name, because pytest's importlib
import mode puts no test folder on sys.path.

Raw TeX is what a reader sees when MathJax never got the math: `$…$`, `$$…$$`, or a control
word such as `\\frac` or `\\begin` in the running text. In the static HTML Sphinx wraps every
formula it recognised in `<span class="math …">` or `<div class="math …">` (MathJax typesets
them in the browser, into `<mjx-container>`), so TeX anywhere else was never recognised as math.
"""

import re
from html.parser import HTMLParser
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
# The editions of the site: English at the root, Simplified Chinese under zh_CN/ (`make book`
# builds both; tools/i18n_sphinx.py links every page to its twin).
EDITIONS = {"en": "", "zh_CN": "zh_CN/"}

# Elements whose text is not running prose: code, program output, scripts, and math.
SKIPPED_TAGS = frozenset(
    {"script", "style", "code", "pre", "kbd", "samp", "textarea", "head", "mjx-container"}
)
MATH_CLASSES = frozenset({"math"})
VOID_TAGS = frozenset(
    {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}
)

# `$$`, an inline `$…$` pair, a lone `$`, or a TeX control word (\frac, \begin, \mathbb, ...).
RAW_TEX = re.compile(r"\$\$|\$[^$\n]{0,200}\$|\$|\\[A-Za-z]+")


def toc_files() -> list[str]:
    """Every document listed in _toc.yml, without suffix, root first."""
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    files = [toc["root"]]
    for part in toc.get("parts", []):
        files += [chapter["file"] for chapter in part["chapters"]]
    return files


def site_pages() -> list[str]:
    """Every page of both editions, as paths below _build/html without suffix: `doc` is the
    English page of a document, `zh_CN/doc` its Chinese twin."""
    return [prefix + doc for prefix in EDITIONS.values() for doc in toc_files()]


def source_doc(page: str) -> str:
    """The document a page of either edition is built from."""
    return page.removeprefix(EDITIONS["zh_CN"])


def twin(page: str) -> str:
    """The same page in the other edition."""
    doc = source_doc(page)
    return doc if page != doc else EDITIONS["zh_CN"] + doc


class _Page(HTMLParser):
    """One pass over a page: prose text outside skipped elements, ids, links and images."""

    def __init__(self, math_classes: frozenset[str]) -> None:
        super().__init__(convert_charrefs=True)
        self.math_classes = math_classes
        self.stack: list[tuple[str, bool]] = []  # (tag, skipped: inside code/math/script)
        self.prose: list[str] = []
        self.ids: set[str] = set()
        self.links: list[tuple[str, str]] = []  # (tag, href or src)
        # Code cells of a notebook page: [input text, output image sources], in page order.
        self.cells: list[tuple[list[str], list[str]]] = []
        self.cell_classes: list[set[str]] = []  # the classes of each cell's <div>, e.g. its tags
        self._cell_depth: int | None = None
        self._in_output = False

    @property
    def skipped(self) -> bool:
        return bool(self.stack) and self.stack[-1][1]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        classes = set((attributes.get("class") or "").split())
        for key in ("id", "name"):
            if attributes.get(key) and (key == "id" or tag == "a"):
                self.ids.add(attributes[key])
        for key in ("href", "src"):
            if attributes.get(key) is not None:
                self.links.append((tag, attributes[key]))
        if tag == "div" and "cell" in classes and "docutils" in classes:
            self.cells.append(([], []))
            self.cell_classes.append(classes)
            self._cell_depth = len(self.stack)
        if self._cell_depth is not None and tag == "div" and "cell_output" in classes:
            self._in_output = True
        if tag == "img" and self._in_output and self.cells:
            self.cells[-1][1].append(attributes.get("src") or "")
        if tag in VOID_TAGS:
            return
        skipped = self.skipped or tag in SKIPPED_TAGS or bool(classes & self.math_classes)
        self.stack.append((tag, skipped))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in VOID_TAGS:
            self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in VOID_TAGS:
            return
        # Close up to the matching open tag (tolerates unclosed <p>, <li>, ...).
        for depth in range(len(self.stack) - 1, -1, -1):
            if self.stack[depth][0] == tag:
                del self.stack[depth:]
                break
        if self._cell_depth is not None and len(self.stack) <= self._cell_depth:
            self._cell_depth = None
            self._in_output = False

    def handle_data(self, data: str) -> None:
        if self._cell_depth is not None and not self._in_output and self.cells:
            self.cells[-1][0].append(data)
        if not self.skipped:
            self.prose.append(data)


def parse(html: str, skip_math_elements: bool = True) -> _Page:
    """Parse a page. The static HTML keeps each formula's TeX in a `math` element until MathJax
    typesets it; in the live DOM pass skip_math_elements=False, so that only what MathJax
    turned into <mjx-container> counts as math."""
    page = _Page(MATH_CLASSES if skip_math_elements else frozenset())
    page.feed(html)
    page.close()
    return page


def raw_tex(html: str, skip_math_elements: bool = True) -> list[str]:
    """Each stretch of running text that shows TeX source, with some context around it."""
    text = re.sub(r"\s+", " ", " ".join(parse(html, skip_math_elements).prose))
    return [text[max(0, m.start() - 60) : m.end() + 60].strip() for m in RAW_TEX.finditer(text)]
