"""`check()` is the grader minus the hidden cases: solution cells only, after the grader's
preamble, in a fresh namespace; both say where a helper must live; the contracts' rules
(inputs unchanged, ValueError on invalid arguments) cost points in both, with a clear message."""

import linecache

import autograder_corpus as corpus
import pytest

import autograder
from autograder import notebook
from autograder.session import GradingSession
from autograder.solution_cells import helper_rule

HELPER = (
    "def update_moments(m, v, grad, beta1, beta2):\n"
    "    return beta1 * m + (1 - beta1) * grad, beta2 * v + (1 - beta2) * grad * grad\n"
)
USES_HELPER = (
    "def adam_step(theta, grad, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):\n"
    "    if t < 1:\n"
    "        raise ValueError('t >= 1')\n"
    "    m, v = update_moments(m, v, grad, beta1, beta2)\n"
    "    m_hat, v_hat = m / (1 - beta1**t), v / (1 - beta2**t)\n"
    "    return theta - lr * m_hat / (torch.sqrt(v_hat) + eps), m, v\n"
)


@pytest.fixture
def kernel(monkeypatch, tmp_path):
    """A learner's kernel namespace, with the working directory of its notebook."""
    ns: dict = {"__name__": "__main__"}
    monkeypatch.setattr(notebook, "_namespace", lambda: ns)
    monkeypatch.chdir(tmp_path)
    return ns


def _run_cells(ns, *sources):
    """What the kernel did: run the notebook's cells in its own namespace."""
    for source in ("import math\nimport torch\n", *sources):
        exec(source, ns)


def test_a_helper_outside_the_solution_cells_fails_check_and_says_where_it_must_live(
    kernel, tmp_path, capsys
):
    corpus.notebook(tmp_path / "adam.ipynb", "adam", USES_HELPER, other_cells=[HELPER])
    _run_cells(kernel, HELPER, USES_HELPER)  # in the kernel everything is defined
    result = autograder.check("adam")
    out = capsys.readouterr().out
    # even the ValueError check fails: its valid call (t = 1) needs the helper
    assert [t.name for t in result.tests if t.passed] == [], out
    assert helper_rule("update_moments") in out
    with pytest.raises(AssertionError, match="is not defined in any solution cell"):
        autograder.run_graded_test("adam", "test_first_step")


def test_the_isolated_grader_says_the_same_sentence(tmp_path):
    nb = corpus.notebook(tmp_path / "adam.ipynb", "adam", USES_HELPER, other_cells=[HELPER])
    results = [r for r in GradingSession.create([nb], "ivy").run("adam") if not r.passed]
    assert sum(r.points for r in results) == 10
    assert all(helper_rule("update_moments") in r.message for r in results), results[0].message


def test_a_helper_in_a_solution_cell_passes_both(kernel, tmp_path, capsys):
    nb = corpus.notebook(tmp_path / "adam.ipynb", "adam", [HELPER, USES_HELPER])
    _run_cells(kernel, HELPER, USES_HELPER)
    assert autograder.check("adam").passed, capsys.readouterr().out
    results = GradingSession.create([nb], "ivy").run("adam")
    assert all(r.passed for r in results), [r.message for r in results if not r.passed]


def test_the_function_itself_outside_the_solution_cells(kernel, tmp_path, capsys):
    corpus.notebook(tmp_path / "adam.ipynb", "adam", "x = 1\n", other_cells=[HELPER + USES_HELPER])
    _run_cells(kernel, HELPER + USES_HELPER)
    result = autograder.check("adam")
    out = capsys.readouterr().out
    assert result.score == 0 and "adam_step is not defined by your solution cells" in out
    assert helper_rule("adam_step") in out


def test_check_runs_the_cell_the_kernel_ran_last_not_the_stale_saved_one(kernel, tmp_path, capsys):
    """Edited and run, not saved: the solution cell defining adam_step is taken from the kernel
    (IPython keeps each cell's source in linecache under an ipykernel file name)."""
    stub = "def adam_step(theta, grad, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):\n"
    stub += "    raise NotImplementedError()\n"
    corpus.notebook(tmp_path / "adam.ipynb", "adam", [HELPER, stub])
    filename = "/tmp/ipykernel_0/4242.py"
    linecache.cache[filename] = (len(USES_HELPER), None, USES_HELPER.splitlines(True), filename)
    try:
        _run_cells(kernel, HELPER)
        exec(compile(USES_HELPER, filename, "exec"), kernel)
        result = autograder.check("adam")
    finally:
        del linecache.cache[filename]
    assert result.passed, capsys.readouterr().out


def test_a_stray_kernel_global_is_not_seen(kernel, tmp_path, capsys):
    """The kernel's globals (here a `BETA1` set in an experiment cell) are not the grader's."""
    uses_global = USES_HELPER.replace("beta1=0.9, ", "beta1=None, ").replace(
        "    if t < 1:", "    beta1 = BETA1\n    if t < 1:"
    )
    corpus.notebook(tmp_path / "adam.ipynb", "adam", [HELPER, uses_global])
    _run_cells(kernel, "BETA1 = 0.9\n", HELPER, uses_global)
    result = autograder.check("adam")
    out = capsys.readouterr().out
    assert result.score < result.max and helper_rule("BETA1") in out


IN_PLACE = corpus.CONTRACT_BREAKERS["momentum"]["in_place"]
NO_VALUE_ERROR = corpus.CONTRACT_BREAKERS["adam"]["no_value_error"]


def test_modifying_an_input_in_place_loses_points_in_check_and_in_the_grader(
    kernel, tmp_path, capsys
):
    nb = corpus.notebook(tmp_path / "momentum.ipynb", "momentum", IN_PLACE)
    _run_cells(kernel, IN_PLACE)
    local = autograder.check("momentum")
    out = capsys.readouterr().out
    graded = GradingSession.create([nb], "kim").run("momentum")
    for score, messages in ((local.score, out), (sum(r.score for r in graded), graded[0].message)):
        assert score == 0
        assert "modified its input `movement` in place" in messages
        assert "the contract says the inputs are left unchanged" in messages


def test_adam_without_the_value_error_loses_the_point_in_check_and_in_the_grader(
    kernel, tmp_path, capsys
):
    nb = corpus.notebook(tmp_path / "adam.ipynb", "adam", NO_VALUE_ERROR)
    _run_cells(kernel, NO_VALUE_ERROR)
    local = autograder.check("adam")
    out = capsys.readouterr().out
    graded = {r.name: r for r in GradingSession.create([nb], "lee").run("adam")}
    assert local.score == local.max - 1 == 9
    assert sum(r.score for r in graded.values()) == 9
    failed = graded["test_rejects_t_below_one"]
    assert failed.score == 0 and "instead of raising ValueError" in failed.message
    assert "the contract: raise ValueError if t < 1" in failed.message
    assert "✗ test_rejects_t_below_one" in out


ALWAYS_RAISES = (
    "def adam_step(theta, grad, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):\n"
    "    raise ValueError('no')\n"
)


def test_a_function_that_always_raises_value_error_earns_nothing(tmp_path):
    """The ValueError point rewards rejecting what the contract rejects, not raising on every
    call: the same call with valid arguments must not raise."""
    nb = corpus.notebook(tmp_path / "adam.ipynb", "adam", ALWAYS_RAISES)
    graded = {r.name: r for r in GradingSession.create([nb], "lee").run("adam")}
    assert sum(r.score for r in graded.values()) == 0
    failed = graded["test_rejects_t_below_one"]
    assert "raised ValueError for arguments the contract accepts" in failed.message
