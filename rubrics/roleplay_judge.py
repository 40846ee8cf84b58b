"""The judge of role-play turns: the combined rubric's criteria, read as what the caller will notice."""

from __future__ import annotations

from typing import Any

from rubrics.models import Grade
from scenarios.models import Attempt
from scenarios.roleplay import TurnAssessment

# Criterion slugs of the shipped combined rubric (rubrics/defaults/combined.yaml) → what the caller hears.
ACKNOWLEDGED = ("names-emotion", "acknowledge-before-fix")
RESTATED = ("restates-issue",)
RESOLVED = ("concrete-action",)
TIMEFRAME = ("specific-timeframe",)
NOT_DEFENSIVE = ("no-defensive-language",)


def _share(results: list[dict[str, Any]], slugs: tuple[str, ...]) -> float | None:
    rows = [r for r in results if r.get("slug") in slugs and r.get("max_points")]
    if not rows:
        return None
    return max(float(r.get("points", 0)) / float(r["max_points"]) for r in rows)


def assessment_from_grade(grade: Grade) -> TurnAssessment:
    results = list(grade.results or [])

    def met(slugs: tuple[str, ...]) -> bool:
        share = _share(results, slugs)
        return share is not None and share >= 0.5

    not_defensive = _share(results, NOT_DEFENSIVE)
    return TurnAssessment(
        score=grade.score,
        acknowledged=met(ACKNOWLEDGED),
        restated=met(RESTATED),
        resolved=met(RESOLVED),
        timeframe=met(TIMEFRAME),
        defensive=not_defensive is not None and not_defensive < 1.0,
        feedback=_short_feedback(results),
    )


def _short_feedback(results: list[dict[str, Any]]) -> str:
    """One line for a chat turn: what landed and what was missing (the full feedback stays on the grade)."""
    scored = [r for r in results if r.get("max_points") and r.get("assessed", True)]
    done = [str(r.get("name") or r.get("slug")).lower() for r in scored if r.get("points", 0) >= r["max_points"]]
    missing = [str(r.get("name") or r.get("slug")).lower() for r in scored if not r.get("points", 0)]
    parts = []
    if done:
        parts.append("Done: " + ", ".join(done) + ".")
    if missing:
        parts.append("Missing: " + ", ".join(missing) + ".")
    return " ".join(parts)


def judge_turn(*, attempt: Attempt) -> TurnAssessment:
    from rubrics.services import attempt_grade

    return assessment_from_grade(attempt_grade(attempt=attempt))
