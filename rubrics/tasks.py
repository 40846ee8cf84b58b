"""Celery tasks of the rubrics app: they take ids and call a service."""

from __future__ import annotations

import logging
from typing import Any

from celery import shared_task
from django.db import transaction

from deesc_lms.api_errors import DeescError
from scenarios.models import Attempt

logger = logging.getLogger(__name__)


@shared_task(bind=True, max_retries=3, default_retry_delay=10, acks_late=True)
def attempt_grade_task(self: Any, attempt_id: int) -> int | None:
    """Grade a stored attempt; idempotent: an attempt already graded is left as it is.

    A refused answer (empty, too long, not English, unreadable audio) marks the attempt failed
    with the reason and is not retried: retrying cannot fix the learner's input."""
    from rubrics import services

    attempt = Attempt.objects.filter(pk=attempt_id).first()
    if attempt is None or attempt.status == Attempt.Status.GRADED:
        return None
    try:
        return services.attempt_grade(attempt=attempt).pk
    except DeescError as exc:
        logger.info("attempt %s not graded: %s", attempt_id, exc.message)
        return None


@shared_task(bind=True, max_retries=3, default_retry_delay=30, acks_late=True)
def call_grade_task(self: Any, call_id: int, rubric_slug: str = "real-call-qa") -> int | None:
    """Score an agent's real call with the QA rubric."""
    from deesc_lms.calls.models import Call
    from rubrics import services

    call = Call.objects.filter(pk=call_id).first()
    if call is None:
        return None
    try:
        return services.call_grade(call=call, rubric_slug=rubric_slug).pk
    except DeescError as exc:
        logger.info("call %s not graded: %s", call_id, exc.message)
        return None


def enqueue_attempt_grading(sender: Any, attempt: Attempt, **kwargs: Any) -> None:
    """Receiver of scenarios.signals.attempt_submitted: grade once the attempt is committed."""
    transaction.on_commit(lambda: attempt_grade_task.delay(attempt.pk))
