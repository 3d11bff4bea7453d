"""The Chinese edition: gettext catalogues of the English book, their checks, and the build configs.

One source: the English notebooks and pages. Each page (Sphinx docname) has one catalogue
`locales/zh_CN/LC_MESSAGES/<docname>.po`; a message (`msgid`) is one paragraph, heading, list
item, table cell or caption in raw MyST, and `msgstr` is its translation. When an English
paragraph changes, `extract` gives its message the new msgid and marks the old translation
fuzzy, and `check` fails until a translator has looked at it.

Usage (from the repository root, inside the venv):
    python tools/i18n.py extract   # gettext build (execution off) + sphinx-intl update + prefill
    python tools/i18n.py check     # drift, untranslated/fuzzy published messages, math/code/links
    python tools/i18n.py check --pot _build/pot/_build/gettext   # reuse an extraction
    python tools/i18n.py stats     # translated / fuzzy / untranslated per catalogue
    python tools/i18n.py config zh # write _build/_config.zh.yml (also: en, pot)

The three configs are derived from `_config.yml`, so they cannot drift apart:
  en   the English website; `execute.cache` pinned to `_build/.jupyter_cache`
  zh   the same book with `language: zh_CN`, the translated title, catalogues read from
       `_build/locales` (a copy of `locales/` made by the Sphinx extension `i18n_sphinx`, so the
       `.mo` files Sphinx compiles never land in `locales/`), and the SAME execution cache, so
       no notebook runs twice
  pot  the gettext extraction: execution off, one catalogue per page (`gettext_compact: false`),
       no uuids or source locations (stable files)

Prefill: a message with no prose to translate gets itself as translation: display math (the
msgid starts with a newline), and a message with no English word (two letters or more) left once
math, code, roles, link targets and URLs are removed. The English column of the Key terms tables
and of the glossary is not a message at all: the extension `i18n_sphinx` marks it untranslatable,
so a cell elsewhere that reads the same ("symptom", "local minimum") is translated on its own.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import re
import shutil
import subprocess
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
TOOLS = Path(__file__).resolve().parent
LANG = "zh_CN"
TITLE_ZH = "我的网络为什么训练不起来？"
CACHE = "_build/.jupyter_cache"  # one execution cache for both languages
POT_OUTPUT = "_build/pot"  # jupyter-book --path-output of the gettext build
STAGED_LOCALES = "_build/locales"  # what the Chinese build reads (and writes its .mo into)
WIDTH = 76  # sphinx-intl's line width; every catalogue is written with it
# The grader's sentences (autograder/i18n.py), shipped inside the package.
GRADER_PO = f"autograder/locale/{LANG}/LC_MESSAGES/autograder.po"

sys.path.insert(0, str(TOOLS))
try:
    import glossary
finally:
    sys.path.pop(0)


# --------------------------------------------------------------------------- configs


def book_config(kind: str, root: Path = ROOT, draft: bool = False) -> dict[str, Any]:
    """The Jupyter Book config of `kind` ("en", "zh" or "pot"), derived from root/_config.yml.

    draft: the Chinese build tolerates untranslated and fuzzy messages (they show in English).
    """
    config = yaml.safe_load((root / "_config.yml").read_text(encoding="utf-8"))
    execute = config.setdefault("execute", {})
    execute["cache"] = str(root / CACHE)
    sphinx = config.setdefault("sphinx", {})
    # jupyter-book resolves these paths against the config file's folder: make them absolute.
    sphinx["local_extensions"] = {
        name: str((root / path).resolve())
        for name, path in (sphinx.get("local_extensions") or {}).items()
    }
    extra = sphinx.setdefault("config", {})
    if kind == "pot":
        execute["execute_notebooks"] = "off"
        extra.update(gettext_compact=False, gettext_uuid=False, gettext_location=False)
    elif kind == "zh":
        config["title"] = TITLE_ZH
        extra.update(
            language=LANG,
            locale_dirs=[str(root / STAGED_LOCALES)],
            gettext_compact=False,
            i18n_source_locales=str(root / "locales"),
            i18n_require_complete=not draft,
            # myst-nb's toggle of folded cells (the setup cell), in the page's language
            nb_code_prompt_show="显示代码",
            nb_code_prompt_hide="隐藏代码",
        )
    elif kind != "en":
        raise ValueError(f"unknown config kind {kind!r}: en, zh or pot")
    return config


def write_config(kind: str, root: Path = ROOT, draft: bool = False) -> Path:
    """Write `_build/_config.<kind>.yml` and return its path."""
    path = root / "_build" / f"_config.{kind}.yml"
    path.parent.mkdir(parents=True, exist_ok=True)
    text = yaml.safe_dump(book_config(kind, root, draft), allow_unicode=True, sort_keys=False)
    path.write_text(f"# Generated by tools/i18n.py from _config.yml: do not edit.\n{text}")
    return path


# --------------------------------------------------------------------------- pages


def published_docs(root: Path = ROOT) -> list[str]:
    """Every docname of _toc.yml, root first: the pages the website publishes."""
    toc = yaml.safe_load((root / "_toc.yml").read_text(encoding="utf-8"))
    docs = [toc["root"]]
    for part in toc.get("parts", []):
        docs += [chapter["file"] for chapter in part["chapters"]]
    return docs


def po_dir(root: Path = ROOT, lang: str = LANG) -> Path:
    return root / "locales" / lang / "LC_MESSAGES"


def catalogues(directory: Path, suffix: str = ".po") -> dict[str, Path]:
    """docname -> catalogue file under `directory` (".po" or ".pot")."""
    return {
        p.relative_to(directory).with_suffix("").as_posix(): p
        for p in sorted(directory.rglob(f"*{suffix}"))
    }


def load(path: Path) -> Catalog:
    with path.open("rb") as f:
        return read_po(f)


def save(path: Path, catalog: Catalog) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as f:
        write_po(f, catalog, width=WIDTH, ignore_obsolete=True)


def messages(catalog: Catalog) -> list[Any]:
    """The real messages (not the header)."""
    return [m for m in catalog if m.id]


# --------------------------------------------------------------------------- extract


def gettext_build(root: Path = ROOT) -> Path:
    """Run the gettext builder over the English source (no execution); return the .pot folder.

    It needs its own --path-output: the HTML build's doctrees hold executed outputs and a
    different builder's environment.
    """
    config = write_config("pot", root)
    output = root / POT_OUTPUT / "_build" / "gettext"
    shutil.rmtree(output, ignore_errors=True)  # no stale .pot of a page that left the book
    # Execution is off, so the glue roles warn about missing values: expected here, kept quiet.
    done = subprocess.run(
        [
            str(Path(sys.executable).with_name("jupyter-book")),
            "build",
            str(root),
            "--config",
            str(config),
            "--builder",
            "custom",
            "--custom-builder",
            "gettext",
            "--path-output",
            str(root / POT_OUTPUT),
            "--all",  # a fresh environment: the messages also depend on i18n_sphinx's transforms
        ],
        cwd=root,
        capture_output=True,
        text=True,
    )
    if done.returncode:
        sys.stderr.write(done.stdout[-5000:] + done.stderr[-5000:])
        raise RuntimeError("the gettext build failed")
    return output


STRIPPED = [
    r"\]\([^)\s]*\)",  # link targets
    r"\$\$.*?\$\$",  # display math
    r"(?<!\\)\$[^$]+?(?<!\\)\$",  # inline math
    r"\{[a-zA-Z:_-]+\}`[^`]*`",  # MyST roles
    r"``[^`]+``",  # inline code
    r"`[^`]+`",
    r"<?https?://[^\s>)]+>?",  # URLs
]


def needs_no_translation(msgid: str) -> bool:
    """Display math, or a message without an English word."""
    if msgid.startswith("\n"):
        return True
    rest = msgid
    for pattern in STRIPPED:
        rest = re.sub(pattern, " ", rest, flags=re.S)
    return not re.search(r"[A-Za-z]{2,}", rest)


def prefill(catalog: Catalog) -> None:
    """Fill the messages that need no translation with themselves (only empty or fuzzy ones)."""
    for m in messages(catalog):
        if (not m.string or m.fuzzy) and needs_no_translation(m.id):
            m.string = m.id
            m.flags.discard("fuzzy")


def _state(catalog: Catalog) -> list[tuple[str, str, tuple[str, ...]]]:
    return [(m.id, m.string, tuple(sorted(m.flags))) for m in messages(catalog)]


def update(pot_dir: Path, locales: Path, lang: str = LANG) -> list[Path]:
    """sphinx-intl update from `pot_dir` into `locales/<lang>/LC_MESSAGES` (translations kept,
    changed messages fuzzy, obsolete ones dropped, catalogues of removed pages deleted), then
    prefill. Returns the catalogues written or deleted; untouched files keep their bytes."""
    from sphinx_intl import basic

    target = locales / lang / "LC_MESSAGES"
    before = {doc: _state(load(p)) for doc, p in catalogues(target).items()}
    with contextlib.redirect_stdout(io.StringIO()):  # its "Not Changed: ..." lines
        basic.update(str(locales), str(pot_dir), (lang,), line_width=WIDTH, ignore_obsolete=True)
    templates = catalogues(pot_dir, ".pot")
    changed = []
    for doc, path in catalogues(target).items():
        if doc not in templates:
            path.unlink()
            changed.append(path)
            continue
        catalog = load(path)
        prefill(catalog)
        if _state(catalog) != before.get(doc):
            save(path, catalog)
            changed.append(path)
    return changed


def grader_template() -> Catalog:
    """The grader's sentences as a catalogue template (`autograder.i18n.messages()`)."""
    from autograder import i18n as grader

    catalog = Catalog(locale=LANG, project="why-wont-my-network-train autograder")
    for message in grader.messages():
        catalog.add(message)
    return catalog


