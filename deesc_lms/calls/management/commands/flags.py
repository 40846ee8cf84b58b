"""`python manage.py flags [--json]`: every escalation flag, one a line."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from deesc_lms.calls.selectors import flag_rows, flags_filtered
from deesc_lms.commands import require_migrated_database


class Command(BaseCommand):
    help = "List escalation flags: call id, time (m:ss), trigger, stage, outcome and excerpt."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--json", action="store_true", help="One JSON array instead of a table.")
        parser.add_argument("--trigger", default="", help="Only this trigger slug.")
        parser.add_argument("--outcome", default="", help="Only this outcome.")
        parser.add_argument("--call", type=int, default=None, help="Only this call id.")

    def handle(self, *args: Any, **options: Any) -> None:
        require_migrated_database()
        flags = flags_filtered(trigger=options["trigger"], outcome=options["outcome"], call_id=options["call"])
        rows = flag_rows(flags)
        if options["json"]:
            self.stdout.write(json.dumps(rows, indent=2, ensure_ascii=False))
            return
        if not rows:
            self.stdout.write("No escalation flags. Run `python manage.py analyze --all` first.")
            return
        self.stdout.write(f"{'call':>6}  {'time':>7}  {'trigger':<20} {'stage':<12} {'outcome':<13} excerpt")
        for r in rows:
            excerpt = r["excerpt"] if len(r["excerpt"]) <= 80 else r["excerpt"][:77] + "..."
            self.stdout.write(
                f"{r['call_id']:>6}  {r['time']:>7}  {r['trigger']:<20} {r['stage']:<12} {r['outcome']:<13} {excerpt}"
            )
