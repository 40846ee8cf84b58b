"""python manage.py ingest PATH... [--agent NAME] [--json]: recordings and transcripts, files or folders."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from deesc_lms.api_errors import DeescError
from deesc_lms.calls import audio, transcripts
from deesc_lms.calls.models import Agent
from deesc_lms.calls.services import call_ingest
from deesc_lms.commands import require_migrated_database


def files_under(paths: list[Path]) -> list[Path]:
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found += sorted(
                p
                for p in path.rglob("*")
                if p.is_file() and (audio.is_audio_name(p.name) or transcripts.is_transcript_name(p.name))
            )
        elif path.exists():
            found.append(path)
        else:
            raise CommandError(f"No such file or folder: {path}")
    return found


class Command(BaseCommand):
    help = "Ingest call recordings and transcripts (files or folders). Re-ingesting the same file does nothing."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("paths", nargs="+", type=Path)
        parser.add_argument("--agent", help="Agent name (created if new) to attach the calls to.")
        parser.add_argument("--json", action="store_true", help="One JSON object per file on stdout.")
        parser.add_argument("--channel-roles", help='Role per channel, e.g. "customer,agent" (default agent,customer).')
        parser.add_argument("--speaker-map", help='Transcript speaker names to roles, e.g. "Sam=agent,Pat=customer".')

    def handle(self, *args: Any, **options: Any) -> None:
        require_migrated_database()
        files = files_under(options["paths"])
        if not files:
            raise CommandError("No recordings or transcripts found.")
        agent = Agent.objects.get_or_create(name=options["agent"])[0] if options["agent"] else None
        roles = [r for r in options["channel_roles"].split(",") if r.strip()] if options["channel_roles"] else None
        speaker_map = self._speaker_map(options["speaker_map"])
        failures = []
        bar = tqdm(files, unit="file", disable=options["json"] or not sys.stderr.isatty(), file=sys.stderr)
        for path in bar:
            bar.set_postfix_str(path.name[:30])
            try:
                result = call_ingest(path=path, agent=agent, channel_roles=roles, speaker_map=speaker_map)
            except DeescError as exc:
                failures.append(f"{path}: {exc.message}")
                self._report(options, {"file": str(path), "status": "failed", "error": exc.message})
                continue
            call = result.call
            call.refresh_from_db()
            outcome = "ingested" if result.created else "already ingested, nothing to do"
            self._report(
                options,
                {"file": str(path), "call_id": call.pk, "created": result.created, "status": call.status},
                line=f"{path}: {outcome} (call {call.pk}, {call.status})",
            )
        if failures:
            raise CommandError(
                failures[0]
                if len(failures) == 1
                else f"{len(failures)} of {len(files)} files failed; first: {failures[0]}"
            )

    def _report(self, options: dict[str, Any], record: dict[str, Any], line: str = "") -> None:
        if options["json"]:
            self.stdout.write(json.dumps(record))
        elif line:
            self.stdout.write(line)

    @staticmethod
    def _speaker_map(raw: str | None) -> dict[str, str] | None:
        if not raw:
            return None
        mapping: dict[str, str] = {}
        for pair in raw.split(","):
            name, sep, role = pair.partition("=")
            if not sep:
                raise CommandError(f"--speaker-map expects NAME=ROLE pairs, got {pair!r}.")
            mapping[name.strip()] = role.strip()
        return mapping