def update_grader(root: Path = ROOT) -> list[Path]:
    """Bring the grader's catalogue up to date (translations kept, changed sentences fuzzy)."""
    path = root / GRADER_PO
    template = grader_template()
    if path.exists():
        catalog = load(path)
        before = _state(catalog)
        catalog.update(template)
    else:
        catalog, before = template, None
    if _state(catalog) == before:
        return []
    save(path, catalog)
    return [path]


def extract(root: Path = ROOT, lang: str = LANG) -> list[Path]:
    """Regenerate the catalogues from the English source (and the grader's, when it is there)."""
    changed = update(gettext_build(root), root / "locales", lang)
    if (root / "autograder").is_dir():
        changed += update_grader(root)
    return changed


# --------------------------------------------------------------------------- check


SPANS = [
    ("role", r"\{[a-zA-Z:_-]+\}`[^`]*`"),
    ("code", r"``[^`]+``"),
    ("code", r"`[^`]+`"),
    ("math", r"\$\$.*?\$\$"),
    ("math", r"(?<!\\)\$[^$]+?(?<!\\)\$"),
    ("link", r"\]\(([^)\s]+)\)"),
    ("link", r"<(https?://[^>]+)>"),
    ("placeholder", r"\{[A-Za-z_]+(?:![rsa])?\}"),  # str.format fields of the grader's sentences
]


