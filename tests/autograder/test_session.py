"""GradingSession: one learner's notebooks, a sandbox per exercise, every check run against it."""

import autograder_corpus as corpus
import pytest

from autograder.runner import specs_of
from autograder.session import GradingSession

pytestmark = pytest.mark.slow

DELEGATES = (
    "def batchnorm_forward(x, gamma, beta, running_mean, running_var, training,"
    " momentum=0.1, eps=1e-5):\n"
    "    rm, rv = running_mean.clone(), running_var.clone()\n"
    "    return F.batch_norm(x, rm, rv, gamma, beta, training, momentum, eps), rm, rv\n"
)


def test_run_gives_every_check_of_the_exercise_in_source_order(tmp_path):
    corpus.notebook(tmp_path / "momentum.ipynb", "momentum", corpus.correct_source("momentum"))
    session = GradingSession.create([tmp_path / "momentum.ipynb"], "dana")
    results = session.run("momentum")
    assert [r.name for r in results] == [s.name for s in specs_of("momentum")]
    assert all(r.status == "passed" and r.score == r.points for r in results)
    sandbox = session.sandboxes["momentum"]
    assert sandbox.process.poll() is not None and sandbox.workdir is None  # closed


def test_wrong_work_loses_points_with_the_learners_message(tmp_path):
    wrong = "def momentum_step(theta, grad, movement, lr, momentum):\n    return theta, movement\n"
    corpus.notebook(tmp_path / "momentum.ipynb", "momentum", wrong)
    results = GradingSession.create([tmp_path / "momentum.ipynb"], "eli").run("momentum")
    assert sum(r.score for r in results) == 0
    assert all(r.status == "failed" and "momentum_step" in r.message for r in results)


def test_a_notebook_problem_fails_every_check_with_its_message(tmp_path):
    for name in ("a.ipynb", "b.ipynb"):
        corpus.notebook(tmp_path / name, "momentum", corpus.correct_source("momentum"))
    session = GradingSession.create([tmp_path], "fay")
    results = session.run("momentum")
    assert len(results) == len(specs_of("momentum"))
    assert all(r.score == 0 and "two notebooks are for the exercise" in r.message for r in results)
    assert "momentum" not in session.sandboxes  # nothing was started


def test_delegation_zeroes_the_whole_exercise(tmp_path):
    corpus.notebook(tmp_path / "batchnorm.ipynb", "batchnorm", DELEGATES)
    results = GradingSession.create([tmp_path / "batchnorm.ipynb"], "gus").run("batchnorm")
    assert {r.status for r in results} == {"delegated"} and sum(r.score for r in results) == 0
    assert "`torch.nn.functional.batch_norm` (line 3" in results[0].message


def test_the_learner_may_not_read_the_inputs_the_output_or_the_secret(tmp_path):
    nb = corpus.notebook(tmp_path / "in" / "momentum.ipynb", "momentum", "x = 1\n")
    secret = tmp_path / "secret.txt"
    secret.write_text("s3cret\n")
    session = GradingSession.create(
        [tmp_path / "in"], "hal", secret_file=secret, hide=[tmp_path / "out"], timeout=7
    )
    assert set(session.limits.hide) == {str(tmp_path / p) for p in ("in", "out", "secret.txt")}
    assert session.limits.timeout == 7 and session.secret == b"s3cret"
    assert list(session.works) == ["momentum"] and session.works["momentum"].path == str(nb)
