"""The roster maps every LMS identity to one course student id."""

import pytest

from autograder.lms.roster import Roster, RosterError, canvas_parts

ROSTER = (
    "student_id,name,email,canvas_login,canvas_id,sis_id,section\n"
    'ana,"Smith, Ana",ana@uni.edu,smithana,104233,S1,Lab A\n'
    'ben,"Ng, Ben",ben@uni.edu,ngben,104234,S2,Lab B\n'
)


@pytest.fixture
def roster(tmp_path):
    path = tmp_path / "roster.csv"
    path.write_text(ROSTER)
    return Roster.read(path)


@pytest.mark.parametrize(
    "identity",
    ["ana", "ANA@uni.edu", "smithana", "104233", "S1", "smithana_104233_8812345_adam",
     "smithana_late_104233_8812399_adam-1", "someone_104233_1_x"],
)  # fmt: skip
def test_every_identity_of_a_learner_resolves_to_their_id(roster, identity):
    assert roster.resolve(identity) == "ana"


def test_unknown_identities_are_kept_and_canvas_names_reduced_to_the_login(roster):
    assert roster.resolve("zoe@uni.edu") == "zoe@uni.edu"
    assert roster.resolve("doezoe_999_1_adam") == "doezoe"
    assert canvas_parts("smithana_104233_8812345_adam") == {
        "login": "smithana", "canvas_id": "104233", "submission": "8812345", "file": "adam"
    }  # fmt: skip
    assert canvas_parts("alice") is None


def test_a_roster_that_maps_one_identity_to_two_learners_is_refused(tmp_path):
    path = tmp_path / "roster.csv"
    path.write_text(ROSTER + "cy,,ana@uni.edu,,,,\n")
    with pytest.raises(RosterError, match=r"line 4: email 'ana@uni.edu' also belongs to 'ana'"):
        Roster.read(path)
    path.write_text("name\nAna\n")
    with pytest.raises(RosterError, match="needs a student_id column"):
        Roster.read(path)
