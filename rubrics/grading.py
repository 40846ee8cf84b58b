"""The grading engine: a rubric spec and an answer in, a level per criterion with evidence out.

Plain Python (no Django, no database): the same engine grades drill answers, trial answers in
admin, calibration samples and agents' real calls. Services build the spec from a stored
RubricVersion and store the result as a Grade.
"""

from __future__ import annotations

import re
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from rubrics import feedback
from rubrics.detectors import DETECTORS, Anchors, Context, Detection, Embed, Span

ENGLISH_FUNCTION_WORDS = set(
    """the a an and or but to of in on at for with is are was were be been it this that i you we he she they my your
    our me us not no do does did have has had will would can could should what when how so if there here just about
    from all as by very im ill ive youre dont cant its thats lets sorry please okay ok yes
    well weve youll youve theyre theyll isnt arent wasnt werent wont didnt doesnt havent hasnt wouldnt couldnt
    shouldnt id youd hed shed wed hes shes theres whats who which than then though although because until while
    some any something anything nothing someone now today also still more
    under over after before up out off into through pls plz u ur r thx sir maam madam""".split()
)


class AnswerRefused(ValueError):
    """The answer cannot be graded (empty, too long, not English); `code` says which."""

    def __init__(self, message: str, *, code: str) -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class DetectorSpec:
    kind: str
    config: dict[str, Any] = field(default_factory=dict)
    role: str = "score"
    weight: float = 1.0


@dataclass(frozen=True)
class LevelSpec:
    points: int
    label: str
    descriptor: str = ""
    min_score: float = 0.0
    examples: tuple[str, ...] = ()


@dataclass(frozen=True)
class CriterionSpec:
    slug: str
    name: str
    levels: tuple[LevelSpec, ...]
    detectors: tuple[DetectorSpec, ...]
    behaviour: str = ""
    weight: float = 1.0
    steps: tuple[int, ...] = ()
    critical: bool = False
    combine: str = "max"

    @property
    def max_points(self) -> int:
        return max((lvl.points for lvl in self.levels), default=0)

    @property
    def anchors(self) -> Anchors:
        ordered = sorted(self.levels, key=lambda lvl: lvl.points)
        if not ordered:
            return Anchors()
        return Anchors(positive=ordered[-1].examples, negative=ordered[0].examples if len(ordered) > 1 else ())


@dataclass(frozen=True)
class RubricSpec:
    slug: str
    name: str
    criteria: tuple[CriterionSpec, ...]
    pass_threshold: int = 70
    version: int = 0
    model_answers: tuple[str, ...] = ()


@dataclass(frozen=True)
class TimedWord:
    """A spoken word with its place in the answer text and in the audio."""

    char_start: int
    char_end: int
    start_s: float
    end_s: float


@dataclass
class Answer:
    text: str
    customer_line: str = ""
    words: Sequence[TimedWord] = ()
    voice: dict[str, Any] | None = None
    # Real calls: detectors other than forbidden phrases look only from here on (the response window).
    window_start: int = 0


@dataclass
class CriterionResult:
    slug: str
    name: str
    level: str
    points: int
    max_points: int
    weight: float
    score: float | None
    assessed: bool
    critical: bool
    evidence: list[dict[str, Any]]
    found: list[str]
    missing: list[str]
    feedback: str = ""
    next_level: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "slug": self.slug,
            "name": self.name,
            "level": self.level,
            "points": self.points,
            "max_points": self.max_points,
            "weight": self.weight,
            "assessed": self.assessed,
            "critical": self.critical,
            "score": None if self.score is None else round(self.score, 3),
            "evidence": self.evidence,
            "feedback": self.feedback,
        }


@dataclass
class GradeResult:
    rubric_slug: str
    version: int
    score: float
    passed: bool
    criteria: list[CriterionResult]
    feedback: str
    better_line: str
    failed_critical: list[str]

    def results(self) -> list[dict[str, Any]]:
        return [c.as_dict() for c in self.criteria]


def answer_check(text: str, *, max_chars: int) -> str:
    """The answer as it will be graded, or AnswerRefused: empty, over `max_chars`, or not English."""
    cleaned = (text or "").replace("\x00", "").strip()
    if not cleaned:
        raise AnswerRefused("The answer is empty: type or record what you would say.", code="empty_answer")
    if len(cleaned) > max_chars:
        raise AnswerRefused(
            f"The answer is {len(cleaned):,} characters; the limit is {max_chars:,}. Answer in a few sentences.",
            code="answer_too_long",
        )
    letters = [ch for ch in cleaned if ch.isalpha()]
    if not letters:
        raise AnswerRefused("The answer has no words to grade.", code="empty_answer")
    latin = sum(1 for ch in letters if ch.isascii())
    words = re.findall(r"[^\W\d_]+", cleaned.lower().replace("'", ""))
    function = sum(1 for w in words if w in ENGLISH_FUNCTION_WORDS)
    if latin / len(letters) < 0.6 or (len(words) >= 5 and function / len(words) < 0.1):
        raise AnswerRefused(
            "The answer does not look like English; the rubrics grade English answers only.",
            code="unsupported_language",
        )
    return cleaned


def _level_for(crit: CriterionSpec, score: float) -> LevelSpec:
    ordered = sorted(crit.levels, key=lambda lvl: lvl.points)
    chosen = ordered[0]
    for lvl in ordered:
        if score + 1e-9 >= lvl.min_score:
            chosen = lvl
    return chosen


