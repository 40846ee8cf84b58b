"""Analysing calls: frustration curve, escalation flags, representative calls."""

from __future__ import annotations

import logging
import threading
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils import timezone
from pydub.exceptions import CouldntDecodeError

from deesc_lms.api_errors import DeescError
from deesc_lms.calls import voice_curve
from deesc_lms.calls.analysis import CallAnalysis, analyse_turns, place_in_time
from deesc_lms.calls.models import Call, EscalationFlag, Trigger
from deesc_lms.calls.triggers import DEFAULT_TAXONOMY, TriggerClassifier, TriggerSpec, specs_from_yaml

__all__ = [
    "call_analyse",
    "calls_analyse",
    "flags_pick_representative",
    "flag_set_representative",
    "trigger_classifier",
    "triggers_load_defaults",
    "REPRESENTATIVE_CRITERIA",
]

logger = logging.getLogger(__name__)
_classifier_lock = threading.Lock()
_classifier: TriggerClassifier | None = None


# --- taxonomy ---------------------------------------------------------------------------------


def triggers_load_defaults(*, replace: bool = False, path: Path = DEFAULT_TAXONOMY) -> int:
    """Load the shipped taxonomy (fixtures/triggers.yaml) into Trigger; returns how many were created.

    Idempotent: a trigger that exists keeps its admin edits unless `replace` is true.
    Raises DeescError when the file is missing or not a list of triggers."""
    if not path.exists():
        raise DeescError(f"Trigger taxonomy not found at {path}.", code="missing_taxonomy")
    try:
        specs = specs_from_yaml(path)
    except (KeyError, TypeError, AttributeError, ValueError) as exc:
        raise DeescError(f"{path.name} is not a list of triggers with a slug each: {exc}", code="bad_taxonomy") from exc
    created = 0
    with transaction.atomic():
        for spec in specs:
            fields = {
                "name": spec.name,
                "description": spec.description,
                "keywords": list(spec.keywords),
                "agent_keywords": list(spec.agent_keywords),
                "examples": list(spec.examples),
            }
            if replace:
                _, made = Trigger.objects.update_or_create(slug=spec.slug, defaults={**fields, "active": True})
            else:
                _, made = Trigger.objects.get_or_create(slug=spec.slug, defaults=fields)
            created += int(made)
    return created


def _active_specs() -> list[TriggerSpec]:
    rows = Trigger.objects.filter(active=True).values_list(
        "slug", "name", "keywords", "agent_keywords", "examples", "description"
    )
    return [
        TriggerSpec(slug, name, tuple(kw or ()), tuple(akw or ()), tuple(ex or ()), desc)
        for slug, name, kw, akw, ex, desc in rows
    ]


def trigger_classifier() -> TriggerClassifier:
    """The classifier for the current taxonomy; rebuilt (examples re-embedded) only when it changes."""
    global _classifier
    if not Trigger.objects.exists():
        triggers_load_defaults()
    specs = _active_specs()
    candidate = TriggerClassifier(specs)
    with _classifier_lock:
        if _classifier is None or _classifier.fingerprint != candidate.fingerprint:
            _classifier = candidate
        return _classifier


# --- one call ---------------------------------------------------------------------------------


def _voice(call: Call, turns: list[Any], words: dict[int, list[tuple[float, float]]]) -> dict[int, float] | None:
    if call.source != Call.Source.AUDIO or not call.media:
        return None
    try:
        path = Path(call.media.path)
    except NotImplementedError:  # remote storage: no local path to read samples from
        return None
    if not path.exists():
        return None
    roles = list(call.channel_roles or [])
    channel = roles.index("customer") if "customer" in roles and call.channels and call.channels > 1 else None
    try:
        return voice_curve.customer_voice_scores(path, turns, channel=channel, words=words) or None
    except (OSError, ValueError, CouldntDecodeError, DeescError) as exc:
        logger.warning("call %s: voice features unavailable, scoring words only: %s", call.pk, exc)
        return None


