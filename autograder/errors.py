"""What can go wrong with a submission, each with the sentence the learner reads.

These exceptions are raised in the judge (by the submission proxies and the notebook reader)
and turned into feedback by the pytest plugin and the notebook `check`; none of them is a bug
of the grader. A check that fails raises `CheckFailure` (through `autograder.judge`).
Importing this module is cheap: no torch.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from autograder.misconceptions import Variant


class SubmissionError(Exception):
    """Base class: `learner_message` is shown as feedback; `status` names the kind."""

    status = "error"

    @property
    def learner_message(self) -> str:
        return str(self)


class NotImplementedYet(SubmissionError):
    status = "not implemented"

    def __init__(self, function: str) -> None:
        super().__init__(f"{function}: not implemented yet")
        self.function = function


class LearnerRaised(SubmissionError):
    """The learner's function raised an exception (its traceback is limited to their cells)."""

    status = "raised"

    def __init__(self, function: str, error: dict[str, Any], note: str | None = None) -> None:
        self.function = function
        self.error = error
        kind, message = error.get("type", "Exception"), error.get("message", "")
        text = f"{function} raised {kind}: {message}".rstrip(": ")
        trace = error.get("traceback") or ""
        if trace and trace.strip() != f"{kind}: {message}".strip():
            text += "\n" + trace
        if note:
            text += "\n" + note
        super().__init__(text)


class MissingFunction(SubmissionError):
    status = "missing"

    def __init__(
        self,
        function: str,
        candidates: list[str] | None = None,
        cell_errors: list[str] | None = None,
        note: str | None = None,
    ) -> None:
        self.function = function
        text = f"{function} is not defined by your solution cells"
        if cell_errors:
            text += " (a solution cell failed: " + "; ".join(cell_errors) + ")"
        elif candidates:
            names = ", ".join(f"`{c}`" for c in candidates)
            text += f"; they define {names}: did you rename it? Keep the name `{function}`"
        super().__init__(text + "." + (f" {note}" if note else ""))


class InputModified(SubmissionError):
    """The learner's function changed one of its input tensors in place (the contracts forbid
    it: every exercise returns new tensors)."""

    status = "failed"

    def __init__(self, function: str, names: list[str]) -> None:
        self.function = function
        self.names = names
        listed = ", ".join(f"`{n}`" for n in names)
        super().__init__(
            f"{function} modified its input {listed} in place; the contract says the inputs are "
            "left unchanged. Compute new tensors (`m = beta * m + g`, not `m.mul_(beta)` or "
            "`m += g`) and return them."
        )


class SandboxFailure(SubmissionError):
    """The child timed out, hit a resource limit, or exited: the rest of the exercise is lost."""

    status = "crashed"


class Timeout(SandboxFailure):
    status = "timeout"


class Delegation(SubmissionError):
    """The solution calls the routine the exercise asks the learner to write."""

    status = "delegated"

    def __init__(self, sentences: list[str]) -> None:
        self.sentences = sentences
        super().__init__(
            " ".join(sentences) + " This exercise earns no points until you remove it."
        )


class NotebookProblem(SubmissionError):
    """The notebook file cannot be graded for this exercise (malformed, no solution cells...)."""

    status = "malformed"


class CheckFailure(AssertionError):
    """A check failed: `learner_message` says what is wrong; `misconception` may name why."""

    status = "failed"

    def __init__(self, message: str, misconception: Variant | None = None):
        super().__init__(message)
        self.message = message
        self.misconception = misconception

    @property
    def learner_message(self) -> str:
        if self.misconception is None:
            return self.message
        from autograder.i18n import KNOWN_MISTAKE, _

        return f"{self.message}\n" + _(KNOWN_MISTAKE).format(advice=self.misconception.advice)
