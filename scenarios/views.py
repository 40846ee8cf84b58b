"""The learner's player in the browser: a module's clip and drills, answers typed or recorded.

Pages render from scenarios' own data; the grade is fetched from /api/attempts/<id> by the page,
so it appears whether grading ran inline or on a worker.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from deesc_lms.api_errors import DeescError
from deesc_lms.calls.models import Agent
from scenarios import services
from scenarios.models import Attempt, Drill, Module, RolePlay


def learner_agent(request: HttpRequest) -> Agent:
    """The agent a logged-in user practises as (an LTI launch links the two; otherwise one per user)."""
    user = request.user
    agent_id = request.session.get("deesc_agent_id")
    if agent_id:
        agent = Agent.objects.filter(pk=agent_id).first()
        if agent is not None:
            return agent
    name = (user.get_full_name() if hasattr(user, "get_full_name") else "") or user.get_username()
    agent, _ = Agent.objects.get_or_create(external_id=f"user:{user.pk}", defaults={"name": name})
    return agent


@login_required
def module_page(request: HttpRequest, slug: str) -> HttpResponse:
    module = get_object_or_404(Module.objects.prefetch_related("drills", "clips"), slug=slug)
    agent = learner_agent(request)
    attempts = {a.drill_id: a for a in Attempt.objects.filter(drill__module=module, agent=agent).order_by("created_at")}
    return render(
        request,
        "scenarios/module.html",
        {
            "module": module,
            "drills": module.drills.order_by("order"),
            "clip": module.clips.first(),
            "attempts": attempts,
        },
    )


@login_required
def drill_page(request: HttpRequest, slug: str, order: int) -> HttpResponse:
    drill = get_object_or_404(Drill.objects.select_related("module", "clip"), module__slug=slug, order=order)
    if drill.kind == Drill.Kind.ROLEPLAY:
        return roleplay_page(request, drill)
    agent = learner_agent(request)
    error = ""
    if request.method == "POST":
        try:
            attempt = services.attempt_submit(
                drill=drill,
                agent=agent,
                text=request.POST.get("text", ""),
                audio=request.FILES.get("audio"),
                channel=request.session.get("deesc_channel", Attempt.Channel.WEB),
                lti_context=request.session.get("deesc_lti_launch", {}).get(drill.module.slug),
            )
        except DeescError as exc:
            error = exc.message
        else:
            return redirect(f"{request.path}?attempt={attempt.pk}")
    shown = None
    if request.GET.get("attempt", "").isdigit():
        shown = Attempt.objects.filter(pk=int(request.GET["attempt"]), agent=agent, drill=drill).first()
    history = Attempt.objects.filter(drill=drill, agent=agent).order_by("-created_at")[:10]
    next_drill = drill.module.drills.filter(order__gt=drill.order).order_by("order").first()
    return render(
        request,
        "scenarios/drill.html",
        {
            "drill": drill,
            "module": drill.module,
            "attempt": shown,
            "history": history,
            "error": error,
            "next_drill": next_drill,
        },
        status=400 if error else 200,
    )


def roleplay_page(request: HttpRequest, drill: Drill) -> HttpResponse:
    agent = learner_agent(request)
    error = ""
    session = None
    if request.GET.get("session", "").isdigit():
        session = RolePlay.objects.filter(pk=int(request.GET["session"]), drill=drill, agent=agent).first()
    if request.method == "POST":
        try:
            if request.POST.get("action") == "start" or session is None:
                session = services.roleplay_start(drill=drill, agent=agent)
            else:
                session = services.roleplay_turn(roleplay_session=session, text=request.POST.get("text", ""))
        except DeescError as exc:
            error = exc.message
        else:
            return redirect(f"{request.path}?session={session.pk}")
    past = RolePlay.objects.filter(drill=drill, agent=agent).order_by("-created_at")[:5]
    return render(
        request,
        "scenarios/roleplay.html",
        {"drill": drill, "module": drill.module, "session": session, "past": past, "error": error},
        status=400 if error else 200,
    )
