"""tools/i18n.py: the catalogues of the Chinese edition follow the English source, and a
translation that breaks math, code or links, or that is missing or stale, fails.

The last three tests hold the book's own catalogues to what CI requires; the others use
fixture catalogues and a small temporary book, so that each rule is seen to reject bad input.
"""

import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import nbformat
import pytest
from babel.messages.catalog import Catalog

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tools"))
try:
    import i18n
finally:
    sys.path.pop(0)


def catalog_of(*pairs: tuple[str, str], fuzzy: tuple[str, ...] = ()) -> Catalog:
    catalog = Catalog(locale="zh_CN")
    for msgid, msgstr in pairs:
        catalog.add(msgid, msgstr, flags=("fuzzy",) if msgid in fuzzy else ())
    return catalog


# --------------------------------------------------------------------------- rules


@pytest.mark.parametrize(
    ("english", "chinese"),
    [
        ("The step $\\eta g$ is small.", "步长 $\\eta g 很小。"),  # broken `$`
        ("The step $\\eta g$ is small.", "步长 $\\eta\\, g$ 很小。"),  # changed math
        ("See [the chapter](04_momentum.ipynb).", "见[该章](04_momentum.md)。"),  # link target
        ("See [the chapter](04_momentum.ipynb).", "见该章。"),  # dropped link
        ("Call `torch.optim.Adam`.", "调用 `torch.optim.adam`。"),  # changed inline code
        ("It took {glue:text}`t:.1f` s.", "用时 {glue:text}`t:.2f` 秒。"),  # changed role
        ("Two $a$ and $b$.", "两个 $a$。"),  # dropped formula
    ],
)
def test_markup_changed_in_a_translation_is_rejected(english, chinese):
    problems = i18n.mismatches(catalog_of((english, chinese)), "fixture.po")
    assert len(problems) == 1 and problems[0].startswith(f"fixture.po: {english[:20]!r}"[:-1])


def test_faithful_translations_pass():
    catalog = catalog_of(
        ("The step $\\eta g$ is small.", "步长 $\\eta g$ 很小。"),
        ("See [the chapter](04_momentum.ipynb) and `lr`.", "见[该章](04_momentum.ipynb)和 `lr`。"),
        ("It took {glue:text}`t:.1f` s, $$x$$.", "用时 {glue:text}`t:.1f` 秒，$$x$$。"),
        ("Untranslated yet.", ""),
    )
    assert i18n.mismatches(catalog, "fixture.po") == []


def test_a_rejected_chinese_term_is_reported():
    """terms.yml rejects 冲量 for momentum (动量): a translation using it is flagged."""
    terms = i18n.glossary.load_terms()
    catalog = catalog_of(("Momentum helps.", "冲量有帮助。"), ("Momentum again.", "动量有帮助。"))
    problems = i18n.rejected_terms(catalog, "fixture.po", terms)
    assert len(problems) == 1 and "冲量 -> 动量" in problems[0]


def test_untranslated_and_fuzzy_messages_are_reported():
    catalog = catalog_of(
        ("Done.", "完成。"), ("Empty.", ""), ("Changed.", "旧译文。"), fuzzy=("Changed.",)
    )
    problems = i18n.incomplete(catalog, "fixture.po")
    assert len(problems) == 2
    assert "untranslated" in problems[0] and "Empty." in problems[0]
    assert "fuzzy" in problems[1] and "Changed." in problems[1]


@pytest.mark.parametrize(
    ("msgid", "prefilled"),
    [
        ("\nx = \\frac{a}{b}\n", True),  # display math
        ("$g_i^t$", True),
        ("[1](01_general_guide.ipynb)", True),
        ("偏差修正", True),  # a Chinese-only cell
        ("learning rate", False),  # a term name is translated where it is a message
        ("learning rate is small", False),
        ("The step $\\eta$", False),
    ],
)
def test_only_messages_without_prose_are_prefilled(msgid, prefilled):
    assert i18n.needs_no_translation(msgid) is prefilled


