"""Celery tasks for escalation analysis: they take ids and call a service (idempotent)."""

from __future__ import annotations

from celery import shared_task

from deesc_lms.calls.models import Call
from deesc_lms.calls.services.analysis import call_analyse, flags_pick_representative


@shared_task(name="calls.analyse_call", acks_late=True)
def analyse_call(call_id: int) -> int:
    """Analyse one call (re-running replaces its flags); returns how many flags it has."""
    call = Call.objects.filter(pk=call_id).first()
    if call is None:
        return 0
    return len(call_analyse(call=call))


@shared_task(name="calls.pick_representatives")
def pick_representatives(trigger: str | None = None) -> int:
    return len(flags_pick_representative(trigger=trigger))
