"""Feedback a learner can read: Markdown and HTML from one outline, bounded, unforgeable.

- One outline (`outline`) feeds both formats: a title, the score line
  ("23 / 30, 6 written points pending"), then each exercise in course order (its assignment
  name first), its notes (notebooks ignored), its checks and its written answers.
- Repeated messages are folded: a failure shared by several checks is shown once, under the
  first, with "same failure in 4 checks"; later checks say "same failure as `test_x`".
- Long tensor dumps in messages are summarized (`summarize_tensors`: shape, dtype, first
  values); the judge's own messages already give the largest difference.
- Chapter paths become website URLs (`autograder.website`).
- Learner-controlled text (exception messages, file names, grade ids, the student id) can never
  forge the structure: messages are fenced code blocks whose fence is longer than any backtick
  run inside, single-line texts have Markdown's special characters escaped, and the HTML
  escapes everything it did not write itself.
- Every file is bounded: at most `MAX_FEEDBACK_BYTES` (200 KB) of UTF-8, whatever the
  submission (each message is cut at `MAX_MESSAGE_CHARS`, then items past the budget are
  replaced by one line saying how many were left out).
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable
from dataclasses import dataclass

from autograder.assignments import assignment_of, course_order
from autograder.i18n import _
from autograder.results import ExerciseResult, StudentResult, score_line
from autograder.website import link_chapters

MAX_FEEDBACK_BYTES = 200_000
MAX_MESSAGE_CHARS = 3_000
MAX_LINE_CHARS = 300
TENSOR_SHOWN_UP_TO = 240  # characters of a tensor literal kept verbatim
FIRST_VALUES = 6
PASSED, FAILED, MANUAL = "✓", "✗", "☐"


@dataclass(frozen=True)
class Block:
    """One piece of the outline. kind: title | score | heading | warn | item | code | line."""

    kind: str
    text: str  # trusted Markdown (docstrings, our sentences) for item/score/heading/line
    raw: str = ""  # learner-controlled text: a name (item), a message (code), a problem (warn)


# --- learner text -------------------------------------------------------------------------


def one_line(text: str, limit: int = MAX_LINE_CHARS) -> str:
    """A learner-controlled text as one line of plain Markdown: whitespace collapsed (so no
    line of it can start a heading, a list or a fence), cut at `limit`, and the characters
    that format inline text (code, emphasis, links, HTML, tables) backslash-escaped."""
    text = " ".join(str(text).split())
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    return re.sub(r"([\\`*_\[\]<>|~])", r"\\\1", text)


def fence(text: str) -> str:
    """`text` as a fenced code block that nothing inside can close."""
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    bar = "`" * max(3, longest + 1)
    return f"{bar}text\n{text}\n{bar}"


def _cut(text: str, limit: int = MAX_MESSAGE_CHARS) -> str:
    if len(text) <= limit:
        return text
    return text[:limit] + f"\n… ({len(text) - limit} more characters not shown)"


def _close(text: str, start: int) -> int:
    """Index just past the parenthesis closing the one before `text[start]`, or -1."""
    depth = 1
    for i in range(start, len(text)):
        c = text[i]
        if c in "([":
            depth += 1
        elif c in ")]":
            depth -= 1
            if depth == 0:
                return i + 1
    return -1


def summarize_tensors(text: str) -> str:
    """Each printed tensor longer than `TENSOR_SHOWN_UP_TO` characters, as
    `tensor(<shape (64, 10), float32; first values 0.1, 0.2, …>)`: the values a learner needs,
    not a dump. The shape is "≥ n values" when torch itself elided entries ("...")."""
    out, pos = [], 0
    for match in re.finditer(r"tensor\(", text):
        if match.start() < pos:
            continue
        end = _close(text, match.end())
        if end < 0 or end - match.start() <= TENSOR_SHOWN_UP_TO:
            continue
        body = text[match.end() : end - 1]
        dtype = re.search(r"dtype=torch\.(\w+)", body)
        values = re.findall(r"-?(?:\d+\.?\d*(?:e[+-]?\d+)?|inf|nan)", body.split("dtype=")[0])
        depth = len(body) - len(body.lstrip("["))
        shape = _shape(body) if "..." not in body else None
        described = f"shape {shape}" if shape else f"{depth}-D, ≥ {len(values)} values"
        first = ", ".join(values[:FIRST_VALUES]) + (", …" if len(values) > FIRST_VALUES else "")
        kind = dtype.group(1) if dtype else "float32"
        out.append(text[pos : match.start()])
        out.append(f"tensor(<{described}, {kind}; first values {first}>)")
        pos = end
    out.append(text[pos:])
    return "".join(out)


def _shape(body: str) -> tuple[int, ...] | None:
    """The shape of a printed nested list (`[[1., 2.], [3., 4.]]` → (2, 2))."""
    literal = body.split("], dtype=")[0].split(", dtype=")[0]
    literal = literal.split(", device=")[0].split(", requires_grad=")[0]
    shape: list[int] = []
    level = literal.strip()
    while level.startswith("["):
        depth, items, start = 0, 0, 1
        for i, c in enumerate(level):
            if c == "[":
                depth += 1
            elif c == "]":
                depth -= 1
                if depth == 0:
                    items += bool(level[start:i].strip())
                    break
            elif c == "," and depth == 1:
                items += 1
                start = i + 1
        shape.append(items)
        level = level[1:].strip()
    return tuple(shape) or None


# --- outline ------------------------------------------------------------------------------


def _message(text: str) -> str:
    return _cut(summarize_tensors(link_chapters(text)))


def exercise_blocks(ex: ExerciseResult) -> list[Block]:
    """An exercise's heading, notes, checks (repeated messages folded) and written answers."""
    title = f"{assignment_of(ex.exercise)} — {ex.exercise}"
    line = score_line(ex.total, ex.total_max, ex.pending)
    blocks = [Block("heading", f"{title}: {line}")]
    if ex.problem:
        blocks.append(Block("warn", "", link_chapters(ex.problem)))
    blocks += [Block("warn", "", note) for note in ex.notes]
    failing = [t for t in ex.tests if t.status != "passed" and t.message]
    shared: dict[str, list[str]] = {}
    for t in failing:
        shared.setdefault(t.message, []).append(t.name)
    shown: set[str] = set()
    for t in ex.tests:
        mark = PASSED if t.status == "passed" else FAILED
        head = f"{mark} **`{t.name}`** ({t.score:g}/{t.points:g}): {_(t.docstring)}"
        if t.status == "passed" or not t.message:
            blocks.append(Block("item", head))
        elif t.message in shown:
            first = shared[t.message][0]
            blocks.append(Block("item", f"{head} — same failure as `{first}`"))
        else:
            shown.add(t.message)
            names = shared[t.message]
            more = f" — same failure in {len(names)} checks" if len(names) > 1 else ""
            blocks.append(Block("item", head + more))
            blocks.append(Block("code", "", _message(t.message)))
    for m in ex.manual:
        if m.score is None:
            text = f"{MANUAL} written answer ({m.points:g} points): pending, marked by the staff"
        else:
            text = f"{PASSED} written answer ({m.score:g}/{m.points:g}): marked by the staff"
        blocks.append(Block("item", text, m.grade_id))
    return blocks


