"""The training doctor: watch an unmodified PyTorch run and name why it won't train.

    python -m trainlab.doctor [--json FILE] [--max-steps N] train.py [ARGS...]

or from Python::

    with trainlab.doctor.watch() as doc:
        train()
    print(doc.report())
    doc.figure()

`instruments` records through PyTorch's global hooks, `rules` turns the record into findings
(each rule's docstring states its measurement and threshold), `confirm` replays a few steps on
a copy of the model, `report` prints them; `causes` holds the vocabulary.
"""

from trainlab.doctor.causes import CAUSES, HEALTHY
from trainlab.doctor.rules import REPORT_THRESHOLD, Finding, diagnose
from trainlab.doctor.watch import Doctor, run_script, watch

__all__ = [
    "CAUSES",
    "HEALTHY",
    "REPORT_THRESHOLD",
    "Doctor",
    "Finding",
    "diagnose",
    "run_script",
    "watch",
]
