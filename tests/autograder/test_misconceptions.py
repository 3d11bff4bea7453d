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


def test_the_running_statistics_check_judges_and_names_running_var():
    biased = misconceptions.get("batchnorm.running_var_biased")
    results = {
        r.name: r for r in grade(dict(REFERENCE, batchnorm_forward=biased.impl), "batchnorm")
    }
    running = results["test_running_statistics_update"]
    assert "running_var differs" in running.message and running.misconception == biased.key
    # normalizing with the unbiased variance leaves the running statistics right: that check
    # passes, the output checks fail and name the mistake
    unbiased = misconceptions.get("batchnorm.unbiased_normalize")
    namespace = dict(REFERENCE, batchnorm_forward=unbiased.impl)
    results = {r.name: r for r in grade(namespace, "batchnorm")}
    assert results["test_running_statistics_update"].passed
    training = results["test_training_normalizes_with_batch_statistics"]
    assert "y differs" in training.message and training.misconception == unbiased.key


def test_the_momentum_buffer_convention_is_named():
    """θ follows torch.optim.SGD exactly (that check passes), the returned movement does not."""
    buffer = misconceptions.get("momentum.buffer_convention")
    results = {r.name: r for r in grade(dict(REFERENCE, momentum_step=buffer.impl), "momentum")}
    assert results["test_matches_torch_sgd"].passed
    first = results["test_first_step_is_gradient_descent"]
    assert "movement differs" in first.message and first.misconception == buffer.key
    assert sum(r.score for r in results.values()) == 3
