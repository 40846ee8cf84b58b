"""`python manage.py analyze [--all | CALL_ID...]`: escalation analysis, idempotent."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from deesc_lms.api_errors import DeescError
from deesc_lms.calls.models import Call
from deesc_lms.calls.services import call_analyse, flags_pick_representative, trigger_classifier
from deesc_lms.commands import require_migrated_database


class Command(BaseCommand):
    help = "Analyse calls for escalations. Re-analysing a call replaces its flags."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("call_ids", nargs="*", type=int, help="Calls to analyse.")
        parser.add_argument("--all", action="store_true", help="Every transcribed or analysed call.")
        parser.add_argument("--no-progress", action="store_true", help="No progress bar (for logs).")

    def handle(self, *args: Any, **options: Any) -> None:
        require_migrated_database()
        ids: list[int] = options["call_ids"]
        if bool(ids) == bool(options["all"]):
            raise CommandError("Give either --all or one or more call ids.")
        if options["all"]:
            qs = Call.objects.filter(status__in=[Call.Status.TRANSCRIBED, Call.Status.ANALYSED])
        else:
            qs = Call.objects.filter(pk__in=ids)
            missing = sorted(set(ids) - set(qs.values_list("pk", flat=True)))
            if missing:
                raise CommandError(f"No call with id {', '.join(map(str, missing))}.")
        total = qs.count()
        try:
            classifier = trigger_classifier()
            flags = 0
            quiet = options["no_progress"] or options["verbosity"] < 1
            for call in tqdm(qs.order_by("pk").iterator(chunk_size=200), total=total, unit="call", disable=quiet):
                flags += len(call_analyse(call=call, classifier=classifier))
            picked = flags_pick_representative()
        except DeescError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(
            f"Analysed {total} call(s): {flags} escalation flag(s); {len(picked)} representative flag(s) picked."
        )
