"""Celery tasks of the rubrics app: they take ids and call a service."""

from __future__ import annotations

from typing import Any

from celery import shared_task
from django.db import transaction

from scenarios.models import Attempt


@shared_task(bind=True, max_retries=3, default_retry_delay=10, acks_late=True)
def attempt_grade_task(self: Any, attempt_id: int) -> int | None:
    """Grade a stored attempt; idempotent: an attempt already graded is left as it is."""
    from rubrics import services

    attempt = Attempt.objects.filter(pk=attempt_id).first()
    if attempt is None or attempt.status == Attempt.Status.GRADED:
        return None
    return services.attempt_grade(attempt=attempt).pk


def enqueue_attempt_grading(sender: Any, attempt: Attempt, **kwargs: Any) -> None:
    """Receiver of scenarios.signals.attempt_submitted: grade once the attempt is committed."""
    transaction.on_commit(lambda: attempt_grade_task.delay(attempt.pk))