def outline(result: StudentResult, exercises: Iterable[str] | None = None) -> list[Block]:
    """The feedback of `result`, for `exercises` only (one assignment) or for all of them."""
    names = sorted(result.exercises if exercises is None else exercises, key=course_order)
    chosen = [result.exercises[n] for n in names if n in result.exercises]
    total = sum(e.total for e in chosen)
    total_max = sum(e.total_max for e in chosen)
    automatic = sum(e.score for e in chosen), sum(e.max_score for e in chosen)
    suffix = "" if exercises is None else ": " + ", ".join(map(assignment_of, names))
    blocks = [
        Block("title", suffix, result.student_id),
        Block(
            "score",
            f"Score: {score_line(total, total_max, sum(e.pending for e in chosen))} "
            f"(automatic: {automatic[0]:g} / {automatic[1]:g})",
        ),
    ]
    blocks += [Block("warn", "", p) for p in result.problems]
    for ex in chosen:
        blocks += exercise_blocks(ex)
    return blocks


# --- rendering ----------------------------------------------------------------------------


def _markdown(block: Block) -> str:
    if block.kind == "title":
        return f"# Feedback for {one_line(block.raw)}{block.text}\n"
    if block.kind == "score":
        return f"**{block.text}**\n"
    if block.kind == "heading":
        return f"\n## {block.text}\n"
    if block.kind == "warn":
        return f"> ⚠ {one_line(block.raw, MAX_MESSAGE_CHARS)}\n"
    if block.kind == "item":
        name = f" `{one_line(block.raw, 100)}`" if block.raw else ""
        return f"- {block.text}{name}\n"
    if block.kind == "code":
        return "\n".join("    " + line for line in fence(block.raw).splitlines()) + "\n"
    return f"{block.text}\n"


