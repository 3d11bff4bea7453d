"""A corpus of submissions graded END TO END by the CLI, with the expected scores and messages.

One CLI run grades every student of the corpus (a folder per student), so the expensive part
(one sandboxed child per exercise) is paid once; the tests then read its outputs.
"""

import hashlib
import json
import re
import subprocess
import sys
from pathlib import Path

import autograder_corpus as corpus
import pytest

from autograder.assignments import assignment_of, course_order
from autograder.runner import specs_of

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]

# One misconception per exercise through the whole CLI path (every variant is also checked
# in process by test_misconceptions.py).
# A child per (student, exercise) costs ~3 s of CPU, so the CLI sees a few representative
# variants: a deterministic comparison, a multi-output one, a statistical one, a string one.
CLI_VARIANTS = {
    "adam": "adam.eps_inside_sqrt",
    "batchnorm": "batchnorm.batch_stats_in_eval",
    "dropout": "dropout.no_rescale",
    "hessian": "hessian.zero_as_positive",
}


def max_points(exercise: str) -> float:
    return sum(t.points for t in specs_of(exercise))


def hard_coded_lr_source() -> str:
    """lr_at that returns the public expected values from a table, and 0.0 otherwise."""
    from autograder import reference as ref
    from autograder.cases import Cases
    from autograder.errors import LearnerRaised

    class Recorder:
        table: dict = {}

        def lr_at(self, **kwargs):
            try:
                value = ref.lr_at(**kwargs)
            except ValueError as error:  # an invalid public call: replayed as raised
                self.table[tuple(sorted(kwargs.items()))] = "ValueError"
                raise LearnerRaised(
                    "lr_at", {"type": "ValueError", "message": str(error)}
                ) from None
            self.table[tuple(sorted(kwargs.items()))] = value
            return value

    recorder = Recorder()
    for spec in specs_of("lr_schedule"):
        spec.function(submission=recorder, cases=Cases("lr_schedule", spec.name, "public"))
    table = {repr(k): v for k, v in recorder.table.items()}
    return (
        f"TABLE = {table!r}\n"
        "def lr_at(step, base_lr, warmup_steps, total_steps, decay='cosine', min_lr=0.0):\n"
        "    key = dict(step=step, base_lr=base_lr, warmup_steps=warmup_steps,\n"
        "               total_steps=total_steps, decay=decay, min_lr=min_lr)\n"
        "    answer = TABLE.get(repr(tuple(sorted(key.items()))), 0.0)\n"
        "    if answer == 'ValueError':\n"
        "        raise ValueError('replayed')\n"
        "    return answer\n"
    )


