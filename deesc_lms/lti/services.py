"""Gradebook outbox: a grade from an LTI launch becomes a GradeDelivery row, sent with retries.

The row is written in the same transaction as the grade, so a score is never lost when the LMS is
down; sending is idempotent (a sent row is never sent again) and backs off exponentially.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import requests
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from deesc_lms.api_errors import DeescError
from deesc_lms.calls.models import Agent
from deesc_lms.lti import ags
from deesc_lms.lti.claims import Launch
from deesc_lms.lti.keys import tool_key_active
from deesc_lms.lti.models import GradeDelivery, Registration
from rubrics.models import Grade

logger = logging.getLogger(__name__)
BACKOFF_BASE_S = 30
BACKOFF_MAX_S = 6 * 60 * 60


def backoff_delay(tries: int) -> timedelta:
    return timedelta(seconds=min(BACKOFF_MAX_S, BACKOFF_BASE_S * 2 ** max(0, tries - 1)))


def delivery_queue(*, grade: Grade) -> GradeDelivery | None:
    """Queue a grade for the LMS gradebook when its attempt came from an LTI launch with AGS.

    Returns None when there is nowhere to send it (no launch, or the launch had no line item)."""
    attempt = grade.attempt
    if attempt is None:
        return None
    launch: dict[str, Any] = attempt.lti_context or {}
    lineitem = launch.get("lineitem")
    if not lineitem or not launch.get("user_id") or not launch.get("registration_id"):
        return None
    payload = ags.score_payload(
        user_id=str(launch["user_id"]),
        score=grade.score,
        passed=grade.passed,
        comment=grade.feedback,
        timestamp=grade.created_at.isoformat(),
    )
    delivery, _ = GradeDelivery.objects.get_or_create(
        grade=grade,
        target=GradeDelivery.Target.LTI_AGS,
        defaults={
            "destination": {
                "registration_id": launch["registration_id"],
                "lineitem": lineitem,
                "user_id": launch["user_id"],
            },
            "payload": payload,
            "next_try_at": timezone.now(),
        },
    )
    from deesc_lms.lti.tasks import delivery_send_task

    transaction.on_commit(lambda: delivery_send_task.delay(delivery.pk))
    return delivery


def delivery_send(*, delivery: GradeDelivery, session: requests.Session | None = None) -> GradeDelivery:
    """Send one queued score. A refused or unreachable platform leaves the row pending with the reason
    and the time of the next try; after DEESC_AGS_MAX_TRIES, or on an error that cannot succeed, it is
    marked failed. Raises DeescError when the row's registration no longer exists."""
    with transaction.atomic():
        delivery = GradeDelivery.objects.select_for_update().get(pk=delivery.pk)
        if delivery.status != GradeDelivery.Status.PENDING:
            return delivery
        delivery.tries += 1
        delivery.save(update_fields=["tries"])
    registration = Registration.objects.filter(pk=delivery.destination.get("registration_id")).first()
    if registration is None:
        delivery.status = GradeDelivery.Status.FAILED
        delivery.last_error = "The LTI registration of this launch was deleted."
        delivery.save(update_fields=["status", "last_error"])
        raise DeescError(delivery.last_error, code="registration_missing")
    key = tool_key_active()
    identity = ags.ToolIdentity(
        client_id=registration.client_id,
        token_url=registration.auth_token_url,
        private_pem=key.private_pem,
        kid=key.kid,
    )
    try:
        ags.post_score(identity, delivery.destination["lineitem"], delivery.payload, session=session)
    except ags.AgsError as exc:
        give_up = not exc.retryable or delivery.tries >= settings.DEESC_AGS_MAX_TRIES
        delivery.status = GradeDelivery.Status.FAILED if give_up else GradeDelivery.Status.PENDING
        delivery.last_error = str(exc)
        delivery.next_try_at = None if give_up else timezone.now() + backoff_delay(delivery.tries)
        delivery.save(update_fields=["status", "last_error", "next_try_at"])
        logger.warning("AGS delivery %s try %s failed: %s", delivery.pk, delivery.tries, exc)
        return delivery
    delivery.status = GradeDelivery.Status.SENT
    delivery.sent_at = timezone.now()
    delivery.last_error = ""
    delivery.next_try_at = None
    delivery.save(update_fields=["status", "sent_at", "last_error", "next_try_at"])
    logger.info("AGS delivery %s sent after %s tries", delivery.pk, delivery.tries)
    return delivery


def deliveries_due(*, now: Any = None) -> list[GradeDelivery]:
    now = now or timezone.now()
    return list(
        GradeDelivery.objects.filter(status=GradeDelivery.Status.PENDING, next_try_at__lte=now).order_by("next_try_at")
    )


def on_grade_recorded(sender: Any, grade: Grade, **kwargs: Any) -> None:
    """Receiver of rubrics.signals.grade_recorded."""
    delivery_queue(grade=grade)


@dataclass(frozen=True)
class LaunchResult:
    user: Any
    agent: Agent
    lti_context: dict[str, Any]


@transaction.atomic
def launch_accept(*, launch: Launch, registration: Registration) -> LaunchResult:
    """Turn a validated launch into a deesc user and agent, and the context a grade is sent back with.

    The user is keyed by (registration, LTI subject), never by name or email, which a platform may
    change. Raises DeescError when the launch has no user (an anonymous launch)."""
    if not launch.user_id:
        raise DeescError("The launch has no user id (sub); deesc needs a learner to grade.", code="anonymous_launch")
    subject = hashlib.sha256(f"{registration.pk}:{launch.user_id}".encode()).hexdigest()[:24]
    user_model = get_user_model()
    user, created = user_model.objects.get_or_create(username=f"lti-{subject}", defaults={"email": launch.email})
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    agent, _ = Agent.objects.get_or_create(
        external_id=f"lti:{registration.pk}:{launch.user_id}"[:255],
        defaults={"name": launch.name or f"Learner {launch.user_id[:12]}", "email": launch.email},
    )
    context: dict[str, Any] = {}
    if launch.lineitem and ags.SCORE_SCOPE in launch.ags_scopes:
        context = {"registration_id": registration.pk, "user_id": launch.user_id, "lineitem": launch.lineitem}
    return LaunchResult(user=user, agent=agent, lti_context=context)
