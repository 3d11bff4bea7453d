"""Every known-wrong variant loses points and is named (judge logic, run in process)."""

import json
from pathlib import Path

import pytest

from autograder import misconceptions
from autograder import reference as ref
from autograder.runner import InProcessSubmission, known_exercises, run_inprocess

ROOT = Path(__file__).resolve().parents[2]
REFERENCE = {name: getattr(ref, name) for name in ref.__all__}


def grade(namespace, exercise, student="alice"):
    submission = InProcessSubmission(namespace, exercise, scan=False)
    return run_inprocess(exercise, submission, mode="grade", student_id=student)


@pytest.mark.parametrize("variant", misconceptions.VARIANTS, ids=lambda v: v.key)
def test_variant_loses_points_and_is_named(variant):
    namespace = dict(REFERENCE, **{variant.function: variant.impl})
    results = grade(namespace, variant.exercise)
    assert sum(r.score for r in results) < sum(r.points for r in results)
    named = [r for r in results if r.misconception == variant.key]
    assert named, [(r.name, r.status, r.message) for r in results if not r.passed]
    assert variant.summary in named[0].message


def test_the_reference_earns_full_marks_everywhere():
    for exercise in known_exercises():
        results = grade(REFERENCE, exercise)
        assert all(r.passed for r in results), [(r.name, r.message) for r in results]


def test_every_exercise_has_variants_with_distinct_keys():
    keys = [v.key for v in misconceptions.VARIANTS]
    assert len(keys) == len(set(keys))
    for exercise in known_exercises():
        assert len(misconceptions.for_exercise(exercise)) >= 3, exercise
    for v in misconceptions.VARIANTS:
        assert v.summary.endswith(".") and v.chapter[:2].isdigit()


def _headings(chapter: Path) -> set[str]:
    nb = json.loads(chapter.read_text())
    out = set()
    for cell in nb["cells"]:
        if cell["cell_type"] == "markdown":
            for line in "".join(cell["source"]).splitlines():
                if line.startswith("#"):
                    out.add(line.lstrip("#").strip())
    return out


@pytest.mark.parametrize("chapter", sorted({v.chapter for v in misconceptions.VARIANTS}))
def test_linked_sections_exist(chapter):
    """Feedback links a chapter section: once the chapter exists, the heading must too."""
    path = ROOT / "chapters" / f"{chapter}.ipynb"
    if not path.exists():
        pytest.skip(f"chapters/{chapter}.ipynb is not written yet")
    headings = _headings(path)
    missing = {v.section for v in misconceptions.VARIANTS if v.chapter == chapter} - headings
    assert not missing, f"headings missing from {path.name}: {sorted(missing)}"