def spans(text: str) -> Counter[tuple[str, str]]:
    """What a translation must carry over unchanged: roles, inline code, math, link targets,
    format placeholders (each counted), and any `$` left unpaired."""
    found: Counter[tuple[str, str]] = Counter()
    rest = text
    for kind, pattern in SPANS:
        for m in re.finditer(pattern, rest, flags=re.S):
            found[(kind, m.group(1) if kind == "link" else m.group(0))] += 1
        rest = re.sub(pattern, " ", rest, flags=re.S)
    if "$" in rest:
        found[("unpaired $", str(rest.count("$")))] += 1
    return found


def mismatches(catalog: Catalog, where: str) -> list[str]:
    """Translated messages whose math, code, roles or link targets differ from the English."""
    problems = []
    for m in messages(catalog):
        if not m.string:
            continue
        english, chinese = spans(m.id), spans(m.string)
        if english != chinese:
            problems.append(
                f"{where}: {m.id[:60]!r}: only in English {dict(english - chinese)}, "
                f"only in the translation {dict(chinese - english)}"
            )
    return problems


def incomplete(catalog: Catalog, where: str) -> list[str]:
    """Untranslated and fuzzy messages."""
    problems = []
    for m in messages(catalog):
        if not m.string:
            problems.append(f"{where}: untranslated: {m.id[:60]!r}")
        elif m.fuzzy:
            problems.append(f"{where}: fuzzy (the English changed): {m.id[:60]!r}")
    return problems


