"""Sphinx extension of the bilingual book (English at `/`, Simplified Chinese at `/zh_CN/`).

Registered in `_config.yml` (`sphinx.local_extensions`), so both builds load it:

- the English column of the Key terms tables and of the glossary (a table whose first header
  cell is "English") is marked untranslatable: it stays English in the Chinese edition and is no
  message, so the same words in another table ("symptom", "local minimum") get their own
  translation;
- a language switch in the article header of every page, linking to the same page in the other
  language (`language-switch.html` in `i18n_templates/`), and `<link rel="alternate">` tags;
- in the Chinese build (`language: zh_CN`, config from `python tools/i18n.py config zh`):
  - the catalogues of `locales/` are mirrored into `locale_dirs[0]` (`_build/locales`) before
    Sphinx compiles them, so the `.mo` files never land in `locales/`; there, same-page glue
    roles of the translations name their page (`i18n.with_page_glue`), or the numbers would
    be lost: Sphinx parses a translated message without the notebook's glue data;
  - the `_toc.yml` part captions are translated: sphinx-external-toc inserts the toctrees after
    Sphinx's Locale transform ran, so their captions would stay English;
  - a warning (an error under `-W`) for every published page whose catalogue still has
    untranslated or fuzzy messages, unless `i18n_require_complete` is off (drafts).
"""

from __future__ import annotations

import gettext
from pathlib import Path
from typing import Any

import i18n
from docutils import nodes
from sphinx import addnodes
from sphinx.application import Sphinx
from sphinx.config import Config
from sphinx.transforms import SphinxTransform
from sphinx.util import logging
from sphinx.util.i18n import docname_to_domain

logger = logging.getLogger(__name__)

ENGLISH = "en"
# language -> (the other language, the switch's label, its hreflang, the site folder of `language`)
SWITCH = {
    ENGLISH: (i18n.LANG, "中文", "zh-CN", ""),
    i18n.LANG: (ENGLISH, "English", "en", f"{i18n.LANG}/"),
}


def language_of(config: Config) -> str:
    return config.language or ENGLISH


class KeepTermNamesEnglish(SphinxTransform):
    """Mark the first column of every `| English | 中文 | ... |` table untranslatable."""

    default_priority = 10  # before Sphinx's Locale transform (20) and the gettext extraction

    def apply(self, **kwargs: Any) -> None:
        for table in self.document.findall(nodes.table):
            head = next(table.findall(nodes.thead), None)
            first = next(head.findall(nodes.entry), None) if head is not None else None
            if first is None or first.astext().strip() != "English":
                continue
            for body in table.findall(nodes.tbody):
                for row in body.children:
                    cells = [c for c in row.children if isinstance(c, nodes.entry)]
                    for text in cells[0].findall(nodes.TextElement) if cells else ():
                        text["translatable"] = False


class TranslateTocCaptions(SphinxTransform):
    """Translate the captions of the toctrees sphinx-external-toc inserts (after Locale)."""

    default_priority = 110  # InsertToctrees is 100, Sphinx's Locale transform 20

    def apply(self, **kwargs: Any) -> None:
        if language_of(self.config) == ENGLISH:
            return
        domain = docname_to_domain(self.env.docname, self.config.gettext_compact)
        for directory in self.config.locale_dirs:
            catalog = gettext.translation(
                domain,
                localedir=str(Path(self.env.srcdir, directory)),
                languages=[self.config.language],
                fallback=True,
            )
            for toctree in self.document.findall(addnodes.toctree):
                if toctree.get("caption"):
                    toctree["caption"] = catalog.gettext(toctree["caption"])


def stage(app: Sphinx, config: Config) -> None:
    """Chinese build: mirror locales/ into locale_dirs[0] before Sphinx compiles it."""
    if language_of(config) == ENGLISH or not config.i18n_source_locales:
        return
    source = Path(config.i18n_source_locales) / config.language / "LC_MESSAGES"
    staged = Path(app.srcdir, config.locale_dirs[0]) / config.language / "LC_MESSAGES"
    i18n.stage(source, staged, Path(app.srcdir))


def warn_on_gaps(app: Sphinx) -> None:
    """Chinese build: a warning per published page whose catalogue is incomplete or stale."""
    config = app.config
    if language_of(config) == ENGLISH or not config.i18n_source_locales:
        return
    if not config.i18n_require_complete:
        return
    found = i18n.catalogues(Path(config.i18n_source_locales) / config.language / "LC_MESSAGES")
    for doc in i18n.published_docs(Path(app.srcdir)):
        if doc not in found:
            logger.warning("no catalogue for this published page", location=doc, type="i18n")
            continue
        gaps = i18n.incomplete(i18n.load(found[doc]), f"{doc}.po")
        if gaps:
            logger.warning(
                "%d untranslated or fuzzy messages in this published page's catalogue "
                "(python tools/i18n.py check lists them), first: %s",
                len(gaps),
                gaps[0],
                location=doc,
                type="i18n",
            )


def add_language_switch(
    app: Sphinx, pagename: str, templatename: str, context: dict, doctree: Any
) -> None:
    """The link to this page in the other language, in the article header."""
    language = language_of(app.config)
    if language not in SWITCH:
        return
    other, label, hreflang, folder = SWITCH[language]
    site_root = "../" * (pagename.count("/") + folder.count("/"))
    href = site_root + SWITCH[other][3] + app.builder.get_target_uri(pagename)
    context["language_switch"] = {
        "href": href,
        "label": label,
        "lang": hreflang,
        "title": "Read this page in English" if other == ENGLISH else "阅读本页的中文版",
    }
    context["metatags"] = (
        context.get("metatags", "")
        + f'\n<link rel="alternate" hreflang="{hreflang}" href="{href}">'
    )
    section = context.get("theme_article_header_end") or []
    if isinstance(section, str):
        section = [s.strip() for s in section.split(",") if s.strip()]
    if "language-switch.html" not in section:
        context["theme_article_header_end"] = ["language-switch.html", *section]


def add_templates(app: Sphinx, config: Config) -> None:
    here = Path(__file__).parent
    config.templates_path = [*config.templates_path, str(here / "i18n_templates")]
    config.html_static_path = [*config.html_static_path, str(here / "i18n_static")]


def setup(app: Sphinx) -> dict[str, Any]:
    app.add_config_value("i18n_source_locales", "", "env")
    app.add_config_value("i18n_require_complete", True, "env")
    app.connect("config-inited", add_templates)
    app.connect("config-inited", stage)
    app.connect("builder-inited", warn_on_gaps)
    app.add_transform(KeepTermNamesEnglish)
    app.add_transform(TranslateTocCaptions)
    app.add_css_file("language-switch.css")
    # before pydata-sphinx-theme (500) renders and filters the header's templates
    app.connect("html-page-context", add_language_switch, priority=400)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
