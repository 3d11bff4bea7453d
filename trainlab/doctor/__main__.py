"""`python -m trainlab.doctor [--json FILE] [--max-steps N] SCRIPT.py [ARGS...]`

Runs SCRIPT.py unmodified (as `__main__`, with `sys.argv = [SCRIPT.py, *ARGS]`) under the
doctor's instruments, keeps its output, then prints the report. Exit status: 0 when the run
looks healthy, 3 when a finding is reported, 1 when the script raised (a report of what ran
before the error is still printed), 2 for a usage error (e.g. no such script).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from trainlab.doctor.report import to_json
from trainlab.doctor.watch import run_script


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m trainlab.doctor",
        description="Run a PyTorch training script under observation and name why it fails.",
    )
    parser.add_argument("--json", metavar="FILE", help="also write the report as JSON here")
    parser.add_argument(
        "--max-steps", type=int, metavar="N", help="stop the script after N optimizer steps"
    )
    parser.add_argument("script", help="the training script, run unmodified")
    parser.add_argument("args", nargs=argparse.REMAINDER, help="the script's own arguments")
    ns = parser.parse_args(argv)
    if not Path(ns.script).is_file():
        parser.error(f"no such script: {ns.script}")
    if ns.max_steps is not None and ns.max_steps < 1:
        parser.error("--max-steps must be at least 1")
    doctor, status = run_script(ns.script, ns.args, max_steps=ns.max_steps)
    sys.stdout.flush()
    if doctor.error:
        print(f"\ntraining doctor: the script raised {doctor.error}", file=sys.stderr)
    report = doctor.as_dict()
    print(doctor.report())
    if doctor.stopped_early:
        print(f"(stopped after --max-steps {ns.max_steps} optimizer steps)")
    if ns.json:
        Path(ns.json).write_text(to_json(report))
    if status != 0 and doctor.error:
        return 1
    return 0 if report["healthy"] else 3


if __name__ == "__main__":
    sys.exit(main())
