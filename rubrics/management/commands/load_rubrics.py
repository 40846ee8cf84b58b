"""Load the shipped default rubrics (idempotent), rubric YAML files, or a calibration set."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from deesc_lms.api_errors import DeescError
from deesc_lms.commands import require_migrated_database
from rubrics import services, yaml_io


class Command(BaseCommand):
    help = (
        "Load rubrics/defaults/*.yaml, publishing v1 of each rubric not yet published. With FILES, import "
        "those YAML documents as drafts (--publish to publish). --calibration PATH loads a labelled calibration set."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("files", nargs="*", type=Path, help="Rubric YAML documents to import.")
        parser.add_argument("--publish", action="store_true", help="Publish the imported documents.")
        parser.add_argument("--calibration", type=Path, help="A calibration file or folder (fixtures/calibration).")

    def handle(self, *args: Any, **options: Any) -> None:
        require_migrated_database()
        try:
            if options["files"]:
                for path in options["files"]:
                    if not path.is_file():
                        raise CommandError(f"No file at {path}.")
                    try:
                        doc = yaml_io.parse(path.read_text(encoding="utf-8"))
                    except yaml_io.RubricDocumentError as exc:
                        raise CommandError(f"{path}: {exc}") from exc
                    version = services.rubric_version_from_document(
                        doc=doc, publish=options["publish"], change_note=f"Imported from {path.name}."
                    )
                    self.stdout.write(f"{version}")
            else:
                for version in services.rubrics_load_defaults():
                    self.stdout.write(f"{version.rubric.slug} v{version.number} ({version.content_hash[:12]})")
            if options["calibration"] is not None:
                if not options["calibration"].exists():
                    raise CommandError(f"No calibration set at {options['calibration']}.")
                try:
                    count = services.calibration_load(directory=options["calibration"])
                except ValueError as exc:
                    raise CommandError(str(exc)) from exc
                self.stdout.write(f"calibration: {count} labelled answers")
        except DeescError as exc:
            raise CommandError(exc.message) from exc
