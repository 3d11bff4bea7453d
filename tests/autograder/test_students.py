"""Student ids: one results folder per student, never shared, never a batch file's name."""

import os

import autograder_corpus as corpus

from autograder.students import group_by_student, safe_name, student_folder


def _nb(path):
    return corpus.notebook(path, "momentum", "x = 1\n")


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


def test_students_live_apart_from_the_batch_files(tmp_path):
    for name in ("gradebook.csv", "summary.json", ".", "..", "../x", "/etc/passwd"):
        folder = student_folder(tmp_path, name)
        assert folder.parent == tmp_path / "students", name
        assert safe_name(name) not in ("", ".", "..") and "/" not in safe_name(name)


def test_merge_refuses_two_shards_that_share_a_student_folder(tmp_path):
    """`bob.` graded in one shard and `bob` in another would overwrite one folder."""
    import json

    from autograder.cli import main

    for shard, student in (("s1", "bob."), ("s2", "bob")):
        folder = student_folder(tmp_path / shard, student)
        folder.mkdir(parents=True)
        (folder / "result.json").write_text(json.dumps({"student_id": student}))
        summary = {"students": [{"student_id": student}], "refused": []}
        (tmp_path / shard / "summary.json").write_text(json.dumps(summary))
    merged = tmp_path / "merged"
    assert main(["merge", str(tmp_path / "s1"), str(tmp_path / "s2"), "--out", str(merged)]) == 1
    assert not merged.exists()  # refused before anything was copied
    # the first shard alone merges fine, into students/
    assert main(["merge", str(tmp_path / "s1"), "--out", str(tmp_path / "one")]) == 0
    assert (tmp_path / "one" / "students" / "bob" / "result.json").is_file()
