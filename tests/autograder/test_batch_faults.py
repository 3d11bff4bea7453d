"""Faults, determinism and sharding of batch grading, through the CLI.

- A batch killed (SIGKILL, with its whole process group) after its first student restarts and
  skips every student whose result.json records the sha256 of the same notebooks; a changed
  submission is graded again; the final gradebook equals a fresh full run's.
- Submissions are never modified (sha256 before and after every run).
- A student graded alone, last in a batch, and first in a parallel batch gets identical tests.
- `--shard i/n` runs partition the students; `merge` rebuilds the same gradebook and each
  student's files byte for byte (merging assignments: tests/autograder/test_term.py).
"""

import hashlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import autograder_corpus as corpus
import pytest

from autograder.cli import shard_of

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
WRONG = "def momentum_step(theta, grad, movement, lr, momentum):\n    return theta, movement\n"
STUDENTS = {
    "ana": ("momentum", corpus.correct_source("momentum")),
    "ben": ("momentum", WRONG),
    "dora": ("dropout", corpus.variant_source("dropout.no_rescale")),
    "eli": ("momentum", corpus.variant_source("momentum.dampened")),
    "fay": ("rmsprop", corpus.correct_source("rmsprop")),
}


def _write(folder, students):
    for student, (exercise, source) in students.items():
        corpus.notebook(folder / student / f"{exercise}.ipynb", exercise, source)
    return folder


def _hashes(folder):
    return {p: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.rglob("*.ipynb"))}


def _tests(out, student):
    result = json.loads((out / "students" / student / "result.json").read_text())
    return {
        name: [(t["name"], t["score"], t["status"], t["message"]) for t in ex["tests"]]
        for name, ex in result["exercises"].items()
    }


@pytest.fixture(scope="module")
def batch(tmp_path_factory, cli):
    root = tmp_path_factory.mktemp("batch")
    subs = _write(root / "subs", STUDENTS)
    before = _hashes(subs)
    full = root / "full"
    proc = cli("grade", str(subs), "--out", str(full), "--timeout", "20")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert _hashes(subs) == before
    return {"root": root, "subs": subs, "full": full, "hashes": before}


def test_a_killed_batch_restarts_and_skips_what_is_graded(batch, cli):
    subs, out = batch["subs"], batch["root"] / "killed"
    scratch = batch["root"] / "tmp"  # the runs' temporary folder, to see what a kill leaves
    scratch.mkdir()
    env = {"TMPDIR": str(scratch)}
    command = [sys.executable, "-m", "autograder", "grade", str(subs), "--out", str(out)]
    process = subprocess.Popen(
        command,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
        env={**os.environ, **env},
    )
    deadline = time.monotonic() + 300
    while not (out / "students" / "ana" / "result.json").exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    assert (out / "students" / "ana" / "result.json").exists()
    assert not (out / "summary.json").exists()  # killed before the end of the batch
    for path in out.rglob("*.json"):  # written atomically: complete, or not there
        json.loads(path.read_text())
    done = {p: p.stat().st_mtime_ns for p in out.glob("students/*/result.json")}
    # a submission changed after the kill is graded again
    original = (subs / "ben" / "momentum.ipynb").read_bytes()
    corpus.notebook(subs / "ben" / "momentum.ipynb", "momentum", WRONG + "\n# edited\n")
    proc = cli("grade", str(subs), "--out", str(out), "--timeout", "20", env=env)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert list(scratch.iterdir()) == []  # the killed run's working folders are gone too
    skipped = {p for p in done if p.parent.name != "ben"}
    assert f"{len(skipped)} students already graded" in proc.stdout
    for path in skipped:
        assert path.stat().st_mtime_ns == done[path]  # not regraded, not rewritten
    full = (batch["full"] / "gradebook.csv").read_text()
    assert (out / "gradebook.csv").read_text() == full
    (subs / "ben" / "momentum.ipynb").write_bytes(original)  # restore
    assert _hashes(subs) == batch["hashes"]


def test_the_same_submission_gets_identical_scores_alone_and_in_batches(batch, cli, tmp_path):
    alone = _write(tmp_path / "alone", {"dora": STUDENTS["dora"]})
    first = _write(tmp_path / "first", {k: v for k, v in STUDENTS.items() if k in ("dora", "fay")})
    runs = [
        ("alone", [str(alone)], []),
        ("first_parallel", [str(first)], ["--jobs", "2"]),
        ("again", [str(alone)], ["--no-resume"]),
    ]
    wanted = _tests(batch["full"], "dora")  # last but two of five, in the full batch
    for name, inputs, extra in runs:
        out = tmp_path / name
        proc = cli("grade", *inputs, "--out", str(out), "--timeout", "20", *extra)
        assert proc.returncode == 0, proc.stdout + proc.stderr
        assert _tests(out, "dora") == wanted, name


def test_ten_gradings_of_one_submission_in_different_orders_are_identical(batch):
    """Ten gradings of dora in one warm grading process (as a CLI worker runs them): four
    alone, six inside batches in different orders, all equal to the CLI's full batch."""
    from autograder.grading import grade_student

    subs = batch["subs"]
    orders = [["dora"]] * 4 + [
        ["dora", "ana", "ben"],
        ["ben", "dora", "eli"],
        ["fay", "eli", "dora"],
        ["eli", "dora", "fay", "ana"],
        ["ana", "ben", "eli", "fay", "dora"],
        ["dora", "fay"],
    ]
    wanted = _tests(batch["full"], "dora")
    seen = []
    for order in orders:
        for student in order:
            notebooks = sorted((subs / student).glob("*.ipynb"))
            result = grade_student(notebooks, student, timeout=20, hide=[str(subs)])
            if student == "dora":
                seen.append(
                    {
                        name: [(t.name, t.score, t.status, t.message) for t in ex.tests]
                        for name, ex in result.exercises.items()
                    }
                )
    assert len(seen) == 10
    assert all(tests == wanted for tests in seen)


def test_shards_partition_the_students_and_merge_into_one_gradebook(batch, cli):
    root, subs = batch["root"], batch["subs"]
    shards = []
    for i in (1, 2):
        out = root / f"shard{i}"
        proc = cli("grade", str(subs), "--out", str(out), "--timeout", "20", "--shard", f"{i}/2")
        assert proc.returncode == 0, proc.stdout + proc.stderr
        graded = {p.parent.name for p in out.glob("students/*/result.json")}
        assert graded == {s for s in STUDENTS if shard_of(s, 2) == i}
        shards.append(out)
    merged = root / "merged"
    proc = cli("merge", *map(str, shards), "--out", str(merged))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert (merged / "gradebook.csv").read_text() == (batch["full"] / "gradebook.csv").read_text()
    for student in STUDENTS:
        shard = shards[shard_of(student, 2) - 1]
        for name in ("results.json", "result.json", "feedback.md"):
            assert (merged / "students" / student / name).read_bytes() == (
                shard / "students" / student / name
            ).read_bytes()
    twice = root / "twice"  # the same records twice: merged once, nothing changes
    proc = cli("merge", str(shards[0]), str(shards[0]), "--out", str(twice))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert (twice / "gradebook.csv").read_text() == (shards[0] / "gradebook.csv").read_text()


def test_shard_assignment_is_stable():
    assert [shard_of(s, 4) for s in ("ana", "ben", "dora")] == [
        int(hashlib.sha256(s.encode()).hexdigest()[:16], 16) % 4 + 1 for s in ("ana", "ben", "dora")
    ]
    assert all(1 <= shard_of(f"s{i}", 3) <= 3 for i in range(100))
