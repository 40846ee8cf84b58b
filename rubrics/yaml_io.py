"""Rubrics as YAML documents: the shipped defaults, admin import/export, diffs and content hashes.

A document is {slug, name, description, pass_threshold, model_answers, criteria: [{slug, name, behaviour, weight,
steps, critical, combine, levels: [{points, label, min_score, descriptor, examples}], detectors:
[{kind, role, weight, config}]}]}. `document_check` says exactly what is wrong with one.
"""

from __future__ import annotations

import hashlib
import json
import re
from typing import Any

import yaml

from rubrics.detectors import DETECTORS
from rubrics.grading import CriterionSpec, DetectorSpec, LevelSpec, RubricSpec

SLUG_RX = re.compile(r"^[-a-z0-9_]+$")
COMBINES = {"max", "mean", "min"}
ROLES = {"score", "veto"}
MAX_DOCUMENT_BYTES = 1_000_000


class RubricDocumentError(ValueError):
    """The YAML document is not a valid rubric; the message names the place."""


def parse(text: str) -> dict[str, Any]:
    if len(text.encode("utf-8", "replace")) > MAX_DOCUMENT_BYTES:
        raise RubricDocumentError("The YAML document is over 1 MB.")
    try:
        doc = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise RubricDocumentError(f"Not valid YAML: {exc}") from exc
    return document_check(doc)


def dump(doc: dict[str, Any]) -> str:
    return yaml.safe_dump(doc, sort_keys=False, allow_unicode=True, width=110)


def _need(cond: bool, where: str, message: str) -> None:
    if not cond:
        raise RubricDocumentError(f"{where}: {message}")


