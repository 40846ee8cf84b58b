"""Coach feedback from criterion results: what was done, what was missing, one better line."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
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
    found = "; ".join(result.found)
    quote = _quote(result.evidence[0]["text"]) if result.evidence else ""
    if quote and quote.strip("“”…") in found:
        quote = ""
    if result.points == result.max_points:
        return f"Done: {found or 'yes'}." + (f" {quote}" if quote else "")
    parts = []
    if found:
        # Detectors report either what the learner did ("acknowledged in general terms") or what the
        # answer held ("a vague promise"); the second needs a verb to read as a sentence.
        lead = "You gave" if re.match(r"(?:a|an|the|some)\b", found) else "You"
        parts.append(f"{lead} {found}." + (f" {quote}" if quote else ""))
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
    score: Callable[[str], float],
) -> str:
    """One better line: of a recovered real call's lines close to this customer line and the
    rubric's top-level anchors, the one this rubric scores highest (closest to the customer line
    on a tie; a real call's line wins a tie with an anchor)."""
    if not any(r.assessed and r.points < r.max_points for r in results):
        return ""
    anchors: list[str] = list(spec.model_answers)
    for crit in spec.criteria:
        top = max(crit.levels, key=lambda lvl: lvl.points)
        anchors += [e for e in top.examples if e not in anchors]
    real = [c for c in candidates if c.strip()]
    if embed is not None and customer_line.strip() and real:
        vectors = cached_vectors(embed, [customer_line, *real])
        sims = vectors[1:] @ vectors[0]
        real = [c for c, sim in zip(real, sims, strict=True) if float(sim) >= REAL_CALL_MIN_SIMILARITY]
    pool = real + anchors
    if not pool:
        return ""
    closeness = np.zeros(len(pool))
    if embed is not None and customer_line.strip():
        vectors = cached_vectors(embed, [customer_line, *pool])
        closeness = vectors[1:] @ vectors[0]
    ranked = sorted(
        range(len(pool)), key=lambda i: (round(score(pool[i]), 1), i < len(real), float(closeness[i])), reverse=True
    )
    return pool[ranked[0]]
