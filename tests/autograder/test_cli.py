"""The instructor CLI's own process stays light: torch is imported only where checks run."""

import subprocess
import sys

LIGHT = """
import sys
from autograder import cli, report, reader, runner, results, workdirs
runner.known_exercises()
cli.build_parser().parse_args(["grade", "x", "--out", "y"])
assert "torch" not in sys.modules, sorted(m for m in sys.modules if m.startswith("autograder"))
"""


def test_the_cli_process_does_not_import_torch():
    """With --jobs N the students are graded in worker processes; the CLI's own process
    groups them, resumes, and writes the gradebook (merge, too) without importing torch."""
    proc = subprocess.run([sys.executable, "-c", LIGHT], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
