"""A batch's units, resume keys and course gradebook, without grading anything."""

import json

import autograder_corpus as corpus

from autograder.batch import CourseBook, group, resume_key, secret_fingerprint
from autograder.lms.roster import Roster, Student
from autograder.report import student_dir, write_student
from autograder.results import ExerciseResult, StudentResult, TestResult


def _units(grouped):
    def key(u):
        return u.assignment, sorted(p.name for p in u.notebooks), len(u.ignored)

    return {s: sorted(map(key, units)) for s, units in grouped.items()}


def test_units_follow_nbgraders_layout_and_the_assignment_option(tmp_path):
    sub = tmp_path / "submitted"
    corpus.notebook(sub / "ana/02_momentum/momentum.ipynb", "momentum", "x = 1")
    corpus.notebook(sub / "ana/04_adam/dropout.ipynb", "dropout", "x = 1")
    (sub / "ben/04_adam").mkdir(parents=True)
    (sub / "ben/04_adam/adam.py").write_text("x = 1")
    corpus.notebook(sub / "cy/notes.ipynb", "adam", "x = 1")  # no assignment folder
    assert _units(group([sub])[0]) == {
        "ana": [("02_momentum", ["momentum.ipynb"], 0), ("04_adam", ["dropout.ipynb"], 0)],
        "ben": [("04_adam", [], 1)],  # a .py alone: still graded (0, with the reason)
        "cy": [(None, ["notes.ipynb"], 0)],
    }
    assert _units(group([sub / "ana"], assignment="04_adam")[0]) == {
        "ana": [("04_adam", ["dropout.ipynb", "momentum.ipynb"], 0)]
    }
    empty = tmp_path / "empty"
    empty.mkdir()
    assert _units(group([empty], student_id="x@uni.edu", assignment="04_adam")[0]) == {
        "x@uni.edu": [("04_adam", [], 0)]
    }
    assert group([empty]) == ({}, [])


def test_the_roster_names_the_students_of_a_canvas_download(tmp_path):
    roster = Roster()
    roster.add(Student("ana", canvas_login="smithana", canvas_id="104233", email="a@u.edu"))
    folder = tmp_path / "download"
    corpus.notebook(folder / "smithana_104233_1_adam.ipynb", "adam", "x = 1")
    corpus.notebook(folder / "smithana_late_104233_2_adam-1.ipynb", "adam", "x = 1")
    corpus.notebook(folder / "doezoe_999_3_adam.ipynb", "adam", "x = 1")
    grouped, refused = group([folder], assignment="04_adam", roster=roster)
    assert refused == []  # names the roster maps to one student are that student's
    ana = ["smithana_104233_1_adam.ipynb", "smithana_late_104233_2_adam-1.ipynb"]
    assert _units(grouped) == {
        "ana": [("04_adam", ana, 0)],
        "doezoe": [("04_adam", ["doezoe_999_3_adam.ipynb"], 0)],
    }
    assert _units(
        group([folder], student_id="A@U.EDU", assignment="04_adam", roster=roster)[0]
    ) == {"ana": [("04_adam", sorted(p.name for p in folder.iterdir()), 0)]}


def test_the_resume_key_changes_with_the_submission_and_the_secret(tmp_path, monkeypatch):
    nb = corpus.notebook(tmp_path / "submitted/ana/04_adam/adam.ipynb", "adam", "x = 1")
    (unit,) = group([tmp_path / "submitted"])[0]["ana"]
    (tmp_path / "s1").write_text("one\n")
    (tmp_path / "s2").write_text("two\n")
    monkeypatch.delenv("AUTOGRADER_SECRET", raising=False)
    keys = {resume_key(unit, secret_fingerprint(tmp_path / s)) for s in ("s1", "s2")}
    assert len(keys) == 2 and secret_fingerprint(None) == "default"
    assert "one" not in secret_fingerprint(tmp_path / "s1")
    before = resume_key(unit, "s")
    corpus.notebook(nb, "adam", "x = 2")
    assert resume_key(unit, "s") != before


def _record(student, exercise, score):
    r = StudentResult(student, graded={exercise: "k"})
    r.exercises[exercise] = ExerciseResult(
        exercise, f"{exercise}.ipynb", tests=[TestResult(exercise, "t", 2.0, score, "x", "doc")]
    )
    return r


def test_merge_joins_assignments_and_refuses_two_different_gradings(tmp_path, cli):
    folders = {}
    for name, records in {
        "week1": [_record("ana", "momentum", 2.0)],
        "week2": [_record("ana", "adam", 1.0), _record("ben", "adam", 0.0)],
        "regraded": [_record("ana", "adam", 2.0)],
    }.items():
        folders[name] = tmp_path / name
        for r in records:
            write_student(r, folders[name])
        CourseBook(folders[name]).write(records)
    proc = cli("merge", str(folders["week1"]), str(folders["week2"]), "--out", str(tmp_path / "m"))
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "m" / "gradebook.csv").read_text().splitlines() == [
        "student_id,02_momentum,04_adam,total,pending", "ana,2,1,3,0", "ben,,0,0,0"
    ]  # fmt: skip
    record = json.loads((student_dir(tmp_path / "m", "ana") / "result.json").read_text())
    assert set(record["exercises"]) == {"momentum", "adam"}
    proc = cli(
        "merge", str(folders["week2"]), str(folders["regraded"]), "--out", str(tmp_path / "x")
    )
    assert proc.returncode == 1
    assert "ana's 04_adam was graded differently in two folders" in proc.stderr
    proc = cli("merge", str(tmp_path / "nowhere"), "--out", str(tmp_path / "y"))
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