def call_analyse(*, call: Call, classifier: TriggerClassifier | None = None) -> list[EscalationFlag]:
    """Analyse one call: replace its flags, set its frustration curve, note, analysed_at and status.

    Idempotent: re-analysing replaces the call's flags. Odd calls (no customer speech, one speaker,
    no timestamps, hours long) are analysed without error; a call with no flag gets a note saying
    why. Loads the default triggers if the taxonomy is empty."""
    classifier = classifier or trigger_classifier()
    rows = list(
        call.utterances.order_by("index").values_list("index", "role", "start_s", "end_s", "text", "speaker", "words")
    )
    turns, timed = place_in_time(
        [(role, start, end, text or "", speaker) for _, role, start, end, text, speaker, _ in rows]
    )
    words: dict[int, list[tuple[float, float]]] = {}
    for position, row in enumerate(rows):
        spoken = [
            (float(w["start"]), float(w["end"]))
            for w in (row[6] or [])
            if isinstance(w, dict) and "start" in w and "end" in w
        ]
        if spoken:
            words[position] = spoken
    voice = _voice(call, turns, words) if timed else None
    result: CallAnalysis = analyse_turns(turns, classifier=classifier, timed=timed, voice=voice)
    flags = [
        EscalationFlag(
            call=call,
            time_s=e.time_s,
            severity=e.severity,
            trigger=e.trigger,
            trigger_confidence=e.trigger_confidence,
            stage=e.stage,
            position=e.position,
            excerpt=e.excerpt,
            agent_turn_before=e.agent_turn_before,
            outcome=e.outcome,
            first_agent_response=e.first_agent_response,
            prevention_s=e.prevention_s,
            redirect_language=e.redirect_language,
            review=e.review,
            voice_used=e.voice_used,
        )
        for e in result.escalations
    ]
    with transaction.atomic():
        # Designer overrides survive a re-analysis when the same moment is found again.
        kept = {
            round(time_s): override
            for time_s, override in call.flags.filter(representative_override__isnull=False).values_list(
                "time_s", "representative_override"
            )
        }
        for flag in flags:
            flag.representative_override = kept.get(round(flag.time_s))
        call.flags.all().delete()
        EscalationFlag.objects.bulk_create(flags)
        call.frustration_curve = result.curve
        call.analysis_note = result.note
        if not timed and result.escalations:
            call.analysis_note = "Times are estimated from word counts: the transcript has no timestamps."
        call.analysed_at = timezone.now()
        call.status = Call.Status.ANALYSED
        call.save(update_fields=["frustration_curve", "analysis_note", "analysed_at", "status"])
    return flags


def calls_analyse(*, call_ids: list[int] | None = None) -> int:
    """Analyse many calls (all transcribed or analysed calls when `call_ids` is None); returns how many."""
    classifier = trigger_classifier()
    qs = Call.objects.all() if call_ids is None else Call.objects.filter(pk__in=call_ids)
    if call_ids is None:
        qs = qs.filter(status__in=[Call.Status.TRANSCRIBED, Call.Status.ANALYSED])
    done = 0
    for call in qs.iterator(chunk_size=200):
        call_analyse(call=call, classifier=classifier)
        done += 1
    return done


# --- representative calls ---------------------------------------------------------------------

REPRESENTATIVE_CRITERIA = (
    "Per trigger, 3-5 flags from different calls: the best recovered, the best deteriorated and the best "
    "prevented one first, then the best of the rest. 'Best' weighs a clear moment (severity and trigger "
    "confidence, 45%), a short call (full marks up to 8 minutes, falling to zero at 30, 25%) and good audio "
    "(a recording whose words the recogniser was sure of, 30%; a transcript without audio scores 0.3). "
    "A designer's override in admin wins: 'yes' always includes a flag, 'no' always leaves it out."
)
OUTCOMES_WANTED = (
    EscalationFlag.Outcome.RECOVERED,
    EscalationFlag.Outcome.DETERIORATED,
    EscalationFlag.Outcome.PREVENTED,
)
MAX_PER_TRIGGER = 5
MIN_PER_TRIGGER = 3