def inline_html(markdown: str) -> str:
    """Our own one-line Markdown (`code`, **bold**, URLs) as HTML; everything else escaped."""
    text = html.escape(markdown, quote=False)
    text = re.sub(r"\*\*(.+?)\*\*", r"<strong>\1</strong>", text)
    text = re.sub(r"`([^`]+)`", r"<code>\1</code>", text)
    return text


_URL = re.compile(r"https://[\w./#%-]+[\w/#-]")


def _linked(escaped: str) -> str:
    return _URL.sub(lambda m: f'<a href="{m.group(0)}">{m.group(0)}</a>', escaped)


def _html(block: Block) -> str:
    e = html.escape
    if block.kind == "title":
        return f"<h1>Feedback for {e(' '.join(block.raw.split())[:100])}{e(block.text)}</h1>"
    if block.kind == "score":
        return f"<p><strong>{inline_html(block.text)}</strong></p>"
    if block.kind == "heading":
        return f"<h2>{inline_html(block.text)}</h2>"
    if block.kind == "warn":
        return f'<p class="warn">⚠ {_linked(e(_cut(block.raw)))}</p>'
    if block.kind == "item":
        css = "passed" if block.text.startswith(PASSED) else "failed"
        name = f" <code>{e(block.raw[:100])}</code>" if block.raw else ""
        return f'<li class="{css}">{inline_html(block.text)}{name}</li>'
    if block.kind == "code":
        return f"<pre>{_linked(e(block.raw))}</pre>"
    return f"<p>{inline_html(block.text)}</p>"


ESSENTIAL = ("title", "score", "heading")


def _bounded(parts: list[tuple[bool, str]], tail: str, omitted_line: str, limit: int) -> str:
    """The parts joined within `limit` bytes: the essential ones (title, score lines, headings,
    markup) always; the others in order until the first that does not fit, the rest counted
    in `omitted_line`."""
    sizes = [len(text.encode()) + 1 for _, text in parts]
    essential = sum(size for (keep, _), size in zip(parts, sizes, strict=True) if keep)
    budget = limit - essential - len(tail.encode()) - len(omitted_line.encode()) - 64
    kept, omitted = [], 0
    for (keep, text), size in zip(parts, sizes, strict=True):
        if keep:
            kept.append(text)
        elif omitted == 0 and size <= budget:
            kept.append(text)
            budget -= size
        else:
            omitted += 1
    if omitted:
        kept.append(omitted_line.format(n=omitted))
    return "\n".join(kept) + tail


OMITTED = "{n} more items not shown: feedback is limited to 200 KB; the course staff has them all."


def feedback_markdown(result: StudentResult, exercises: Iterable[str] | None = None) -> str:
    parts = [(b.kind in ESSENTIAL, _markdown(b)) for b in outline(result, exercises)]
    return _bounded(parts, "\n", f"\n> {OMITTED}\n", MAX_FEEDBACK_BYTES)


def feedback_html(result: StudentResult, exercises: Iterable[str] | None = None) -> str:
    head = (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>Feedback for {html.escape(' '.join(result.student_id.split())[:100])}</title>"
        "<style>body{font-family:sans-serif;max-width:60em;margin:2em auto}"
        ".passed{color:#176117}.failed{color:#a31515}.warn{color:#8a5a00}"
        "pre{background:#f6f6f6;padding:.5em;white-space:pre-wrap}</style></head><body>"
    )
    parts, in_list = [(True, head)], False
    for block in outline(result, exercises):
        if block.kind == "heading" and in_list:
            parts.append((True, "</ul>"))
        parts.append((block.kind in ESSENTIAL, _html(block)))
        if block.kind == "heading":
            parts.append((True, "<ul>"))
            in_list = True
    if in_list:
        parts.append((True, "</ul>"))
    return _bounded(parts, "\n</body></html>\n", f"<p>{OMITTED}</p>", MAX_FEEDBACK_BYTES)
