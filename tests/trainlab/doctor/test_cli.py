"""`python -m trainlab.doctor`: the script runs unmodified with its own output and arguments,
then the report; --json, --max-steps, exit statuses, and a script that raises."""

import json
import subprocess
import sys
from pathlib import Path

import pytest
from doctor_corpus import CORPUS

from trainlab.doctor import CAUSES

pytestmark = pytest.mark.slow  # each test starts Python and torch

ROOT = Path(__file__).resolve().parents[3]

TINY = """
import sys
import torch
from torch import nn

torch.set_num_threads(1)
print("argv", sys.argv[1:], "name", __name__)
torch.manual_seed(0)
model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 3))
opt = torch.optim.SGD(model.parameters(), lr=0.1)
for step in range(20):
    opt.zero_grad()
    nn.functional.cross_entropy(model(torch.randn(32, 4)), torch.randint(0, 3, (32,))).backward()
    opt.step()
    if step == {fail_at}:
        raise ValueError("boom")
print("finished")
"""


def doctor(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "trainlab.doctor", *args],
        cwd=cwd, capture_output=True, text=True, timeout=300,
    )  # fmt: skip


def test_a_broken_script_gets_its_output_then_the_report_and_the_json(tmp_path):
    """Exit status 3 (a finding), the script's prints first, then the ranked findings with
    evidence, fix and chapter; --json holds the same findings and the instruments."""
    out = tmp_path / "report.json"
    proc = doctor("--json", str(out), str(CORPUS / "lr_too_high__sequential_sgd.py"))
    assert proc.returncode == 3, proc.stdout + proc.stderr
    assert proc.stdout.index("epoch 0: loss") < proc.stdout.index("training doctor")
    assert "1. lr_too_high" in proc.stdout and CAUSES["lr_too_high"].url in proc.stdout
    report = json.loads(out.read_text())
    assert report["healthy"] is False and report["diagnosis"] == "lr_too_high"
    top = report["findings"][0]
    assert set(top) >= {"cause", "confidence", "evidence", "fix", "chapter"}
    assert top["cause"] == "lr_too_high" and 0.5 <= top["confidence"] <= 1
    assert top["confirmation"].startswith("confirmed")
    confidences = [f["confidence"] for f in report["findings"]]
    assert confidences == sorted(confidences, reverse=True)
    assert report["instruments"]["steps"] == 160 and report["instruments"]["train_loss"]


def test_a_healthy_script_exits_0_and_max_steps_stops_it(tmp_path):
    out = tmp_path / "report.json"
    proc = doctor("--json", str(out), str(CORPUS / "healthy__sequential_sgd.py"))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "healthy: no finding" in proc.stdout
    assert json.loads(out.read_text())["findings"] == []
    proc = doctor(
        "--json", str(out), "--max-steps", "7", str(CORPUS / "healthy__sequential_sgd.py")
    )
    assert proc.returncode in (0, 3), proc.stdout + proc.stderr
    assert "stopped after --max-steps 7" in proc.stdout and "epoch 0" not in proc.stdout
    assert json.loads(out.read_text())["instruments"]["steps"] == 7


def test_the_script_gets_its_arguments_and_a_crash_still_gets_a_report(tmp_path):
    """The script runs as __main__ with its own argv; when it raises, the doctor says so
    (type, message, line), prints the traceback and a report of what ran, and exits 1."""
    script = tmp_path / "train.py"
    script.write_text(TINY.replace("{fail_at}", "9"))
    proc = doctor(str(script), "--epochs", "3", cwd=tmp_path)
    assert proc.returncode == 1
    assert "argv ['--epochs', '3'] name __main__" in proc.stdout
    assert "finished" not in proc.stdout
    assert "Traceback" in proc.stderr
    assert (
        "training doctor: the script raised ValueError: boom (line 16 of train.py)" in proc.stderr
    )
    assert "observed 10 optimizer steps" in proc.stdout
    script.write_text(TINY.replace("{fail_at}", "-1"))
    proc = doctor(str(script), cwd=tmp_path)
    assert proc.returncode in (0, 3) and "finished" in proc.stdout, proc.stderr


def test_a_missing_script_is_a_usage_error(tmp_path):
    proc = doctor(str(tmp_path / "nope.py"))
    assert proc.returncode == 2
    assert "no such script" in proc.stderr
