"""Browser pages of the calls app: the pattern map for QA managers."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from deesc_lms.calls import selectors
from deesc_lms.calls.models import Call, EscalationFlag, fmt_mss

CHART_W, CHART_H = 640, 180


def _date(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def _heat(count: int, top: int) -> str:
    """Cell background: white to deep red by share of the busiest cell."""
    if not count or not top:
        return "#ffffff"
    share = count / top
    green_blue = int(235 - 180 * share)
    return f"rgb(230,{green_blue},{green_blue})"


def _trend_svg(weeks: list[dict[str, Any]]) -> dict[str, Any]:
    if not weeks:
        return {"points": "", "dots": [], "labels": []}
    top = max(w["total"] for w in weeks) or 1
    step = CHART_W / max(1, len(weeks) - 1)
    dots = []
    for i, w in enumerate(weeks):
        x = round(20 + i * (CHART_W - 40) / max(1, len(weeks) - 1)) if len(weeks) > 1 else CHART_W // 2
        y = round(CHART_H - 20 - (CHART_H - 40) * w["total"] / top)
        dots.append({"x": x, "y": y, "total": w["total"], "week": w["week"]})
    every = max(1, round(len(weeks) / 8))
    labels = [d for i, d in enumerate(dots) if i % every == 0]
    return {"points": " ".join(f"{d['x']},{d['y']}" for d in dots), "dots": dots, "labels": labels, "step": step}


@login_required(login_url="/admin/login/")
def pattern_map(request: HttpRequest) -> HttpResponse:
    team = request.GET.get("team", "")
    agent_raw = request.GET.get("agent", "")
    agent_id = int(agent_raw) if agent_raw.isdigit() else None
    if agent_id is not None and not 0 < agent_id <= selectors.MAX_DB_ID:
        agent_id = None  # no agent has that id: ignored like any other filter that is not an id
    since, until = _date(request.GET.get("since")), _date(request.GET.get("until"))
    data = selectors.pattern_map(team=team, agent_id=agent_id, since=since, until=until)
    cells = {(c["trigger"], c["stage"]): c["count"] for c in data["trigger_stage"]["cells"]}
    top = max(cells.values(), default=0)
    stages = [(s.value, s.label) for s in EscalationFlag.Stage]
    grid = [
        {
            "trigger": t,
            "total": data["trigger_stage"]["totals"][t],
            "cells": [{"count": cells.get((t, s), 0), "bg": _heat(cells.get((t, s), 0), top)} for s, _ in stages],
        }
        for t in data["trigger_stage"]["triggers"]
    ]
    top_team = max((t["flags"] for t in data["teams"]), default=0) or 1
    top_agent = max((a["flags"] for a in data["agents"]), default=0) or 1
    for t in data["teams"]:
        t["bar"] = round(100 * t["flags"] / top_team)
    for a in data["agents"]:
        a["bar"] = round(100 * a["flags"] / top_agent)
    recent = selectors.flags_filtered(team=team, agent_id=agent_id, since=since, until=until).order_by(
        "-call_id", "time_s"
    )[:50]
    context = {
        "data": data,
        "stages": stages,
        "grid": grid,
        "trend": _trend_svg(data["weekly"]),
        "chart_w": CHART_W,
        "chart_h": CHART_H,
        "recent": recent,
        "filters": {
            "team": team,
            "agent": agent_raw,
            "since": request.GET.get("since", ""),
            "until": request.GET.get("until", ""),
        },
        "query": request.GET.urlencode(),
    }
    return render(request, "calls/pattern_map.html", context)


@login_required(login_url="/admin/login/")
def call_detail(request: HttpRequest, pk: int) -> HttpResponse:
    call = get_object_or_404(Call.objects.select_related("agent"), pk=pk)
    curve = call.frustration_curve or []
    end = max((p[0] for p in curve), default=0.0) or 1.0
    points = " ".join(
        f"{round(20 + (CHART_W - 40) * p[0] / end)},{round(CHART_H - 20 - (CHART_H - 40) * p[1])}" for p in curve
    )
    flags = list(call.flags.all())
    marks = [{"x": round(20 + (CHART_W - 40) * f.time_s / end), "flag": f} for f in flags]
    utterances = [{"time": fmt_mss(u.start_s), "role": u.role, "text": u.text} for u in call.utterances.all()]
    return render(
        request,
        "calls/call_analysis.html",
        {
            "call": call,
            "points": points,
            "marks": marks,
            "flags": flags,
            "utterances": utterances,
            "chart_w": CHART_W,
            "chart_h": CHART_H,
        },  # fmt: skip
    )
