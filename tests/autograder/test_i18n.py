"""The grader speaks the learner's language: `check(..., lang="zh_CN")` or COURSE_LANG=zh_CN
give the checks' and misconceptions' sentences from the Chinese catalogue; English stays the
default, unchanged."""

import re

import pytest

import autograder
from autograder import i18n, misconceptions, notebook
from autograder.runner import specs_of

CJK = re.compile(r"[\u4e00-\u9fff]")
MISTAKE = misconceptions.get("adam.no_bias_correction")


@pytest.fixture
def namespace(monkeypatch):
    monkeypatch.delenv(i18n.ENV, raising=False)
    ns: dict = {"__name__": "__main__", "adam_step": MISTAKE.impl}
    monkeypatch.setattr(notebook, "_namespace", lambda: ns)
    return ns


def test_english_is_the_default_and_unchanged(namespace, capsys):
    result = autograder.check("adam")
    out = capsys.readouterr().out
    assert result.score < result.max
    first = specs_of("adam")[0]
    assert f"✗ {first.name} ({first.points:g} pt): {first.docstring}" in out
    assert f"This looks like a known mistake: {MISTAKE.summary} Read “{MISTAKE.section}”" in out
    assert "points on the public checks, fix the ✗ above and run again." in out
    assert not CJK.search(out)


@pytest.mark.parametrize("how", ["argument", "environment"])
def test_a_wrong_submission_hears_the_misconception_in_chinese(namespace, capsys, monkeypatch, how):
    if how == "environment":
        monkeypatch.setenv(i18n.ENV, "zh")
        result = autograder.check("adam")
    else:
        result = autograder.check("adam", lang="zh_CN")
    out = capsys.readouterr().out
    zh = i18n.translations("zh_CN")
    assert result.score < result.max  # the same verdicts, only the sentences change
    assert zh[MISTAKE.summary] in out and MISTAKE.summary not in out
    assert "这看起来是一个常见错误：" in out
    first = specs_of("adam")[0]
    assert f"✗ {first.name}（{first.points:g} 分）：{zh[first.docstring]}" in out
    assert "请修正上面标 ✗ 的项后重新运行" in out


def test_the_language_does_not_leak_out_of_check(namespace, capsys):
    autograder.check("adam", lang="zh_CN")
    capsys.readouterr()
    assert i18n.language() == "en" and i18n._(i18n.ALL_PASS) == i18n.ALL_PASS


def test_a_graded_cell_fails_in_chinese(namespace):
    namespace["momentum_step"] = misconceptions.get("momentum.sign_flipped").impl
    with pytest.raises(AssertionError) as raised:
        autograder.run_graded_test("momentum", "test_single_step", lang="zh")
    zh = i18n.translations("zh_CN")
    assert zh[misconceptions.get("momentum.sign_flipped").summary] in str(raised.value)


def test_unknown_languages_are_refused(monkeypatch):
    with pytest.raises(ValueError, match="unknown language"):
        i18n.language("fr")
    monkeypatch.setenv(i18n.ENV, "de")
    with pytest.raises(ValueError, match="unknown language"):
        autograder.check("adam")


def test_every_sentence_of_the_grader_is_translated():
    """The catalogue covers each check's and misconception's sentence (tools/i18n.py check also
    compares it with the grader, and its math, code and placeholders with the English)."""
    zh = i18n.translations("zh_CN")
    missing = [m for m in i18n.messages() if m not in zh]
    assert not missing, (
        "untranslated grader sentences (python tools/i18n.py extract):\n" + "\n".join(missing)
    )
    assert all(CJK.search(zh[m]) for m in i18n.messages())


def test_feedback_files_give_the_check_sentence_in_the_chosen_language(monkeypatch):
    """`COURSE_LANG=zh_CN python -m autograder grade ...`: each check's sentence in the
    feedback is the catalogue's; without it, the English docstring."""
    from autograder.feedback import feedback_markdown
    from autograder.results import ExerciseResult, StudentResult, TestResult

    spec = specs_of("adam")[0]
    result = StudentResult("ana")
    test = TestResult("adam", spec.name, spec.points, 0.0, "failed", spec.docstring, "wrong")
    result.exercises["adam"] = ExerciseResult("adam", "adam.ipynb", tests=[test])
    monkeypatch.delenv(i18n.ENV, raising=False)
    assert spec.docstring in feedback_markdown(result)
    monkeypatch.setenv(i18n.ENV, "zh_CN")
    chinese = feedback_markdown(result)
    assert i18n.translations("zh_CN")[spec.docstring] in chinese and spec.docstring not in chinese