def rejected_terms(catalog: Catalog, where: str, terms: list[Any]) -> list[str]:
    """Translations that use a Chinese name terms.yml rejects (the one glossary of the book)."""
    return [
        f"{where}: {m.id[:60]!r} uses {name}"
        for m in messages(catalog)
        if m.string and m.string != m.id
        for name in glossary.rejected_names_in(m.string, terms)
    ]


def drift(pot_dir: Path, target: Path) -> list[str]:
    """Catalogues whose messages differ from a fresh extraction (msgids compared per file)."""
    templates, current = catalogues(pot_dir, ".pot"), catalogues(target)
    problems = [
        f"{d}: no catalogue (run tools/i18n.py extract)" for d in templates.keys() - current
    ]
    problems += [
        f"{d}: catalogue of no page (run tools/i18n.py extract)" for d in current.keys() - templates
    ]
    for doc in sorted(templates.keys() & current.keys()):
        fresh = {m.id for m in messages(load(templates[doc]))}
        committed = {m.id for m in messages(load(current[doc]))}
        for msgid in sorted(fresh - committed):
            problems.append(f"{doc}: new or changed English text, run extract: {msgid[:60]!r}")
        for msgid in sorted(committed - fresh):
            problems.append(f"{doc}: message no longer in the English source: {msgid[:60]!r}")
    return problems


@dataclass
class Report:
    drift: list[str]
    incomplete: list[str]
    mismatches: list[str]
    terms: list[str]

    @property
    def problems(self) -> list[str]:
        return self.drift + self.incomplete + self.mismatches + self.terms


def check(root: Path = ROOT, pot_dir: Path | None = None, lang: str = LANG) -> Report:
    """Everything CI requires of the catalogues of `root` (drift only when given `pot_dir`)."""
    target = po_dir(root, lang)
    found = catalogues(target)
    published = set(published_docs(root))
    terms = glossary.load_terms(root / "terms.yml")
    report = Report(
        drift=drift(pot_dir, target) if pot_dir is not None else [],
        incomplete=[
            line
            for doc, path in found.items()
            if doc in published
            for line in incomplete(load(path), f"{doc}.po")
        ],
        mismatches=[
            line for doc, path in found.items() for line in mismatches(load(path), f"{doc}.po")
        ],
        terms=[
            line
            for doc, path in found.items()
            for line in rejected_terms(load(path), f"{doc}.po", terms)
        ],
    )
    if (root / "autograder").is_dir():
        grader = root / GRADER_PO
        if not grader.exists():
            report.drift.append(f"{GRADER_PO}: missing (run tools/i18n.py extract)")
            return report
        catalog = load(grader)
        fresh = {m.id for m in messages(grader_template())}
        committed = {m.id for m in messages(catalog)}
        report.drift += [
            f"{GRADER_PO}: new or changed sentence, run extract: {m[:60]!r}"
            for m in sorted(fresh - committed)
        ]
        report.drift += [
            f"{GRADER_PO}: sentence no longer in the grader: {m[:60]!r}"
            for m in sorted(committed - fresh)
        ]
        report.incomplete += incomplete(catalog, GRADER_PO)
        report.mismatches += mismatches(catalog, GRADER_PO)
        report.terms += rejected_terms(catalog, GRADER_PO, terms)
    return report


def stats(root: Path = ROOT, lang: str = LANG) -> list[tuple[str, int, int, int]]:
    """(docname, translated, fuzzy, untranslated) per catalogue; fuzzy ones are not translated."""
    rows = []
    for doc, path in catalogues(po_dir(root, lang)).items():
        ms = messages(load(path))
        fuzzy = sum(1 for m in ms if m.string and m.fuzzy)
        empty = sum(1 for m in ms if not m.string)
        rows.append((doc, len(ms) - fuzzy - empty, fuzzy, empty))
    return rows


# A glue role naming a key of its own page: `{glue:text}`key:.3f``, `{glue:}`key``, ...
SAME_PAGE_GLUE = re.compile(r"\{glue(:\w*)?\}`(?![^`]*::)([^`]+)`")


