"""The report: findings ranked by confidence as text (for a terminal) or as a JSON-able dict."""

from __future__ import annotations

import json
import math
from typing import Any

from trainlab.doctor.causes import CAUSES, HEALTHY
from trainlab.doctor.rules import REPORT_THRESHOLD, Finding


def reported(findings: list[Finding]) -> list[Finding]:
    """The findings at or above the report threshold, highest confidence first."""
    return [f for f in findings if f.confidence >= REPORT_THRESHOLD]


def as_dict(findings: list[Finding], record: dict, error: str | None = None) -> dict:
    """`{"findings": [...], "healthy": bool, "diagnosis": cause id, "below_threshold": [...],
    "error": str | None, "instruments": record}`."""
    shown = reported(findings)
    return {
        "findings": [f.to_dict() for f in shown],
        "healthy": not shown,
        "diagnosis": shown[0].cause if shown else HEALTHY,
        "report_threshold": REPORT_THRESHOLD,
        "below_threshold": [f.to_dict() for f in findings if f not in shown],
        "error": error,
        "instruments": record,
    }


def as_text(findings: list[Finding], record: dict, error: str | None = None) -> str:
    """A plain-text report: what was observed, then each finding with evidence, fix, chapter."""
    opt = (
        ", ".join(f"{o['type']}(lr={o.get('lr')})" for o in record["optimizers"])
        or "no optimizer step seen"
    )
    lines = [
        "",
        "=" * 72,
        "training doctor",
        f"observed {record['steps']} optimizer steps, {record['forwards']} forwards, "
        f"{sum(1 for layer in record['layers'] if layer['params'])} layers with parameters; "
        f"{opt}",
    ]
    if error:
        lines.append(f"the script stopped with an error: {error}")
        lines.append("(the report covers what ran before it)")
    shown = reported(findings)
    if not shown:
        lines.append(f"\nhealthy: no finding reaches confidence {REPORT_THRESHOLD}.")
        lines.append(f"  next: {CAUSES[HEALTHY].fix}")
    for i, f in enumerate(shown, 1):
        lines.append(f"\n{i}. {f.cause}: {CAUSES[f.cause].title} (confidence {f.confidence:.2f})")
        lines.append(f"   evidence: {f.evidence}")
        if f.confirmation:
            lines.append(f"   check:    {f.confirmation}")
        if f.explained_by:
            lines.append(f"   (may be a symptom of {f.explained_by})")
        lines.append(f"   fix:      {f.fix}")
        lines.append(f"   chapter:  {f.chapter}")
    weak = [f for f in findings if f not in shown]
    if weak:
        lines.append("\nbelow the threshold: " + ", ".join(
            f"{f.cause} ({f.confidence:.2f}" + (f", explained by {f.explained_by})"
                                               if f.explained_by else ")") for f in weak
        ))  # fmt: skip
    lines.append("=" * 72)
    return "\n".join(lines)


def _finite(obj: Any) -> Any:
    if isinstance(obj, float) and not math.isfinite(obj):
        return None
    if isinstance(obj, dict):
        return {k: _finite(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [_finite(v) for v in obj]
    return obj


def to_json(report: dict) -> str:
    """Strict JSON (no NaN/Infinity literals): a non-finite number, such as the loss of a
    diverged run, is written as null."""
    return json.dumps(_finite(report), indent=1, allow_nan=False, default=str)
