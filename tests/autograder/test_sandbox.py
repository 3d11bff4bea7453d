"""The sandbox: learner code runs in a limited child process and cannot hurt the judge."""

import os

import pytest
import torch

from autograder.errors import (
    LearnerRaised,
    MissingFunction,
    NotImplementedYet,
    SandboxFailure,
    Timeout,
)
from autograder.limits import Limits
from autograder.sandbox import RemoteSubmission, Sandbox

pytestmark = pytest.mark.slow

MANY = """
import os, sys
def add(a, b):
    return a + b
def boom(x):
    return helper(x)
def helper(x):
    raise ValueError(f"bad input {x}")
def todo():
    raise NotImplementedError()
def env():
    return sorted(os.environ)
def secret():
    return os.environ.get("AUTOGRADER_SECRET")
def whoami():
    return (os.getuid(), os.getcwd(), sorted(os.listdir(".")))
def network():
    import socket
    socket.create_connection(("1.1.1.1", 80), timeout=2)
def sneaky_import():
    import autograder.reference
def cheat():
    torch.allclose = lambda *a, **k: True
    import numpy.testing
    numpy.testing.assert_allclose = lambda *a, **k: None
    return torch.zeros(3)
def quit_now():
    sys.exit(3)
def adam_stepp():
    pass
print("x" * 10_000_000)
"""


@pytest.fixture(scope="module")
def many():
    os.environ["AUTOGRADER_SECRET"] = "do-not-leak"
    sandbox = Sandbox("adam", [("adam-solution", MANY)], Limits(timeout=30))
    try:
        sandbox.start()
        yield RemoteSubmission(sandbox)
    finally:
        os.environ.pop("AUTOGRADER_SECRET", None)
        sandbox.close()


def test_calls_return_plain_data(many):
    x = torch.arange(3.0)
    assert torch.equal(many.add(x, x), 2 * x)
    assert many.add("sad", "dle") == "saddle"


def test_learner_exceptions_come_back_structured(many):
    with pytest.raises(LearnerRaised) as info:
        many.boom(3)
    message = info.value.learner_message
    assert "ValueError: bad input 3" in message and "in helper" in message
    assert "autograder" not in message.replace("<cell adam-solution>", "")
    with pytest.raises(NotImplementedYet, match="todo: not implemented yet"):
        many.todo()
    with pytest.raises(LearnerRaised, match="exit"):
        many.quit_now()
    assert many.add(1, 2) == 3  # the child survived all of that


def test_missing_and_renamed_functions(many):
    with pytest.raises(MissingFunction, match="did you rename it") as info:
        many.adam_step()
    assert "`adam_stepp`" in str(info.value)
    with pytest.raises(MissingFunction):
        many.nothing_like_this()


def test_scrubbed_environment_and_identity(many):
    env = many.env()
    assert "AUTOGRADER_SECRET" not in env and many.secret() is None
    assert not any("work/main" in value for value in env)
    uid, cwd, listing = many.whoami()
    if os.geteuid() == 0:
        assert uid >= 1 << 30  # a uid of its own (worker.UID_BASE + pid)
    assert cwd.startswith("/tmp") and listing == []
    report = many.sandbox.report
    assert "RLIMIT_CPU" in report["rlimits"] and "RLIMIT_NOFILE" in report["rlimits"]


def test_no_network_and_no_grader(many):
    with pytest.raises(LearnerRaised, match="OSError|Network|network"):
        many.network()
    with pytest.raises(LearnerRaised, match="not available while grading"):
        many.sneaky_import()


def test_huge_output_is_capped(many):
    output = many.sandbox.output
    assert len(output) < 100_000 and "more bytes of output not kept" in output


def test_monkeypatching_in_the_child_changes_nothing_here(many):
    many.cheat()
    assert not torch.allclose(torch.zeros(1), torch.ones(1))


def _start(source, timeout=30.0, cell="x-solution"):
    sandbox = Sandbox("adam", [(cell, source)], Limits(timeout=timeout))
    sandbox.start()
    return sandbox


def test_an_endless_loop_times_out():
    sandbox = _start("def f():\n    while True:\n        pass\n", timeout=2.0)
    try:
        with pytest.raises(Timeout, match="did not finish within the 2 s"):
            RemoteSubmission(sandbox).f()
        with pytest.raises(SandboxFailure):  # the rest of the exercise is lost, quickly
            RemoteSubmission(sandbox).f()
        assert sandbox.process.poll() is not None  # killed, with its process group
    finally:
        sandbox.close()


