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