def test_same_page_glue_roles_name_their_page():
    text = "{glue:text}`t:.2f` s, {glue:text}`n`, {glue:}`fig`, {glue:text}`other.ipynb::k:.1f`."
    assert i18n.with_page_glue(text, "p.ipynb") == (
        "{glue:text}`p.ipynb::t:.2f` s, {glue:text}`p.ipynb::n:s`, {glue:}`p.ipynb::fig`, "
        "{glue:text}`other.ipynb::k:.1f`."
    )


def test_configs_share_the_execution_cache():
    en, zh, pot = (i18n.book_config(kind) for kind in ("en", "zh", "pot"))
    assert en["execute"]["cache"] == zh["execute"]["cache"] == str(ROOT / "_build/.jupyter_cache")
    assert zh["execute"]["execute_notebooks"] == en["execute"]["execute_notebooks"] == "cache"
    assert pot["execute"]["execute_notebooks"] == "off"
    assert zh["sphinx"]["config"]["language"] == "zh_CN"
    assert zh["sphinx"]["config"]["locale_dirs"] == [str(ROOT / "_build/locales")]
    assert zh["sphinx"]["config"]["i18n_require_complete"] is True
    assert i18n.book_config("zh", draft=True)["sphinx"]["config"]["i18n_require_complete"] is False
    assert zh["title"] == "我的网络为什么训练不起来？"


def test_staging_mirrors_the_catalogues(tmp_path):
    """The Chinese build's copy of locales/: same messages and times, stale files gone, glue of
    a notebook page made explicit, and nothing written into the source."""
    source, staged, book = tmp_path / "locales", tmp_path / "staged", tmp_path / "book"
    (book / "chapters").mkdir(parents=True)
    (book / "chapters" / "nb.ipynb").write_text("{}")
    glued = ("It took {glue:text}`t:.1f` s.", "用时 {glue:text}`t:.1f` 秒。")
    i18n.save(source / "chapters" / "nb.po", catalog_of(glued))
    i18n.save(source / "chapters" / "page.po", catalog_of(glued))
    (staged / "old").mkdir(parents=True)
    (staged / "old" / "gone.po").write_text("x")
    (staged / "old" / "gone.mo").write_text("x")
    before = sorted((p.name, p.stat().st_mtime) for p in source.rglob("*"))
    i18n.stage(source, staged, book)
    assert i18n.load(staged / "chapters" / "nb.po")[glued[0]].string == (
        "用时 {glue:text}`nb.ipynb::t:.1f` 秒。"
    )
    assert i18n.load(staged / "chapters" / "page.po")[glued[0]].string == glued[1]
    for name in ("nb.po", "page.po"):
        origin, copy = source / "chapters" / name, staged / "chapters" / name
        assert copy.stat().st_mtime == origin.stat().st_mtime
    assert not (staged / "old" / "gone.po").exists() and not (staged / "old" / "gone.mo").exists()
    assert sorted((p.name, p.stat().st_mtime) for p in source.rglob("*")) == before
    # a copy whose time matches is kept, unless an older staging format made it
    copy = staged / "chapters" / "nb.po"
    copy.write_text(copy.read_text().replace("nb.ipynb::", ""))
    shutil.copystat(source / "chapters" / "nb.po", copy)
    i18n.stage(source, staged, book)
    assert "nb.ipynb::" not in copy.read_text()
    (staged / ".stage-format").write_text("older")
    i18n.stage(source, staged, book)
    assert "nb.ipynb::" in copy.read_text()


# --------------------------------------------------------------------------- a small book


