"""Celery tasks of the LTI app: they take ids and call a service."""

from __future__ import annotations

from celery import shared_task

from deesc_lms.lti import services
from deesc_lms.lti.models import GradeDelivery


@shared_task(acks_late=True)
def delivery_send_task(delivery_id: int) -> str | None:
    delivery = GradeDelivery.objects.filter(pk=delivery_id).first()
    if delivery is None:
        return None
    return services.delivery_send(delivery=delivery).status


@shared_task
def deliveries_retry_due() -> int:
    """Periodic: send every pending score whose next try is due (run by celery beat or cron)."""
    due = services.deliveries_due()
    for delivery in due:
        services.delivery_send(delivery=delivery)
    return len(due)
