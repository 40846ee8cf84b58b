"""Send every queued gradebook score whose next try is due (run from cron without Celery beat)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from deesc_lms.commands import require_migrated_database
from deesc_lms.lti import services
from deesc_lms.lti.models import GradeDelivery


class Command(BaseCommand):
    help = "Send the queued LTI AGS scores that are due; --all sends every pending one now."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--all", action="store_true", help="Also send pending scores whose next try is later.")

    def handle(self, *args: Any, **options: Any) -> None:
        require_migrated_database()
        if options["all"]:
            due = list(GradeDelivery.objects.filter(status=GradeDelivery.Status.PENDING).order_by("pk"))
        else:
            due = services.deliveries_due()
        counts = {status: 0 for status in GradeDelivery.Status.values}
        for delivery in due:
            counts[services.delivery_send(delivery=delivery).status] += 1
        self.stdout.write(
            f"{len(due)} score(s) tried: {counts['sent']} sent, {counts['pending']} still pending, {counts['failed']} failed"
        )