def with_page_glue(text: str, page: str) -> str:
    """Glue roles of `text` naming their own page explicitly (`page::key`).

    Sphinx parses a translated message on its own, where myst-nb has no glue data (it lives
    in the notebook's parser, gone by then); a `page::key` reference is resolved later from
    the page's stored glue data, so the translated text shows the same numbers. A text role
    without a format gets `:s` (myst-nb's default), since it splits the format off at the
    last colon, which `::` would otherwise provide.
    """

    def explicit(match: re.Match[str]) -> str:
        role, content = match.group(1) or "", match.group(2)
        if role == ":text" and ":" not in content:
            content += ":s"
        return f"{{glue{role}}}`{page}::{content}`"

    return SAME_PAGE_GLUE.sub(explicit, text)


# Bump when `stage` writes its copies differently: every copy is then rewritten once.
STAGE_FORMAT = "page-glue-2"


def stage(source: Path, staged: Path, book: Path = ROOT) -> None:
    """Mirror the catalogues of `source` into `staged`, where the Chinese build compiles them
    (Sphinx writes its .mo files beside the .po files it reads: never into `locales/`).

    A copy keeps its source's time and is rewritten only when that changes, so Sphinx rebuilds
    exactly the pages whose catalogue changed. In the catalogue of a notebook page
    (`book/<page>.ipynb`), same-page glue roles are made explicit (`with_page_glue`).
    """
    wanted = {p.relative_to(source) for p in source.rglob("*.po")}
    marker = staged / ".stage-format"
    current = marker.exists() and marker.read_text() == STAGE_FORMAT
    if staged.exists():
        for p in staged.rglob("*.po"):
            if p.relative_to(staged) not in wanted:
                p.unlink()
                p.with_suffix(".mo").unlink(missing_ok=True)
    for rel in wanted:
        origin, target = source / rel, staged / rel
        if current and target.exists() and target.stat().st_mtime == origin.stat().st_mtime:
            continue
        catalog = load(origin)
        notebook = book / rel.with_suffix(".ipynb")
        if notebook.exists():
            for m in messages(catalog):
                m.string = with_page_glue(m.string, notebook.name)
        save(target, catalog)
        shutil.copystat(origin, target)
    staged.mkdir(parents=True, exist_ok=True)
    marker.write_text(STAGE_FORMAT)


# --------------------------------------------------------------------------- CLI


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("extract", help="regenerate the catalogues from the English source")
    check_parser = sub.add_parser("check", help="fail on drift, gaps and broken markup")
    check_parser.add_argument("--pot", type=Path, help="reuse this gettext output (no build)")
    check_parser.add_argument(
        "--markup-only",
        action="store_true",
        help="only markup and terms: math, code, roles, links, rejected names (gaps allowed)",
    )
    sub.add_parser("stats", help="translated / fuzzy / untranslated per catalogue")
    config_parser = sub.add_parser("config", help="write _build/_config.<kind>.yml")
    config_parser.add_argument("kind", choices=("en", "zh", "pot"))
    config_parser.add_argument(
        "--draft", action="store_true", help="zh: untranslated messages shown in English, no error"
    )
    args = parser.parse_args(argv)

    if args.command == "extract":
        for path in extract():
            print(f"updated {path.relative_to(ROOT)}")
        return 0
    if args.command == "config":
        print(write_config(args.kind, draft=args.draft))
        return 0
    if args.command == "stats":
        rows = stats()
        for doc, done, fuzzy, empty in rows:
            total = done + fuzzy + empty
            print(f"{doc:50} {100 * done / total:5.1f} %  {fuzzy:4} fuzzy  {empty:4} untranslated")
        done = sum(r[1] for r in rows)
        total = sum(r[1] + r[2] + r[3] for r in rows)
        print(f"{'all':50} {100 * done / total:5.1f} %  ({done} of {total} messages)")
        return 0
    if args.markup_only:
        report = check(pot_dir=None)
        report.incomplete = report.drift = []
    else:
        report = check(pot_dir=args.pot or gettext_build())
    for line in report.problems:
        print(line)
    print(
        f"i18n check: {len(report.drift)} drift, {len(report.incomplete)} untranslated or "
        f"fuzzy, {len(report.mismatches)} markup problems, {len(report.terms)} rejected terms"
    )
    return 1 if report.problems else 0


if __name__ == "__main__":
    sys.exit(main())
