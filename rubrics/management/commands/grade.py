"""Grade one answer from the command line: `manage.py grade --rubric combined --text "..." --json`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError, CommandParser

from deesc_lms.api_errors import DeescError
from deesc_lms.commands import require_migrated_database
from rubrics import services
from rubrics.models import Grade, RubricVersion


def grade_json(grade: Grade) -> dict[str, Any]:
    version = grade.rubric_version
    return {
        "score": grade.score,
        "passed": grade.passed,
        "criteria": [
            {
                "slug": c["slug"],
                "name": c.get("name", ""),
                "level": c["level"],
                "points": c["points"],
                "max_points": c.get("max_points"),
                "assessed": c.get("assessed", True),
                "evidence": c["evidence"],
                "feedback": c["feedback"],
            }
            for c in grade.results
        ],
        "feedback": grade.feedback,
        "better_line": grade.better_line,
        "rubric_version": {"slug": version.rubric.slug, "number": version.number, "content_hash": version.content_hash},
        "grade_id": grade.pk,
    }


class Command(BaseCommand):
    help = "Grade an answer (typed or spoken) against a rubric's current published version, and store the grade."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--rubric", required=True, help="Rubric slug, e.g. combined or step-2-acknowledge.")
        answer = parser.add_mutually_exclusive_group(required=True)
        answer.add_argument("--text", help="The answer as text.")
        answer.add_argument("--audio", type=Path, help="A recorded answer (wav, mp3, m4a, ...).")
        parser.add_argument("--customer", default="", help="The customer line the answer replies to.")
        parser.add_argument("--json", action="store_true", help="Print the result as JSON.")
        parser.add_argument("--speak", action="store_true", help="Also synthesize the feedback as audio (espeak-ng).")

    def handle(self, *args: Any, **options: Any) -> None:
        require_migrated_database()
        slug = options["rubric"]
        audio = options["audio"]
        if audio is not None and not audio.is_file():
            raise CommandError(f"No audio file at {audio}.")
        try:
            if not RubricVersion.objects.filter(rubric__slug=slug, status=RubricVersion.Status.PUBLISHED).exists():
                services.rubrics_load_defaults()
            grade = services.answer_grade(
                rubric_slug=slug,
                text=options["text"] or "",
                audio_path=audio,
                customer_line=options["customer"],
                spoken_feedback=options["speak"],
            )
        except DeescError as exc:
            raise CommandError(exc.message) from exc
        except ImproperlyConfigured as exc:
            raise CommandError(str(exc)) from exc
        result = grade_json(grade)
        if options["json"]:
            self.stdout.write(json.dumps(result, ensure_ascii=False, indent=2))
            return
        self.stdout.write(
            f"{slug} v{grade.rubric_version.number}: {grade.score:.0f}/100 {'passed' if grade.passed else 'not yet'}"
        )
        for c in result["criteria"]:
            quote = f'  "{c["evidence"][0]["text"]}"' if c["evidence"] else ""
            self.stdout.write(f"- {c['slug']}: {c['level']} ({c['points']}/{c['max_points']}){quote}")
        self.stdout.write("")
        self.stdout.write(grade.feedback)
