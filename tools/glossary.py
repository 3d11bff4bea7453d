"""Generate glossary.md from terms.yml, the one source of the book's terms.

terms.yml lists every term of the `## Key terms` tables (chapters, exercises and their
solutions) once: its English name, its one Chinese name, a one-line meaning, and the pages that
teach it. This script writes the alphabetical glossary page from that file, linking each term to
the pages in `taught_in` under their titles. tests/tools/test_terms.py checks the tables and the
prose against the same file.

Usage:
    python tools/glossary.py          # write glossary.md
    python tools/glossary.py --check  # exit 1 if glossary.md is out of date
"""

import json
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
TERMS_FILE = ROOT / "terms.yml"
HEADER = ("english", "中文", "meaning")


@dataclass
class Term:
    """One entry of terms.yml."""

    english: str
    chinese: str
    meaning: str
    taught_in: list[str]
    english_variants: list[str] = field(default_factory=list)
    rejected: list[str] = field(default_factory=list)


def term_key(english: str) -> str:
    """The English name as compared: lower case, punctuation and spacing ignored."""
    return re.sub(r"[^a-z0-9]+", " ", english.lower()).strip()


def load_terms(path: Path = TERMS_FILE) -> list[Term]:
    """The entries of terms.yml, in file order."""
    return [Term(**entry) for entry in yaml.safe_load(path.read_text())]


def chapter_markdown(path: Path) -> str:
    """All markdown of a page (an .md file, or the markdown cells of a notebook)."""
    if path.suffix == ".md":
        return path.read_text()
    cells = json.loads(path.read_text())["cells"]
    return "\n\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "markdown")


def title_of(markdown: str, path: Path) -> str:
    match = re.search(r"^# (.+)$", markdown, flags=re.M)
    return match.group(1).strip() if match else path.stem


def key_term_rows(markdown: str) -> list[list[str]]:
    """The body rows (english, chinese, meaning) of the table under the `## Key terms` heading."""
    section = re.split(r"^## Key terms\s*$", markdown, maxsplit=1, flags=re.M)
    if len(section) < 2:
        return []
    rows = []
    for line in section[1].splitlines():
        line = line.strip()
        if line.startswith("## "):
            break
        if not line.startswith("|"):
            if rows:
                break
            continue
        cells = [c.strip() for c in line.strip("|").split("|")]
        if tuple(c.lower() for c in cells) == HEADER or set("".join(cells)) <= set("-: "):
            continue
        if len(cells) == 3:
            rows.append(cells)
    return rows


def table_problems(markdown: str, terms: list[Term]) -> list[str]:
    """What a page's Key terms table gets wrong against terms.yml (empty when nothing).

    Every row must name a term of the file (by its English name or a listed variant; a row
    "a / b | 甲 / 乙" names two terms) and give exactly that term's Chinese name.
    """
    by_key = {term_key(v): t for t in terms for v in (t.english, *t.english_variants)}
    problems = []
    for english, chinese, _ in key_term_rows(markdown):
        pairs = [(english, chinese)]
        if " / " in english and len(english.split(" / ")) == len(chinese.split(" / ")):
            pairs = list(zip(english.split(" / "), chinese.split(" / "), strict=True))
        for name, name_zh in pairs:
            term = by_key.get(term_key(name))
            if term is None:
                problems.append(f"{name!r} is not in terms.yml: add it, or use a listed name")
            elif name_zh != term.chinese:
                problems.append(
                    f"{name!r} is called {name_zh!r}; terms.yml names it {term.chinese!r}"
                )
    return problems


def rejected_names_in(text: str, terms: list[Term]) -> list[str]:
    """The rejected Chinese names `text` uses, as "rejected -> canonical" lines.

    An occurrence that lies inside a canonical name (扇入 inside 输入扇入) does not count.
    """
    found = []
    for t in terms:
        for rejected in t.rejected:
            hosts = [c.chinese for c in terms if rejected in c.chinese]
            covered = {
                (m.start() + k, m.start() + k + len(rejected))
                for host in hosts
                for m in re.finditer(re.escape(host), text)
                for k in [host.index(rejected)]
            }
            spans = {(m.start(), m.end()) for m in re.finditer(re.escape(rejected), text)}
            if spans - covered:
                found.append(f"{rejected} -> {t.chinese} ({t.english})")
    return found


def pages_listing(terms: list[Term], pages: list[Path]) -> dict[str, set[str]]:
    """For each term's English name, the pages whose Key terms table lists it.

    A solution notebook counts as its exercise (the published page with the same table).
    """
    by_key = {term_key(v): t for t in terms for v in (t.english, *t.english_variants)}
    listed: dict[str, set[str]] = {t.english: set() for t in terms}
    for path in pages:
        page = path.relative_to(ROOT).as_posix().replace("solutions/", "exercises/", 1)
        for english, chinese, _ in key_term_rows(chapter_markdown(path)):
            names = (
                english.split(" / ")
                if len(english.split(" / ")) == len(chinese.split(" / "))
                else [english]
            )
            for name in names:
                term = by_key.get(term_key(name))
                if term is not None:
                    listed[term.english].add(page)
    return listed


def render(terms: list[Term]) -> str:
    lines = [
        "# Glossary",
        "",
        "Every key term of the book with its one Chinese name, linked to the chapters and",
        "exercises that teach it. This page is generated from `terms.yml` by `tools/glossary.py`.",
        "",
        "| English | 中文 | meaning | taught in |",
        "| --- | --- | --- | --- |",
    ]
    for t in sorted(terms, key=lambda t: t.english.lower()):
        links = ", ".join(
            f"[{title_of(chapter_markdown(ROOT / page), ROOT / page)}]({page})"
            for page in t.taught_in
        )
        lines.append(f"| {t.english} | {t.chinese} | {t.meaning} | {links} |")
    return "\n".join(lines) + "\n"


def main(argv: list[str]) -> int:
    text = render(load_terms())
    target = ROOT / "glossary.md"
    if "--check" in argv:
        if not target.exists() or target.read_text() != text:
            print("glossary.md is out of date: run python tools/glossary.py")
            return 1
        return 0
    target.write_text(text)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
