"""Reads for escalation analysis: flag lists, the pattern map, CSV rows."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date
from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from django.db.models.functions import Coalesce

from deesc_lms.calls import patterns
from deesc_lms.calls.models import Call, EscalationFlag, Utterance, fmt_mss

CALM_MARGIN_S = 60.0  # agent turns this close before a flag are not "calm context"
MAX_DB_ID = 2**63 - 1  # the largest primary key either database stores; a bigger filter id is bad input

CSV_COLUMNS = [
    "flag_id", "call_id", "call", "agent", "team", "call_date", "time", "time_s", "trigger", "trigger_confidence",
    "stage", "position", "severity", "outcome", "excerpt", "agent_turn_before", "first_agent_response",
    "prevention_time", "redirect_language", "representative",
]  # fmt: skip


def flags_filtered(
    *,
    trigger: str = "",
    outcome: str = "",
    stage: str = "",
    call_id: int | None = None,
    agent_id: int | None = None,
    team: str = "",
    since: date | None = None,
    until: date | None = None,
    representative: bool | None = None,
) -> QuerySet[EscalationFlag]:
    qs = EscalationFlag.objects.select_related("call", "call__agent").order_by("call_id", "time_s")
    if trigger:
        qs = qs.filter(trigger=trigger)
    if outcome:
        qs = qs.filter(outcome=outcome)
    if stage:
        qs = qs.filter(stage=stage)
    if call_id is not None:
        qs = qs.filter(call_id=call_id)
    if agent_id is not None:
        qs = qs.filter(call__agent_id=agent_id)
    if team:
        qs = qs.filter(call__agent__team=team)
    if since or until:
        qs = qs.annotate(_when=Coalesce("call__started_at", "call__created_at"))
        if since:
            qs = qs.filter(_when__date__gte=since)
        if until:
            qs = qs.filter(_when__date__lte=until)
    if representative is not None:
        qs = qs.filter(representative=representative)
    return qs


def flag_row(flag: EscalationFlag) -> dict[str, Any]:
    call = flag.call
    when = call.started_at or call.created_at
    return {
        "flag_id": flag.pk,
        "call_id": call.pk,
        "call": str(call),
        "agent": call.agent.name if call.agent else "",
        "team": call.agent.team if call.agent else "",
        "call_date": when.date().isoformat() if when else "",
        "time": fmt_mss(flag.time_s),
        "time_s": flag.time_s,
        "trigger": flag.trigger,
        "trigger_confidence": flag.trigger_confidence,
        "stage": flag.stage,
        "position": flag.position,
        "severity": flag.severity,
        "outcome": flag.outcome,
        "excerpt": flag.excerpt,
        "agent_turn_before": flag.agent_turn_before,
        "first_agent_response": flag.first_agent_response,
        "prevention_time": fmt_mss(flag.prevention_s) if flag.prevention_s is not None else "",
        "redirect_language": flag.redirect_language,
        "representative": flag.representative,
    }


def flag_rows(flags: QuerySet[EscalationFlag]) -> list[dict[str, Any]]:
    return [flag_row(f) for f in flags]


def _calm_agent_turns(max_calls: int) -> list[str]:
    """Agent turns from the most recent analysed calls, except those just before a flag."""
    call_ids = list(
        Call.objects.filter(status=Call.Status.ANALYSED)
        .order_by("-analysed_at", "-pk")
        .values_list("pk", flat=True)[:max_calls]
    )
    flag_times: dict[int, list[float]] = defaultdict(list)
    for cid, t in EscalationFlag.objects.filter(call_id__in=call_ids).values_list("call_id", "time_s"):
        flag_times[cid].append(t)
    calm: list[str] = []
    rows = Utterance.objects.filter(call_id__in=call_ids, role=Utterance.Role.AGENT).values_list(
        "call_id", "start_s", "text"
    )
    for cid, start, text in rows.iterator(chunk_size=2000):
        times = flag_times.get(cid)
        if times and (start is None or any(0 <= t - start <= CALM_MARGIN_S for t in times)):
            continue
        calm.append(text)
    return calm


def pattern_map(
    *, team: str = "", agent_id: int | None = None, since: date | None = None, until: date | None = None
) -> dict[str, Any]:
    """Everything the pattern-map page and API show, computed over every analysed call that matches."""
    flags = list(flags_filtered(team=team, agent_id=agent_id, since=since, until=until))
    rows = [
        patterns.FlagRow(
            trigger=f.trigger,
            stage=f.stage,
            position=f.position,
            outcome=f.outcome,
            when=f.call.started_at or f.call.created_at,
            team=f.call.agent.team if f.call.agent else "",
            agent=f.call.agent.name if f.call.agent else "",
            call_id=f.call_id,
        )
        for f in flags
    ]
    analysed = Call.objects.filter(status=Call.Status.ANALYSED)
    if team:
        analysed = analysed.filter(agent__team=team)
    if agent_id is not None:
        analysed = analysed.filter(agent_id=agent_id)
    calls_by_team: Counter[str] = Counter()
    calls_by_agent: Counter[str] = Counter()
    for agent_name, agent_team in analysed.values_list("agent__name", "agent__team"):
        calls_by_team[agent_team or "(none)"] += 1
        calls_by_agent[agent_name or "(none)"] += 1
    before = [
        (
            f.agent_turn_before,
            {
                "flag_id": f.pk,
                "call_id": f.call_id,
                "time": fmt_mss(f.time_s),
                "trigger": f.trigger,
                "excerpt": f.excerpt,
            },
        )
        for f in flags
        if f.agent_turn_before and f.outcome != EscalationFlag.Outcome.PREVENTED
    ]
    max_calls = int(getattr(settings, "DEESC_PATTERN_BACKGROUND_CALLS", 2000))
    phrases = patterns.preceding_phrases(before, _calm_agent_turns(max_calls))
    outcomes = Counter(r.outcome for r in rows)
    return {
        "calls_analysed": analysed.count(),
        "calls_with_flags": len({r.call_id for r in rows}),
        "flags": len(rows),
        "outcomes": dict(outcomes),
        "trigger_stage": patterns.crosstab(rows),
        "weekly": patterns.weekly(rows),
        "teams": patterns.by_group(rows, dict(calls_by_team), "team"),
        "agents": patterns.by_group(rows, dict(calls_by_agent), "agent"),
        "preceding_phrases": [p.as_dict() for p in phrases],
        "stages": [s.value for s in EscalationFlag.Stage],
        "method": "log-odds ratio with an informative Dirichlet prior (agent turn before each escalation vs agent "
        f"turns in calm stretches of the {max_calls} most recent analysed calls)",
    }
