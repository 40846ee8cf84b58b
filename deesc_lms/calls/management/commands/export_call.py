"""python manage.py export_call ID --format json|vtt|txt: a call's transcript on stdout."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from deesc_lms.api_errors import DeescError
from deesc_lms.calls.models import Call
from deesc_lms.calls.services import call_export
from deesc_lms.commands import require_migrated_database


class Command(BaseCommand):
    help = "Print a call's transcript as the project JSON, WebVTT or plain text."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("call_id", type=int)
        parser.add_argument("--format", choices=["json", "vtt", "txt"], default="json")

    def handle(self, *args: Any, **options: Any) -> None:
        require_migrated_database()
        call = Call.objects.filter(pk=options["call_id"]).first()
        if call is None:
            raise CommandError(f"No call {options['call_id']}.")
        try:
            content, _ = call_export(call=call, fmt=options["format"])
        except DeescError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(content, ending="")
