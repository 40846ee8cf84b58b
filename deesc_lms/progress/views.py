"""Coach pages: every agent at a glance, one agent over time, and the same report as a PDF."""

from __future__ import annotations

from typing import Any

from django.contrib.admin.views.decorators import staff_member_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.utils import timezone

from deesc_lms.calls.models import Agent
from deesc_lms.progress import charts, selectors


def _context(agent: Agent) -> dict[str, Any]:
    progress = selectors.agent_progress(agent=agent)
    trigger_rows = [(t.replace("_", " "), progress.pre.rate(t), progress.post.rate(t)) for t in progress.triggers]
    criterion_rows = [
        (c.replace("-", " "), progress.criterion_pre.get(c), progress.criterion_post.get(c)) for c in progress.criteria
    ]
    return {
        "agent": agent,
        "progress": progress,
        "timeline": charts.score_timeline(
            progress.points, training_start=progress.training_start, training_end=progress.training_end
        ),
        "trigger_chart": charts.paired_bars(trigger_rows) if trigger_rows else "",
        "criterion_chart": charts.paired_bars(criterion_rows) if criterion_rows else "",
        "generated_at": timezone.now(),
    }


@staff_member_required
def overview(request: HttpRequest) -> HttpResponse:
    return render(request, "progress/overview.html", {"rows": selectors.agents_overview()})


@staff_member_required
def agent_page(request: HttpRequest, agent_id: int) -> HttpResponse:
    agent = get_object_or_404(Agent, pk=agent_id)
    return render(request, "progress/agent.html", _context(agent))


@staff_member_required
def agent_pdf(request: HttpRequest, agent_id: int) -> HttpResponse:
    from weasyprint import HTML  # imported here: loading pango costs a second and only this view needs it

    agent = get_object_or_404(Agent, pk=agent_id)
    html = render_to_string("progress/report.html", _context(agent), request=request)
    pdf = HTML(string=html, base_url=request.build_absolute_uri("/")).write_pdf()
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="deesc-progress-agent-{agent.pk}.pdf"'
    return response
