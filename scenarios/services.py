"""Every write of the scenarios app: building modules from flagged calls, storing attempts."""

from __future__ import annotations

import logging
from collections.abc import Iterable

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from deesc_lms.api_errors import DeescError
from deesc_lms.calls import services as call_services
from deesc_lms.calls.models import Agent, Call, EscalationFlag, Utterance, fmt_mss
from scenarios import roleplay, steps
from scenarios.models import Attempt, Clip, Drill, Module, RolePlay
from scenarios.signals import attempt_submitted

logger = logging.getLogger(__name__)

CONTEXT_TURNS = 4  # utterances before the flagged moment shown as the situation
CLIP_LEAD_S = 20.0  # seconds of call before the flagged moment in the clip
CLIP_TAIL_S = 8.0
MAX_ANSWER_CHARS = 5000
TRIGGER_TITLES = {
    "wait_time": "A long wait",
    "billing_dispute": "A billing dispute",
    "repeat_contact": "A repeat contact",
    "policy_explanation": "A policy explanation",
    "transfer_handoff": "A transfer",
    "product_failure": "A product failure",
    "agent_conduct": "The agent's conduct",
    "cancellation_threat": "A cancellation threat",
}


def _utterances_around(flag: EscalationFlag) -> tuple[list[Utterance], Utterance | None]:
    """The utterances up to the flagged moment, and the customer utterance at it."""
    utterances = list(flag.call.utterances.order_by("index"))
    moment = None
    for u in utterances:
        if u.role == Utterance.Role.CUSTOMER and (u.start_s is None or u.start_s <= flag.time_s + 0.5):
            if u.text.strip() and flag.excerpt and flag.excerpt[:40] in u.text:
                moment = u
                break
    if moment is None:
        candidates = [u for u in utterances if u.role == Utterance.Role.CUSTOMER and u.start_s is not None]
        moment = min(candidates, key=lambda u: abs((u.start_s or 0) - flag.time_s), default=None)
    before = [u for u in utterances if moment is not None and u.index < moment.index]
    return before, moment


def _line(u: Utterance) -> str:
    stamp = f"[{fmt_mss(u.start_s)}] " if u.start_s is not None else ""
    return f"{stamp}{u.get_role_display()}: {u.text}"


def _persona(flag: EscalationFlag) -> dict[str, object]:
    """How the real caller talks, for the role-play: their own lines, in order, and their pressure points."""
    lines = [u.text for u in flag.call.utterances.filter(role=Utterance.Role.CUSTOMER).order_by("index")]
    intensity = [
        w
        for w in ("third time", "supervisor", "cancel", "ridiculous", "unbelievable")
        if any(w in line.lower() for line in lines)
    ]
    return {
        "trigger": flag.trigger,
        "opening": flag.excerpt,
        "lines": lines,
        "pressure_points": intensity,
        "outcome_on_real_call": flag.outcome,
    }


@transaction.atomic
def module_build(*, flag: EscalationFlag, pass_threshold: int = 70) -> Module:
    """Build a training module from a flagged call: a clip, five single-step drills, the combined drill
    and a role-play. Idempotent: the module built from a flag before is returned as it is.

    Raises DeescError when the flag has no customer line to answer."""
    existing = Module.objects.filter(source_flag=flag).first()
    if existing is not None:
        return existing
    before, moment = _utterances_around(flag)
    customer_line = (moment.text if moment is not None else flag.excerpt).strip()
    if not customer_line:
        raise DeescError("The flagged moment has no customer speech to build drills from.", code="no_customer_line")
    call = flag.call
    trigger_title = TRIGGER_TITLES.get(flag.trigger, flag.trigger.replace("_", " ").capitalize() or "An escalation")
    title = f"{trigger_title}: {call}"
    slug = slugify(f"{flag.trigger}-{call.pk}-{flag.pk}")[:120]
    module = Module.objects.create(
        slug=slug,
        title=title[:255],
        summary=(
            f"Built from a real call at {fmt_mss(flag.time_s)} ({flag.get_stage_display().lower()} stage, "
            f"outcome on the call: {flag.get_outcome_display().lower()})."
        ),
        trigger=flag.trigger,
        source_flag=flag,
        pass_threshold=pass_threshold,
    )
    context = "\n".join(_line(u) for u in before[-CONTEXT_TURNS:])
    end_s = (moment.end_s if moment is not None and moment.end_s is not None else flag.time_s) + CLIP_TAIL_S
    if call.duration_s:
        end_s = min(end_s, call.duration_s)
    start_s = max(0.0, flag.time_s - CLIP_LEAD_S)
    clip = Clip(
        module=module,
        call=call,
        start_s=start_s,
        end_s=max(end_s, start_s + 1.0),
        transcript="\n".join(_line(u) for u in [*before[-CONTEXT_TURNS:], *([moment] if moment else [])]),
    )
    if call.source == Call.Source.AUDIO and call.media:
        # Both voices, mixed, so the learner hears the exchange as it happened.
        cut = call_services.call_clip_cut(call=call, start_s=clip.start_s, end_s=clip.end_s, pad_s=0.0)
        clip.audio.name = cut.name
    clip.save()
    drills: list[dict[str, object]] = [
        {
            "kind": Drill.Kind.STEP,
            "step": step.number,
            "title": f"Step {step.number}: {step.title}",
            "instructions": step.instructions,
            "rubric_slug": step.rubric_slug,
        }
        for step in steps.STEPS
    ]
    drills.append(
        {
            "kind": Drill.Kind.COMBINED,
            "title": "All five steps together",
            "instructions": steps.COMBINED_INSTRUCTIONS,
            "rubric_slug": steps.COMBINED_RUBRIC,
        }
    )
    drills.append(
        {
            "kind": Drill.Kind.ROLEPLAY,
            "title": "Role-play with the caller",
            "instructions": steps.ROLEPLAY_INSTRUCTIONS,
            "rubric_slug": steps.COMBINED_RUBRIC,
            "persona": _persona(flag),
        }
    )
    shared = {"module": module, "customer_line": customer_line, "context": context, "clip": clip}
    Drill.objects.bulk_create([Drill(order=order, **shared, **spec) for order, spec in enumerate(drills, 1)])
    logger.info("module %s built from flag %s (call %s)", module.slug, flag.pk, call.pk)
    return module