def write_book(root: Path, sentence: str) -> None:
    files = {
        "_config.yml": "title: Mini\nexecute:\n  execute_notebooks: cache\nsphinx:\n"
        f"  local_extensions:\n    i18n_sphinx: {ROOT / 'tools'}\n  config: {{}}\n",
        "_toc.yml": "format: jb-book\nroot: intro\nparts:\n"
        "  - caption: Part one\n    chapters:\n"
        "      - file: chapters/a\n      - file: chapters/g\n",
        "intro.md": "# Mini\n\nThe learning rate $\\eta$ sets the step.\n",
        "chapters/a.md": f"# A\n\n{sentence}\n\n$$\nx = 1\n$$\n\n| English | meaning |\n"
        "| --- | --- |\n| learning rate | the step size |\n| weight decay | a penalty |\n\n"
        "| knob | value |\n| --- | --- |\n| learning rate | 0.1 |\n",
        "terms.yml": "- english: learning rate\n  chinese: 学习率\n  meaning: m\n  taught_in: []\n",
    }
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(textwrap.dedent(text))
    notebook = nbformat.v4.new_notebook()
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3"}
    notebook.cells = [
        nbformat.v4.new_markdown_cell("# G\n\nThe value is {glue:text}`x:.1f` ({glue:text}`x`)."),
        nbformat.v4.new_code_cell("from myst_nb import glue\nglue('x', 1.5, display=False)"),
    ]
    nbformat.write(notebook, root / "chapters" / "g.ipynb")


def translate_all(root: Path) -> None:
    for path in i18n.catalogues(i18n.po_dir(root)).values():
        catalog = i18n.load(path)
        for m in i18n.messages(catalog):
            m.string = m.string or f"译：{m.id}"
        i18n.save(path, catalog)


@pytest.mark.slow
def test_an_english_edit_makes_its_translation_fuzzy_and_fails_the_check(tmp_path):
    write_book(tmp_path, "Momentum keeps $v$ from the last step.")
    i18n.extract(tmp_path)
    a = i18n.load(i18n.po_dir(tmp_path) / "chapters" / "a.po")
    assert a["\nx = 1\n"].string == "\nx = 1\n"  # display math prefilled
    # the Key terms table's English column is no message; the same words elsewhere are one
    assert "weight decay" not in a and "the step size" in a and "knob" in a
    assert not a["learning rate"].string
    assert not a["Momentum keeps $v$ from the last step."].string
    intro = i18n.load(i18n.po_dir(tmp_path) / "intro.po")
    assert "Part one" in intro  # the part caption is a message of the root page
    report = i18n.check(tmp_path, i18n.gettext_build(tmp_path))
    assert report.incomplete and not report.drift and not report.mismatches

    translate_all(tmp_path)
    assert i18n.check(tmp_path, i18n.gettext_build(tmp_path)).problems == []

    write_book(tmp_path, "Momentum keeps $v$ from the previous step.")
    stale = i18n.check(tmp_path, i18n.gettext_build(tmp_path))
    assert len(stale.drift) == 2, stale.drift  # the new text is missing, the old one is left
    i18n.extract(tmp_path)
    after = i18n.check(tmp_path, i18n.gettext_build(tmp_path))
    assert not after.drift
    assert len(after.incomplete) == 1 and "fuzzy" in after.incomplete[0]
    message = i18n.load(i18n.po_dir(tmp_path) / "chapters" / "a.po")[
        "Momentum keeps $v$ from the previous step."
    ]
    assert message.fuzzy and message.string == "译：Momentum keeps $v$ from the last step."


def build_chinese(root: Path) -> tuple[int, str]:
    config = i18n.write_config("zh", root)
    done = subprocess.run(
        [
            str(Path(sys.executable).with_name("jupyter-book")),
            "build",
            str(root),
            "--config",
            str(config),
            "--path-output",
            str(root / "_build/zh"),
            "-W",
            "--keep-going",
        ],
        capture_output=True,
        text=True,
        cwd=root,
    )
    return done.returncode, done.stdout + done.stderr


