"""Reads for agent progress: practice and real-call scores over time, pre/post training, and the
escalation rate by trigger. One rubric engine scores both, so the criteria line up."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from statistics import mean

from django.db.models import Count, Min

from deesc_lms.calls.models import Agent, Call, EscalationFlag
from rubrics.models import Grade
from scenarios.models import Attempt, Drill


@dataclass
class ScorePoint:
    at: datetime
    score: float
    passed: bool
    source: str  # "practice" or "call"
    label: str
    criteria: dict[str, float]  # criterion slug -> points as a share of its maximum (0..1)


@dataclass
class Period:
    calls: int = 0
    mean_call_score: float | None = None
    escalations_by_trigger: dict[str, int] = field(default_factory=dict)

    @property
    def escalation_rate(self) -> float | None:
        return None if not self.calls else sum(self.escalations_by_trigger.values()) / self.calls

    def rate(self, trigger: str) -> float | None:
        return None if not self.calls else self.escalations_by_trigger.get(trigger, 0) / self.calls


@dataclass
class AgentProgress:
    agent: Agent
    points: list[ScorePoint]
    training_start: datetime | None
    training_end: datetime | None
    pre: Period
    post: Period
    criteria: list[str]
    criterion_pre: dict[str, float]
    criterion_post: dict[str, float]
    criterion_practice: dict[str, float]

    @property
    def practice(self) -> list[ScorePoint]:
        return [p for p in self.points if p.source == "practice"]

    @property
    def real_calls(self) -> list[ScorePoint]:
        return [p for p in self.points if p.source == "call"]

    @property
    def triggers(self) -> list[str]:
        return sorted(set(self.pre.escalations_by_trigger) | set(self.post.escalations_by_trigger))

    @property
    def score_change(self) -> float | None:
        if self.pre.mean_call_score is None or self.post.mean_call_score is None:
            return None
        return self.post.mean_call_score - self.pre.mean_call_score


def _shares(grade: Grade) -> dict[str, float]:
    shares = {}
    for row in grade.results or []:
        top = row.get("max_points") or 0
        # A criterion the answer could not show (voice, on a transcript) says nothing about the agent.
        if top and row.get("assessed", True):
            shares[str(row.get("slug"))] = float(row.get("points", 0)) / float(top)
    return shares


def _call_time(call: Call) -> datetime:
    return call.started_at or call.created_at


def _period(calls: list[Call], grades: dict[int, Grade]) -> Period:
    if not calls:
        return Period()
    flags = Counter(
        EscalationFlag.objects.filter(call__in=calls)
        .exclude(outcome=EscalationFlag.Outcome.PREVENTED)
        .values_list("trigger", flat=True)
    )
    scores = [grades[c.pk].score for c in calls if c.pk in grades]
    return Period(
        calls=len(calls), mean_call_score=mean(scores) if scores else None, escalations_by_trigger=dict(flags)
    )


def _mean_shares(points: list[ScorePoint]) -> dict[str, float]:
    gathered: dict[str, list[float]] = defaultdict(list)
    for p in points:
        for slug, share in p.criteria.items():
            gathered[slug].append(share)
    return {slug: mean(values) for slug, values in gathered.items()}


def agent_progress(*, agent: Agent) -> AgentProgress:
    practice_grades = list(
        Grade.objects.filter(source=Grade.Source.ATTEMPT, attempt__agent=agent)
        .select_related("attempt__drill")
        .order_by("created_at")
    )
    points = [
        ScorePoint(
            at=g.created_at,
            score=g.score,
            passed=g.passed,
            source="practice",
            label=g.attempt.drill.title if g.attempt else "",
            criteria=_shares(g),
        )
        for g in practice_grades
    ]
    attempts = Attempt.objects.filter(agent=agent)
    training_start = attempts.aggregate(first=Min("created_at"))["first"]
    passed_combined = [
        g for g in practice_grades if g.passed and g.attempt is not None and g.attempt.drill.kind == Drill.Kind.COMBINED
    ]
    training_end = (
        passed_combined[0].created_at
        if passed_combined
        else (practice_grades[-1].created_at if practice_grades else None)
    )

    calls = sorted(Call.objects.filter(agent=agent), key=_call_time)
    call_grades: dict[int, Grade] = {}
    for g in Grade.objects.filter(source=Grade.Source.CALL, call__in=calls).order_by("created_at"):
        if g.call_id is not None:
            call_grades[g.call_id] = g  # the latest scoring of each call
    for call in calls:
        grade = call_grades.get(call.pk)
        if grade is not None:
            points.append(
                ScorePoint(
                    at=_call_time(call),
                    score=grade.score,
                    passed=grade.passed,
                    source="call",
                    label=str(call),
                    criteria=_shares(grade),
                )
            )
    points.sort(key=lambda p: p.at)
    if training_start is None:
        pre_calls, post_calls = calls, []
    else:
        pre_calls = [c for c in calls if _call_time(c) < training_start]
        post_calls = [c for c in calls if training_end is not None and _call_time(c) > training_end]
    pre_points = [p for p in points if p.source == "call" and training_start and p.at < training_start]
    post_points = [p for p in points if p.source == "call" and training_end and p.at > training_end]
    criterion_pre = _mean_shares(pre_points)
    criterion_post = _mean_shares(post_points)
    criterion_practice = _mean_shares([p for p in points if p.source == "practice"])
    criteria = sorted(set(criterion_pre) | set(criterion_post) | set(criterion_practice))
    return AgentProgress(
        agent=agent,
        points=points,
        training_start=training_start,
        training_end=training_end,
        pre=_period(pre_calls, call_grades),
        post=_period(post_calls, call_grades),
        criteria=criteria,
        criterion_pre=criterion_pre,
        criterion_post=criterion_post,
        criterion_practice=criterion_practice,
    )


@dataclass
class AgentRow:
    agent: Agent
    calls: int
    attempts: int
    flags: int


def agents_overview() -> list[AgentRow]:
    agents = Agent.objects.annotate(
        n_calls=Count("calls", distinct=True),
        n_attempts=Count("attempts", distinct=True),
        n_flags=Count("calls__flags", distinct=True),
    ).order_by("team", "name")
    return [AgentRow(agent=a, calls=a.n_calls, attempts=a.n_attempts, flags=a.n_flags) for a in agents]
