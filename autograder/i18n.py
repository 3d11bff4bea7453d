"""The learner's language for the grader's sentences: English, or Simplified Chinese.

    check("adam", lang="zh_CN")        # one call
    os.environ["COURSE_LANG"] = "zh"   # every check(), graded cell and grading run after it

Translated: the sentence of every check (its test's docstring), every misconception's sentence
and its reading advice, and the verdict lines of `check()`. Values, code and the judge's
mismatch details stay as they are. The translations come from one gettext catalogue,
`autograder/locale/zh_CN/LC_MESSAGES/autograder.po`, shipped inside the package (so a pip
install on Colab has it) and maintained with the book's catalogues: `python tools/i18n.py
extract` adds new or changed sentences (changed ones marked fuzzy), `check` fails on drift,
gaps and changed math or code. `messages()` lists what the catalogue must hold.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import cache
from pathlib import Path

ENV = "COURSE_LANG"
ENGLISH = "en"
LOCALE_DIR = Path(__file__).resolve().with_name("locale")
DOMAIN = "autograder"
ALIASES = {"": ENGLISH, "en": ENGLISH, "zh": "zh_CN", "zh_cn": "zh_CN", "zh-cn": "zh_CN"}

_current: ContextVar[str | None] = ContextVar("autograder_language", default=None)

# Sentences composed by the grader itself (placeholders filled after translation).
KNOWN_MISTAKE = "This looks like a known mistake: {advice}"
READ_SECTION = "Read “{section}” in {path}."
CHECK_LINE = "{mark} {name} ({points} pt): {sentence}"
SCORE_SO_FAR = "{exercise}: {score}/{total} points on the public checks so far."
SCORE = "{exercise}: {score}/{total} points on the public checks, {verdict}."
ALL_PASS = "all public checks pass"
FIX_AND_RERUN = "fix the ✗ above and run again"
GRADED_PASSED = "✓ {exercise}: {test} passed ({points} pt)"
FINISH = "Finish {name} above to run this experiment."
NO_NOTEBOOK = (
    "Note: check() could not find this notebook's file (it looks for the one notebook of the "
    "working directory made for {exercise!r}), so it checked the functions defined in the "
    "kernel. The grader runs only your solution cells, in a fresh namespace."
)
TEMPLATES = (
    KNOWN_MISTAKE,
    READ_SECTION,
    CHECK_LINE,
    SCORE_SO_FAR,
    SCORE,
    ALL_PASS,
    FIX_AND_RERUN,
    GRADED_PASSED,
    FINISH,
    NO_NOTEBOOK,
)


def language(lang: str | None = None) -> str:
    """The language in force: `lang`, else the one of `use(...)`, else $COURSE_LANG, else English.

    Accepts "en", "zh", "zh_CN" (any case, "-" or "_"); anything else is a ValueError.
    """
    chosen = lang if lang is not None else _current.get()
    if chosen is None:
        chosen = os.environ.get(ENV, "")
    key = chosen.strip().lower()
    if key not in ALIASES:
        raise ValueError(f"unknown language {chosen!r}: use 'en' or 'zh_CN' (or 'zh')")
    return ALIASES[key]


@contextmanager
def use(lang: str | None) -> Iterator[str]:
    """Within the block, the grader speaks `lang` (None: $COURSE_LANG or English)."""
    token = _current.set(language(lang))
    try:
        yield _current.get() or ENGLISH
    finally:
        _current.reset(token)


def catalogue_path(lang: str) -> Path:
    return LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


@cache
def translations(lang: str) -> dict[str, str]:
    """msgid -> msgstr of the language's catalogue: translated, not fuzzy messages only."""
    from babel.messages.pofile import read_po

    with catalogue_path(lang).open("rb") as f:
        catalog = read_po(f)
    return {m.id: m.string for m in catalog if m.id and m.string and not m.fuzzy}


def _(message: str) -> str:
    """`message` in the language in force (itself when English or not translated)."""
    lang = language()
    if lang == ENGLISH:
        return message
    return translations(lang).get(message, message)


def messages() -> list[str]:
    """Every sentence the catalogue translates: the templates above, each check's sentence and
    each misconception's sentence, in a stable order (the catalogue's order)."""
    from autograder import misconceptions, runner

    found = list(TEMPLATES)
    found += [s.docstring for e in runner.known_exercises() for s in runner.specs_of(e)]
    found += [v.summary for v in misconceptions.VARIANTS]
    return list(dict.fromkeys(m for m in found if m))
