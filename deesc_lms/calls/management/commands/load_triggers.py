"""`python manage.py load_triggers [--replace] [PATH]`: the trigger taxonomy into the database."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from deesc_lms.api_errors import DeescError
from deesc_lms.calls.models import Trigger
from deesc_lms.calls.services import triggers_load_defaults
from deesc_lms.calls.triggers import DEFAULT_TAXONOMY
from deesc_lms.commands import require_migrated_database


class Command(BaseCommand):
    help = "Load the escalation-trigger taxonomy (default fixtures/triggers.yaml). Existing triggers keep admin edits."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", nargs="?", default=str(DEFAULT_TAXONOMY))
        parser.add_argument("--replace", action="store_true", help="Overwrite triggers edited in admin.")

    def handle(self, *args: Any, **options: Any) -> None:
        require_migrated_database()
        try:
            created = triggers_load_defaults(replace=options["replace"], path=Path(options["path"]))
        except DeescError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(f"{created} trigger(s) created; {Trigger.objects.count()} in the taxonomy.")
