"""Watch a training run: `with watch() as doc: train()`, then `doc.report()`; or run a script
file unmodified under observation with `run_script`."""

from __future__ import annotations

import os
import runpy
import sys
import traceback
from functools import cached_property
from types import TracebackType
from typing import TYPE_CHECKING

from trainlab.doctor.confirm import confirm
from trainlab.doctor.instruments import Recorder, StopRun
from trainlab.doctor.report import as_dict, as_text
from trainlab.doctor.rules import REPORT_THRESHOLD, Finding, diagnose

if TYPE_CHECKING:
    import matplotlib.pyplot as plt


class Doctor:
    """The context manager `watch()` returns: records while open, diagnoses once closed.

    Leaving the block early because of `max_steps` is not an error: the `StopRun` raised from
    the step hook is swallowed here, and the report covers the steps that ran.
    """

    def __init__(self, max_steps: int | None = None, confirm: bool = True):
        self.recorder = Recorder(max_steps=max_steps)
        self.confirm = confirm
        self.error: str | None = None
        self.stopped_early = False
        self._closed = False

    def __enter__(self) -> Doctor:
        self.recorder.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> bool:
        self.recorder.stop()
        self._closed = True
        if exc_type is not None and issubclass(exc_type, StopRun):
            self.stopped_early = True
            return True
        return False

    @cached_property
    def record(self) -> dict:
        """The instruments' measurements, as plain JSON-able data."""
        if not self._closed:
            raise RuntimeError("the doctor reports once the `with watch()` block has ended")
        return self.recorder.record()

    @cached_property
    def all_findings(self) -> list[Finding]:
        """Every rule's finding (the lr ones confirmed on a copy), ranked by confidence."""
        found = diagnose(self.record)
        if self.confirm:
            for f in found:
                confirm(f, self.recorder)
            found.sort(key=lambda f: -f.confidence)
        return found

    @property
    def findings(self) -> list[Finding]:
        """The findings at or above the report threshold, most confident first."""
        return [f for f in self.all_findings if f.confidence >= REPORT_THRESHOLD]

    @property
    def diagnosis(self) -> str:
        """The top cause id, or "healthy"."""
        return self.as_dict()["diagnosis"]

    def as_dict(self) -> dict:
        return as_dict(self.all_findings, self.record, self.error)

    def report(self) -> str:
        return as_text(self.all_findings, self.record, self.error)

    def figure(self) -> plt.Figure:
        """Loss, per-layer gradient RMS, update/weight ratios and activation std (matplotlib
        is imported here, not when the doctor is)."""
        from trainlab.doctor.figure import plot_record

        return plot_record(self.record)


def watch(max_steps: int | None = None, confirm: bool = True) -> Doctor:
    """`with watch() as doc: train()` records the run; then `doc.report()`, `doc.findings`,
    `doc.figure()`. `max_steps` ends the block after that many optimizer steps."""
    return Doctor(max_steps=max_steps, confirm=confirm)


def run_script(
    path: str | os.PathLike, args: list[str] | None = None, max_steps: int | None = None
) -> tuple[Doctor, int]:
    """Run a Python script file as `__main__` (its own `sys.argv`, its folder first on
    `sys.path`) under a doctor. Returns the doctor and the script's exit status: 0, the
    status a `SystemExit` carried, or 1 when it raised (then `doctor.error` says what)."""
    path = os.fspath(path)
    saved_argv, saved_path = sys.argv[:], sys.path[:]
    sys.argv = [path, *(args or [])]
    sys.path.insert(0, os.path.dirname(os.path.abspath(path)))
    status = 0
    doctor = watch(max_steps=max_steps)
    try:
        with doctor:
            runpy.run_path(path, run_name="__main__")
    except SystemExit as e:
        status = e.code if isinstance(e.code, int) else (0 if e.code is None else 1)
    except Exception as e:
        status = 1
        frames = traceback.extract_tb(e.__traceback__)
        where = next((f for f in reversed(frames) if f.filename == path), None)
        at = f" (line {where.lineno} of {os.path.basename(path)})" if where else ""
        doctor.error = f"{type(e).__name__}: {e}{at}"
        traceback.print_exc()
    finally:
        sys.argv, sys.path[:] = saved_argv, saved_path
    return doctor, status
