"""One name per term: the Key terms tables and the prose agree with terms.yml.

terms.yml is the one source of the book's terms (tools/glossary.py writes glossary.md from it).
A chapter, exercise or solution whose Key terms table gives a term another Chinese name, or lists
a term the file does not know, fails here; so does prose that uses a name the file rejects.
"""

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tools"))
try:
    import glossary
finally:
    sys.path.pop(0)

TERMS = glossary.load_terms()
PAGES = sorted(
    p
    for d in ("chapters", "solutions", "exercises")
    for p in (ROOT / d).rglob("*")
    if p.suffix in (".ipynb", ".md") and ".ipynb_checkpoints" not in p.parts
)
TABLE_PAGES = [p for p in PAGES if glossary.key_term_rows(glossary.chapter_markdown(p))]


def page_id(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


def test_the_pages_with_key_terms_are_found():
    # every numbered chapter and every solution and exercise notebook has a table
    expected = [
        p
        for p in PAGES
        if p.parts[-2] != "chapters" or p.name[:2].isdigit() and not p.name.startswith("00")
    ]
    assert TABLE_PAGES == expected


@pytest.mark.parametrize("path", TABLE_PAGES, ids=page_id)
def test_key_terms_table_uses_the_names_of_the_terms_file(path):
    problems = glossary.table_problems(glossary.chapter_markdown(path), TERMS)
    assert not problems, f"{page_id(path)}:\n  " + "\n  ".join(problems)


@pytest.mark.parametrize("path", PAGES, ids=page_id)
def test_prose_uses_no_rejected_name(path):
    found = glossary.rejected_names_in(glossary.chapter_markdown(path), TERMS)
    assert not found, f"{page_id(path)} uses rejected names:\n  " + "\n  ".join(found)


def test_taught_in_lists_exactly_the_pages_whose_table_has_the_term():
    listed = glossary.pages_listing(TERMS, TABLE_PAGES)
    wrong = {
        t.english: (sorted(t.taught_in), sorted(listed[t.english]))
        for t in TERMS
        if sorted(t.taught_in) != sorted(listed[t.english])
    }
    assert not wrong, f"taught_in (file, tables) differ: {wrong}"


def test_one_name_per_term_and_one_term_per_name():
    english = [glossary.term_key(v) for t in TERMS for v in (t.english, *t.english_variants)]
    chinese = [t.chinese for t in TERMS]
    assert len(set(english)) == len(english), "an English name belongs to two terms"
    assert len(set(chinese)) == len(chinese), "a Chinese name belongs to two terms"
    rejected = {r for t in TERMS for r in t.rejected}
    assert not rejected & set(chinese), "a rejected name is some term's canonical name"
    assert all(t.chinese and t.meaning and t.taught_in for t in TERMS)


def test_the_canonical_names_of_the_course():
    names = {t.english: t.chinese for t in TERMS}
    assert names["Hessian"] == "海森矩阵"
    assert names["error surface"] == "误差表面"
    assert names["plateau"] == "高原"
    assert names["batch normalization"] == "批次标准化"
    assert names["layer normalization"] == "层标准化"


def test_the_checks_catch_a_wrong_name_a_missing_term_and_a_rejected_name():
    table = (
        "# A page\n\n## Key terms\n\n| English | 中文 | meaning |\n| --- | --- | --- |\n"
        "| plateau | 平原 | flat |\n| Hessian matrix | 海森矩阵 | H |\n"
        "| eigenvalue / eigenvector | 特征值 / 特征向量 | λ, u |\n| flux capacitor | 通量 | ? |\n"
    )
    problems = glossary.table_problems(table, TERMS)
    assert len(problems) == 2
    assert "'plateau' is called '平原'" in problems[0] and "'高原'" in problems[0]
    assert "'flux capacitor' is not in terms.yml" in problems[1]
    prose = "在高原上梯度很小。这个平坦区域和输入扇入无关，但扇入有关。"
    found = glossary.rejected_names_in(prose, TERMS)
    assert sorted(found) == ["平坦区域 -> 高原 (plateau)", "扇入 -> 输入扇入 (fan-in)"]
    assert glossary.rejected_names_in("高原，输入扇入，批次标准化", TERMS) == []
    # a rejected name that contains a shorter canonical one (批次, batch) is still found
    assert glossary.rejected_names_in("使用批次归一化", TERMS) == [
        "批次归一化 -> 批次标准化 (batch normalization)"
    ]
