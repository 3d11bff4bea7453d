"""Student ids: one results folder per student, never shared, never a batch file's name."""

import os

import autograder_corpus as corpus

from autograder.batch import group
from autograder.lms.roster import Roster, Student
from autograder.students import safe_name, student_folder


def _nb(path):
    return corpus.notebook(path, "momentum", "x = 1\n")


def group_by_student(inputs, student_id=None, roster=None):
    """student id → notebooks, and the refused submissions (`batch.group` across its units)."""
    grouped, refused = group(inputs, student_id=student_id, roster=roster)
    notebooks = {s: sorted(nb for u in units for nb in u.notebooks) for s, units in grouped.items()}
    return notebooks, refused


def test_the_folder_that_owns_a_name_is_graded_and_the_ambiguous_extra_refused(tmp_path):
    subs = tmp_path / "subs"
    _nb(subs / "victim1" / "momentum.ipynb")
    _nb(subs / "victim1." / "momentum.ipynb")
    _nb(subs / "victim2" / "momentum.ipynb")
    _nb(subs / "victim2.ipynb")
    _nb(subs / "honest" / "momentum.ipynb")
    groups, refused = group_by_student([str(subs)])
    assert groups == {
        "victim1": [subs / "victim1" / "momentum.ipynb"],
        "victim2": [subs / "victim2" / "momentum.ipynb"],
        "honest": [subs / "honest" / "momentum.ipynb"],
    }
    assert sorted((r.student, os.path.basename(r.path)) for r in refused) == [
        ("victim1.", "victim1."),
        ("victim2", "victim2.ipynb"),
    ]
    assert all("same results folder" in r.reason for r in refused)


def test_when_no_submission_owns_the_name_all_are_refused(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    _nb(a / "bob." / "momentum.ipynb")
    _nb(a / "bob.." / "momentum.ipynb")
    _nb(a / "eve" / "momentum.ipynb")
    _nb(b / "eve" / "momentum.ipynb")  # the same folder name in two inputs
    groups, refused = group_by_student([str(a), str(b)])
    assert groups == {}
    assert sorted(r.student for r in refused) == ["bob.", "bob..", "eve", "eve"]
    assert all("none was graded" in r.reason for r in refused)


def test_ids_that_do_not_collide_are_kept_as_given(tmp_path):
    _nb(tmp_path / "submitted" / "alice" / "ps1" / "momentum.ipynb")
    _nb(tmp_path / "submitted" / "alice" / "ps2" / "adam.ipynb")
    _nb(tmp_path / "submitted" / "bob." / "ps1" / "momentum.ipynb")
    groups, refused = group_by_student([str(tmp_path / "submitted")])
    assert refused == [] and sorted(groups) == ["alice", "bob."]
    assert len(groups["alice"]) == 2
    forced, refused = group_by_student([str(tmp_path / "submitted")], "carol")
    assert refused == [] and len(forced["carol"]) == 3


def test_a_roster_id_that_takes_anothers_folder_is_refused(tmp_path):
    """The roster names one student from several LMS identities; a course id it gives that
    shares a folder with another student's (`bob.` beside `bob`) is a collision all the same."""
    roster = Roster()
    roster.add(Student("bob.", email="b@u.edu"))
    roster.add(Student("ana", email="ana@u.edu", canvas_login="smithana"))
    _nb(tmp_path / "subs" / "bob" / "momentum.ipynb")
    _nb(tmp_path / "subs" / "b@u.edu" / "momentum.ipynb")
    _nb(tmp_path / "subs" / "ana@u.edu" / "momentum.ipynb")
    _nb(tmp_path / "subs" / "smithana" / "momentum.ipynb")
    groups, refused = group_by_student([str(tmp_path / "subs")], roster=roster)
    assert sorted(groups) == ["ana", "bob"] and len(groups["ana"]) == 2
    assert [(r.student, os.path.basename(r.path)) for r in refused] == [("bob.", "b@u.edu")]


def test_students_live_apart_from_the_batch_files(tmp_path):
    for name in ("gradebook.csv", "summary.json", ".", "..", "../x", "/etc/passwd"):
        folder = student_folder(tmp_path, name)
        assert folder.parent == tmp_path / "students", name
        assert safe_name(name) not in ("", ".", "..") and "/" not in safe_name(name)


def test_merge_refuses_two_shards_that_share_a_student_folder(tmp_path):
    """`bob.` graded in one shard and `bob` in another would overwrite one folder."""
    import json

    from autograder.cli import main
    from autograder.results import StudentResult

    for shard, student in (("s1", "bob."), ("s2", "bob")):
        folder = student_folder(tmp_path / shard, student)
        folder.mkdir(parents=True)
        record = StudentResult(student).to_json()
        (folder / "result.json").write_text(json.dumps(record))
        summary = {"students": [record], "refused": []}
        (tmp_path / shard / "summary.json").write_text(json.dumps(summary))
    merged = tmp_path / "merged"
    assert main(["merge", str(tmp_path / "s1"), str(tmp_path / "s2"), "--out", str(merged)]) == 1
    assert not merged.exists()  # refused before anything was copied
    # the first shard alone merges fine, into students/
    assert main(["merge", str(tmp_path / "s1"), "--out", str(tmp_path / "one")]) == 0
    assert (tmp_path / "one" / "students" / "bob" / "result.json").is_file()


def test_resume_trusts_a_record_only_of_the_very_same_student(tmp_path):
    """`bob.` graded yesterday left `students/bob/result.json`; today's `bob` must not take
    that record (nor its resume keys) as his own."""
    from autograder.batch import CourseBook
    from autograder.report import write_student
    from autograder.results import StudentResult

    record = StudentResult("bob.", graded={"04_adam": "key"})
    write_student(record, tmp_path)
    book = CourseBook(tmp_path)
    assert book.load("bob.") is not None and book.load("bob.").graded == {"04_adam": "key"}
    assert book.load("bob") is None


def test_merge_carries_the_refused_submissions_once(tmp_path):
    import json

    from autograder.batch import CourseBook
    from autograder.cli import main
    from autograder.results import StudentResult

    shard = tmp_path / "s1"
    refused = {"student_id": "victim1.", "path": "/subs/victim1.", "reason": "same folder"}
    CourseBook(shard).write([StudentResult("ana")], [refused])
    from autograder.report import write_student

    write_student(StudentResult("ana"), shard)
    merged = tmp_path / "merged"
    assert main(["merge", str(shard), str(shard), "--out", str(merged)]) == 0
    assert json.loads((merged / "summary.json").read_text())["refused"] == [refused]
