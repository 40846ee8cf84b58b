"""Celery tasks of the calls app: each takes ids and calls a service."""

from __future__ import annotations

import logging
from typing import Any

from celery import Task, shared_task
from django.conf import settings

from deesc_lms.api_errors import DeescError

logger = logging.getLogger(__name__)


class TranscribeTask(Task):
    def on_failure(self, exc: Exception, task_id: str, args: Any, kwargs: Any, einfo: Any) -> None:
        """After the last retry, the call shows failed with the reason instead of hanging in 'transcribing'."""
        if isinstance(exc, DeescError):
            return  # the service has already recorded the reason
        from deesc_lms.calls.models import Call
        from deesc_lms.calls.services import call_mark_failed

        call_id = args[0] if args else kwargs.get("call_id")
        call = Call.objects.filter(pk=call_id).first()
        if call is not None:
            attempts = self.request.retries + 1
            call_mark_failed(call=call, reason=f"Transcription failed after {attempts} attempt(s): {exc}")


@shared_task(
    bind=True,
    base=TranscribeTask,
    name="calls.call_transcribe",
    autoretry_for=(Exception,),
    dont_autoretry_for=(DeescError,),
    retry_backoff=10,
    retry_backoff_max=600,
    retry_jitter=True,
    max_retries=settings.DEESC_ASR_MAX_RETRIES,
    acks_late=True,
)
def call_transcribe(self: Task, call_id: int) -> str:
    from deesc_lms.calls.services import call_transcribe as transcribe

    call = transcribe(call_id=call_id)
    return str(call.status)