@pytest.fixture(scope="module")
def graded(tmp_path_factory, cli, summary_of):
    root = tmp_path_factory.mktemp("corpus")
    subs = root / "submissions"
    nb = corpus.notebook
    nb(subs / "correct" / "adam.ipynb", "adam", corpus.correct_source("adam"), manual_points=2)
    nb(subs / "correct" / "hessian.ipynb", "hessian", corpus.correct_source("hessian"))
    partial = corpus.correct_source("hessian").replace(
        "def escape_direction(H: Tensor) -> Tensor:",
        "def escape_direction(H: Tensor) -> Tensor:\n    raise NotImplementedError()",
    )
    nb(subs / "partial" / "hessian.ipynb", "hessian", partial)
    nb(subs / "release" / "adam.ipynb", "adam", corpus.stub_source("adam"))
    nb(subs / "release" / "dropout.ipynb", "dropout", corpus.stub_source("dropout"))
    nb(subs / "syntax" / "momentum.ipynb", "momentum", "def momentum_step(theta, grad:\n    pass\n")
    nb(subs / "missing" / "rmsprop.ipynb", "rmsprop", "def helper(x):\n    return x\n")
    renamed = corpus.correct_source("adagrad").replace("def adagrad_step(", "def adagrad_stp(")
    nb(subs / "renamed" / "adagrad.ipynb", "adagrad", renamed)
    raises = "def layer_norm(x, gamma, beta, eps=1e-5):\n    return x.mean(dim=2)\n"
    nb(subs / "raises" / "layernorm.ipynb", "layernorm", raises)
    delegates = (
        "def batchnorm_forward(x, gamma, beta, running_mean, running_var, training,"
        " momentum=0.1, eps=1e-5):\n"
        "    rm, rv = running_mean.clone(), running_var.clone()\n"
        "    y = F.batch_norm(x, rm, rv, gamma, beta, training, momentum, eps)\n"
        "    return y, rm, rv\n"
    )
    nb(subs / "delegates" / "batchnorm.ipynb", "batchnorm", delegates)
    nb(
        subs / "imports_reference" / "dropout.ipynb",
        "dropout",
        "from autograder.reference import dropout as _d\n"
        "def dropout(x, p, training, generator=None):\n"
        "    return _d(x, p, training, generator)\n",
    )
    hidden_delegation = (
        "def softmax(z, dim=-1):\n    return getattr(torch, 'soft' + 'max')(z, dim)\n"
        + "def cross_entropy(logits, target):\n    return logits.sum()\n"
    )
    nb(
        subs / "tripwire" / "softmax_cross_entropy.ipynb",
        "softmax_cross_entropy",
        hidden_delegation,
    )
    nb(subs / "hardcoded" / "lr_schedule.ipynb", "lr_schedule", hard_coded_lr_source())
    endless = (
        "def he_init(shape, generator=None, dtype=None, device=None):\n"
        "    while True:\n        pass\n"
    )
    nb(subs / "timeout" / "he_init.ipynb", "he_init", endless)
    nb(subs / "timeout" / "layernorm.ipynb", "layernorm", corpus.correct_source("layernorm"))
    nb(subs / "malformed" / "momentum.ipynb", "momentum", corpus.correct_source("momentum"))
    corpus.raw_notebook(subs / "malformed" / "lr_schedule.ipynb", b'{"cells": [')
    corpus.raw_notebook(subs / "malformed" / "04_adam" / "adam.ipynb", b"\x89PNG\r\n\x1a\n\x00\xff")
    corpus.raw_notebook(subs / "malformed" / "dropout.ipynb", {"nbformat": 3, "cells": []})
    nb(subs / "malformed" / "rmsprop.ipynb", "rmsprop", "x = 1", grade_ids=[None])
    nb(subs / "malformed" / "adagrad.ipynb", "adagrad", "# nothing yet\n")
    for exercise, key in CLI_VARIANTS.items():
        nb(subs / f"variant_{exercise}" / f"{exercise}.ipynb", exercise, corpus.variant_source(key))

    before = {p: hashlib.sha256(p.read_bytes()).hexdigest() for p in subs.rglob("*") if p.is_file()}
    out = root / "out"
    secret = root / "secret.txt"
    secret.write_text("corpus secret\n")
    proc = cli(
        "grade",
        str(subs),
        "--out",
        str(out),
        "--jobs",
        "2",
        "--timeout",
        "6",
        "--secret-file",
        str(secret),
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    after = {p: hashlib.sha256(p.read_bytes()).hexdigest() for p in subs.rglob("*") if p.is_file()}
    return {
        "out": out,
        "subs": subs,
        "secret": secret,
        "students": summary_of(out),
        "proc": proc,
        "unchanged": before == after,
    }


def exercise(graded, student, name):
    return graded["students"][student]["exercises"][name]


def messages(ex) -> str:
    return "\n".join(t["message"] for t in ex["tests"])


def test_correct_submission_earns_full_marks(graded):
    for name in ("adam", "hessian"):
        ex = exercise(graded, "correct", name)
        assert ex["score"] == ex["max_score"] == max_points(name), messages(ex)
    manual = exercise(graded, "correct", "adam")["manual"]
    assert manual == [
        {
            "exercise": "adam",
            "grade_id": "adam-written",
            "points": 2.0,
            "message": "manual grading needed",
            "score": None,  # pending until `written import`
            "answer": "My answer.",
        }
    ]
    assert graded["students"]["correct"]["score"] == max_points("adam") + max_points("hessian")


def test_partially_done(graded):
    ex = exercise(graded, "partial", "hessian")
    assert 0 < ex["score"] < ex["max_score"]
    assert "escape_direction: not implemented yet" in messages(ex)


def test_release_version_scores_zero_and_says_not_implemented(graded):
    for name, function in (("adam", "adam_step"), ("dropout", "dropout")):
        ex = exercise(graded, "release", name)
        assert ex["score"] == 0
        assert {t["status"] for t in ex["tests"]} == {"not implemented"}
        assert f"{function}: not implemented yet" in messages(ex)


def test_syntax_error_missing_renamed_and_raising(graded):
    ex = exercise(graded, "syntax", "momentum")
    assert ex["score"] == 0 and "SyntaxError" in messages(ex) and "line 1" in messages(ex)
    ex = exercise(graded, "missing", "rmsprop")
    assert ex["score"] == 0 and "rmsprop_step is not defined" in messages(ex)
    ex = exercise(graded, "renamed", "adagrad")
    assert ex["score"] == 0 and "`adagrad_stp`" in messages(ex)
    assert "did you rename it? Keep the name `adagrad_step`" in messages(ex)
    ex = exercise(graded, "raises", "layernorm")
    assert ex["score"] == 0 and "layer_norm raised IndexError" in messages(ex)
    assert "in layer_norm" in messages(ex)  # the traceback points into the learner's cell


def test_delegation_earns_nothing_and_says_why(graded):
    ex = exercise(graded, "delegates", "batchnorm")
    assert ex["score"] == 0 and {t["status"] for t in ex["tests"]} == {"delegated"}
    assert "torch.nn.functional.batch_norm" in messages(ex) and "write yourself" in messages(ex)
    ex = exercise(graded, "imports_reference", "dropout")
    assert ex["score"] == 0 and "imports `autograder`" in messages(ex)
    ex = exercise(graded, "tripwire", "softmax_cross_entropy")  # invisible to the static scan
    assert ex["score"] == 0 and {t["status"] for t in ex["tests"]} == {"delegated"}
    assert "`aten::_softmax`" in messages(ex) and "write yourself" in messages(ex)


def test_hard_coded_public_answers_fail_the_hidden_cases(graded):
    ex = exercise(graded, "hardcoded", "lr_schedule")
    assert ex["score"] == 0 and "[hidden case]" in messages(ex)
    assert "[public case]" not in messages(ex)


def test_timeout_costs_only_that_exercise(graded):
    ex = exercise(graded, "timeout", "he_init")
    assert ex["score"] == 0 and "did not finish within the 6 s" in messages(ex)
    ex = exercise(graded, "timeout", "layernorm")
    assert ex["score"] == ex["max_score"]


def test_malformed_notebooks_cost_only_their_exercise(graded):
    student = graded["students"]["malformed"]
    assert exercise(graded, "malformed", "momentum")["score"] == max_points("momentum")
    expected = {
        "lr_schedule": "invalid JSON at line 1",
        "adam": "not UTF-8 text",
        "dropout": "nbformat 3",
        "rmsprop": "has no grade_id",
        "adagrad": "contain no code",
    }
    for name, text in expected.items():
        ex = student["exercises"][name]
        assert ex["score"] == 0 and text in (ex["problem"] or ""), ex["problem"]
        assert all(text in t["message"] for t in ex["tests"])


@pytest.mark.parametrize("exercise_name", sorted(CLI_VARIANTS))
def test_misconceptions_lose_points_and_are_named(graded, exercise_name):
    key = CLI_VARIANTS[exercise_name]
    ex = exercise(graded, f"variant_{exercise_name}", exercise_name)
    assert ex["score"] < ex["max_score"]
    assert key in {t["misconception"] for t in ex["tests"]}
    from autograder.misconceptions import get

    assert get(key).summary in messages(ex)


def test_outputs(graded):
    out = graded["out"]
    assert graded["unchanged"], "the CLI modified a submission"
    rows = (out / "gradebook.csv").read_text().splitlines()
    header = rows[0].split(",")
    submitted = {name for s in graded["students"].values() for name in s["exercises"]}
    columns = sorted(submitted, key=course_order)  # assignments in course order
    assert header == ["student_id", *map(assignment_of, columns), "total", "pending"]
    assert len(rows) == 1 + len(graded["students"])
    by_student = {row.split(",")[0]: row.split(",") for row in rows[1:]}
    for student, result in graded["students"].items():  # not submitted = empty, never "0"
        for name, cell in zip(columns, by_student[student][1:-2], strict=True):
            assert (cell == "") == (name not in result["exercises"]), (student, name)
    results = json.loads((out / "students" / "correct" / "results.json").read_text())
    assert results["score"] == graded["students"]["correct"]["score"]
    for test in results["tests"]:
        assert set(test) >= {"name", "output", "visibility"}
        if "manual grading needed" in test["name"]:  # left for the staff: unscored
            assert not set(test) & {"score", "max_score", "status"}
        else:
            assert set(test) >= {"score", "max_score", "status"}
            assert test["status"] in ("passed", "failed")
    assert "**Score: " in (out / "students" / "correct" / "feedback.md").read_text()
    assert "<html" in (out / "students" / "variant_adam" / "feedback.html").read_text()
    assert not list(out.rglob(".*.tmp*")) and not list(out.rglob(".*feedback*"))
    assert "grading" in graded["proc"].stdout  # the progress bar goes to stdout


def test_hidden_inputs_never_leak(graded):
    ex = exercise(graded, "hardcoded", "lr_schedule")
    hidden = [t["message"] for t in ex["tests"]]
    assert all("step=<int>" in m and "base_lr=<float>" in m for m in hidden)
    assert not any(re.search(r"\d\.\d", m.split("]")[0]) for m in hidden)


@pytest.mark.parametrize("student", ["correct", "partial", "delegates", "tripwire", "malformed"])
def test_pytest_autograder_gives_the_batch_graders_scores(graded, student):
    """`pytest autograder --submission` (for maintainers) runs the same checks as the CLI."""
    proc = subprocess.run(
        [
            sys.executable, "-m", "pytest", "autograder", "-p", "no:randomly",
            "-p", "no:cacheprovider", "-q", "--submission", str(graded["subs"] / student),
            "--student-id", student, "--secret-file", str(graded["secret"]),
            "--exercise-timeout", "6",
        ],
        cwd=ROOT, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    summary = proc.stdout.split(" autograder ")[-1]
    scores = dict(re.findall(r"^(\w+): (\S+) / \S+$", summary, flags=re.MULTILINE))
    expected = graded["students"][student]["exercises"]
    readable = {e for e, ex in expected.items() if ex["tests"]}
    assert {e: float(v) for e, v in scores.items() if e != "total"} == {
        e: expected[e]["score"] for e in readable
    }, proc.stdout[-3000:]
    full = all(expected[e]["score"] == expected[e]["max_score"] for e in readable)
    assert proc.returncode == (0 if full else 1), proc.stdout[-3000:]
