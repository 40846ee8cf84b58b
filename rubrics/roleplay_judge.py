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
        feedback=grade.feedback,
    )


def judge_turn(*, attempt: Attempt) -> TurnAssessment:
    from rubrics.services import attempt_grade

    return assessment_from_grade(attempt_grade(attempt=attempt))
