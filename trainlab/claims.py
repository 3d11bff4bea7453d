"""Claims that the build checks: a chapter states a claim, measures, then calls `claim`.

A chapter's prose says **Claim.** before an experiment; the code after the experiment calls
`claim(text, holds, evidence)` with the measured condition. When the measurement contradicts
the claim, the cell raises, the notebook fails to execute, and so the book build fails: the
prose can never say the opposite of what its own cell printed.
"""

from __future__ import annotations


class ClaimFailed(AssertionError):
    """Raised when a chapter's measured result contradicts the claim its prose makes."""


def claim(text: str, holds: bool, evidence: str = "") -> None:
    """Check a chapter's claim against its measurement and print one line saying it held.

    `holds` is the claim written as a condition on the measured numbers, with its margin
    inside it (e.g. ``loss_momentum < 0.8 * loss_plain``); `evidence` names the numbers the
    condition compared, so the page shows what was measured. Raises `ClaimFailed` otherwise.
    Returns nothing, so a claim as a cell's last line is not displayed twice.
    """
    if not isinstance(holds, bool):
        holds = bool(holds)  # numpy and torch booleans
    detail = f" ({evidence})" if evidence else ""
    if not holds:
        raise ClaimFailed(f"claim contradicted by the measurement: {text}{detail}")
    print(f"✓ claim held: {text}{detail}")