@pytest.mark.slow
def test_the_chinese_build_translates_captions_links_twins_and_refuses_gaps(tmp_path):
    """tools/i18n_sphinx.py on a small book: an untranslated message fails the -W build; once
    all is translated, the page, its part caption and its language switch are Chinese, a glued
    number shows in the translated sentence, and the .mo files are compiled in _build/locales,
    not in locales/."""
    write_book(tmp_path, "Momentum keeps $v$ from the last step.")
    i18n.extract(tmp_path)
    translate_all(tmp_path)
    path = i18n.po_dir(tmp_path) / "chapters" / "a.po"
    catalog = i18n.load(path)
    catalog["Momentum keeps $v$ from the last step."].string = ""
    i18n.save(path, catalog)
    status, log = build_chinese(tmp_path)
    assert status != 0 and "untranslated or fuzzy" in log, log[-3000:]

    translate_all(tmp_path)
    status, log = build_chinese(tmp_path)
    assert status == 0, log[-3000:]
    html = tmp_path / "_build/zh/_build/html"
    intro = (html / "intro.html").read_text(encoding="utf-8")
    assert '<html lang="zh-CN"' in intro and "我的网络为什么训练不起来？" in intro
    assert "译：Part one" in intro and ">Part one<" not in intro
    assert 'class="btn btn-sm language-switch" href="../intro.html"' in intro
    chapter = (html / "chapters/a.html").read_text(encoding="utf-8")
    assert "译：Momentum keeps" in chapter
    assert 'class="btn btn-sm language-switch" href="../../chapters/a.html"' in chapter
    glued = (html / "chapters/g.html").read_text(encoding="utf-8")
    pasted = '<span class="pasted-text">1.5</span>'
    assert f"译：The value is {pasted} ({pasted})" in glued
    assert (tmp_path / "_build/locales/zh_CN/LC_MESSAGES/chapters/a.mo").is_file()
    assert not list((tmp_path / "locales").rglob("*.mo"))


# --------------------------------------------------------------------------- the book itself


@pytest.fixture(scope="module")
def fresh_extraction() -> Path:
    return i18n.gettext_build(ROOT)


@pytest.mark.slow
def test_catalogues_match_the_english_source(fresh_extraction):
    """Run `python tools/i18n.py extract` after editing a page, then translate the fuzzy and
    new messages."""
    report = i18n.check(ROOT, fresh_extraction)
    assert not report.drift, "\n".join(report.drift)


def test_translations_keep_math_code_and_links():
    report = i18n.check(ROOT)
    assert not report.mismatches, "\n".join(report.mismatches)


def test_translations_use_the_glossary_names():
    report = i18n.check(ROOT)
    assert not report.terms, "\n".join(report.terms)


def test_published_pages_are_fully_translated():
    """Every message of every page in _toc.yml is translated and none is fuzzy."""
    report = i18n.check(ROOT)
    assert not report.incomplete, f"{len(report.incomplete)} messages to translate:\n" + "\n".join(
        report.incomplete[:50]
    )


def test_the_grader_catalogue_follows_the_grader(tmp_path, monkeypatch):
    """autograder/locale/zh_CN/LC_MESSAGES/autograder.po holds exactly the grader's sentences;
    an edited sentence is drift until `extract` turns its translation fuzzy."""
    from autograder import i18n as grader

    assert not i18n.check(ROOT).drift  # no pot: the grader's catalogue only
    sentences = grader.messages()
    old = next(s for s in sentences if s.startswith("adam_step must raise ValueError"))
    new = old.replace("t < 1", "t ≤ 0")
    monkeypatch.setattr(grader, "messages", lambda: [new if s == old else s for s in sentences])
    assert len(i18n.check(ROOT).drift) == 2

    copy = tmp_path / i18n.GRADER_PO
    copy.parent.mkdir(parents=True)
    copy.write_bytes((ROOT / i18n.GRADER_PO).read_bytes())
    assert i18n.update_grader(tmp_path) == [copy]
    message = i18n.load(copy)[new]
    assert message.fuzzy and message.string == i18n.load(ROOT / i18n.GRADER_PO)[old].string
    assert old not in i18n.load(copy)
