"""Wrong KINDS of results get a precise verdict, never "the grader hit an internal error".

Every function of every exercise is replaced by one that returns a value of the wrong kind
(the checks must look at a result's kind before computing with it, e.g. before feeding it to
the next step of a trajectory); each check must then fail (or raise the learner's error),
with a message about the result, and never crash the grader.
"""

import pytest
import torch

from autograder import reference as ref
from autograder.runner import InProcessSubmission, functions_of, known_exercises, run_inprocess


class Thing:
    """Not a value the protocol carries: it arrives as an opaque object."""


def _first(*args, **kwargs):
    return args[0] if args else next(iter(kwargs.values()))


WRONG = {
    "none": lambda *a, **k: None,
    "first_argument": _first,
    "pair_of_first_argument": lambda *a, **k: (_first(*a, **k), _first(*a, **k)),
    "triple_of_scalars": lambda *a, **k: (0.0, 0.0, 0.0),
    "float": lambda *a, **k: 1.5,
    "half_vector": lambda *a, **k: torch.zeros(7, dtype=torch.float16),
    "list_of_tensors": lambda *a, **k: [torch.zeros(3), torch.zeros(3)],
    "object": lambda *a, **k: Thing(),
    "meta_tensor": lambda *a, **k: torch.empty(3, device="meta"),
}


@pytest.mark.parametrize("exercise", known_exercises())
@pytest.mark.parametrize("wrong", WRONG, ids=str)
def test_a_wrong_kind_is_a_verdict_not_a_grader_error(exercise, wrong):
    namespace = {name: getattr(ref, name) for name in ref.__all__}
    for function in functions_of(exercise):
        namespace[function] = WRONG[wrong]
    submission = InProcessSubmission(namespace, exercise, scan=False)
    results = run_inprocess(exercise, submission, mode="grade", student_id="kinds")
    errors = [(r.name, r.message) for r in results if r.status == "error"]
    assert errors == []
    assert sum(r.score for r in results) < sum(r.points for r in results)