def modules_build(*, flags: Iterable[EscalationFlag]) -> list[Module]:
    return [module_build(flag=flag) for flag in flags]


def attempt_submit(
    *,
    drill: Drill,
    agent: Agent | None = None,
    text: str = "",
    audio: UploadedFile | None = None,
    channel: str = Attempt.Channel.WEB,
    lti_context: dict[str, object] | None = None,
) -> Attempt:
    """Store a learner's answer, then (after commit) hand it to grading.

    The attempt is saved before any grading runs, so nothing is lost if grading fails.
    Raises DeescError for an empty answer, an over-long one, or an audio file too large."""
    text = (text or "").strip()
    if not text and audio is None:
        raise DeescError("The answer is empty: type an answer or record one.", code="empty_answer")
    limit = getattr(settings, "DEESC_MAX_ANSWER_CHARS", MAX_ANSWER_CHARS)
    if len(text) > limit:
        raise DeescError(f"The answer is {len(text)} characters long; the limit is {limit}.", code="answer_too_long")
    if audio is not None and audio.size is not None and audio.size > settings.DEESC_MAX_UPLOAD_BYTES:
        raise DeescError("The recording is larger than the upload limit.", code="upload_too_large")
    with transaction.atomic():
        attempt = Attempt(drill=drill, agent=agent, channel=channel, answer_text=text, lti_context=lti_context or {})
        if audio is not None:
            attempt.answer_audio.save(audio.name or "answer.wav", audio, save=False)
        attempt.save()
        attempt_submitted.send(sender=Attempt, attempt=attempt)
    return attempt


def roleplay_start(*, drill: Drill, agent: Agent | None) -> RolePlay:
    """Open a conversation with the simulated caller; it speaks first, with the real caller's line."""
    if drill.kind != Drill.Kind.ROLEPLAY:
        raise DeescError("This drill is not a role-play.", code="not_roleplay")
    persona = roleplay.Persona.from_dict(
        drill.persona or {"opening": drill.customer_line, "lines": [drill.customer_line]}
    )
    opening = persona.opening or drill.customer_line
    return RolePlay.objects.create(
        drill=drill,
        agent=agent,
        frustration=0.8,
        turns=[{"speaker": "customer", "text": opening, "frustration": 0.8}],
    )


def roleplay_turn(*, roleplay_session: RolePlay, text: str) -> RolePlay:
    """Store the learner's turn (as an attempt graded with the drill's rubric), then let the caller answer.

    Raises DeescError for an empty or over-long turn, or a conversation that has ended."""
    text = (text or "").strip()
    if roleplay_session.status != RolePlay.Status.ACTIVE:
        raise DeescError("This conversation has ended; start a new one to try again.", code="roleplay_finished")
    if not text:
        raise DeescError("The answer is empty: say something to the customer.", code="empty_answer")
    limit = getattr(settings, "DEESC_MAX_ANSWER_CHARS", MAX_ANSWER_CHARS)
    if len(text) > limit:
        raise DeescError(f"The answer is {len(text)} characters long; the limit is {limit}.", code="answer_too_long")
    last_customer = next(t["text"] for t in reversed(roleplay_session.turns) if t["speaker"] == "customer")
    with transaction.atomic():
        session = RolePlay.objects.select_for_update().get(pk=roleplay_session.pk)
        attempt = Attempt.objects.create(
            drill=session.drill,
            agent=session.agent,
            channel=Attempt.Channel.WEB,
            answer_text=text,
            customer_line=last_customer,
        )
        session.turns = [*session.turns, {"speaker": "agent", "text": text, "attempt": attempt.pk}]
        session.save(update_fields=["turns"])
    assessment = roleplay.current_judge()(attempt=attempt)
    persona = roleplay.Persona.from_dict(session.drill.persona or {})
    used = [t["text"] for t in session.turns if t["speaker"] == "customer"]
    caller = roleplay.Caller(persona, frustration=session.frustration, used=used)
    agent_turns = sum(1 for t in session.turns if t["speaker"] == "agent")
    reply = caller.reply(assessment, turn_number=agent_turns)
    with transaction.atomic():
        session = RolePlay.objects.select_for_update().get(pk=session.pk)
        turns = list(session.turns)
        turns[-1] = {**turns[-1], "score": round(assessment.score, 1), "feedback": assessment.feedback}
        turns.append({"speaker": "customer", "text": reply.text, "frustration": round(reply.frustration, 2)})
        session.turns = turns
        session.frustration = reply.frustration
        if reply.finished:
            session.status = RolePlay.Status.CALMED if reply.outcome == "calmed" else RolePlay.Status.ESCALATED
            session.finished_at = timezone.now()
        session.save()
    return session
