"""Reading submissions: which student a path belongs to."""

from pathlib import Path

import pytest

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


def test_only_regular_files_inside_the_tree_are_read(tmp_path):
    """Links (to another student's notebook, to /proc/self/pagemap, to a folder), FIFOs and
    devices are listed, refused by lstat with a message, and never opened; a FIFO does not block."""
    import os
    import time

    import autograder_corpus as corpus

    from autograder.batch import submission_sha256
    from autograder.reader import UnsafeFile, find_notebooks, read_notebook, read_regular

    subs = tmp_path / "subs"
    victim = corpus.notebook(subs / "victim" / "momentum.ipynb", "momentum", "x = 1\n")
    (subs / "mallory").mkdir()
    (subs / "mallory" / "momentum.ipynb").symlink_to(victim)
    (subs / "proc").mkdir()
    (subs / "proc" / "momentum.ipynb").symlink_to("/proc/self/pagemap")
    (subs / "fifo").mkdir()
    os.mkfifo(subs / "fifo" / "momentum.ipynb")
    (subs / "device").mkdir()
    (subs / "device" / "momentum.ipynb").symlink_to("/dev/zero")
    (subs / "linked_folder").symlink_to(subs / "victim", target_is_directory=True)
    found = find_notebooks(subs)
    assert subs / "linked_folder" in found  # listed, not walked
    assert subs / "linked_folder" / "momentum.ipynb" not in found
    start = time.monotonic()
    for path in found:
        if "victim" in path.parts:
            assert read_regular(path)[0] == victim.read_bytes()
            continue
        with pytest.raises(UnsafeFile, match="symbolic link|not a regular file"):
            read_regular(path)
        nb = read_notebook(path, {"momentum"})
        message = nb.problem or nb.works["momentum"].problem
        assert "symbolic link" in message or "FIFO" in message, message
        submission_sha256([path])  # hashed by its refusal, without reading it
    assert time.monotonic() - start < 5


def test_a_linked_folder_is_refused_even_when_grading_it_directly(tmp_path):
    """The session rediscovers notebooks under each path it is given: a linked student folder
    must not be walked there either."""
    import autograder_corpus as corpus

    from autograder.batch import group
    from autograder.reader import find_notebooks, read_notebook

    honest = corpus.notebook(tmp_path / "subs" / "honest" / "momentum.ipynb", "momentum", "x=1")
    (tmp_path / "subs" / "linked").symlink_to(honest.parent, target_is_directory=True)
    assert find_notebooks(tmp_path / "subs" / "linked") == [tmp_path / "subs" / "linked"]
    assert "symbolic link" in read_notebook(tmp_path / "subs" / "linked", {"momentum"}).problem
    # a folder the instructor names by a link is followed once
    (tmp_path / "given").symlink_to(tmp_path / "subs", target_is_directory=True)
    groups, refused = group([str(tmp_path / "given")])
    assert sorted(groups) == ["honest", "linked"] and refused == []
