"""Accuracy and overhead of the training doctor over its corpus of broken and healthy scripts.

    python benchmarks/doctor_accuracy.py [--repeat 3] [--only SUBSTRING] [--process]

For every script `tests/trainlab/doctor/corpus/CAUSE__STYLE.py`, in a fresh Python process:

1. times the script's run (`runpy`, imports already done) without and with the doctor
   (diagnosis and confirmations included), `--repeat` times each, alternating, and keeps the
   median of each: the overhead ratio on the training itself;
2. scores the doctor's report of its last run: top-1 (the most confident reported finding is
   the planted cause, or nothing is reported for a healthy script), top-2 (the planted cause is
   among the two most confident findings, reported or below the threshold), false alarms (a
   healthy script with a reported finding).

With `--process`, also the whole-process wall time, `python SCRIPT.py` against
`python -m trainlab.doctor SCRIPT.py` (`--repeat` times each, alternating): what a user
waits, interpreter start and imports included, which dilute the overhead.

Prints one line per script, then the totals. Not a test: the times depend on the machine.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import runpy
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "tests" / "trainlab" / "doctor" / "corpus"


def wall(command: list[str]) -> float:
    start = time.monotonic()
    proc = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
    if proc.returncode not in (0, 3):  # 3: the doctor reported a finding
        sys.exit(f"{' '.join(command)} failed:\n{proc.stdout[-2000:]}\n{proc.stderr[-2000:]}")
    return time.monotonic() - start


def in_process(script: Path, repeat: int) -> dict:
    """Median seconds of the script's run without and with the doctor, in this process, and
    the doctor's report of the last run."""
    from trainlab.doctor import run_script

    plain, watched = [], []
    for _ in range(repeat):
        with contextlib.redirect_stdout(io.StringIO()):
            start = time.perf_counter()
            runpy.run_path(str(script), run_name="__main__")
            plain.append(time.perf_counter() - start)
            start = time.perf_counter()
            doctor, _ = run_script(script)
            report = doctor.as_dict()
            watched.append(time.perf_counter() - start)
    report.pop("instruments")
    return {"plain": statistics.median(plain), "watched": statistics.median(watched),
            "report": report}  # fmt: skip


def ranked(report: dict) -> list[str]:
    findings = report["findings"] + report["below_threshold"]
    return [f["cause"] for f in sorted(findings, key=lambda f: -f["confidence"])]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=3, help="runs per script and variant")
    parser.add_argument("--only", default="", help="only scripts whose name contains this")
    parser.add_argument("--process", action="store_true", help="also time whole processes")
    parser.add_argument("--worker", help=argparse.SUPPRESS)  # one script, in a fresh process
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(in_process(Path(args.worker), args.repeat)))
        return

    scripts = [s for s in sorted(CORPUS.glob("*.py")) if args.only in s.stem]
    if not scripts:
        sys.exit(f"no corpus script matches {args.only!r}")
    top1 = top2 = healthy = false_alarms = 0
    inner_ratios, process_ratios = [], []
    for script in scripts:
        cause = script.stem.split("__")[0]
        worker = subprocess.run(
            [sys.executable, __file__, "--worker", str(script), "--repeat", str(args.repeat)],
            cwd=ROOT, capture_output=True, text=True,
        )  # fmt: skip
        if worker.returncode != 0:
            sys.exit(f"{script.name} failed:\n{worker.stdout[-2000:]}\n{worker.stderr[-2000:]}")
        result = json.loads(worker.stdout.strip().splitlines()[-1])
        report = result["report"]
        inner_ratios.append(result["watched"] / result["plain"])
        order = ranked(report)
        if cause == "healthy":
            healthy += 1
            ok1 = ok2 = report["healthy"]
            false_alarms += not report["healthy"]
        else:
            ok1 = report["diagnosis"] == cause
            ok2 = cause in order[:2]
        top1 += ok1
        top2 += ok2
        line = (
            f"{script.stem:58s} top-1 {'ok' if ok1 else 'MISS'} ({report['diagnosis']}); "
            f"run {result['plain']:.3f} s -> {result['watched']:.3f} s (x{inner_ratios[-1]:.2f})"
        )
        if args.process:
            plain, watched = [], []
            for _ in range(args.repeat):
                plain.append(wall([sys.executable, str(script)]))
                watched.append(wall([sys.executable, "-m", "trainlab.doctor", str(script)]))
            process_ratios.append(statistics.median(watched) / statistics.median(plain))
            line += (
                f"; process {statistics.median(plain):.2f} s -> "
                f"{statistics.median(watched):.2f} s (x{process_ratios[-1]:.2f})"
            )
        print(line, flush=True)
    n = len(scripts)
    print(f"\n{n} scripts ({n - healthy} broken, {healthy} healthy), median of {args.repeat} runs")
    print(f"top-1 accuracy: {top1}/{n} = {top1 / n:.1%}")
    print(f"top-2 accuracy: {top2}/{n} = {top2 / n:.1%}")
    print(f"false alarms on healthy scripts: {false_alarms}/{healthy}")
    print(
        f"overhead, the script's run (with / without the doctor, imports excluded): median "
        f"x{statistics.median(inner_ratios):.2f}, max x{max(inner_ratios):.2f}"
    )
    if process_ratios:
        print(
            f"overhead, whole process (interpreter start and imports included): median "
            f"x{statistics.median(process_ratios):.2f}, max x{max(process_ratios):.2f}"
        )


if __name__ == "__main__":
    main()
