"""Reading submissions: which student a path belongs to."""

from pathlib import Path

from autograder.reader import student_id_from_path


def test_student_id_from_nbgrader_layout_or_the_file_stem(tmp_path):
    nb = tmp_path / "submitted" / "alice" / "ps1" / "adam.ipynb"
    nb.parent.mkdir(parents=True)
    nb.write_text("{}")
    assert student_id_from_path(nb) == "alice"
    assert student_id_from_path(tmp_path / "submitted" / "alice") == "alice"
    assert student_id_from_path(Path("elsewhere/bob.ipynb")) == "bob"
    assert student_id_from_path(Path("elsewhere/carol")) == "carol"


def test_written_answers_keep_their_text_and_only_finite_points(tmp_path):
    """A notebook is the learner's: points "NaN", 1e999 or -3 in a written cell count as 0
    (never NaN in the gradebook's JSON); the answer is kept, cut at MAX_ANSWER_CHARS."""
    import json

    import pytest

    from autograder.reader import MAX_ANSWER_CHARS, read_notebook

    def written(i, points, text):
        meta = {"grade": True, "solution": True, "points": points, "grade_id": f"adam-w{i}"}
        return {"cell_type": "markdown", "source": text, "metadata": {"nbgrader": meta}}

    cells = [
        written(0, "NaN", "a"),
        written(1, 1e999, "b"),
        written(2, -3, "c"),
        written(3, 2, "x" * (MAX_ANSWER_CHARS + 5)),
        {"cell_type": "code", "source": "def f():\n    pass\n", "metadata": {"nbgrader": {
            "solution": True, "grade": False, "grade_id": "adam-solution"}}},
    ]  # fmt: skip
    path = tmp_path / "adam.ipynb"
    path.write_text(
        json.dumps({"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": cells})
    )
    work = read_notebook(path, {"adam"}).works["adam"]
    assert [m.points for m in work.manual] == [0.0, 0.0, 0.0, 2.0]
    assert [m.answer for m in work.manual[:3]] == ["a", "b", "c"]
    assert len(work.manual[3].answer) == MAX_ANSWER_CHARS
    assert pytest.approx(sum(m.points for m in work.manual)) == 2.0
