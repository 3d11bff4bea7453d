"""The grader of "Why won't my network train?" (see autograder/README.md).

Learners call `check`, `run_graded_test` and `not_implemented_ok` from their notebooks;
instructors run `python -m autograder grade ...`. Importing this package is cheap: everything
is loaded on first use.
"""

from typing import TYPE_CHECKING, Any

__all__ = ["check", "not_implemented_ok", "run_graded_test"]

if TYPE_CHECKING:
    from autograder.notebook import check, not_implemented_ok, run_graded_test


def __getattr__(name: str) -> Any:
    if name in __all__:
        from autograder import notebook

        return getattr(notebook, name)
    raise AttributeError(f"module 'autograder' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(list(globals()) + __all__)