def _timed(span: Span, words: Sequence[TimedWord]) -> dict[str, Any]:
    out = span.as_dict()
    inside = [w for w in words if w.char_end > span.start and w.char_start < span.end]
    if inside:
        out["start_s"] = round(inside[0].start_s, 2)
        out["end_s"] = round(inside[-1].end_s, 2)
    return out


def criterion_evaluate(ctx: Context, crit: CriterionSpec, words: Sequence[TimedWord] = ()) -> CriterionResult:
    scored: list[tuple[float, float, Detection]] = []
    vetoed: list[Detection] = []
    notes: list[Detection] = []
    for det in crit.detectors:
        fn = DETECTORS.get(det.kind)
        if fn is None:
            raise ValueError(f"criterion {crit.slug}: unknown detector kind {det.kind!r}")
        detection = fn(ctx, det.config or {}, crit.anchors)
        if detection.score is None:
            continue
        notes.append(detection)
        if det.role == "veto":
            if detection.score < 0.5:
                vetoed.append(detection)
            continue
        scored.append((detection.score, det.weight, detection))
    ordered = sorted(crit.levels, key=lambda lvl: lvl.points)
    if not scored and not vetoed:
        return CriterionResult(
            crit.slug,
            crit.name,
            "Not assessed",
            0,
            crit.max_points,
            crit.weight,
            None,
            False,
            crit.critical,
            [],
            [],
            [],
        )
    if scored:
        values = [s for s, _, _ in scored]
        if crit.combine == "min":
            score = min(values)
            used = [d for s, _, d in scored if s == score]
        elif crit.combine == "mean":
            total = sum(w for _, w, _ in scored) or 1.0
            score = sum(s * w for s, w, _ in scored) / total
            used = [d for _, _, d in scored]
        else:
            score = max(values)
            used = [d for s, _, d in scored if s == score][:1]
    else:
        score = 1.0
        used = []
    if vetoed:
        score = 0.0
        used = vetoed + used
    level = ordered[0] if vetoed else _level_for(crit, score)
    spans: list[Span] = []
    found: list[str] = []
    missing: list[str] = []
    for d in used:
        spans += d.evidence
        found += d.found
        missing += d.missing
    if level.points == crit.max_points:
        missing = []
    higher = [lvl for lvl in ordered if lvl.points > level.points]
    evidence = [_timed(s, words) for s in spans[:4]]
    return CriterionResult(
        slug=crit.slug,
        name=crit.name,
        level=level.label,
        points=level.points,
        max_points=crit.max_points,
        weight=crit.weight,
        score=score,
        assessed=True,
        critical=crit.critical,
        evidence=evidence,
        found=list(dict.fromkeys(found)),
        missing=list(dict.fromkeys(missing)),
        next_level=higher[-1].descriptor if higher else "",
    )


_CANDIDATES: OrderedDict[tuple[int, str, str], tuple[RubricSpec, float]] = OrderedDict()
_CANDIDATES_MAX = 8192


def candidate_score(spec: RubricSpec, line: str, customer_line: str) -> float:
    """How a candidate 'better line' scores on this rubric (patterns only, no model): cached,
    because a drill's customer line and a rubric's anchors repeat for every learner."""
    key = (id(spec), line, customer_line)
    hit = _CANDIDATES.get(key)
    if hit is not None and hit[0] is spec:
        return hit[1]
    ctx = Context(line, customer_line=customer_line)
    results = [criterion_evaluate(ctx, crit) for crit in spec.criteria]
    assessed = [r for r in results if r.assessed and r.max_points > 0]
    total = sum(r.weight for r in assessed)
    value = 100.0 * sum(r.weight * r.points / r.max_points for r in assessed) / total if total else 0.0
    _CANDIDATES[key] = (spec, value)
    while len(_CANDIDATES) > _CANDIDATES_MAX:
        _CANDIDATES.popitem(last=False)
    return value


def grade(
    spec: RubricSpec,
    answer: Answer,
    *,
    embed: Embed | None = None,
    better_lines: Sequence[str] = (),
) -> GradeResult:
    """Grade one answer. Raises ValueError for a rubric with an unknown detector kind."""
    ctx = Context(
        answer.text,
        customer_line=answer.customer_line,
        window_start=answer.window_start,
        voice=answer.voice,
        embed=embed,
    )
    ctx.prefetch()
    results = [criterion_evaluate(ctx, crit, answer.words) for crit in spec.criteria]
    assessed = [r for r in results if r.assessed and r.max_points > 0]
    total = sum(r.weight for r in assessed)
    score = 100.0 * sum(r.weight * r.points / r.max_points for r in assessed) / total if total else 0.0
    score = round(min(100.0, max(0.0, score)), 1)
    failed_critical = [r.slug for r in assessed if r.critical and r.points == 0]
    passed = bool(assessed) and score >= spec.pass_threshold and not failed_critical
    for r in results:
        r.feedback = feedback.criterion_feedback(r)
    better = feedback.better_line_pick(
        results=results,
        candidates=better_lines,
        spec=spec,
        customer_line=answer.customer_line,
        embed=embed,
        score=lambda line: candidate_score(spec, line, answer.customer_line),
    )
    coach = feedback.grade_feedback(
        results=results, score=score, passed=passed, threshold=spec.pass_threshold, better_line=better
    )
    return GradeResult(spec.slug, spec.version, score, passed, results, coach, better, failed_critical)
