"""Same code, same marks: every implementation of an exercise gets one score under every id.

For each exercise, every misconception variant, every contract breaker of the corpus and several
correct implementations written differently are graded under 24 student ids (e-mail-shaped and
Canvas-shaped ones included) with one secret, through the batch grader's sandboxes (one warm
pool): the per-test scores must be identical for every id. Hidden cases defeat hard-coded
answers; they must never decide the mark of an honest implementation, right or wrong. The
figures (variants × ids, distinct scores per variant) are in the assertion message, and printed
by `python benchmarks/fairness.py`.
"""

import autograder_fairness as fairness
import pytest

from autograder.runner import known_exercises

pytestmark = pytest.mark.slow


@pytest.mark.parametrize("exercise", known_exercises())
def test_same_code_same_marks_under_every_student_id(exercise, tmp_path):
    figures = fairness.grade_variants(exercise, tmp_path)
    print(figures.line())
    assert len(figures.ids) == len(fairness.STUDENT_IDS) >= 20
    assert sum("@" in i for i in figures.ids) >= 3
    unfair = {
        name: {scores: len(ids) for scores, ids in seen.items()}
        for name, seen in figures.unfair().items()
    }
    assert not unfair, f"{figures.line()}\nscores that depend on the student id: {unfair}"
    correct = [seen for name, seen in figures.scores.items() if name.startswith("correct")]
    wrong = [seen for name, seen in figures.scores.items() if not name.startswith("correct")]
    assert len(correct) >= 2 and wrong
    full = {scores for seen in correct for scores in seen}
    assert len(full) == 1, f"correct implementations scored differently: {full}"
    (best,) = full
    for seen in wrong:  # every wrong variant loses points, for everyone
        (scores,) = seen
        assert sum(scores) < sum(best), figures.line()
