"""Reads of the rubrics app that are more than one query."""

from __future__ import annotations

import statistics
import threading
from typing import Any

from django.db.models import QuerySet

from deesc_lms.api_errors import NotFound
from deesc_lms.calls.models import Agent, EscalationFlag
from rubrics import yaml_io
from rubrics.grading import RubricSpec
from rubrics.models import Grade, Rubric, RubricVersion

_spec_cache: dict[tuple[int, str], RubricSpec] = {}
_spec_lock = threading.Lock()
RECOVERED_LINES_MAX = 200


def version_document(version: RubricVersion) -> dict[str, Any]:
    """The version as a YAML-ready document (the same shape the defaults and imports use)."""
    rubric = version.rubric
    criteria = []
    for crit in version.criteria.prefetch_related("levels", "detectors").order_by("order", "id"):
        criteria.append(
            {
                "slug": crit.slug,
                "name": crit.name,
                "behaviour": crit.behaviour,
                "weight": float(crit.weight),
                "steps": list(crit.steps or []),
                "critical": crit.critical,
                "combine": crit.combine,
                "levels": [
                    {
                        "points": lvl.points,
                        "label": lvl.label,
                        "min_score": float(lvl.min_score),
                        "descriptor": lvl.descriptor,
                        "examples": list(lvl.examples or []),
                    }
                    for lvl in sorted(crit.levels.all(), key=lambda lvl: lvl.points)
                ],
                "detectors": [
                    {"kind": d.kind, "role": d.role, "weight": float(d.weight), "config": d.config or {}}
                    for d in sorted(crit.detectors.all(), key=lambda d: (d.order, d.id))
                ],
            }
        )
    return {
        "slug": rubric.slug,
        "name": rubric.name,
        "description": rubric.description,
        "pass_threshold": version.pass_threshold,
        "model_answers": list(version.model_answers or []),
        "criteria": criteria,
    }


def version_spec(version: RubricVersion) -> RubricSpec:
    """The engine's spec of a version; published versions never change, so they are cached."""
    if version.is_published and version.content_hash:
        key = (version.pk, version.content_hash)
        with _spec_lock:
            cached = _spec_cache.get(key)
        if cached is not None:
            return cached
    doc = yaml_io.document_check(version_document(version))
    spec = yaml_io.spec_from_document(doc, version=version.number)
    if version.is_published and version.content_hash:
        with _spec_lock:
            _spec_cache[(version.pk, version.content_hash)] = spec
    return spec


def version_current(*, slug: str) -> RubricVersion:
    version = (
        RubricVersion.objects.select_related("rubric")
        .filter(rubric__slug=slug, status=RubricVersion.Status.PUBLISHED)
        .order_by("-number")
        .first()
    )
    if version is None:
        known = (
            ", ".join(Rubric.objects.values_list("slug", flat=True)[:20]) or "none loaded (run manage.py load_rubrics)"
        )
        raise NotFound(f"No published rubric {slug!r}. Known rubrics: {known}.", code="not_found")
    return version


def version_draft(*, rubric: Rubric) -> RubricVersion | None:
    return rubric.versions.filter(status=RubricVersion.Status.DRAFT).order_by("-number").first()


def agent_voice_baseline(*, agent: Agent | None, exclude_grade: int | None = None) -> float | None:
    """The agent's usual loudness: the median of their earlier spoken answers' levels."""
    if agent is None:
        return None
    levels = []
    grades = Grade.objects.filter(attempt__agent=agent).exclude(transcript={}).order_by("-created_at")[:20]
    for g in grades:
        if exclude_grade is not None and g.pk == exclude_grade:
            continue
        voice = (g.transcript or {}).get("voice") or {}
        if isinstance(voice.get("loudness_db"), int | float):
            levels.append(float(voice["loudness_db"]))
    return statistics.median(levels) if levels else None


def recovered_call_lines() -> list[str]:
    """What agents said when they recovered an escalation: candidate 'better lines'."""
    lines = (
        EscalationFlag.objects.filter(outcome=EscalationFlag.Outcome.RECOVERED)
        .exclude(first_agent_response="")
        .order_by("-created_at")
        .values_list("first_agent_response", flat=True)[:RECOVERED_LINES_MAX]
    )
    return [line for line in lines if 20 <= len(line) <= 400]


def grades_for_rubric(*, slug: str) -> QuerySet[Grade]:
    return Grade.objects.filter(rubric_version__rubric__slug=slug).select_related("rubric_version", "attempt", "call")
