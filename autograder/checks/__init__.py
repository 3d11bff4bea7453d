"""One pytest module per exercise: `test_<exercise>.py`.

Rules for a check module (enforced by tests/autograder/test_checks_contract.py):
- module constants `EXERCISE` (the name used everywhere) and `FUNCTIONS` (what learners write);
- every test takes exactly the fixtures `submission` and `cases`, carries its points in
  `@pytest.mark.points(n)` (the only place points are written), and has a one-sentence
  docstring a learner can act on (it is the feedback when the test fails);
- expected values come from `autograder.reference` (or torch as the oracle), compared with
  `autograder.judge`; inputs come from `cases` (public and hidden rounds, every device).
"""
