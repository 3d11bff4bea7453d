"""Assignments are the folders of solutions/, in course order, one per exercise; the website
base of chapter links is the one `_config.yml` publishes."""

from pathlib import Path

import pytest
import yaml

from autograder.assignments import ASSIGNMENTS, assignment_of, exercise_of, resolve
from autograder.runner import known_exercises
from autograder.website import WEBSITE, chapter_url, link_chapters, website_of_repository

ROOT = Path(__file__).resolve().parents[2]


def test_assignments_are_the_solution_folders_in_course_order():
    folders = sorted(p.name for p in (ROOT / "solutions").iterdir() if p.is_dir())
    assert list(ASSIGNMENTS) == folders
    assert sorted(map(exercise_of, ASSIGNMENTS)) == sorted(known_exercises())


def test_names_resolve_both_ways():
    assert resolve("adam") == resolve("04_adam") == assignment_of("adam") == "04_adam"
    assert exercise_of("10_softmax_cross_entropy") == "softmax_cross_entropy"
    with pytest.raises(ValueError, match="unknown assignment 'week2'.*01_hessian"):
        resolve("week2")


def test_the_website_is_the_one_config_yml_publishes():
    config = yaml.safe_load((ROOT / "_config.yml").read_text())
    assert WEBSITE == website_of_repository(config["repository"]["url"])
    assert chapter_url("04_momentum") == (
        "https://why-wont-my-network-train.github.io/course/chapters/04_momentum.html"
    )
    assert (ROOT / "chapters" / "04_momentum.ipynb").is_file()


def test_chapter_paths_become_links():
    text = (
        "Read “Heavy ball” in chapters/04_momentum.ipynb#heavy-ball. Or chapters/00_how_to_use.md."
    )
    assert link_chapters(text) == (
        f"Read “Heavy ball” in {WEBSITE}chapters/04_momentum.html#heavy-ball. "
        f"Or {WEBSITE}chapters/00_how_to_use.html."
    )
    assert link_chapters(link_chapters(text)) == link_chapters(text)
