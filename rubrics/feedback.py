"""Coach feedback from criterion results: what was done, what was missing, one better line."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from rubrics.detectors import Embed, cached_vectors

if TYPE_CHECKING:
    from rubrics.grading import CriterionResult, RubricSpec

REAL_CALL_MIN_SIMILARITY = 0.35


def _quote(text: str, limit: int = 90) -> str:
    text = " ".join(text.split())
    return f"“{text[: limit - 1]}…”" if len(text) > limit else f"“{text}”"


def criterion_feedback(result: CriterionResult) -> str:
    """One or two sentences for one criterion, in a coach's words."""
    if not result.assessed:
        return "Not assessed for this answer (typed answers are not graded on voice)."
    quote = f" {_quote(result.evidence[0]['text'])}" if result.evidence else ""
    if result.points == result.max_points:
        what = "; ".join(result.found) or "done"
        return f"Done: {what}.{quote}".replace("..", ".")
    parts = []
    if result.found:
        parts.append("You " + "; ".join(result.found) + "." + quote)
    elif quote and result.score == 0.0 and result.critical:
        parts.append(f"Avoid:{quote}.")
    if result.missing:
        parts.append("Missing: " + "; ".join(result.missing) + ".")
    if result.next_level:
        parts.append("Aim for: " + result.next_level.rstrip(".") + ".")
    return " ".join(parts) or "Not yet."


def grade_feedback(
    *, results: Sequence[CriterionResult], score: float, passed: bool, threshold: int, better_line: str
) -> str:
    done = [r for r in results if r.assessed and r.points == r.max_points and r.max_points > 0]
    missing = [r for r in results if r.assessed and r.points < r.max_points]
    lines = [f"{'Passed' if passed else 'Not yet'}: {score:.0f}/100 (pass mark {threshold})."]
    if done:
        lines.append("What you did: " + "; ".join(_done_phrase(r) for r in done) + ".")
    if missing:
        missing = sorted(missing, key=lambda r: (not r.critical, -r.weight))
        lines.append("What was missing: " + " ".join(f"{r.name}: {r.feedback}" for r in missing))
    if better_line:
        lines.append(f"Try: {_quote(better_line, 400)}")
    return "\n".join(lines)


def _done_phrase(result: CriterionResult) -> str:
    if result.evidence and result.slug != "no-defensive-language":
        return f"{result.name.lower()} ({_quote(result.evidence[0]['text'], 60)})"
    return result.name.lower()


def better_line_pick(
    *,
    results: Sequence[CriterionResult],
    candidates: Sequence[str],
    spec: RubricSpec,
    customer_line: str,
    embed: Embed | None,
) -> str:
    """One better line: a recovered real call's line close to this customer line, else the
    top-level anchor of the missed criteria that best fits the customer line."""
    missed = {r.slug for r in results if r.assessed and r.points < r.max_points}
    if not missed:
        return ""
    anchors: list[str] = []
    for crit in sorted(spec.criteria, key=lambda c: -c.weight):
        if crit.slug in missed:
            top = max(crit.levels, key=lambda lvl: lvl.points)
            anchors += [e for e in top.examples if e not in anchors]
    real = [c for c in candidates if c.strip()]
    pool = real + anchors
    if not pool:
        return ""
    if embed is None or not customer_line.strip():
        return (real or anchors)[0]
    vectors = cached_vectors(embed, [customer_line, *pool])
    sims = vectors[1:] @ vectors[0]
    if real:
        best_real = int(np.argmax(sims[: len(real)]))
        if float(sims[best_real]) >= REAL_CALL_MIN_SIMILARITY:
            return real[best_real]
    if anchors:
        return anchors[int(np.argmax(sims[len(real) :]))]
    return ""
