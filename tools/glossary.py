"""Generate glossary.md from the `## Key terms` tables of the chapters.

Every chapter ends with a table `| English | 中文 | meaning |` under a `## Key terms` heading.
This script collects those rows, merges terms taught in several chapters, and writes one
alphabetical page that links each term to where it is taught.

Usage:
    python tools/glossary.py          # write glossary.md
    python tools/glossary.py --check  # exit 1 if glossary.md is out of date
"""

import json
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HEADER = ("english", "中文", "meaning")


@dataclass
class Term:
    english: str
    chinese: str
    meaning: str
    chapters: list[tuple[str, str]] = field(default_factory=list)  # (title, relative path)


def chapter_markdown(path: Path) -> str:
    """All markdown of a chapter page (an .md file, or the markdown cells of a notebook)."""
    if path.suffix == ".md":
        return path.read_text()
    cells = json.loads(path.read_text())["cells"]
    return "\n\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "markdown")


def title_of(markdown: str, path: Path) -> str:
    match = re.search(r"^# (.+)$", markdown, flags=re.M)
    return match.group(1).strip() if match else path.stem


def key_term_rows(markdown: str) -> list[list[str]]:
    """The body rows of the table that follows the `## Key terms` heading."""
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


def collect() -> list[Term]:
    terms: dict[str, Term] = {}
    pages = sorted((ROOT / "chapters").glob("[0-9][0-9]_*.ipynb"))
    pages += sorted((ROOT / "chapters").glob("[0-9][0-9]_*.md"))
    for path in sorted(pages):
        markdown = chapter_markdown(path)
        where = (title_of(markdown, path), path.relative_to(ROOT).as_posix())
        for english, chinese, meaning in key_term_rows(markdown):
            key = re.sub(r"[^a-z0-9]+", " ", english.lower()).strip()
            term = terms.setdefault(key, Term(english, chinese, meaning))
            if where not in term.chapters:
                term.chapters.append(where)
    return sorted(terms.values(), key=lambda t: t.english.lower())


def render(terms: list[Term]) -> str:
    lines = [
        "# Glossary",
        "",
        "Every key term of the book with its Chinese name, linked to the chapters that teach it.",
        "This page is generated from the chapters' *Key terms* tables by `tools/glossary.py`.",
        "",
        "| English | 中文 | meaning | taught in |",
        "| --- | --- | --- | --- |",
    ]
    for t in terms:
        links = ", ".join(f"[{title}]({path})" for title, path in t.chapters)
        lines.append(f"| {t.english} | {t.chinese} | {t.meaning} | {links} |")
    return "\n".join(lines) + "\n"


def main(argv: list[str]) -> int:
    text = render(collect())
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