def _audio_quality(flag: EscalationFlag) -> float:
    call = flag.call
    if call.source != Call.Source.AUDIO or not call.media:
        return 0.3
    probs = [
        float(w["probability"])
        for words in call.utterances.filter(start_s__lte=flag.time_s + 30, end_s__gte=flag.time_s - 30).values_list(
            "words", flat=True
        )
        for w in (words or [])
        if isinstance(w, dict) and w.get("probability") is not None
    ]
    return sum(probs) / len(probs) if probs else 0.7


def _call_length(flag: EscalationFlag) -> float:
    call = flag.call
    if call.duration_s:
        return float(call.duration_s)
    curve = call.frustration_curve or []
    return float(curve[-1][0]) if curve else 0.0


def _merit(flag: EscalationFlag) -> tuple[float, str]:
    clarity = 0.5 * flag.severity + 0.5 * flag.trigger_confidence
    length = _call_length(flag)
    short = 1.0 if length <= 480 else max(0.0, 1.0 - (length - 480) / (1800 - 480))
    sound = _audio_quality(flag)
    score = 0.45 * clarity + 0.25 * short + 0.3 * sound
    return score, f"clarity {clarity:.2f}, length {int(length // 60)} min, audio {sound:.2f}"


def flags_pick_representative(*, trigger: str | None = None) -> list[EscalationFlag]:
    """Choose 3-5 training examples per trigger (see REPRESENTATIVE_CRITERIA); returns the chosen flags.

    Sets `representative` and `representative_reason` on every flag of the triggers considered."""
    slugs = [trigger] if trigger else sorted(set(EscalationFlag.objects.values_list("trigger", flat=True)))
    chosen_all: list[EscalationFlag] = []
    for slug in slugs:
        flags = list(EscalationFlag.objects.filter(trigger=slug).select_related("call"))
        if not flags:
            continue
        forced = [f for f in flags if f.representative_override is True]
        pool = [f for f in flags if f.representative_override is None]
        merits = {f.pk: _merit(f) for f in pool}
        pool.sort(key=lambda f: -merits[f.pk][0])
        chosen: list[EscalationFlag] = list(forced)
        reasons: dict[int, str] = {f.pk: "chosen by a designer" for f in forced}
        used_calls = {f.call_id for f in chosen}
        for outcome in OUTCOMES_WANTED:
            if any(f.outcome == outcome for f in chosen):
                continue
            best = next((f for f in pool if f.outcome == outcome and f.call_id not in used_calls), None)
            if best is not None:
                chosen.append(best)
                used_calls.add(best.call_id)
                reasons[best.pk] = f"best {outcome} example ({merits[best.pk][1]})"
        for f in pool:
            if len(chosen) >= MIN_PER_TRIGGER:
                break
            if f.call_id in used_calls or f in chosen:
                continue
            chosen.append(f)
            used_calls.add(f.call_id)
            reasons[f.pk] = f"next best {f.outcome} example ({merits[f.pk][1]})"
        chosen = chosen[: max(MAX_PER_TRIGGER, len(forced))]
        chosen_ids = {f.pk for f in chosen}
        with transaction.atomic():
            for f in flags:
                f.representative = f.pk in chosen_ids
                if f.pk in chosen_ids:
                    f.representative_reason = reasons[f.pk][:255]
                elif f.representative_override is False:
                    f.representative_reason = "left out by a designer"
                else:
                    f.representative_reason = f"not picked ({merits[f.pk][1]})"[:255] if f.pk in merits else ""
            EscalationFlag.objects.bulk_update(flags, ["representative", "representative_reason"])
        chosen_all.extend(sorted(chosen, key=lambda f: (f.outcome, f.call_id)))
    return chosen_all


def flag_set_representative(*, flag: EscalationFlag, choice: bool | None) -> list[EscalationFlag]:
    """A designer's override: True always includes the flag, False always leaves it out, None lets the
    criteria decide. Re-picks that trigger's representatives and returns them."""
    flag.representative_override = choice
    flag.save(update_fields=["representative_override"])
    return flags_pick_representative(trigger=flag.trigger)
