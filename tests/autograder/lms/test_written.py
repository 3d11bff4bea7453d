"""Marks of written answers: only finite numbers within [0, points] are imported."""

import pytest

from autograder.lms.written import MarksError, export_written, parse_score, read_marks
from autograder.results import ExerciseResult, ManualResult, StudentResult


@pytest.mark.parametrize("text", ["NaN", "nan", "inf", "-inf", "1e999", "-1", "2.5", "x", ""])
def test_invalid_scores_are_refused(text):
    with pytest.raises(ValueError):
        parse_score(text, 2.0)


@pytest.mark.parametrize("text,score", [("0", 0.0), ("1.5", 1.5), (" 2 ", 2.0)])
def test_valid_scores(text, score):
    assert parse_score(text, 2.0) == score


def test_an_import_with_one_bad_row_imports_nothing(tmp_path):
    records = {}
    for student in ("ana", "=ben"):
        r = StudentResult(student)
        r.exercises["adam"] = ExerciseResult(
            "adam", "adam.ipynb", manual=[ManualResult("adam", "adam-why", 2.0, answer="=1+1")]
        )
        records[student] = r
    (path,) = export_written(list(records.values()), tmp_path)
    lines = path.read_text().splitlines()
    assert lines[0] == "assignment,question,student_id,points,score,answer"
    assert lines[1:] == ["04_adam,adam-why,'=ben,2,,'=1+1", "04_adam,adam-why,ana,2,,'=1+1"]
    path.write_text(
        "\n".join([lines[0], "04_adam,adam-why,'=ben,2,1,", "04_adam,adam-why,ana,2,NaN,"])
    )
    with pytest.raises(MarksError, match=r"line 3: score 'NaN' is not a finite number"):
        read_marks([tmp_path], records)
    path.write_text(
        "\n".join([lines[0], "04_adam,adam-why,'=ben,2,1,", "04_adam,adam-why,ana,2,,"])
    )
    assert read_marks([tmp_path], records) == {("=ben", "adam", "adam-why"): 1.0}
