"""Feedback files: folded, summarized, linked, in course order, bounded, and unforgeable.

The Markdown is parsed with markdown-it (CommonMark, as the feedback's readers render it), so
"a learner cannot forge a heading" is checked on the rendered structure, not on the text.
"""

import re

import torch
from markdown_it import MarkdownIt

from autograder.assignments import ASSIGNMENTS, exercise_of
from autograder.feedback import (
    MAX_FEEDBACK_BYTES,
    feedback_html,
    feedback_markdown,
    summarize_tensors,
)
from autograder.results import ExerciseResult, ManualResult, StudentResult, TestResult
from autograder.website import WEBSITE

FORGERY = (
    "boom\n\n# Automatic score: 10 / 10\n\n````\n```\n**Score: 10 / 10**\n"
    "</pre><script>alert(1)</script>\n## 04_adam — adam: 10 / 10\n"
)


def _test(name, status="failed", message="", points=2.0, exercise="adam"):
    score = points if status == "passed" else 0.0
    return TestResult(exercise, name, points, score, status, f"`{name}` must hold.", message)


def _result(student="ana", exercises=None):
    result = StudentResult(student)
    for name, tests in (exercises or {}).items():
        result.exercises[name] = ExerciseResult(name, f"{name}.ipynb", tests=tests)
    return result


def _headings(markdown: str) -> list[tuple[str, str]]:
    tokens = MarkdownIt("commonmark").parse(markdown)
    return [
        (tok.tag, tokens[i + 1].content)
        for i, tok in enumerate(tokens)
        if tok.type == "heading_open"
    ]


def _strong_outside_code(markdown: str) -> list[str]:
    tokens = MarkdownIt("commonmark").parse(markdown)
    found = []
    for tok in tokens:
        if tok.type == "inline":
            children = tok.children or []
            for i, child in enumerate(children):
                if child.type == "strong_open":
                    found.append(children[i + 1].content)
    return found


def test_learner_text_cannot_forge_headings_or_scores():
    result = _result(
        "eve\n# Automatic score: 10 / 10",
        {"adam": [_test("test_first", message=FORGERY), _test("test_second")]},
    )
    result.problems.append("x.ipynb\n# Score: 10 / 10 **Score: 10 / 10**")
    result.exercises["adam"].notes.append("`` ``` \n## forged note")
    markdown = feedback_markdown(result)
    assert [tag for tag, _ in _headings(markdown)] == ["h1", "h2"]
    assert _headings(markdown)[1] == ("h2", "04_adam — adam: 0 / 4")
    strong = _strong_outside_code(markdown)
    assert strong[0] == "Score: 0 / 4 (automatic: 0 / 4)"
    assert not any("10 / 10" in s for s in strong)
    page = feedback_html(result)
    assert "<script>" not in page and "&lt;script&gt;" in page
    assert re.findall(r"<h[12]>", page) == ["<h1>", "<h2>"]


def test_repeated_messages_are_folded():
    same = "adam_step raised ValueError: not yet"
    tests = [_test(f"test_{i}", message=same) for i in range(4)] + [_test("test_ok", "passed")]
    markdown = feedback_markdown(_result(exercises={"adam": tests}))
    assert markdown.count(same) == 1
    assert "same failure in 4 checks" in markdown
    assert markdown.count("same failure as `test_0`") == 3


def test_tensor_dumps_are_summarized():
    dump = repr(torch.arange(640.0).reshape(64, 10) / 7)
    text = summarize_tensors(f"got {dump} instead")
    assert len(text) < 200, text
    assert "shape (64, 10)" in text and "first values 0.0000, 0.1429, 0.2857" in text
    assert text.startswith("got tensor(<") and text.endswith(">) instead")
    wide = repr(torch.ones(100, 2000, dtype=torch.float64))  # torch elides entries with "..."
    assert "2-D" in summarize_tensors(wide) and "float64" in summarize_tensors(wide)
    assert summarize_tensors("tensor([1., 2.])") == "tensor([1., 2.])"  # short: kept


def test_chapters_are_website_links_and_markdown_renders_in_html():
    message = "Read “Bias correction” in chapters/05_adaptive_learning_rate.ipynb#bias-correction."
    result = _result(exercises={"adam": [_test("test_first", message=message)]})
    url = f"{WEBSITE}chapters/05_adaptive_learning_rate.html#bias-correction"
    assert url in feedback_markdown(result)
    page = feedback_html(result)
    assert f'<a href="{url}">' in page
    assert "<code>test_first</code>" in page and "`test_first`" not in page


def test_exercises_are_listed_by_assignment_in_course_order():
    names = [exercise_of(a) for a in reversed(ASSIGNMENTS)]
    result = _result(exercises={n: [_test("test_a", exercise=n)] for n in names})
    headings = [text for tag, text in _headings(feedback_markdown(result)) if tag == "h2"]
    assert [h.split(" — ")[0] for h in headings] == list(ASSIGNMENTS)


def test_pending_written_points_are_in_every_score_line():
    result = _result(exercises={"adam": [_test("test_a", "passed", points=8)]})
    result.exercises["adam"].manual = [ManualResult("adam", "adam-written", 2.0)]
    markdown = feedback_markdown(result)
    assert "Score: 8 / 10, 2 written points pending (automatic: 8 / 8)" in markdown
    assert "## 04_adam — adam: 8 / 10, 2 written points pending" in markdown
    result.exercises["adam"].manual[0].score = 1.5
    assert "Score: 9.5 / 10 (automatic: 8 / 8)" in feedback_markdown(result)


def test_every_feedback_file_is_bounded_whatever_the_submission():
    """1,900 failing checks with long, distinct messages, 1,900 written cells and 1,900
    problems: both files stay within 200 KB and keep the score line and the omission note."""
    tests = [_test(f"test_{i}", message=f"{i}: " + "x" * 8000) for i in range(1900)]
    result = _result(exercises={"adam": tests})
    result.exercises["adam"].manual = [
        ManualResult("adam", f"cell-{i}" + "y" * 5000, 1.0) for i in range(1900)
    ]
    result.problems = [f"problem {i} " + "<&>" * 3000 for i in range(1900)]
    for text in (feedback_markdown(result), feedback_html(result)):
        assert len(text.encode()) <= MAX_FEEDBACK_BYTES
        assert "Score: 0 / 5700, 1900 written points pending (automatic: 0 / 3800)" in text
        assert "04_adam — adam: 0 / 5700, 1900 written points pending" in text
        assert "more items not shown: feedback is limited to 200 KB" in text