def document_check(doc: Any) -> dict[str, Any]:
    """The document normalised (defaults filled in), or RubricDocumentError naming what is wrong."""
    _need(isinstance(doc, dict), "document", "expected a mapping with slug, name and criteria")
    slug = str(doc.get("slug", "")).strip()
    _need(bool(SLUG_RX.match(slug)), "slug", "lower-case letters, digits and dashes")
    threshold = doc.get("pass_threshold", 70)
    _need(isinstance(threshold, int) and 0 <= threshold <= 100, "pass_threshold", "a whole number from 0 to 100")
    criteria = doc.get("criteria")
    _need(isinstance(criteria, list) and len(criteria) > 0, "criteria", "at least one criterion")
    out_criteria = []
    seen: set[str] = set()
    for i, crit in enumerate(criteria):
        where = f"criteria[{i}]"
        _need(isinstance(crit, dict), where, "expected a mapping")
        cslug = str(crit.get("slug", "")).strip()
        _need(bool(SLUG_RX.match(cslug)), f"{where}.slug", "lower-case letters, digits and dashes")
        _need(cslug not in seen, f"{where}.slug", f"{cslug!r} appears twice")
        seen.add(cslug)
        weight = crit.get("weight", 1.0)
        _need(isinstance(weight, int | float) and weight > 0, f"{where}.weight", "a positive number")
        combine = crit.get("combine", "max")
        _need(combine in COMBINES, f"{where}.combine", f"one of {sorted(COMBINES)}")
        steps = crit.get("steps", []) or []
        _need(
            isinstance(steps, list) and all(isinstance(s, int) and 1 <= s <= 5 for s in steps),
            f"{where}.steps",
            "a list of step numbers 1..5",
        )
        levels = crit.get("levels")
        _need(isinstance(levels, list) and len(levels) >= 2, f"{where}.levels", "at least two levels")
        out_levels = []
        points_seen: set[int] = set()
        for j, lvl in enumerate(levels):
            lw = f"{where}.levels[{j}]"
            _need(isinstance(lvl, dict), lw, "expected a mapping")
            points = lvl.get("points")
            _need(isinstance(points, int) and 0 <= points <= 100, f"{lw}.points", "a whole number 0..100")
            _need(points not in points_seen, f"{lw}.points", f"{points} appears twice")
            points_seen.add(points)
            min_score = lvl.get("min_score", 0.0)
            _need(isinstance(min_score, int | float) and 0 <= min_score <= 1, f"{lw}.min_score", "a number 0..1")
            examples = lvl.get("examples", []) or []
            _need(
                isinstance(examples, list) and all(isinstance(e, str) for e in examples),
                f"{lw}.examples",
                "a list of strings",
            )
            out_levels.append(
                {
                    "points": points,
                    "label": str(lvl.get("label") or f"{points} points"),
                    "min_score": float(min_score),
                    "descriptor": str(lvl.get("descriptor", "")),
                    "examples": list(examples),
                }
            )
        out_levels.sort(key=lambda lvl: lvl["points"])
        _need(out_levels[0]["min_score"] == 0.0, f"{where}.levels", "the lowest level needs min_score 0")
        detectors = crit.get("detectors")
        _need(isinstance(detectors, list) and len(detectors) > 0, f"{where}.detectors", "at least one detector")
        out_detectors = []
        for k, det in enumerate(detectors):
            dw = f"{where}.detectors[{k}]"
            _need(isinstance(det, dict), dw, "expected a mapping")
            kind = det.get("kind")
            _need(kind in DETECTORS, f"{dw}.kind", f"one of {sorted(DETECTORS)}")
            role = det.get("role", "score")
            _need(role in ROLES, f"{dw}.role", f"one of {sorted(ROLES)}")
            config = det.get("config", {}) or {}
            _need(isinstance(config, dict), f"{dw}.config", "a mapping")
            for key in ("patterns", "phrases", "allow", "first", "then", "words"):
                for pattern in config.get(key, []) or []:
                    try:
                        re.compile(str(pattern))
                    except re.error as exc:
                        raise RubricDocumentError(
                            f"{dw}.config.{key}: bad regular expression {pattern!r}: {exc}"
                        ) from exc
            if "stance_threshold" in config:
                cut = config["stance_threshold"]
                _need(
                    isinstance(cut, int | float) and not isinstance(cut, bool) and 0 < cut < 1,
                    f"{dw}.config.stance_threshold",
                    "a number between 0 and 1 (the defensive-stance model's cut, e.g. 0.7)",
                )
            dweight = det.get("weight", 1.0)
            _need(isinstance(dweight, int | float) and dweight >= 0, f"{dw}.weight", "a number >= 0")
            out_detectors.append({"kind": kind, "role": role, "weight": float(dweight), "config": config})
        out_criteria.append(
            {
                "slug": cslug,
                "name": str(crit.get("name") or cslug),
                "behaviour": str(crit.get("behaviour", "")),
                "weight": float(weight),
                "steps": list(steps),
                "critical": bool(crit.get("critical", False)),
                "combine": combine,
                "levels": out_levels,
                "detectors": out_detectors,
            }
        )
    model_answers = doc.get("model_answers", []) or []
    _need(
        isinstance(model_answers, list) and all(isinstance(a, str) for a in model_answers),
        "model_answers",
        "a list of strings",
    )
    return {
        "slug": slug,
        "name": str(doc.get("name") or slug),
        "description": str(doc.get("description", "")),
        "pass_threshold": threshold,
        "model_answers": list(model_answers),
        "criteria": out_criteria,
    }


def content_hash(doc: dict[str, Any]) -> str:
    """SHA-256 of what grades an answer (not the rubric's display name or description)."""
    content = {
        "pass_threshold": doc["pass_threshold"],
        "model_answers": doc.get("model_answers", []),
        "criteria": doc["criteria"],
    }
    return hashlib.sha256(json.dumps(content, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def spec_from_document(doc: dict[str, Any], *, version: int = 0) -> RubricSpec:
    return RubricSpec(
        slug=doc["slug"],
        name=doc["name"],
        pass_threshold=doc["pass_threshold"],
        version=version,
        model_answers=tuple(doc.get("model_answers", [])),
        criteria=tuple(
            CriterionSpec(
                slug=c["slug"],
                name=c["name"],
                behaviour=c["behaviour"],
                weight=c["weight"],
                steps=tuple(c["steps"]),
                critical=c["critical"],
                combine=c["combine"],
                levels=tuple(
                    LevelSpec(lvl["points"], lvl["label"], lvl["descriptor"], lvl["min_score"], tuple(lvl["examples"]))
                    for lvl in c["levels"]
                ),
                detectors=tuple(DetectorSpec(d["kind"], d["config"], d["role"], d["weight"]) for d in c["detectors"]),
            )
            for c in doc["criteria"]
        ),
    )
