"""The corpus of training scripts (`corpus/CAUSE__STYLE.py`) and a cached, in-process run of
each under the doctor. Registered by conftest.py as the module `doctor_corpus`."""

import contextlib
import functools
import io
from pathlib import Path

from trainlab.doctor import Doctor, run_script

CORPUS = Path(__file__).parent / "corpus"
SCRIPTS = sorted(CORPUS.glob("*.py"))


def expected_cause(script: Path) -> str:
    """A corpus file is named CAUSE__STYLE.py."""
    return script.stem.split("__")[0]


@functools.cache
def diagnosed(script: Path) -> tuple[Doctor, str]:
    """The doctor after running `script` (once per test session) and the script's output."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        doctor, status = run_script(script)
        doctor.as_dict()  # diagnose (and confirm) inside the redirect
    assert status == 0, doctor.error
    return doctor, out.getvalue()