def test_exit_in_a_solution_cell():
    sandbox = _start("import sys\ndef f():\n    return 1\nsys.exit(0)\n")
    try:
        assert sandbox.cell_outcomes[0].error["type"] == "SystemExit"
        assert RemoteSubmission(sandbox).f() == 1
    finally:
        sandbox.close()
    sandbox = Sandbox("adam", [("x-solution", "import os\nos._exit(7)\n")], Limits(timeout=30))
    try:
        with pytest.raises(SandboxFailure, match="exit code 7"):
            sandbox.start()
    finally:
        sandbox.close()


def test_a_syntax_error_is_reported_with_its_line():
    sandbox = _start("def f(:\n    return 1\n", cell="adam-solution")
    try:
        error = sandbox.cell_outcomes[0].error
        assert error["type"] == "SyntaxError" and error["line"] == 1
        with pytest.raises(MissingFunction, match="SyntaxError"):
            RemoteSubmission(sandbox).f()
    finally:
        sandbox.close()


def test_memory_limit():
    source = "def grab():\n    return len(bytearray(8 << 30))\n"
    sandbox = Sandbox("adam", [("x-solution", source)], Limits(timeout=30, memory_bytes=3 << 30))
    sandbox.start()
    try:
        with pytest.raises((LearnerRaised, SandboxFailure), match="MemoryError|memory"):
            RemoteSubmission(sandbox).grab()
    finally:
        sandbox.close()


def test_a_working_folder_is_named_after_its_judge():
    sandbox = Sandbox("adam", [("adam-solution", "x = 1\n")], Limits(timeout=30))
    try:
        sandbox.start()
        assert os.path.basename(sandbox.workdir).startswith(f"autograder-{os.getpid()}-")
    finally:
        sandbox.close()


FORGERS = """
import os, struct, sys

def _reply_fd():
    frame = sys._getframe()
    while frame is not None and "out_fd" not in frame.f_locals:
        frame = frame.f_back
    return frame.f_locals["out_fd"]

def forge(header):
    data = header.encode()
    os.write(_reply_fd(), struct.pack("<4sIQ", b"AGP1", len(data), 0) + data)
    return 0

def huge():
    return torch.zeros(8 << 20)  # 32 MiB: far over the bound of a 1-number request
"""

GARBAGE = {
    "overflowing float": '{"kind":"result","meta":{},"payload":{"t":"float","v":"0x1p9999"}}',
    "error report of the wrong type": '{"kind":"raised","meta":{"error":"x"}}',
    "tripped is not a list": '{"kind":"result","meta":{"tripped":{"a":1}}}',
    "unknown reply kind": '{"kind":"hello","meta":{}}',
}


@pytest.mark.parametrize("header", GARBAGE.values(), ids=GARBAGE.keys())
def test_a_forged_reply_is_the_students_protocol_error(header):
    sandbox = Sandbox("adam", [("adam-solution", FORGERS)], Limits(timeout=30))
    try:
        sandbox.start()
        submission = RemoteSubmission(sandbox)
        with pytest.raises(SandboxFailure, match="sent garbage"):
            submission.forge(header)
        assert sandbox.process.poll() is not None  # the child was killed
    finally:
        sandbox.close()


def test_a_reply_far_larger_than_asked_is_refused_unread():
    sandbox = Sandbox("adam", [("adam-solution", FORGERS)], Limits(timeout=30))
    try:
        sandbox.start()
        with pytest.raises(SandboxFailure, match="at most"):
            RemoteSubmission(sandbox).huge()
    finally:
        sandbox.close()


def test_many_failing_cells_with_long_messages_still_load():
    """The `loaded` reply may hold a long error per cell (non-ASCII, JSON-escaped): 300 cells
    of them are over the 4 MiB floor of a reply, and are still accepted."""
    cells = [(f"c{i}", "raise ValueError('é' * 5000)") for i in range(300)]
    cells.append(("adam-solution", "def f():\n    return 1\n"))
    sandbox = Sandbox("adam", cells, Limits(timeout=60))
    try:
        sandbox.start()
        submission = RemoteSubmission(sandbox)
        assert len(submission.cell_errors()) == 300
        assert submission.f() == 1
    finally:
        sandbox.close()
