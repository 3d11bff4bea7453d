"""Output integrity: strict JSON, CSV cells a spreadsheet never runs as formulas."""

import csv
import io
import json
import math

import pytest

from autograder.report import csv_cell, gradebook_csv, json_text
from autograder.results import ExerciseResult, StudentResult, TestResult


@pytest.mark.parametrize("value", [math.nan, math.inf, -math.inf, float("1e999")])
def test_json_refuses_non_finite_numbers(value):
    with pytest.raises(ValueError):
        json_text({"score": value})


@pytest.mark.parametrize(
    "text", ['=HYPERLINK("http://x","y")', "+1+1", "-2+3", "@SUM(A1)", "\t=1", "\r=1"]
)
def test_formula_cells_are_neutralized(text):
    assert csv_cell(text) == "'" + text


def test_plain_cells_are_kept():
    assert [csv_cell(x) for x in ("alice", "10", "04_adam", "a=b")] == [
        "alice",
        "10",
        "04_adam",
        "a=b",
    ]


def test_the_gradebook_never_holds_a_live_formula():
    result = StudentResult('=HYPERLINK("http://evil.example","prize")')
    result.exercises["adam"] = ExerciseResult(
        "adam", "adam.ipynb", tests=[TestResult("adam", "t", 2.0, 2.0, "passed", "doc")]
    )
    rows = list(csv.reader(io.StringIO(gradebook_csv([result]))))
    assert rows == [
        ["student_id", "04_adam", "total", "pending"],
        ['\'=HYPERLINK("http://evil.example","prize")', "2", "2", "0"],
    ]
    assert json.loads(json_text(result.to_json()))["score"] == 2.0
