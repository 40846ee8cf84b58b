"""Agreement between coaches and the engine: Cohen's kappa, confusion matrices, disagreements.

A calibration set is YAML: a list of items {key, rubric, customer, answer, kind, labels:
{criterion_slug: points}} (or a mapping with `items:` and shared `rubric` / `customer`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml


@dataclass(frozen=True)
class CalibrationItem:
    key: str
    rubric: str
    customer: str
    answer: str
    kind: str
    labels: dict[str, int]


def items_from_document(doc: Any, *, source: str) -> list[CalibrationItem]:
    if isinstance(doc, dict):
        shared_rubric = doc.get("rubric", "")
        shared_customer = doc.get("customer", "")
        raw = doc.get("items", [])
    else:
        shared_rubric, shared_customer, raw = "", "", doc or []
    items = []
    for i, entry in enumerate(raw):
        if not isinstance(entry, dict) or "answer" not in entry or "labels" not in entry:
            raise ValueError(f"{source}: item {i} needs answer and labels")
        labels = {str(k): int(v) for k, v in (entry.get("labels") or {}).items()}
        items.append(
            CalibrationItem(
                key=str(entry.get("key") or f"{Path(source).stem}-{i + 1}"),
                rubric=str(entry.get("rubric") or shared_rubric),
                customer=str(entry.get("customer") or shared_customer),
                answer=str(entry["answer"]),
                kind=str(entry.get("kind", "")),
                labels=labels,
            )
        )
    return items


def items_load(path: Path) -> list[CalibrationItem]:
    """Every item of a calibration file, or of every *.yaml file in a folder."""
    files = sorted(path.glob("*.yaml")) if path.is_dir() else [path]
    items: list[CalibrationItem] = []
    for f in files:
        items += items_from_document(yaml.safe_load(f.read_text(encoding="utf-8")), source=f.name)
    keys = [i.key for i in items]
    dupes = {k for k in keys if keys.count(k) > 1}
    if dupes:
        raise ValueError(f"duplicate keys in the calibration set: {sorted(dupes)[:5]}")
    return items


def cohen_kappa(coach: Sequence[int], engine: Sequence[int], *, weights: str = "none") -> float:
    """Cohen's kappa of two raters over the same items; `weights` none, linear or quadratic.

    1.0 when both always agree; when one rater uses a single category throughout, agreement on
    every item is 1.0 and anything less is 0.0 (kappa is undefined there)."""
    if len(coach) != len(engine):
        raise ValueError("both raters must score the same items")
    if not coach:
        return float("nan")
    cats = sorted(set(coach) | set(engine))
    index = {c: i for i, c in enumerate(cats)}
    k = len(cats)
    n = len(coach)
    observed = [[0.0] * k for _ in range(k)]
    for a, b in zip(coach, engine, strict=True):
        observed[index[a]][index[b]] += 1
    rows = [sum(r) for r in observed]
    cols = [sum(observed[i][j] for i in range(k)) for j in range(k)]

    def w(i: int, j: int) -> float:
        if weights == "none":
            return 0.0 if i == j else 1.0
        span = (k - 1) or 1
        d = abs(cats[i] - cats[j]) / (max(cats) - min(cats) or span)
        return d * d if weights == "quadratic" else d

    disagree_obs = sum(w(i, j) * observed[i][j] for i in range(k) for j in range(k)) / n
    disagree_exp = sum(w(i, j) * rows[i] * cols[j] for i in range(k) for j in range(k)) / (n * n)
    if disagree_exp == 0:
        return 1.0 if disagree_obs == 0 else 0.0
    return 1.0 - disagree_obs / disagree_exp


def confusion(coach: Sequence[int], engine: Sequence[int]) -> tuple[list[int], list[list[int]]]:
    """Levels, and counts[coach level][engine level]."""
    cats = sorted(set(coach) | set(engine))
    index = {c: i for i, c in enumerate(cats)}
    counts = [[0] * len(cats) for _ in cats]
    for a, b in zip(coach, engine, strict=True):
        counts[index[a]][index[b]] += 1
    return cats, counts


@dataclass
class Disagreement:
    key: str
    rubric: str
    answer: str
    customer: str
    coach: int
    engine: int
    evidence: list[str] = field(default_factory=list)


@dataclass
class CriterionAgreement:
    slug: str
    n: int
    kappa: float
    kappa_quadratic: float
    accuracy: float
    levels: list[int]
    matrix: list[list[int]]
    disagreements: list[Disagreement]


def agreement(
    items: Iterable[CalibrationItem],
    grade: Callable[[CalibrationItem], dict[str, tuple[int, list[str]]]],
) -> dict[str, CriterionAgreement]:
    """Per criterion: coach labels against the engine's points. `grade(item)` returns
    {criterion_slug: (points, evidence texts)} for the item's rubric."""
    pairs: dict[str, list[tuple[CalibrationItem, int, int, list[str]]]] = defaultdict(list)
    for item in items:
        engine = grade(item)
        for slug, label in item.labels.items():
            if slug in engine:
                points, evidence = engine[slug]
                pairs[slug].append((item, label, points, evidence))
    out = {}
    for slug, rows in sorted(pairs.items()):
        coach = [r[1] for r in rows]
        engine_points = [r[2] for r in rows]
        levels, matrix = confusion(coach, engine_points)
        out[slug] = CriterionAgreement(
            slug=slug,
            n=len(rows),
            kappa=cohen_kappa(coach, engine_points),
            kappa_quadratic=cohen_kappa(coach, engine_points, weights="quadratic"),
            accuracy=sum(1 for a, b in zip(coach, engine_points, strict=True) if a == b) / len(rows),
            levels=levels,
            matrix=matrix,
            disagreements=[
                Disagreement(item.key, item.rubric, item.answer, item.customer, label, points, evidence)
                for item, label, points, evidence in rows
                if label != points
            ],
        )
    return out
